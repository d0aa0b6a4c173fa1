using System.Text.Json;
using Cortex.Diagnostics;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Tests.Diagnostics;

public class ModelSummaryTests
{
    [Fact]
    public void ThreeStacked3x3Convs_SeeA7x7Window()
    {
        // The lectures' VGG argument: three 3×3 convolutions have the receptive field of one 7×7 (with fewer weights).
        var model = new Sequential(new Conv2d(1, 1, 3, padding: 1), new ReLU(), new Conv2d(1, 1, 3, padding: 1), new ReLU(), new Conv2d(1, 1, 3, padding: 1));
        var summary = ModelSummary.Create(model, new Shape(1, 32, 32));
        var fields = summary.Leaves.Where(r => r.Kind == "Conv2d").Select(r => r.ReceptiveField).ToArray();
        Assert.Equal([new ReceptiveField(3, 3, 1, 1), new ReceptiveField(5, 5, 1, 1), new ReceptiveField(7, 7, 1, 1)], fields);
        Assert.Equal("7×7 /1", fields[2]!.ToString());
    }

    [Fact]
    public void StridesAndPools_GrowTheJump()
    {
        // r ← r + (k − 1)·j, j ← j·s:  conv 3/1 → 3 /1;  pool 2/2 → 4 /2;  conv 3/1 → 8 /2;  conv 3/2 dilated 2 → 16 /4
        var model = new Sequential(new Conv2d(1, 2, 3), new MaxPool2d(2), new Conv2d(2, 2, 3), new Conv2d(2, 2, 3, stride: 2, dilation: 2));
        var fields = ModelSummary.Create(model, new Shape(1, 40, 40)).Leaves.Select(r => r.ReceptiveField).ToArray();
        Assert.Equal([new ReceptiveField(3, 3, 1, 1), new ReceptiveField(4, 4, 2, 2), new ReceptiveField(8, 8, 2, 2), new ReceptiveField(16, 16, 4, 4)], fields);
    }

    [Fact]
    public void ParametersMacsAndActivations_FollowTheDefinitions()
    {
        // conv 3→8 3×3 pad 1 on 10×10: 8·3·9 + 8 = 224 params, 10·10·8·3·9 = 21,600 MACs
        // pool → 8×5×5;  flatten;  dense 200→4: 804 params, 800 MACs
        var model = new Sequential("net").Add("conv", new Conv2d(3, 8, 3, padding: 1)).Add("relu", new ReLU()).Add("pool", new MaxPool2d(2))
            .Add("flatten", new Flatten()).Add("fc", new Dense(200, 4));
        model.AllParameters().Last().Trainable = false;    // fc.bias frozen
        var summary = ModelSummary.Create(model, new Shape(3, 10, 10));
        Assert.Equal(224 + 804, summary.TotalParameters);
        Assert.Equal(224 + 800, summary.TrainableParameters);
        Assert.Equal(4, summary.NonTrainableParameters);
        Assert.Equal(21_600 + 800, summary.Macs);
        // input 300 + conv 800 + pool 200 + fc 4; the ReLU (in place) and Flatten (a view) add nothing
        Assert.Equal(300 + 800 + 200 + 4, summary.ActivationValues);
        Assert.Equal(4 * summary.ActivationValues, summary.ActivationBytes);
        Assert.Equal(["net", "conv", "relu", "pool", "flatten", "fc"], summary.Rows.Select(r => r.Path));
        Assert.True(summary.Rows[0].IsContainer);
        Assert.Equal(new Shape(1, 4), summary.OutputShape);
    }

    [Fact]
    public void GroupedConvolution_CountsItsMacsPerGroup()
    {
        var summary = ModelSummary.Create(new Conv2d(4, 8, 3, groups: 2, bias: false), new Shape(4, 5, 5));
        Assert.Equal(3 * 3 * 8 * (4 / 2) * 3 * 3, summary.Macs);   // OH·OW·FN·(C/groups)·KH·KW
    }

