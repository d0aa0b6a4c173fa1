// PoolingTests.cs — max, average and global average pooling: the fast kernels against their
// reference twins on random geometries (odd sizes, stride, asymmetric padding, dilation), the
// lectures' examples, the threaded path, and the refusals.
using Cortex.Kernels.Reference;
using Cortex.Kernels.Tests.Convolution;

namespace Cortex.Kernels.Tests.Pooling;

public sealed class PoolingTests
{
    /// <summary>Random pooling geometries: ConvTestData's, with zero padding (pooling never reads its pads).</summary>
    private static IEnumerable<Conv2dGeometry> Geometries(int seed, int count) =>
        ConvTestData.RandomGeometries(seed, count).Select(g => new Conv2dGeometry(
            g.Channels, g.Height, g.Width, g.KernelHeight, g.KernelWidth, g.StrideHeight, g.StrideWidth,
            g.PadTop, g.PadBottom, g.PadLeft, g.PadRight, g.DilationHeight, g.DilationWidth, PaddingMode.Zero));

    [Fact]
    public void MaxPooling_LectureExample_GivesMaximaAndArgMax()
    {
        var g = new Conv2dGeometry(1, 4, 4, 2, 2, stride: 2);
        float[] x = [1, 1, 2, 4, 5, 6, 7, 8, 3, 2, 1, 0, 1, 2, 3, 4];
        var y = new float[4];
        var argMax = new int[4];
        MaxPooling2d.Forward(g, 1, x, y, argMax);
        Assert.Equal([6f, 8f, 3f, 4f], y);
        Assert.Equal([5, 7, 8, 15], argMax);

        var dx = new float[16];
        MaxPooling2d.Backward(g, 1, [10, 20, 30, 40], argMax, dx);
        Assert.Equal([0, 0, 0, 0, 0, 10, 0, 20, 30, 0, 0, 0, 0, 0, 0, 40f], dx);
    }

    [Fact]
    public void MaxPooling_SecondDeckExample_GivesMaxima()
    {
        var g = new Conv2dGeometry(1, 4, 4, 2, 2, stride: 2);
        float[] x = [1, 2, 1, 0, 0, 1, 2, 3, 3, 0, 1, 2, 2, 4, 0, 1];
        var y = new float[4];
        MaxPooling2d.Forward(g, 1, x, y, new int[4]);
        Assert.Equal([2f, 3f, 4f, 2f], y);
    }

    [Fact]
    public void MaxPooling_Ties_GoToTheFirstTap()
    {
        var g = new Conv2dGeometry(1, 2, 2, 2, 2);
        var argMax = new int[1];
        MaxPooling2d.Forward(g, 1, [3, 5, 5, 5], new float[1], argMax);
        Assert.Equal(1, argMax[0]);
    }

    [Fact]
    public void MaxPooling_PaddingNeverWins()
    {
        // All inputs negative: a zero pad would win if it were read.
        var g = new Conv2dGeometry(1, 2, 2, 3, 3, stride: 1, padding: 1);
        var y = new float[4];
        MaxPooling2d.Forward(g, 1, [-4, -3, -2, -1], y, new int[4]);
        Assert.Equal([-1f, -1f, -1f, -1f], y);
    }

    [Fact]
    public void MaxPooling_NaN_Propagates()
    {
        var g = new Conv2dGeometry(1, 2, 2, 2, 2);
        var y = new float[1];
        MaxPooling2d.Forward(g, 1, [1, float.NaN, 7, 2], y, new int[1]);
        Assert.True(float.IsNaN(y[0]));
    }

    [Theory]
    [InlineData(11, false)]
    [InlineData(12, true)]
    public void MaxPooling_MatchesReference(int seed, bool integers)
    {
        var random = new Random(seed);
        foreach (var g in Geometries(seed, 60))
        {
            int batch = random.Next(1, 3);
            int inLength = batch * g.InputSize, outLength = batch * g.Channels * g.OutputPlaneSize;
            // Integers make many ties: both must pick the same (first) one.
            var x = integers ? ConvTestData.Integers(random, inLength) : ConvTestData.Normal(random, inLength);
            float[] y = new float[outLength], yRef = new float[outLength];
            int[] arg = new int[outLength], argRef = new int[outLength];
            MaxPooling2d.Forward(g, batch, x, y, arg);
            MaxPooling2dReference.Forward(g, batch, x, yRef, argRef);
            Assert.Equal(yRef, y);
            Assert.Equal(argRef, arg);

            var dy = ConvTestData.Normal(random, outLength);
            var dx = ConvTestData.Normal(random, inLength);               // backward adds: start from non-zero
            var dxRef = (float[])dx.Clone();
            MaxPooling2d.Backward(g, batch, dy, arg, dx);
            MaxPooling2dReference.Backward(g, batch, dy, argRef, dxRef);
            Assert.Equal(dxRef, dx);
        }
    }

