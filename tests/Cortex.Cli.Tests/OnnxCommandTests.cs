// OnnxCommandTests.cs — `cortex export` and `cortex import`: a saved zoo model goes out as ONNX and
// comes back as weights that, loaded into the imported layers, give the saved model's outputs; bad
// input files give one `error:` line.
using Cortex.Models;
using Cortex.Onnx;
using Cortex.Serialization;
using Cortex.Tensors;

namespace Cortex.Cli.Tests;

public sealed class OnnxCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cortex-onnx-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ExportThenImportGivesTheSavedModelsOutputs(bool foldBatchNorm)
    {
        var spec = ModelZoo.Spec("resnet20", input: new Shape(3, 8, 8), options: new Dictionary<string, string> { ["seed"] = "3", ["shortcut"] = "B" });
        var model = ModelZoo.Create(spec);
        string saved = Path.Combine(_folder, "m.safetensors"), onnx = Path.Combine(_folder, "m.onnx"), weights = Path.Combine(_folder, "w.safetensors");
        ModelZoo.Save(model, spec, saved);

        var (code, output, error) = CliRunner.Run(["export", saved, "--onnx", onnx, .. (foldBatchNorm ? new[] { "--fold-bn" } : [])]);
        Assert.True(code == 0, error);
        Assert.Contains("opset 13", output, StringComparison.Ordinal);
        (code, output, error) = CliRunner.Run("import", onnx, "--out", weights);
        Assert.True(code == 0, error);
        Assert.Contains("architecture as a reference to", output, StringComparison.Ordinal);

        var rebuilt = OnnxImporter.Load(onnx).Model;
        ModelFile.LoadWeights(rebuilt, weights);
        var x = Tensor.RandomUniform(new Shape(2, 3, 8, 8), new CortexRandom(1), -1f, 1f);
        var expected = model.Forward(x, training: false).ToArray();
        var actual = rebuilt.Forward(x, training: false).ToArray();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * Math.Max(1f, Math.Abs(expected[i])), $"output {i}: {expected[i]} vs {actual[i]}");
    }

    [Fact]
    public void BadFilesGiveOneErrorLine()
    {
        string junk = Path.Combine(_folder, "junk.onnx");
        File.WriteAllBytes(junk, [0x3A, 0xFF, 0xFF, 0xFF, 0x0F, 1, 2]);
        var (code, _, error) = CliRunner.Run("import", junk, "--out", Path.Combine(_folder, "x.safetensors"));
        Assert.Equal(1, code);
        Assert.StartsWith($"error: {junk}: not a valid ONNX file", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
        (code, _, error) = CliRunner.Run("export", Path.Combine(_folder, "none.safetensors"), "--onnx", Path.Combine(_folder, "y.onnx"));
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }
}
