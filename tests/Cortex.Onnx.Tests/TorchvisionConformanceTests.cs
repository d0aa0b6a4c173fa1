// TorchvisionConformanceTests.cs — torchvision models (random weights, batch norms with random
// statistics) exported to ONNX by Debian's python3-torch 1.13 / python3-torchvision 0.14, imported by
// Cortex and run beside ONNX Runtime on the same batch of two 3×64×64 images: the outputs must agree
// to 1e-4 (relative to the output's scale), or, for a model whose manifest line says refuse:OP, the
// import must be refused with a message naming that operator.
//
// The files (5–46 MB each) are made by scripts/make-torchvision-fixtures.sh into
// artifacts/torchvision-onnx (or $CORTEX_TORCHVISION_ONNX); without them the test is skipped with the
// command to run.
using Cortex.Tensors;

namespace Cortex.Onnx.Tests;

public sealed class TorchvisionConformanceTests(ITestOutputHelper log)
{
    public static TheoryData<string> Models() => ["resnet18", "squeezenet1_0", "squeezenet1_1", "googlenet", "densenet121", "mobilenet_v2"];

    [Theory]
    [MemberData(nameof(Models))]
    public void ImportedTorchvisionModelMatchesOnnxRuntimeOrIsRefusedByName(string name)
    {
        string folder = Folder();
        string manifest = Path.Combine(folder, "manifest.tsv");
        if (!File.Exists(manifest))
            Assert.Skip($"no torchvision ONNX fixtures in {folder}: run scripts/make-torchvision-fixtures.sh (installs Debian's python3-torch) or set CORTEX_TORCHVISION_ONNX.");
        var line = File.ReadAllLines(manifest).Select(l => l.Split('\t')).FirstOrDefault(f => f.Length == 4 && f[0] == name);
        Assert.True(line is not null, $"{manifest} has no line for {name}; rerun scripts/make-torchvision-fixtures.sh");
        string path = Path.Combine(folder, name + ".onnx");
        var dims = line[2].Split(',').Select(int.Parse).ToArray();
        string expect = line[3];

        if (expect.StartsWith("refuse:", StringComparison.Ordinal))
        {
            string op = expect["refuse:".Length..];
            var refused = Assert.Throws<OnnxUnsupportedException>(() => OnnxImporter.Load(path));
            log.WriteLine($"{name}: refused: {refused.Message}");
            Assert.Equal(op, refused.OpType);
            Assert.Contains(op, refused.Message, StringComparison.Ordinal);
            return;
        }

        var imported = OnnxImporter.Load(path);
        Assert.Equal(new Shape(dims), imported.Input);
        var x = Tensor.RandomUniform(new Shape([2, .. dims]), new CortexRandom(11), 0f, 1f);
        var (expected, shape) = OnnxTestSupport.RunOrt(File.ReadAllBytes(path), x, imported.InputName);
        var actual = imported.Model.Forward(x, training: false);
        Assert.Equal(shape, actual.Shape.Dimensions.ToArray());
        double error = OnnxTestSupport.RelativeError(expected, actual.Span);
        log.WriteLine($"{name} (opset {imported.Opset}, {imported.Model.AllParameters().Sum(p => (long)p.Value.Size):N0} parameters): max relative error {error:E2} vs ONNX Runtime");
        Assert.True(error <= 1e-4, $"{name}: the imported model differs from ONNX Runtime by {error:E2}");
    }

    // $CORTEX_TORCHVISION_ONNX, else artifacts/torchvision-onnx at the repository root (the folder holding Cortex.slnx).
    private static string Folder()
    {
        if (Environment.GetEnvironmentVariable("CORTEX_TORCHVISION_ONNX") is { Length: > 0 } custom)
            return custom;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cortex.slnx")))
                return Path.Combine(dir.FullName, "artifacts", "torchvision-onnx");
        }
        return Path.Combine("artifacts", "torchvision-onnx");
    }
}
