// OnnxConformanceTests.cs — ONNX's own operator tests (Debian's libonnx-testdata, installed by
// scripts/install-onnx-testdata.sh; skipped with the reason when it is absent) for every operator the
// importer supports. Each node test is a model.onnx of one node with test_data_set_0/input_*.pb and
// output_*.pb. The first graph input is the data; the others (weights, shapes, pads) become
// initializers, since a Cortex layer holds them as parameters. Each test must then either import and
// reproduce output_0.pb (ONNX's backend-test tolerance: |y − ŷ| ≤ 1e-7 + 1e-3·|ŷ|,
// onnx/backend/test/runner), or be refused with a message that names its operator.
using Cortex.Onnx.Proto;
using Cortex.Tensors;

namespace Cortex.Onnx.Tests;

public sealed class OnnxConformanceTests(ITestOutputHelper output)
{
    private const string DefaultFolder = "/usr/share/libonnx-testdata/data/node";

    [Fact]
    public void NodeTestsOfSupportedOperatorsImportAndMatchOrAreRefusedByName()
    {
        string folder = Environment.GetEnvironmentVariable("CORTEX_ONNX_TESTDATA") ?? DefaultFolder;
        if (!Directory.Exists(folder))
            Assert.Skip($"ONNX node tests not found at {folder}: run scripts/install-onnx-testdata.sh (Debian's libonnx-testdata) or set CORTEX_ONNX_TESTDATA.");

        int equal = 0, refused = 0;
        var failures = new List<string>();
        var refusals = new List<string>();
        var imported = new List<string>();
        foreach (var dir in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
        {
            string modelPath = Path.Combine(dir, "model.onnx"), data = Path.Combine(dir, "test_data_set_0");
            if (!File.Exists(modelPath) || !Directory.Exists(data))
                continue;
            var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath));
            var ops = model.Graph.Node.Select(n => n.OpType).Distinct().ToList();
            if (ops.Count == 0 || !ops.All(op => OnnxImporter.SupportedOperators.Contains(op)) || ops.All(op => op == "Constant"))
                continue;
            if (!model.Graph.Input.Concat(model.Graph.Output).All(v => v.Type?.TensorType is not null))
                continue;                                    // optional and sequence values: not tensors, not a CNN's
            string name = Path.GetFileName(dir);
            try
            {
                var inputs = Directory.GetFiles(data, "input_*.pb").Order(StringComparer.Ordinal).Select(f => TensorProto.Parser.ParseFrom(File.ReadAllBytes(f))).ToList();
                var expected = OnnxReader.Decode(TensorProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(data, "output_0.pb"))), "output_0", null);
                var graphInputs = model.Graph.Input.Where(v => model.Graph.Initializer.All(t => t.Name != v.Name)).ToList();
                for (int i = 1; i < graphInputs.Count && i < inputs.Count; i++)
                {
                    inputs[i].Name = graphInputs[i].Name;
                    model.Graph.Initializer.Add(inputs[i]);
                    model.Graph.Input.Remove(graphInputs[i]);
                }
                OnnxModel result;
                try
                {
                    result = OnnxImporter.FromModel(model, name, null);
                }
                catch (Exception e) when (e is NotSupportedException or InvalidDataException)
                {
                    bool named = ops.Any(op => e.Message.Contains($"({op}, opset", StringComparison.Ordinal)) || e.Message.Contains("the graph has", StringComparison.Ordinal)
                        || e.Message.Contains("the input '", StringComparison.Ordinal);
                    if (named)
                    {
                        refused++;
                        refusals.Add($"{name}: {e.Message}");
                    }
                    else
                    {
                        failures.Add($"{name}: refused without naming the operator: {e.Message}");
                    }
                    continue;
                }
                var x0 = OnnxReader.Decode(inputs[0], "input_0", null);
                var x = new Tensor(x0.AsFloats("input_0"), new Shape(x0.Dims.Select(d => (int)d).ToArray()));
                var y = result.Model.Forward(x, training: false);
                var want = expected.AsFloats("output_0");
                if (!y.Shape.Dimensions.ToArray().Select(d => (long)d).SequenceEqual(expected.Dims))
                {
                    failures.Add($"{name}: output shape {y.Shape}, expected [{string.Join(", ", expected.Dims)}]");
                    continue;
                }
                var got = y.Span;
                int worst = -1;
                for (int i = 0; i < want.Length; i++)
                {
                    if (!(Math.Abs(got[i] - want[i]) <= 1e-7 + (1e-3 * Math.Abs(want[i]))) && !(float.IsNaN(want[i]) && float.IsNaN(got[i])))
                    {
                        worst = i;
                        break;
                    }
                }
                if (worst >= 0)
                    failures.Add($"{name}: output {worst} is {got[worst]}, expected {want[worst]}");
                else
                {
                    equal++;
                    imported.Add(name);
                }
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                failures.Add($"{name}: {e.GetType().Name}: {e.Message}");
            }
        }
        var report = new List<string> { $"ONNX node tests of supported operators: {equal} imported and equal, {refused} refused by name, {failures.Count} failed." };
        report.AddRange(imported.Select(n => "equal " + n));
        report.AddRange(refusals.Select(r => "refused " + r));
        foreach (var line in report)
            output.WriteLine(line);
        File.WriteAllLines(Path.Combine(AppContext.BaseDirectory, "onnx-conformance.txt"), report);   // beside the test binaries, for the record
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(equal > 0, "no node test was imported");
    }
}