    [Fact]
    public void ResidualAndConcat_AreWalkedAsBranches()
    {
        var block = new Residual(new Sequential(new Conv2d(2, 2, 3, padding: 1), new ReLU(), new Conv2d(2, 2, 3, padding: 1)), activation: new ReLU());
        var mixed = new Concat("mixed").Add("a", new Conv2d(2, 3, 1)).Add("b", new Conv2d(2, 5, 5, padding: 2));
        var model = new Sequential("m").Add("block", block).Add("mixed", mixed);
        var summary = ModelSummary.Create(model, new Shape(2, 9, 9));
        var byPath = summary.Rows.ToDictionary(r => r.Path);
        Assert.Equal(new ReceptiveField(5, 5, 1, 1), byPath["block"].ReceptiveField);          // the body's two 3×3, wider than the identity
        Assert.Equal(new ReceptiveField(9, 9, 1, 1), byPath["mixed"].ReceptiveField);          // the widest branch: 5 + 4
        Assert.Equal(new Shape(1, 8, 9, 9), byPath["mixed"].OutputShape);
        Assert.Contains(summary.Leaves, r => r.Path == "block.body.0");
        Assert.Equal(summary.TotalParameters, summary.Leaves.Sum(r => r.Parameters));
    }

    [Fact]
    public void Json_HasTheDocumentedFields()
    {
        var model = new Sequential("tiny", new Conv2d(1, 2, 3), new Flatten(), new Dense(2 * 4 * 4, 3));
        using var json = JsonDocument.Parse(ModelSummary.Create(model, new Shape(1, 6, 6)).ToJson());
        var root = json.RootElement;
        Assert.Equal("tiny", root.GetProperty("model").GetString());
        Assert.Equal([1, 6, 6], root.GetProperty("input").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(20 + 99, root.GetProperty("total_params").GetInt64());
        Assert.Equal(119, root.GetProperty("trainable_params").GetInt64());
        Assert.Equal((4 * 4 * 2 * 9) + 96, root.GetProperty("macs").GetInt64());
        Assert.Equal(4 * (36 + 32 + 3), root.GetProperty("activation_bytes").GetInt64());
        var layers = root.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal(["0", "1", "2"], layers.Select(l => l.GetProperty("path").GetString()));
        Assert.Equal("Conv2d", layers[0].GetProperty("type").GetString());
        Assert.Equal([1, 2, 4, 4], layers[0].GetProperty("output_shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(20, layers[0].GetProperty("params").GetInt64());
        Assert.Equal([3, 3], layers[0].GetProperty("receptive_field").GetProperty("size").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([6, 6], layers[2].GetProperty("receptive_field").GetProperty("size").EnumerateArray().Select(e => e.GetInt64()));   // flatten: the whole map
    }

    [Fact]
    public void WrongInput_FailsWithTheLayersMessage()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelSummary.Create(new Sequential(new Conv2d(3, 4, 3)), new Shape(1, 8, 8)));
        Assert.Contains("expects 3 input channels, got 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LayerTrace_GivesEachLeafTheInputItSees()
    {
        var random = new CortexRandom(4);
        var model = new Sequential(new Dense(3, 4, random: random), new Tanh(), new Residual(new Dense(4, 4, random: random)));
        var x = Tensor.RandomNormal(new Shape(2, 3), new CortexRandom(5));
        var trace = LayerTrace.LeafInputs(model, x, training: false);
        Assert.Equal(3, trace.Count);
        Assert.Equal(x.ToArray(), trace[0].Input.ToArray());
        var h = model[0].Forward(x, false).Clone();
        Assert.Equal(h.ToArray(), trace[1].Input.ToArray());
        Assert.Equal(model[1].Forward(h, false).ToArray(), trace[2].Input.ToArray());
    }

    [Fact]
    public void LayerGradientCheck_ChecksEveryLeaf()
    {
        var random = new CortexRandom(6);
        var model = new Sequential(new Conv2d(2, 3, 3, padding: 1, random: random), new BatchNorm2d(3), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Dense(12, 2, random: random));
        var x = Tensor.RandomNormal(new Shape(2, 2, 4, 4), new CortexRandom(7));
        var checks = LayerGradientCheck.Run(model, x, new GradientCheckOptions { MaxElementsPerTensor = 6 }, jitter: 0.1);
        Assert.Equal(["0", "1", "2", "3", "4", "5"], checks.Select(c => c.Layer.Path));
        Assert.All(checks, c => Assert.True(c.Report.Passed(1e-2), $"{c.Layer.Describe()}:\n{c.Report}"));
        Assert.Equal(new Shape(2, 3, 4, 4), checks[2].Input);
    }
}
