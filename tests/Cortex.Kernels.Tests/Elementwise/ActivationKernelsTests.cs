// ActivationKernelsTests.cs — the vector activation derivatives against their scalar twins, on
// lengths that straddle every vector width (16, 8, 4 floats) and on the values that matter: signs,
// zeros of both signs, NaN and infinities in x.
using Cortex.Kernels.Reference;

namespace Cortex.Kernels.Tests.Elementwise;

public sealed class ActivationKernelsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(31)]
    [InlineData(1000)]
    public void ReluBackward_MatchesReference(int length)
    {
        var random = new Random(length);
        float[] special = [0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e-38f, -1e-38f];
        var x = new float[length];
        var dy = new float[length];
        for (int i = 0; i < length; i++)
        {
            x[i] = i % 5 == 0 ? special[random.Next(special.Length)] : random.NextSingle() * 2 - 1;
            dy[i] = random.NextSingle() * 2 - 1;
        }
        float[] dx = new float[length], dxRef = new float[length];
        ActivationKernels.ReluBackward(x, dy, dx);
        ActivationReference.ReluBackward(x, dy, dxRef);
        Assert.Equal(dxRef.Select(BitConverter.SingleToInt32Bits), dx.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void ReluBackward_InPlaceOverDy_MatchesReference()
    {
        float[] x = [.. Enumerable.Range(0, 37).Select(i => i % 3 - 1f)];
        float[] dy = [.. Enumerable.Range(0, 37).Select(i => i + 0.5f)];
        var expected = new float[37];
        ActivationReference.ReluBackward(x, dy, expected);
        ActivationKernels.ReluBackward(x, dy, dy);
        Assert.Equal(expected, dy);
    }

    [Fact]
    public void ReluBackward_LengthMismatch_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => ActivationKernels.ReluBackward(new float[3], new float[3], new float[2]));
        Assert.StartsWith("ActivationKernels.ReluBackward: expected x, dy and dx of one length, got 3, 3 and 2.", e.Message, StringComparison.Ordinal);
    }
}
