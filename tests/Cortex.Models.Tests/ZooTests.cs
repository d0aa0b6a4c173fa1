using Cortex.Layers;
using Cortex.Losses;
using Cortex.Optimizers;
using Cortex.Tensors;

namespace Cortex.Models.Tests;

public sealed class ZooTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cortex-zoo-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static long CountParameters(Layer model) => model.AllParameters().Sum(p => (long)p.Value.Size);

    [Theory]
    [InlineData("lenet5", 61_706)]          // LeCun et al. 1998 with full C3 connectivity
    [InlineData("lenet5-classic", 61_706)]
    [InlineData("simpleconvnet", 433_890)]  // the lectures' SimpleConvNet on 1×28×28
    [InlineData("convnetjs-cifar", 22_466)] // ConvNetJS's CIFAR-10 demo net: 1,216 + 8,020 + 10,020 + 3,210
    public void ParameterCounts_MatchThePublishedFigures(string name, long expected) =>
        Assert.Equal(expected, CountParameters(ModelZoo.Create(name)));

    [Theory]
    [InlineData("lenet5")]
    [InlineData("lenet5-classic")]
    [InlineData("simpleconvnet")]
    public void EachModel_RunsForwardAndOneTrainingStep(string name)
    {
        var model = ModelZoo.Create(name);
        var x = Tensor.RandomNormal(new Shape(4, 1, 28, 28), new CortexRandom(1));
        var labels = Tensor.FromArray(0f, 3f, 9f, 1f);
        var loss = new SoftmaxCrossEntropy();
        var optimizer = new Sgd(model.AllParameters(), 0.05f);
        float before = loss.Forward(model.Forward(x, training: true), labels);
        model.Backward(loss.Backward());
        optimizer.Step();
        float after = loss.Forward(model.Forward(x, training: true), labels);
        Assert.Equal(new Shape(4, 10), model.OutputShape(x.Shape));
        Assert.True(after < before, $"{name}: loss {before} → {after}");
    }

    [Fact]
    public void LeNet5_KeysFollowTheTorchvisionStyle()
    {
        var keys = ModelZoo.Create("lenet5").NamedParameters().Select(p => p.Key).ToArray();
        Assert.Equal(["features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias",
            "classifier.0.weight", "classifier.0.bias", "classifier.2.weight", "classifier.2.bias", "classifier.4.weight", "classifier.4.bias"], keys);
    }

    [Fact]
    public void OtherInputsAndClasses_AreHonoured()
    {
        var model = ModelZoo.Create("lenet5", numClasses: 3, input: new Shape(3, 32, 32));
        Assert.Equal(new Shape(2, 3), model.OutputShape(new Shape(2, 3, 32, 32)));
    }

    [Fact]
    public void WrongName_ListsTheAvailableModels()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelZoo.Create("lenet6"));
        Assert.Contains("no model named 'lenet6'", e.Message, StringComparison.Ordinal);
        Assert.Contains("lenet5, lenet5-classic, simpleconvnet", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Spec_RoundTripsThroughJson()
    {
        var spec = ModelZoo.Spec("simpleconvnet", 7, new Shape(1, 32, 32), new Dictionary<string, string> { ["init"] = "he" });
        string json = spec.ToJson();
        Assert.Equal("{\"model\":\"simpleconvnet\",\"num_classes\":7,\"input\":[1,32,32],\"options\":{\"init\":\"he\"}}", json);
        Assert.Equal(spec, ModelSpec.FromJson(json));
        Assert.Throws<FormatException>(() => ModelSpec.FromJson("{\"num_classes\":3}"));
    }

    [Fact]
    public void SaveAndLoad_RestoresAModelThatPredictsBitForBit()
    {
        var spec = ModelZoo.Spec("lenet5");
        var model = spec.Build();
        // Move the weights away from their initial values so a rebuild alone could not match.
        foreach (var p in model.AllParameters())
            p.Value.Span[0] += 0.125f;
        string path = Path.Combine(_folder, "lenet5.safetensors");
        ModelZoo.Save(model, spec, path);

        var (restored, restoredSpec) = ModelZoo.Load(path);
        Assert.Equal(spec, restoredSpec);
        var x = Tensor.RandomNormal(new Shape(3, 1, 28, 28), new CortexRandom(2));
        Assert.Equal(model.Forward(x, false).ToArray(), restored.Forward(x, false).ToArray());
    }
}