    [Theory]
    [InlineData(21, true)]
    [InlineData(22, false)]
    public void AveragePooling_MatchesReference(int seed, bool countIncludePad)
    {
        var random = new Random(seed);
        foreach (var g in Geometries(seed, 60))
        {
            int batch = random.Next(1, 3);
            int inLength = batch * g.InputSize, outLength = batch * g.Channels * g.OutputPlaneSize;
            var x = ConvTestData.Normal(random, inLength);
            float[] y = new float[outLength], yRef = new float[outLength];
            AveragePooling2d.Forward(g, batch, countIncludePad, x, y);
            AveragePooling2dReference.Forward(g, batch, countIncludePad, x, yRef);
            ConvTestData.AssertClose(yRef, y, 1e-5, g.ToString());

            var dy = ConvTestData.Normal(random, outLength);
            var dx = ConvTestData.Normal(random, inLength);
            var dxRef = (float[])dx.Clone();
            AveragePooling2d.Backward(g, batch, countIncludePad, dy, dx);
            AveragePooling2dReference.Backward(g, batch, countIncludePad, dy, dxRef);
            ConvTestData.AssertClose(dxRef, dx, 1e-5, g.ToString());
        }
    }

    [Fact]
    public void AveragePooling_CountIncludePad_ChangesOnlyTheBorder()
    {
        // 3×3 ones, 3×3 window, padding 1: the corner window holds 4 ones and 5 pads.
        var g = new Conv2dGeometry(1, 3, 3, 3, 3, stride: 1, padding: 1);
        float[] ones = [1, 1, 1, 1, 1, 1, 1, 1, 1];
        float[] include = new float[9], exclude = new float[9];
        AveragePooling2d.Forward(g, 1, countIncludePad: true, ones, include);
        AveragePooling2d.Forward(g, 1, countIncludePad: false, ones, exclude);
        Assert.Equal(4f / 9f, include[0], 6);
        Assert.Equal(6f / 9f, include[1], 6);
        Assert.Equal(1f, include[4], 6);
        Assert.All(exclude, v => Assert.Equal(1f, v, 6));
    }

    [Fact]
    public void Pooling_LargeInput_ThreadedPathMatchesReference()
    {
        var random = new Random(5);
        var g = new Conv2dGeometry(16, 31, 29, 3, 3, 2, 2, 1, 1, 1, 1);
        const int Batch = 8;                            // enough work (2^20 taps) to be split
        int inLength = Batch * g.InputSize, outLength = Batch * g.Channels * g.OutputPlaneSize;
        var x = ConvTestData.Normal(random, inLength);
        var dy = ConvTestData.Normal(random, outLength);
        int saved = Parallelism.MaxDegree;
        Parallelism.MaxDegree = Math.Max(2, saved);
        try
        {
            float[] y = new float[outLength], yRef = new float[outLength];
            int[] arg = new int[outLength], argRef = new int[outLength];
            MaxPooling2d.Forward(g, Batch, x, y, arg);
            MaxPooling2dReference.Forward(g, Batch, x, yRef, argRef);
            Assert.Equal(yRef, y);
            Assert.Equal(argRef, arg);
            float[] dx = new float[inLength], dxRef = new float[inLength];
            MaxPooling2d.Backward(g, Batch, dy, arg, dx);
            MaxPooling2dReference.Backward(g, Batch, dy, argRef, dxRef);
            Assert.Equal(dxRef, dx);

            AveragePooling2d.Forward(g, Batch, true, x, y);
            AveragePooling2dReference.Forward(g, Batch, true, x, yRef);
            ConvTestData.AssertClose(yRef, y, 1e-5, "average forward");
            Array.Clear(dx);
            Array.Clear(dxRef);
            AveragePooling2d.Backward(g, Batch, true, dy, dx);
            AveragePooling2dReference.Backward(g, Batch, true, dy, dxRef);
            ConvTestData.AssertClose(dxRef, dx, 1e-5, "average backward");
        }
        finally
        {
            Parallelism.MaxDegree = saved;
        }
    }

