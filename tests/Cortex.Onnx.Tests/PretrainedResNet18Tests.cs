// PretrainedResNet18Tests.cs — the ImageNet-pretrained ResNet-18 of Microsoft.ML.DnnImageFeaturizer.ResNet18
// (restored by this project's PackageReference), imported and run against ONNX Runtime on the same
// files: the preprocessing (RGB 0–255 → BGR − mean image) and the 512 features.
using Cortex.Tensors;

namespace Cortex.Onnx.Tests;

public sealed class PretrainedResNet18Tests(ITestOutputHelper log)
{
    private readonly List<string> _lines = [];
    [Fact]
    public void ImportedResNet18MatchesOnnxRuntime()
    {
        try
        {
            Check();
        }
        finally
        {
            foreach (var line in _lines)
                log.WriteLine(line);
            File.WriteAllLines(Path.Combine(AppContext.BaseDirectory, "resnet18-pretrained.txt"), _lines);   // beside the test binaries, for the record
        }
    }

    private void Check()
    {
        string? path = PretrainedModels.ResNet18ImageNetPath();
        if (path is null)
            Assert.Skip($"{PretrainedModels.ResNet18PackageId} is not restored in {PretrainedModels.GlobalPackagesFolder()}: run `dotnet restore tests/Cortex.Onnx.Tests`.");
        var resnet = PretrainedModels.LoadResNet18ImageNet();
        // The learned tensors of the file (Conv weights and biases, BatchNormalization scale and B), counted from the file itself.
        var file = Cortex.Onnx.Proto.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var learned = file.Graph.Node.SelectMany(n => n.OpType switch { "Conv" => n.Input.Skip(1), "BatchNormalization" => n.Input.Skip(1).Take(2), _ => [] }).ToHashSet();
        long inFile = file.Graph.Initializer.Where(t => learned.Contains(t.Name)).Sum(t => t.Dims.Aggregate(1L, (a, d) => a * d));
        long parameters = resnet.Model.AllParameters().Sum(p => (long)p.Value.Size);
        _lines.Add($"{parameters:N0} parameters");
        Assert.Equal(inFile, parameters);
        var channelMeans = Enumerable.Range(0, 3).Select(c => resnet.MeanImage.Span.Slice(c * 224 * 224, 224 * 224).ToArray().Average()).ToArray();
        _lines.Add($"mean image, per channel (B, G, R): {string.Join(", ", channelMeans.Select(m => m.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))}");

        byte[] model = File.ReadAllBytes(path), prep = File.ReadAllBytes(PretrainedModels.ResNet18PreprocessPath()!);
        for (ulong seed = 1; seed <= 2; seed++)
        {
            var rgb = Tensor.RandomUniform(new Shape(1, 3, 224, 224), new CortexRandom(seed), 0f, 255f);
            var x = resnet.Preprocess(rgb);
            var (ortPrep, _) = OnnxTestSupport.RunOrt(prep, rgb, "OriginalInput");
            Assert.True(OnnxTestSupport.RelativeError(ortPrep, x.Span) <= 1e-6, "the preprocessing differs from ResNetPreprocess.onnx");

            var expected = OnnxTestSupport.RunOrt(model, x, "Input247");
            var actual = resnet.Model.Forward(x, training: false);
            Assert.Equal(expected.Dims, actual.Shape.Dimensions.ToArray());
            double error = OnnxTestSupport.RelativeError(expected.Values, actual.Span);
            _lines.Add($"input {seed}: max relative error {error:E2} over {expected.Values.Length} features (largest {expected.Values.Max():F3})");
            Assert.True(error <= 1e-4, $"the imported ResNet-18 differs from ONNX Runtime by {error:E2}");
        }
    }
}
