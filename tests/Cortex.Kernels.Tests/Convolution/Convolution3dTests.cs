// Convolution3dTests.cs — vol2col + GEMM 3-D convolution against the direct definition, the
// adjointness of vol2col/col2vol, and agreement with the 2-D kernel when the depth is 1.
using Cortex.Kernels.Reference;

namespace Cortex.Kernels.Tests.Convolution;

public sealed class Convolution3dTests
{
    private static IEnumerable<Conv3dGeometry> Geometries(int seed, int count)
    {
        var random = new Random(seed);
        int made = 0;
        while (made < count)
        {
            int c = random.Next(1, 3), d = random.Next(1, 6), h = random.Next(1, 6), w = random.Next(1, 6);
            int kd = random.Next(1, 4), kh = random.Next(1, 4), kw = random.Next(1, 4);
            int sd = random.Next(1, 3), sh = random.Next(1, 3), sw = random.Next(1, 3);
            int pd = random.Next(0, 3), ph = random.Next(0, 3), pw = random.Next(0, 3);
            int dd = random.Next(4) == 0 ? 2 : 1, dh = random.Next(4) == 0 ? 2 : 1, dw = random.Next(4) == 0 ? 2 : 1;
            var mode = random.Next(2) == 0 ? PaddingMode.Zero : PaddingMode.Replicate;
            if ((kd - 1) * dd + 1 > d + 2 * pd || (kh - 1) * dh + 1 > h + 2 * ph || (kw - 1) * dw + 1 > w + 2 * pw)
                continue;
            made++;
            yield return new Conv3dGeometry(c, d, h, w, kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw, mode);
        }
    }

    [Fact]
    public void Convolution3d_MatchesReference_ForwardAndBackward()
    {
        var random = new Random(31);
        foreach (var g in Geometries(31, 40))
        {
            int batch = random.Next(1, 3), filters = random.Next(1, 4);
            var x = ConvTestData.Normal(random, batch * g.InputSize);
            var w = ConvTestData.Normal(random, filters * g.PatchSize);
            var b = ConvTestData.Normal(random, filters);
            int outLength = batch * filters * g.OutputVolumeSize;
            float[] y = new float[outLength], yRef = new float[outLength];
            var workspace = new float[Convolution3d.WorkspaceSize(g)];
            Convolution3d.Forward(g, batch, filters, x, w, b, y, workspace);
            Convolution3dReference.Forward(g, batch, filters, x, w, b, yRef);
            ConvTestData.AssertClose(yRef, y, 1e-4, $"forward {g}");

            var dy = ConvTestData.Normal(random, outLength);
            float[] dx = new float[x.Length], dw = new float[w.Length], db = new float[filters];
            float[] dxRef = new float[x.Length], dwRef = new float[w.Length], dbRef = new float[filters];
            Convolution3d.Backward(g, batch, filters, x, w, dy, dx, dw, db, workspace);
            Convolution3dReference.Backward(g, batch, filters, x, w, dy, dxRef, dwRef, dbRef);
            ConvTestData.AssertClose(dxRef, dx, 1e-4, $"dx {g}");
            ConvTestData.AssertClose(dwRef, dw, 1e-4, $"dw {g}");
            ConvTestData.AssertClose(dbRef, db, 1e-4, $"db {g}");
        }
    }

    [Fact]
    public void Vol2ColAndCol2Vol_AreAdjoint()
    {
        var random = new Random(32);
        foreach (var g in Geometries(32, 30))
        {
            var x = ConvTestData.Normal(random, g.InputSize);
            var col = ConvTestData.Normal(random, g.ColumnSize);
            var unfolded = new float[g.ColumnSize];
            var folded = new float[g.InputSize];
            Convolution3d.Unfold(g, x, unfolded);
            Convolution3d.Fold(g, col, folded);
            double left = 0, right = 0;
            for (int i = 0; i < col.Length; i++)
                left += (double)unfolded[i] * col[i];
            for (int i = 0; i < x.Length; i++)
                right += (double)x[i] * folded[i];
            Assert.True(Math.Abs(left - right) <= 1e-4 * Math.Max(1, Math.Abs(left)), $"{g}: ⟨vol2col x, c⟩ = {left}, ⟨x, col2vol c⟩ = {right}");
        }
    }

    [Fact]
    public void Convolution3d_DepthOne_EqualsConvolution2d()
    {
        var random = new Random(33);
        var g3 = new Conv3dGeometry(2, 1, 5, 6, 1, 3, 3, 1, 2, 1, 0, 1, 1, paddingMode: PaddingMode.Replicate);
        var g2 = new Conv2dGeometry(2, 5, 6, 3, 3, 2, 1, 1, 1, 1, 1, paddingMode: PaddingMode.Replicate);
        const int Filters = 3;
        var x = ConvTestData.Normal(random, g2.InputSize);
        var w = ConvTestData.Normal(random, Filters * g2.PatchSize);
        float[] y3 = new float[Filters * g3.OutputVolumeSize], y2 = new float[Filters * g2.OutputPlaneSize];
        Convolution3d.Forward(g3, 1, Filters, x, w, [], y3, new float[Convolution3d.WorkspaceSize(g3)]);
        Convolution2dReference.Forward(g2, 1, Filters, x, w, [], y2);
        ConvTestData.AssertClose(y2, y3, 1e-5, "depth 1");
    }

    [Fact]
    public void Conv3dGeometry_KernelLargerThanPaddedInput_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new Conv3dGeometry(1, 2, 8, 8, 3, 3, 3));
        Assert.StartsWith("Conv3dGeometry: expected a kernel no larger than the padded input 2×8×8", e.Message, StringComparison.Ordinal);
    }
}
