// OnnxExporterTests.cs — every zoo model exported and run in ONNX Runtime (the peer), compared with
// Cortex's own inference on the same batch; batch norms kept and folded. Also: the file states opset
// 13, its batch dimension is symbolic (batch 2 and 5 both run), and initializers keep the state-dict keys.
using Cortex.Layers;
using Cortex.Onnx.Proto;
using Cortex.Tensors;

namespace Cortex.Onnx.Tests;

[Collection(nameof(OnnxExporterTests))]
public sealed class OnnxExporterTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    public static TheoryData<string, string> Zoo => OnnxTestSupport.ZooCases();

    [Theory]
    [MemberData(nameof(Zoo))]
    public void ExportedZooModelMatchesOnnxRuntime(string name, string options)
    {
        var (model, input) = OnnxTestSupport.Build(name, options);
        var x = OnnxTestSupport.Batch(input, 2);
        var expected = model.Forward(x, training: false).Clone();
        bool[] folds = model.Descendants().Any(l => l is BatchNorm) ? [false, true] : [false];   // folding changes nothing without a batch norm
        foreach (bool fold in folds)
        {
            var bytes = OnnxExporter.ToBytes(model, new OnnxExportOptions(input) { FoldBatchNorm = fold });
            var (actual, dims) = OnnxTestSupport.RunOrt(bytes, x);
            Assert.Equal(expected.Shape.Dimensions.ToArray(), dims);
            double error = OnnxTestSupport.RelativeError(expected.Span, actual);
            output.WriteLine($"{name} {options} fold={fold}: {bytes.Length:N0} bytes, max relative error {error:E2}");
            Assert.True(error <= Tolerance, $"{name} {options} fold={fold}: ONNX Runtime differs from Cortex by {error:E2} (> {Tolerance:E0})");
        }
    }

    [Fact]
    public void FileStatesOpset13AndKeepsStateDictKeys()
    {
        var (model, input) = OnnxTestSupport.Build("resnet20", "shortcut=B");
        var file = ModelProto.Parser.ParseFrom(OnnxExporter.ToBytes(model, new OnnxExportOptions(input)));
        Assert.Equal(OnnxExporter.Opset, Assert.Single(file.OpsetImport).Version);
        Assert.Equal(13, OnnxExporter.Opset);
        var initializers = file.Graph.Initializer.Select(t => t.Name).ToHashSet();
        foreach (var (key, _) in model.NamedParameters())
            Assert.Contains(key, initializers);
        foreach (var (key, _) in model.NamedBuffers().Where(b => !b.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal)))
            Assert.Contains(key, initializers);
        var batch = file.Graph.Input[0].Type.TensorType.Shape.Dim[0];
        Assert.Equal("N", batch.DimParam);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void BatchDimensionIsDynamic(int batch)
    {
        var (model, input) = OnnxTestSupport.Build("lenet5", "");
        var bytes = OnnxExporter.ToBytes(model, new OnnxExportOptions(input));
        var x = OnnxTestSupport.Batch(input, batch);
        var expected = model.Forward(x, training: false);
        var (actual, dims) = OnnxTestSupport.RunOrt(bytes, x);
        Assert.Equal(batch, dims[0]);
        Assert.True(OnnxTestSupport.RelativeError(expected.Span, actual) <= Tolerance);
    }

    [Fact]
    public void HandBuiltTreesExport()
    {
        var random = new CortexRandom(5);
        var model = new Sequential(
            new Conv2d(3, 8, 3, padding: ConvPadding.Explicit(1, 0, 2, 1), random: random),
            new LeakyReLU(0.2f),
            new Residual(new Sequential(new Conv2d(8, 8, 3, padding: 1, groups: 2, random: random), new ELU(0.7f)), activation: new Sigmoid()),
            new Concat(new Conv2d(8, 4, 1, random: random), new Sequential(new ReplicationPad2d(1), new Conv2d(8, 4, 3, dilation: 1, random: random)), new Tanh()),
            new Conv2d(16, 4, 3, padding: "same", paddingMode: Cortex.Kernels.PaddingMode.Replicate, dilation: 2, random: random),
            new LocalResponseNorm(3, 1e-2f, 0.75f, 1f),
            new AvgPool2d(3, stride: 2, padding: 1, countIncludePad: false),
            new Flatten(),
            new Dense(96, 6, random: random),
            new BatchNorm1d(6),
            new Softmax());
        OnnxTestSupport.Randomize(model, 9);
        var input = new Shape(3, 9, 10);
        var x = OnnxTestSupport.Batch(input, 3);
        var expected = model.Forward(x, training: false).Clone();
        var (actual, _) = OnnxTestSupport.RunOrt(OnnxExporter.ToBytes(model, new OnnxExportOptions(input)), x);
        Assert.True(OnnxTestSupport.RelativeError(expected.Span, actual) <= Tolerance);
    }

    [Fact]
    public void UnsupportedLayerIsNamed()
    {
        var model = new Sequential(new Flatten(), new Maxout(2, name: "mo"));
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.ToBytes(model, new OnnxExportOptions(new Shape(4))));
        Assert.Contains("Maxout", e.Message, StringComparison.Ordinal);
    }
}
