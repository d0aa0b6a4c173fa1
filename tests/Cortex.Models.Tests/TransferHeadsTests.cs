using Cortex.Layers;
using Cortex.Serialization;
using Cortex.Tensors;
using Cortex.Transfer;

namespace Cortex.Models.Tests;

public class TransferHeadsTests
{
    [Theory]
    [InlineData("linear", null, 0)]
    [InlineData("mlp:256", 256, 0.5)]
    [InlineData(" MLP:64,0.25 ", 64, 0.25)]
    [InlineData("mlp:0", 0, 0)]
    public void Parse_ReadsTheTwoForms(string text, int? hidden, double dropout)
    {
        var head = HeadSpec.Parse(text);
        Assert.Equal(hidden, head.Hidden);
        Assert.Equal(dropout, head.Dropout);
        Assert.Equal(head, HeadSpec.Parse(head.ToString()));
    }

    [Theory]
    [InlineData("dense")]
    [InlineData("mlp:")]
    [InlineData("mlp:-1")]
    [InlineData("mlp:8,1.5")]
    public void Parse_RefusesOtherText(string text)
    {
        var e = Assert.Throws<FormatException>(() => HeadSpec.Parse(text));
        Assert.Equal($"head: expected 'linear' or 'mlp:HIDDEN[,DROPOUT]' (e.g. mlp:256,0.5), got '{text}'.", e.Message);
    }

    [Theory]
    [InlineData("lenet5")]
    [InlineData("resnet20")]
    [InlineData("vgg11")]
    public void ALinearHeadForNClasses_HasTheZoosOwnArchitectureForN(string name)
    {
        // What finetune saves ({model, num_classes: N, head: linear}) must load like the zoo's N-class model.
        var info = ModelZoo.Find(name);
        var zeros = new Dictionary<string, string> { ["init"] = "zeros" };
        var tuned = ModelZoo.Create(name, input: info.QuickInput, options: zeros);
        FineTuning.ReplaceHead(tuned, numClasses: 7);
        var reference = ModelZoo.Create(name, numClasses: 7, input: info.QuickInput, options: zeros);
        Assert.Equal(Shapes(reference), Shapes(tuned));
        var rebuilt = ModelZoo.Create(new ModelSpec(name, 7, info.QuickInput, new Dictionary<string, string>(zeros) { ["head"] = "linear" }));
        Assert.Equal(Shapes(reference), Shapes(rebuilt));
    }

    [Fact]
    public void AnMlpHeadOption_RebuildsTheBodyWithTheLecturesHead()
    {
        var spec = new ModelSpec("vgg16", 1, new Shape(3, 32, 32), new Dictionary<string, string> { ["include_top"] = "false", ["head"] = "mlp:256,0.5", ["init"] = "zeros" });
        var model = (Sequential)ModelZoo.Create(spec);
        var shapes = Shapes(model);
        Assert.Equal(14_714_688, shapes.Where(s => s.Key.StartsWith("features.", StringComparison.Ordinal) && !s.Key.Contains("running", StringComparison.Ordinal)).Sum(s => (long)s.Value.Size));  // Keras's VGG16(include_top=False)
        Assert.Equal(new Shape(256, 512), shapes["head.0.weight"]);
        Assert.Equal(new Shape(1, 256), shapes["head.3.weight"]);
        Assert.Equal(new Shape(2, 1), model.OutputShape(new Shape(2, 3, 32, 32)));
    }

    [Fact]
    public void TheCatsDogsRecipe_IsTheBooks()
    {
        var recipe = TransferRecipes.Find("VGG16-catsdogs");
        Assert.Equal(("vgg16", "false", "mlp:256,0.5", "features", "rmsprop", 2e-5f, 30, 20),
            (recipe.Base.Model, recipe.Base.Option("include_top"), recipe.Head, recipe.Freeze, recipe.Optimizer, recipe.LearningRate, recipe.Epochs, recipe.BatchSize));
        Assert.Equal(new Shape(3, 150, 150), recipe.Base.Input);
        var e = Assert.Throws<ArgumentException>(() => TransferRecipes.Find("resnet-dogs"));
        Assert.StartsWith("--recipe: no recipe named 'resnet-dogs'. Available: vgg16-catsdogs.", e.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, Shape> Shapes(Layer model) =>
        ModelFile.StateDict(model).ToDictionary(t => t.Key, t => t.Value.Shape, StringComparer.Ordinal);
}
