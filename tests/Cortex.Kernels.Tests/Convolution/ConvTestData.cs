// ConvTestData.cs — seeded random inputs and geometries shared by the convolution tests.

namespace Cortex.Kernels.Tests.Convolution;

internal static class ConvTestData
{
    /// <summary>Small integers in [−4, 4]: sums of them are exact in float, so fast and reference must agree bit for bit.</summary>
    public static float[] Integers(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = random.Next(-4, 5);
        return values;
    }

    public static float[] Normal(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            double u = 1.0 - random.NextDouble(), v = random.NextDouble();
            values[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2 * Math.PI * v));
        }
        return values;
    }

    /// <summary>
    /// Valid geometries drawn at random: odd sizes, strides 1–3, asymmetric padding 0–3 (even padding
    /// wider than the kernel), dilation 1–2, both padding modes.
    /// </summary>
    public static IEnumerable<Conv2dGeometry> RandomGeometries(int seed, int count)
    {
        var random = new Random(seed);
        int made = 0;
        while (made < count)
        {
            int c = random.Next(1, 4), h = random.Next(1, 10), w = random.Next(1, 10);
            int kh = random.Next(1, 5), kw = random.Next(1, 5);
            int sh = random.Next(1, 4), sw = random.Next(1, 4);
            int pt = random.Next(0, 4), pb = random.Next(0, 4), pl = random.Next(0, 4), pr = random.Next(0, 4);
            int dh = random.Next(0, 4) == 0 ? 2 : 1, dw = random.Next(0, 4) == 0 ? 2 : 1;
            var mode = random.Next(2) == 0 ? PaddingMode.Zero : PaddingMode.Replicate;
            if ((kh - 1) * dh + 1 > h + pt + pb || (kw - 1) * dw + 1 > w + pl + pr)
                continue;
            made++;
            yield return new Conv2dGeometry(c, h, w, kh, kw, sh, sw, pt, pb, pl, pr, dh, dw, mode);
        }
    }

    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string context = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]) / Math.Max(1.0, Math.Abs(expected[i]));
            if (error > worst || double.IsNaN(error))
            {
                worst = double.IsNaN(error) ? double.PositiveInfinity : error;
                worstAt = i;
            }
        }
        if (worst > tolerance)
            Assert.Fail($"{context}: largest relative difference {worst:g3} at {worstAt} (expected {expected[worstAt]}, got {actual[worstAt]}), tolerance {tolerance:g3}");
    }
}
