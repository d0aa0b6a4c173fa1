// ConvLayerGradient.cs — a small central-difference gradient check for the convolution and pooling
// layer tests, private to them (the public GradientCheck in Cortex.Diagnostics lands separately).
//
//   L(x, θ) = Σ G ⊙ layer(x; θ)    summed in double, G a fixed random upstream gradient
//   numeric = (L(v + h) − L(v − h)) / (v₊ − v₋)     v₊, v₋ the float values actually stored
//   error   = |analytic − numeric| / max(1, |analytic|, |numeric|)
// Conv layers are linear in x and in θ, so the central difference is exact up to float rounding.
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Tests.Layers;

internal static class ConvLayerGradient
{
    /// <summary>Checks dL/dx and dL/dθ of every parameter at up to <paramref name="maxPerTensor"/> sampled elements each.</summary>
    public static void Check(Layer layer, Tensor x, ulong seed = 7, double h = 1e-2, double tolerance = 5e-3, int maxPerTensor = 80)
    {
        var random = new CortexRandom(seed);
        var y = layer.Forward(x, training: true);
        var upstream = Tensor.RandomNormal(y.Shape, random);
        layer.ZeroGradients();
        float[] dx = layer.Backward(upstream).ToArray();
        var named = layer.NamedParameters().ToList();
        var analytic = named.Select(p => p.Parameter.Gradient.ToArray()).ToList();

        double Loss()
        {
            var output = layer.Forward(x, training: true).Span;
            var g = upstream.Span;
            double sum = 0;
            for (int i = 0; i < output.Length; i++)
                sum += (double)g[i] * output[i];
            return sum;
        }

        Compare(layer, "input", x, dx, Loss, random, h, tolerance, maxPerTensor);
        for (int t = 0; t < named.Count; t++)
            Compare(layer, named[t].Key, named[t].Parameter.Value, analytic[t], Loss, random, h, tolerance, maxPerTensor);
    }

    private static void Compare(Layer layer, string what, Tensor values, float[] analytic, Func<double> loss,
        CortexRandom random, double h, double tolerance, int maxPerTensor)
    {
        var v = values.Span;
        Assert.Equal(v.Length, analytic.Length);
        int count = Math.Min(v.Length, maxPerTensor);
        int[] order = v.Length <= maxPerTensor ? Enumerable.Range(0, v.Length).ToArray() : random.Permutation(v.Length)[..count];
        foreach (int e in order)
        {
            float saved = v[e];
            float plus = (float)(saved + h), minus = (float)(saved - h);
            v[e] = plus;
            double lossPlus = loss();
            v[e] = minus;
            double lossMinus = loss();
            v[e] = saved;
            double numeric = (lossPlus - lossMinus) / ((double)plus - minus);
            double error = Math.Abs(analytic[e] - numeric) / Math.Max(1.0, Math.Max(Math.Abs(analytic[e]), Math.Abs(numeric)));
            Assert.True(error <= tolerance,
                $"{layer.Describe()} d/d{what}[{e}]: analytic {analytic[e]:G7}, numeric {numeric:G7}, error {error:G3} > {tolerance:G3}");
        }
    }

    /// <summary>Distinct values (a shuffled ramp, spaced 0.05 apart around 0): no two inputs of a max-pool window are within 2h.</summary>
    public static Tensor DistinctValues(Shape shape, CortexRandom random)
    {
        var t = new Tensor(shape);
        var order = random.Permutation(shape.Size);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++)
            s[i] = (order[i] - shape.Size / 2) * 0.05f;
        return t;
    }
}
