// Every zoo model built once at its native input: the published parameter counts, the output shape
// (OutputShape, and a real forward pass of one image must agree with it), the summary's totals, and
// for ResNet the multiply-adds of the lectures' table (He et al. 2016, Table 1 "FLOPs", counted as
// multiply-adds) within 3 %.
// The big models allocate their weights (VGG-19: 144M floats = 575 MB), so this class is one
// collection: its cases run one after another and each model is collected before the next. The
// weights are initialized to zeros (option init=zeros) so a build costs its allocation only.
using Cortex.Diagnostics;
using Cortex.Tensors;

namespace Cortex.Models.Tests;

[Collection(nameof(NativeSizeTests))]
public sealed class NativeSizeTests
{
    [Theory]
    [InlineData("catsdogs", "", 3_453_121)]                  // the lectures' Keras summary
    [InlineData("catsdogs", "dropout=true", 3_453_121)]      // dropout adds no parameters
    [InlineData("alexnet", "", 62_378_344)]                  // the lectures' table, one tower
    // groups=2: conv2 256·48·25 + 256 = 307,456 (not 614,656), conv4 384·192·9 + 384 = 663,936 (not 1,327,488),
    // conv5 256·192·9 + 256 = 442,624 (not 884,992): 62,378,344 − 307,200 − 663,552 − 442,368 = 60,965,224
    [InlineData("alexnet", "groups=2", 60_965_224)]
    [InlineData("vgg11", "", 132_863_336)]                   // Simonyan & Zisserman 2015, Table 2 (A: 133M)
    [InlineData("vgg11-lrn", "", 132_863_336)]
    [InlineData("vgg13", "", 133_047_848)]                   // B
    [InlineData("vgg16-c", "", 133_638_952)]                 // C
    [InlineData("vgg16", "", 138_357_544, 15.47, 15_237_608)] // D; activations: the sum of the lectures' VGG-16 memory rows
    [InlineData("vgg19", "", 143_667_240)]                   // E
    [InlineData("vgg16", "include_top=false", 14_714_688)]   // Keras VGG16(include_top=False), the lectures' summary
    [InlineData("vgg16", "batch_norm=true", 138_365_992)]    // torchvision vgg16_bn: γ and β for 2·64 + 2·128 + 3·256 + 6·512 channels = +8,448
    // Lin et al. 2014 CIFAR-10: 14,592 + 30,880 + 15,456 + 460,992 + 37,056 + 37,056 + 331,968 + 37,056 + 1,930
    [InlineData("nin", "", 966_986)]
    [InlineData("googlenet", "", 6_998_552)]
    // + aux1 (conv 512·128 + 128, fc 2048·1024 + 1024, fc 1024·1000 + 1000 = 3,188,840) + aux2 (528 inputs: 3,190,888)
    [InlineData("googlenet", "aux_logits=true", 13_378_280)]
    [InlineData("resnet18", "", 11_689_512, 1.8)]
    [InlineData("resnet34", "", 21_797_672, 3.6)]
    [InlineData("resnet50", "", 25_557_032, 3.8)]
    [InlineData("resnet50", "stride_on=3x3", 25_557_032, 4.1)]   // torchvision v1.5: the same weights, more MACs
    [InlineData("resnet101", "", 44_549_160, 7.6)]
    [InlineData("resnet152", "", 60_192_808, 11.3)]
    [InlineData("plain18", "", 11_515_688)]                  // resnet18 less its three projections (8,448 + 33,280 + 132,096)
    [InlineData("plain34", "", 21_623_848)]
    // resnet20: stem 3·16·9 + BN 32 = 464; stage 1: 3 blocks · (2·2,304 + 64) = 14,016;
    // stage 2: (4,608 + 9,216 + 128) + 2·(2·9,216 + 128) = 51,072; stage 3: (18,432 + 36,864 + 256) + 2·(2·36,864 + 256)
    // = 203,520; fc 64·10 + 10 = 650. Total 269,722 (the paper: 0.27M); option A shortcuts have no parameters.
    [InlineData("resnet20", "", 269_722)]
    [InlineData("resnet20", "shortcut=B", 272_474)]          // + 16·32 + 64 and 32·64 + 128 for the two projections
    [InlineData("resnet32", "", 464_154)]                    // 0.46M
    [InlineData("resnet44", "", 658_586)]                    // 0.66M
    [InlineData("resnet56", "", 853_018)]                    // 0.85M
    [InlineData("resnet110", "", 1_727_962)]                 // 1.7M
    [InlineData("plain20", "", 269_722)]
    [InlineData("plain32", "", 464_154)]
    [InlineData("plain44", "", 658_586)]
    [InlineData("plain56", "", 853_018)]
    [InlineData("plain110", "", 1_727_962)]
    [InlineData("lenet5", "", 61_706)]
    [InlineData("lenet5-classic", "", 61_706)]
    [InlineData("simpleconvnet", "", 433_890)]
    [InlineData("convnetjs-cifar", "", 22_466)]              // ConvNetJS's CIFAR-10 demo on 3×32×32
    public void NativeInput_ParametersShapeAndSummary(string name, string options, long parameters, double gigaMacs = 0, long activations = 0)
    {
        var info = ModelZoo.Find(name);
        var spec = Options(options);
        spec["init"] = "zeros";                       // allocation only: drawing 138M normals is what costs
        var model = ModelZoo.Create(name, options: spec);
        Assert.Equal(parameters, model.AllParameters().Sum(p => (long)p.Value.Size));

        var output = model.OutputShape(new Shape([1, .. info.DefaultInput.Dimensions]));
        if (!options.Contains("include_top", StringComparison.Ordinal))
            Assert.Equal(new Shape(1, info.DefaultClasses), output);

        // A real forward pass of one image at the native size, not only the shape arithmetic (with
        // zero weights its values say nothing; TrainingStepTests checks values on smaller inputs).
        var x = Tensor.RandomNormal(new Shape([1, .. info.DefaultInput.Dimensions]), new CortexRandom(1));
        Assert.Equal(output, model.Forward(x, training: false).Shape);

        var summary = ModelSummary.Create(model, info.DefaultInput);
        Assert.Equal(parameters, summary.TotalParameters);
        Assert.Equal(parameters, summary.TrainableParameters);
        Assert.Equal(parameters, summary.Leaves.Sum(r => r.Parameters));
        Assert.Equal(output, summary.OutputShape);
        Assert.All(summary.Rows, r => Assert.NotEmpty(r.Path));
        if (gigaMacs > 0)
            Assert.InRange(summary.Macs / 1e9, gigaMacs * 0.97, gigaMacs * 1.03);
        if (activations > 0)
            Assert.Equal(activations, summary.ActivationValues);
    }

    [Fact]
    public void EveryRegisteredModel_IsCoveredAbove()
    {
        var covered = typeof(NativeSizeTests).GetMethod(nameof(NativeInput_ParametersShapeAndSummary))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>()
            .Select(a => (string)a.Data[0]!).ToHashSet();
        Assert.DoesNotContain(ModelZoo.Models, m => !covered.Contains(m.Name));
    }

    internal static Dictionary<string, string> Options(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=')).ToDictionary(kv => kv[0], kv => kv[1]);
}
