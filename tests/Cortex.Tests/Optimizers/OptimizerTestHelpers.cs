using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Tests.Optimizers;

internal static class OptimizerTestHelpers
{
    public static Parameter Param(params float[] values) => new("weight", Tensor.FromArray(values));

    public static void SetGradient(Parameter p, params double[] g)
    {
        var span = p.Gradient.Span;
        for (int i = 0; i < g.Length; i++)
            span[i] = (float)g[i];
    }

    /// <summary>Asserts every element within <paramref name="tolerance"/>·max(1, |expected|), printing the largest difference.</summary>
    public static void AssertClose(double[] expected, Tensor actual, double tolerance = 1e-5)
    {
        var a = actual.Span;
        Assert.Equal(expected.Length, a.Length);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(a[i] - expected[i]) / Math.Max(1.0, Math.Abs(expected[i]));
            if (err > worst)
            {
                worst = err;
                at = i;
            }
        }
        Assert.True(worst <= tolerance, $"largest relative difference {worst:G3} at [{at}]: expected {(at >= 0 ? expected[at] : 0)}, got {(at >= 0 ? a[at] : 0)}");
    }
}
