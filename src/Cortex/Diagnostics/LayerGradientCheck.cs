// LayerGradientCheck.cs — a gradient check of every leaf layer of a model, each at the input it
// receives when the model runs (LayerTrace), so a wrong Backward is pinned to one layer.
//
// Each leaf is checked alone (GradientCheck.Check on the leaf with its captured input), which is
// cheap and well conditioned: the numeric gradient of one layer carries one layer's rounding.
// The captured input may sit exactly on a kink: a ReLU leaves many exact zeros, and a max pool
// after it then sees windows of tied zeros, where the central difference straddles two pieces and
// disagrees for a good reason. Jitter adds N(0, (jitter·rms(x))²) noise to each captured input to
// break such ties (default 0.1 in the CLI; 0 checks the captured input as it is).
//
// Layers that only select or copy values (ReLU, max pooling, padding, Flatten, Dropout's mask of
// 0 and 2) compute y exactly, so their central differences carry no rounding noise and can use a
// tiny step (ExactStep, 1e-5): the chance that x ± h straddles a ReLU's 0 or a near-tie of a max
// pool falls from ~0.2 % per element at the usual h = 3e-3 to ~1e-5, which matters when a model has
// dozens of ReLUs. Every other layer uses the options' Step.
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Diagnostics;

/// <summary>The check of one leaf layer.</summary>
/// <param name="Layer">The leaf.</param>
/// <param name="Input">The shape of the input it was checked at.</param>
/// <param name="Report">What the check found, per tensor (input first, then the parameters).</param>
public sealed record LayerCheck(Layer Layer, Shape Input, GradientCheckReport Report);

/// <summary>Gradient checks of every leaf layer of a model at the inputs a forward pass gives them.</summary>
/// <example><code>
/// var checks = LayerGradientCheck.Run(model, x, new GradientCheckOptions { MaxElementsPerTensor = 8 });
/// foreach (var c in checks) Console.WriteLine($"{c.Layer.Describe()}: {c.Report.WorstError:E2}");
/// </code></example>
public static class LayerGradientCheck
{
    /// <summary>
    /// Runs <paramref name="model"/> on <paramref name="input"/> (in <paramref name="options"/>' mode), then checks each leaf at
    /// the input it received, plus <paramref name="jitter"/>·rms noise (seeded by the options' seed).
    /// </summary>
    public static IReadOnlyList<LayerCheck> Run(Layer model, Tensor input, GradientCheckOptions? options = null, double jitter = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        options ??= new GradientCheckOptions();
        if (!(jitter >= 0) || !double.IsFinite(jitter))
            throw new ArgumentOutOfRangeException(nameof(jitter), $"LayerGradientCheck: jitter must be ≥ 0, got {jitter}.");
        var noise = new CortexRandom(options.Seed ^ 0xA5A5A5A5UL);
        var results = new List<LayerCheck>();
        foreach (var (leaf, x) in LayerTrace.LeafInputs(model, input, options.Training))
        {
            if (jitter > 0)
                Jitter(x, jitter, noise);
            var leafOptions = IsExact(leaf) ? options with { Step = Math.Min(options.Step, ExactStep) } : options;
            results.Add(new LayerCheck(leaf, x.Shape, GradientCheck.Check(leaf, x, leafOptions)));
        }
        return results;
    }

    /// <summary>The step for layers that compute their output exactly (selection and copies).</summary>
    public const double ExactStep = 1e-5;

    private static bool IsExact(Layer layer) => layer is ReLU or MaxPool2d or Pad2d or Flatten or Dropout or Dropout2d;

    private static void Jitter(Tensor x, double jitter, CortexRandom random)
    {
        var span = x.Span;
        double squares = 0;
        foreach (float v in span)
            squares += (double)v * v;
        float std = (float)(jitter * Math.Sqrt(squares / Math.Max(1, span.Length)));
        if (std == 0)
            std = (float)jitter;
        var e = Tensor.RandomNormal(x.Shape, random, 0f, std);
        System.Numerics.Tensors.TensorPrimitives.Add(span, e.Span, span);
    }
}
