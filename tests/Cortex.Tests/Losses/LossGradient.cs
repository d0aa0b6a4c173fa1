// LossGradient.cs — a small central-difference check for losses, private to these tests (the
// public GradientCheck in Cortex.Diagnostics is written elsewhere; these tests do not depend on it).
//
//   numeric_e = (L(x + h·e) − L(x − h·e)) / (x₊ − x₋)
// L is the loss in double (Loss.ForwardExact); x₊ and x₋ are the float values actually stored,
// so the rounding of x ± h to float does not enter the quotient.
using Cortex.Losses;
using Cortex.Tensors;

namespace Cortex.Tests.Losses;

internal static class LossGradient
{
    /// <summary>Asserts that Backward matches central differences of Forward at every element; returns the largest difference.</summary>
    public static double Check(Loss loss, Tensor output, Tensor target, double h = 1e-3, double tolerance = 1e-5)
    {
        loss.ForwardExact(output, target);
        float[] analytic = loss.Backward().ToArray();
        Assert.Equal(output.Size, analytic.Length);

        var x = output.Span;
        double worst = 0;
        for (int e = 0; e < x.Length; e++)
        {
            float saved = x[e];
            float plus = (float)(saved + h), minus = (float)(saved - h);
            x[e] = plus;
            double lossPlus = loss.ForwardExact(output, target);
            x[e] = minus;
            double lossMinus = loss.ForwardExact(output, target);
            x[e] = saved;
            double numeric = (lossPlus - lossMinus) / ((double)plus - minus);
            double diff = Math.Abs(numeric - analytic[e]);
            double scale = Math.Max(1.0, Math.Max(Math.Abs(numeric), Math.Abs(analytic[e])));
            Assert.True(diff <= tolerance * scale,
                $"{loss.Name}: element {e} (x = {saved}): analytic {analytic[e]:G9}, numeric {numeric:G9}, difference {diff:G3}");
            worst = Math.Max(worst, diff);
        }
        return worst;
    }

    /// <summary>Class labels 0..K-1 drawn at random, stored as floats.</summary>
    public static Tensor RandomLabels(int n, int k, CortexRandom random)
    {
        var t = new Tensor(n);
        for (int i = 0; i < n; i++)
            t.Span[i] = random.NextInt(k);
        return t;
    }
}