    // The plain 2×2/2 path (gathers, eight windows at a time, a scalar tail): LeNet's shapes, odd
    // sizes (the last row/column of an odd input is never read), planes of fewer and more than 8
    // windows and not a multiple of 8, ties (integers) and NaNs, on one thread and split.
    [Theory]
    [InlineData(28, 28, 1, 16)]
    [InlineData(10, 10, 2, 16)]
    [InlineData(7, 9, 1, 16)]
    [InlineData(3, 5, 2, 16)]
    [InlineData(33, 17, 1, 16)]
    [InlineData(56, 56, 2, 64)]   // 2^20 taps and more: split across threads
    public void MaxPooling_Plain2x2_MatchesReference(int height, int width, int maxDegree, int batch)
    {
        var random = new Random(height * 100 + width);
        var g = new Conv2dGeometry(6, height, width, 2, 2, stride: 2);
        int inLength = batch * g.InputSize, outLength = batch * g.Channels * g.OutputPlaneSize;
        int saved = Parallelism.MaxDegree;
        Parallelism.MaxDegree = maxDegree;
        try
        {
            foreach (bool integers in (bool[])[false, true])
            {
                var x = integers ? ConvTestData.Integers(random, inLength) : ConvTestData.Normal(random, inLength);
                for (int i = 0; i < 40; i++)
                    x[random.Next(inLength)] = float.NaN;
                float[] y = new float[outLength], yRef = new float[outLength];
                int[] arg = new int[outLength], argRef = new int[outLength];
                MaxPooling2d.Forward(g, batch, x, y, arg);
                MaxPooling2dReference.Forward(g, batch, x, yRef, argRef);
                Assert.Equal(argRef, arg);
                Assert.Equal(yRef, y);
            }
        }
        finally
        {
            Parallelism.MaxDegree = saved;
        }
    }

    [Fact]
    public void GlobalAveragePooling_MatchesReference()
    {
        var random = new Random(8);
        const int N = 3, C = 5, H = 7, W = 3;
        var x = ConvTestData.Normal(random, N * C * H * W);
        float[] y = new float[N * C], yRef = new float[N * C];
        GlobalAveragePooling2d.Forward(N, C, H, W, x, y);
        GlobalAveragePooling2dReference.Forward(N, C, H, W, x, yRef);
        ConvTestData.AssertClose(yRef, y, 1e-6, "forward");

        var dy = ConvTestData.Normal(random, N * C);
        var dx = ConvTestData.Normal(random, x.Length);
        var dxRef = (float[])dx.Clone();
        GlobalAveragePooling2d.Backward(N, C, H, W, dy, dx);
        GlobalAveragePooling2dReference.Backward(N, C, H, W, dy, dxRef);
        ConvTestData.AssertClose(dxRef, dx, 1e-6, "backward");
    }

    [Fact]
    public void Pooling_ReplicatePadding_IsRefused()
    {
        var g = new Conv2dGeometry(1, 4, 4, 2, 2, stride: 2, padding: 1, paddingMode: PaddingMode.Replicate);
        var e = Assert.Throws<ArgumentException>(() => AveragePooling2d.Forward(g, 1, true, new float[16], new float[9]));
        Assert.StartsWith("AveragePooling2d.Forward: expected PaddingMode.Zero, got Replicate.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxPooling_WrongOutputLength_IsRefused()
    {
        var g = new Conv2dGeometry(2, 4, 4, 2, 2, stride: 2);
        var e = Assert.Throws<ArgumentException>(() => MaxPooling2d.Forward(g, 1, new float[32], new float[7], new int[8]));
        Assert.StartsWith("MaxPooling2d.Forward: expected y (N=1, C=2, OH=2, OW=2) = 8 elements, got 7.", e.Message, StringComparison.Ordinal);
    }
}
