// OnnxTestSupport.cs — what the ONNX tests share: the zoo cases, weights made non-trivial (random
// biases and batch-norm statistics, so a wrong bias or statistic cannot hide behind zeros and ones),
// ONNX Runtime as the reference, and the comparison.
using Cortex.Layers;
using Cortex.Models;
using Cortex.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Onnx.Tests;

internal static class OnnxTestSupport
{
    /// <summary>Every zoo model, plus the options that change its graph (projection shortcuts, VGG with BN, grouped AlexNet, …).</summary>
    public static TheoryData<string, string> ZooCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var m in ModelZoo.Models)
            data.Add(m.Name, "");
        data.Add("resnet20", "shortcut=B");
        data.Add("resnet50", "stride_on=3x3");
        data.Add("vgg16", "batch_norm=true");
        data.Add("vgg16", "include_top=false");
        data.Add("alexnet", "groups=2");
        data.Add("googlenet", "aux_logits=true");
        data.Add("catsdogs", "dropout=true");
        return data;
    }

    /// <summary>Builds a zoo model at its quick input with seeded weights, then randomizes biases and batch-norm state.</summary>
    public static (Layer Model, Shape Input) Build(string name, string options, ulong seed = 7)
    {
        var info = ModelZoo.Find(name);
        var dict = new Dictionary<string, string>(StringComparer.Ordinal) { ["seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var pair in options.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=');
            dict[kv[0]] = kv[1];
        }
        var input = name.StartsWith("googlenet", StringComparison.Ordinal) && dict.ContainsKey("aux_logits") ? new Shape(3, 96, 96) : info.QuickInput;
        var model = ModelZoo.Create(name, input: input, options: dict);
        Randomize(model, seed);
        return (model, input);
    }

    /// <summary>Biases U(−0.1, 0.1); batch norms γ U(0.5, 1.5), β U(−0.2, 0.2), running mean U(−0.2, 0.2), variance U(0.5, 1.5).</summary>
    public static void Randomize(Layer model, ulong seed)
    {
        var random = new CortexRandom(seed + 1000);
        foreach (var layer in model.Descendants())
        {
            switch (layer)
            {
                case BatchNorm bn:
                    Fill(bn.Weight.Value.Span, random, 0.5f, 1.5f);
                    Fill(bn.Bias.Value.Span, random, -0.2f, 0.2f);
                    Fill(bn.RunningMean.Span, random, -0.2f, 0.2f);
                    Fill(bn.RunningVar.Span, random, 0.5f, 1.5f);
                    break;
                case Conv2d { Bias: { } b }:
                    Fill(b.Value.Span, random, -0.1f, 0.1f);
                    break;
                case Dense { Bias: { } b }:
                    Fill(b.Value.Span, random, -0.1f, 0.1f);
                    break;
            }
        }
    }

    private static void Fill(Span<float> span, CortexRandom random, float low, float high)
    {
        var t = Tensor.RandomUniform(new Shape(span.Length), random, low, high);
        t.Span.CopyTo(span);
    }

    /// <summary>A batch of <paramref name="batch"/> inputs of <paramref name="input"/>, U(−1, 1).</summary>
    public static Tensor Batch(Shape input, int batch, ulong seed = 3) =>
        Tensor.RandomUniform(new Shape([batch, .. input.Dimensions]), new CortexRandom(seed), -1f, 1f);

    /// <summary>Runs the ONNX file's bytes in ONNX Runtime (CPU) on <paramref name="x"/>; the first output.</summary>
    public static (float[] Values, int[] Dims) RunOrt(byte[] onnx, Tensor x, string inputName = "input")
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = 2, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(onnx, options);
        var tensor = new DenseTensor<float>(x.ToArray(), x.Shape.Dimensions.ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, tensor)]);
        var output = results[0].AsTensor<float>();
        return (output.ToArray(), output.Dimensions.ToArray());
    }

    /// <summary>max |a − b| / max(1, max |a|): the error relative to the output's scale (absolute for outputs within ±1).</summary>
    public static double RelativeError(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 1, worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(float.IsFinite(expected[i]) && float.IsFinite(actual[i]), $"non-finite output at {i}: {expected[i]} vs {actual[i]}");
            scale = Math.Max(scale, Math.Abs(expected[i]));
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        }
        return worst / scale;
    }
}
