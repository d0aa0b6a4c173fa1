// OnnxImporterTests.cs — the round trip (every zoo model exported, imported back: the same outputs and
// the same number of parameters), an imported model trains, and hand-built graphs of the importer's
// other forms (MatMul + Add, asymmetric and SAME pads, ceil mode, Reshape-flatten) against ONNX Runtime.
using Cortex.Layers;
using Cortex.Onnx.Proto;
using Cortex.Tensors;
using Google.Protobuf;

namespace Cortex.Onnx.Tests;

[Collection(nameof(OnnxExporterTests))]
public sealed class OnnxImporterTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Zoo => OnnxTestSupport.ZooCases();

    [Theory]
    [MemberData(nameof(Zoo))]
    public void RoundTripKeepsOutputsAndParameterCount(string name, string options)
    {
        var (model, input) = OnnxTestSupport.Build(name, options);
        var x = OnnxTestSupport.Batch(input, 2);
        var expected = model.Forward(x, training: false).Clone();
        var imported = OnnxImporter.Load(OnnxExporter.ToBytes(model, new OnnxExportOptions(input)));
        Assert.Equal(input, imported.Input);
        var actual = imported.Model.Forward(x, training: false);
        Assert.Equal(expected.Shape, actual.Shape);
        double error = OnnxTestSupport.RelativeError(expected.Span, actual.Span);
        output.WriteLine($"{name} {options}: max relative error {error:E2}");
        Assert.True(error <= 1e-5, $"{name}: the imported model differs by {error:E2}");
        // GoogLeNet's auxiliary heads run only in training, so they are not exported.
        long Count(Layer m) => m.Descendants().Where(l => l is not Cortex.Models.AuxiliaryClassifier).SelectMany(Own).Sum(p => (long)p.Value.Size);
        static IEnumerable<Parameter> Own(Layer l) => l.Parameters;
        long original = options.Contains("aux_logits", StringComparison.Ordinal)
            ? Count(model) - model.Descendants().OfType<Cortex.Models.AuxiliaryClassifier>().SelectMany(a => a.AllParameters()).Sum(p => (long)p.Value.Size)
            : model.AllParameters().Sum(p => (long)p.Value.Size);
        Assert.Equal(original, imported.Model.AllParameters().Sum(p => (long)p.Value.Size));
    }

    [Fact]
    public void ImportedModelTrains()
    {
        var (model, input) = OnnxTestSupport.Build("resnet20", "shortcut=B");
        var imported = OnnxImporter.Load(OnnxExporter.ToBytes(model, new OnnxExportOptions(input))).Model;
        var x = OnnxTestSupport.Batch(input, 4);
        var y = imported.Forward(x, training: true);
        imported.ZeroGradients();
        imported.Backward(Tensor.Ones(y.Shape));
        Assert.Contains(imported.AllParameters(), p => p.Gradient.Span.ToArray().Any(g => g != 0f));
        Assert.All(imported.AllParameters(), p => Assert.True(p.Trainable));
    }

    [Fact]
    public void ImporterFormsMatchOnnxRuntime()
    {
        // x (N, 3, 9, 8) → Pad(edge) → Conv pads [3, 3, 2, 2] (asymmetric) → Relu → MaxPool 3/2 ceil_mode, pads [0, 0, 1, 1]
        //   → Conv auto_pad SAME_LOWER stride 2 → AveragePool 2/1 (count_include_pad 0) → Reshape [0, -1] → MatMul + Add → Softmax
        var random = new CortexRandom(11);
        var g = new GraphProto { Name = "forms" };
        g.Input.Add(Value("x", 3, 9, 8));
        g.Initializer.Add(OnnxTensors.Int64("pads", 0, 0, 1, 0, 0, 0, 1, 2));
        g.Initializer.Add(Weights("w1", random, 4, 3, 3, 3));
        g.Initializer.Add(Weights("b1", random, 4));
        g.Initializer.Add(Weights("w2", random, 6, 4, 3, 3));
        g.Initializer.Add(OnnxTensors.Int64("shape", 0, -1));
        g.Node.Add(Node("Pad", ["x", "pads"], "p", Attr("mode", "edge")));
        g.Node.Add(Node("Conv", ["p", "w1", "b1"], "c1", Attr("pads", 3, 3, 2, 2)));
        g.Node.Add(Node("Relu", ["c1"], "r1"));
        g.Node.Add(Node("MaxPool", ["r1"], "m1", Attr("kernel_shape", 3, 3), Attr("strides", 2, 2), Attr("pads", 0, 0, 1, 1), Attr("ceil_mode", 1)));
        g.Node.Add(Node("Conv", ["m1", "w2"], "c2", Attr("strides", 2, 2), Attr("auto_pad", "SAME_LOWER")));
        g.Node.Add(Node("AveragePool", ["c2"], "a1", Attr("kernel_shape", 2, 2), Attr("pads", 0, 0, 1, 1)));
        g.Node.Add(Node("Reshape", ["a1", "shape"], "f"));
        // Shapes: pad → 10×11; conv → (10 + 6 − 3 + 1) × (11 + 4 − 3 + 1) = 14×13; pool (ceil) → 7×7 (pads 0/1);
        // conv SAME /2 → 4×4; avg 2/1 with one trailing pad → 4×4: 6·16 = 96 features.
        g.Initializer.Add(Weights("w3", random, 96, 5));
        g.Initializer.Add(Weights("b3", random, 5));
        g.Node.Add(Node("MatMul", ["f", "w3"], "mm"));
        g.Node.Add(Node("Add", ["mm", "b3"], "fc"));
        g.Node.Add(Node("Softmax", ["fc"], "y", Attr("axis", 1)));
        g.Output.Add(Value("y", 5));
        var bytes = Model(g, 13).ToByteArray();

        var imported = OnnxImporter.Load(bytes);
        var x = OnnxTestSupport.Batch(imported.Input, 3);
        var expected = imported.Model.Forward(x, training: false);
        var (actual, dims) = OnnxTestSupport.RunOrt(bytes, x, "x");
        Assert.Equal(expected.Shape.Dimensions.ToArray(), dims);
        Assert.True(OnnxTestSupport.RelativeError(actual, expected.Span) <= 1e-5);
        Assert.Equal(4 * 3 * 9 + 4 + (6 * 4 * 9) + (96 * 5) + 5, imported.Model.AllParameters().Sum(p => p.Value.Size));
    }

    [Fact]
    public void UnsupportedOperatorIsRefusedByNodeOperatorAndOpset()
    {
        var g = new GraphProto { Name = "g" };
        g.Input.Add(Value("x", 4));
        g.Node.Add(Node("Relu", ["x"], "r"));
        g.Node.Add(new NodeProto { Name = "hardswish_7", OpType = "HardSwish", Input = { "r" }, Output = { "y" } });
        g.Output.Add(Value("y", 4));
        var e = Assert.Throws<OnnxUnsupportedException>(() => OnnxImporter.Load(Model(g, 14).ToByteArray()));
        Assert.Contains("hardswish_7", e.Message, StringComparison.Ordinal);
        Assert.Contains("HardSwish", e.Message, StringComparison.Ordinal);
        Assert.Contains("opset 14", e.Message, StringComparison.Ordinal);
        Assert.Equal("HardSwish", e.OpType);
    }

    [Fact]
    public void OpsetsOutsideSevenToTwentyFiveAreRefused()
    {
        var g = new GraphProto { Name = "g" };
        g.Input.Add(Value("x", 4));
        g.Node.Add(Node("Relu", ["x"], "y"));
        g.Output.Add(Value("y", 4));
        Assert.Single(OnnxImporter.Load(Model(g, 7).ToByteArray()).Model.Descendants().OfType<ReLU>());
        Assert.Contains("opset 6", Assert.Throws<OnnxUnsupportedException>(() => OnnxImporter.Load(Model(g, 6).ToByteArray())).Message, StringComparison.Ordinal);
        Assert.Contains("opset 26", Assert.Throws<OnnxUnsupportedException>(() => OnnxImporter.Load(Model(g, 26).ToByteArray())).Message, StringComparison.Ordinal);
    }

    internal static ModelProto Model(GraphProto g, int opset)
    {
        var m = new ModelProto { IrVersion = 7, ProducerName = "test", Graph = g };
        m.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return m;
    }

    internal static ValueInfoProto Value(string name, params int[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        foreach (int d in dims)
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
    }

    internal static TensorProto Weights(string name, CortexRandom random, params int[] dims)
    {
        var t = Tensor.RandomUniform(new Shape(dims), random, -0.5f, 0.5f);
        return OnnxTensors.Float(name, t.Span, dims);
    }

    internal static NodeProto Node(string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var n = new NodeProto { OpType = op, Name = output };
        n.Input.Add(inputs);
        n.Output.Add(output);
        n.Attribute.Add(attributes);
        return n;
    }

    internal static AttributeProto Attr(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name };
        if (values.Length == 1 && name is "ceil_mode" or "count_include_pad" or "group" or "axis")
        {
            a.Type = AttributeProto.Types.AttributeType.Int;
            a.I = values[0];
        }
        else
        {
            a.Type = AttributeProto.Types.AttributeType.Ints;
            a.Ints.Add(values);
        }
        return a;
    }

    internal static AttributeProto Attr(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };
}
