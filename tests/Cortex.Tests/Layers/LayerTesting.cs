// LayerTesting.cs — helpers shared by the layer tests: seeded inputs and the gradient-check assertion.
using Cortex.Diagnostics;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Tests.Layers;

internal static class LayerTesting
{
    /// <summary>Normal samples with a fixed seed.</summary>
    public static Tensor Random(ulong seed, params int[] dims) => Tensor.RandomNormal(new Shape(dims), new CortexRandom(seed));

    /// <summary>
    /// Normal samples pushed at least <paramref name="margin"/> away from zero, so that ReLU-like kinks
    /// sit outside the central-difference step.
    /// </summary>
    public static Tensor AwayFromZero(ulong seed, float margin, params int[] dims)
    {
        var t = Random(seed, dims);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++)
            s[i] = s[i] >= 0 ? s[i] + margin : s[i] - margin;
        return t;
    }

    /// <summary>
    /// Distinct values spaced <paramref name="spacing"/> apart in random order, so that no two elements
    /// tie within a central-difference step (max-like layers have kinks at ties).
    /// </summary>
    public static Tensor Distinct(ulong seed, float spacing, params int[] dims)
    {
        var shape = new Shape(dims);
        var order = new CortexRandom(seed).Permutation(shape.Size);
        var t = new Tensor(shape);
        for (int i = 0; i < order.Length; i++)
            t.Span[i] = (order[i] - shape.Size / 2f) * spacing;
        return t;
    }

    /// <summary>Runs <see cref="GradientCheck"/> and fails with the whole report when any tensor is off.</summary>
    public static GradientCheckReport AssertGradients(Layer layer, Tensor input, double tolerance = 1e-2, GradientCheckOptions? options = null)
    {
        var report = GradientCheck.Check(layer, input, options);
        Assert.True(report.Passed(tolerance), $"Gradient check of {layer.Describe()} failed (tolerance {tolerance}):\n{report}");
        return report;
    }

    /// <summary>Asserts that <paramref name="text"/> contains every one of <paramref name="parts"/>.</summary>
    public static void AssertContainsAll(string text, params string[] parts)
    {
        foreach (var part in parts)
            Assert.Contains(part, text, StringComparison.Ordinal);
    }
}
