using Cortex.Initializers;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Tests.Initializers;

public class InitializerTests
{
    private static (double Mean, double Std) Moments(Tensor t)
    {
        var s = t.Span;
        double sum = 0, sumSq = 0;
        foreach (float x in s)
        {
            sum += x;
            sumSq += (double)x * x;
        }
        double mean = sum / s.Length;
        return (mean, Math.Sqrt(sumSq / s.Length - mean * mean));
    }

    // n = 100 000 samples: the sample mean is within 5σ/√n, the sample std within 2 %.
    private static void AssertNormalMoments(Tensor t, double mean, double std)
    {
        var (m, s) = Moments(t);
        Assert.InRange(m, mean - 5 * std / Math.Sqrt(t.Size), mean + 5 * std / Math.Sqrt(t.Size));
        Assert.InRange(s, std * 0.98, std * 1.02);
    }

    [Theory]
    [InlineData(new[] { 10, 784 }, 784, 10)]             // Dense (out, in)
    [InlineData(new[] { 30, 1, 5, 5 }, 25, 750)]         // Conv (FN, C, KH, KW): the lectures' SimpleConvNet
    [InlineData(new[] { 64, 3, 7, 7 }, 147, 3136)]
    [InlineData(new[] { 8, 4, 3 }, 12, 24)]              // Conv1d
    [InlineData(new[] { 2, 3, 2, 2, 2 }, 24, 16)]        // Conv3d
    [InlineData(new[] { 5 }, 5, 5)]                      // bias
    public void Fans_FromShape_PyTorchConvention(int[] dims, int fanIn, int fanOut) =>
        Assert.Equal(new Fans(fanIn, fanOut), Fans.Of(new Shape(dims)));

    [Fact]
    public void Fans_Scalar_IsOne() => Assert.Equal(new Fans(1, 1), Fans.Of(Shape.Scalar));

    [Fact]
    public void Zeros_And_Constant()
    {
        var t = Tensor.Full(new Shape(3, 4), 7f);
        Init.Zeros.Initialize(t);
        Assert.All(t.ToArray(), x => Assert.Equal(0f, x));
        new Constant(0.25f).Initialize(t);
        Assert.All(t.ToArray(), x => Assert.Equal(0.25f, x));
        Init.Ones.Initialize(t);
        Assert.All(t.ToArray(), x => Assert.Equal(1f, x));
    }

    [Fact]
    public void Normal_LecturesStd001()
    {
        var t = new Tensor(200, 500);
        Init.Normal().Initialize(t, new CortexRandom(1));
        AssertNormalMoments(t, 0, 0.01);
        new Normal(std: 2f, mean: 3f).Initialize(t, new CortexRandom(2));
        AssertNormalMoments(t, 3, 2);
    }

    [Fact]
    public void Uniform_StaysInBounds_AndCoversThem()
    {
        var t = new Tensor(100_000);
        new Uniform(-0.5f, 1.5f).Initialize(t, new CortexRandom(3));
        Assert.True(t.Min() >= -0.5f && t.Max() < 1.5f);
        Assert.True(t.Min() < -0.49f && t.Max() > 1.49f);
        var (mean, std) = Moments(t);
        Assert.InRange(mean, 0.49, 0.51);
        Assert.InRange(std, 2 / Math.Sqrt(12) * 0.99, 2 / Math.Sqrt(12) * 1.01);
    }

    [Fact]
    public void XavierNormal_StdFromBothFans()
    {
        var t = new Tensor(250, 400);                 // fan_in 400, fan_out 250
        Init.XavierNormal.Initialize(t, new CortexRandom(4));
        AssertNormalMoments(t, 0, Math.Sqrt(2.0 / 650));
    }

    [Fact]
    public void XavierUniform_LimitFromBothFans()
    {
        var t = new Tensor(250, 400);
        Init.XavierUniform.Initialize(t, new CortexRandom(5));
        double a = Math.Sqrt(6.0 / 650);
        Assert.True(t.Min() >= -a && t.Max() < a);
        Assert.True(t.Max() > 0.99 * a);
        AssertNormalMoments(t, 0, a / Math.Sqrt(3));  // the variance of U(−a, a) is a²/3 = 2/(fan_in + fan_out)
    }

    [Fact]
    public void HeNormal_ConvWeight_StdFromFanIn()
    {
        var t = new Tensor(400, 16, 5, 5);            // fan_in 400, fan_out 10 000
        HeNormal.Instance.Initialize(t, new CortexRandom(6));
        AssertNormalMoments(t, 0, Math.Sqrt(2.0 / 400));
    }

    [Fact]
    public void HeNormal_FanOut_AndLeakySlope()
    {
        var t = new Tensor(16, 400, 5, 5);            // fan_out = 16·25 = 400
        new HeNormal(FanMode.FanOut).Initialize(t, new CortexRandom(7));
        AssertNormalMoments(t, 0, Math.Sqrt(2.0 / 400));
        var leaky = new HeNormal(negativeSlope: 0.2f);
        Assert.Equal(Math.Sqrt(2.0 / 1.04 / 10), leaky.StdFor(new Fans(10, 3)), 6);
    }

    [Fact]
    public void HeUniform_LimitFromFanIn()
    {
        var t = new Tensor(100, 1000);
        Init.HeUniform.Initialize(t, new CortexRandom(8));
        double b = Math.Sqrt(6.0 / 1000);
        Assert.True(t.Min() >= -b && t.Max() < b);
        Assert.True(t.Max() > 0.99 * b);
        AssertNormalMoments(t, 0, Math.Sqrt(2.0 / 1000));
    }

    [Fact]
    public void LeCunNormal_StdFromFanIn()
    {
        var t = new Tensor(100, 1000);
        Init.LeCunNormal.Initialize(t, new CortexRandom(9));
        AssertNormalMoments(t, 0, Math.Sqrt(1.0 / 1000));
    }

    [Fact]
    public void ExplicitFans_OverrideTheShape()
    {
        // The lectures' Affine stores W as (in, out): pass the fans instead of relying on the shape.
        var t = new Tensor(1000, 100);
        HeNormal.Instance.Initialize(t, new Fans(FanIn: 1000, FanOut: 100), new CortexRandom(10));
        AssertNormalMoments(t, 0, Math.Sqrt(2.0 / 1000));
    }

    [Fact]
    public void SameSeed_SameValues_DifferentSeed_DifferentValues()
    {
        foreach (var init in new[] { Init.HeNormal, Init.XavierUniform, Init.Normal(0.01f), Init.Uniform(-1, 1) })
        {
            var a = new Tensor(6, 3, 3, 3);
            var b = new Tensor(6, 3, 3, 3);
            var c = new Tensor(6, 3, 3, 3);
            init.Initialize(a, new CortexRandom(42));
            init.Initialize(b, new CortexRandom(42));
            init.Initialize(c, new CortexRandom(43));
            Assert.Equal(a.ToArray(), b.ToArray());
            Assert.NotEqual(a.ToArray(), c.ToArray());
        }
    }

    [Fact]
    public void Parameter_Overload_FillsTheValue()
    {
        var p = new Parameter("weight", new Tensor(8, 4));
        Init.HeNormal.Initialize(p, new CortexRandom(1));
        Assert.NotEqual(0f, p.Value.Max());
        Assert.Equal(0f, p.Gradient.Max());
    }

    [Fact]
    public void EmptyTensor_IsLeftAlone()
    {
        var t = new Tensor(0, 5);
        Init.XavierNormal.Initialize(t, new CortexRandom(1));
        Assert.Equal(0, t.Size);
    }

    [Theory]
    [InlineData("he", typeof(HeNormal))]
    [InlineData("ReLU", typeof(HeNormal))]
    [InlineData("kaiming-normal", typeof(HeNormal))]
    [InlineData("he_uniform", typeof(HeUniform))]
    [InlineData("xavier", typeof(XavierNormal))]
    [InlineData("sigmoid", typeof(XavierNormal))]
    [InlineData("glorot_uniform", typeof(XavierUniform))]
    [InlineData("lecun", typeof(LeCunNormal))]
    [InlineData("zeros", typeof(Zeros))]
    [InlineData("ones", typeof(Constant))]
    [InlineData("normal", typeof(Normal))]
    public void Parse_Names(string spec, Type expected) => Assert.IsType(expected, Init.Parse(spec));

    [Fact]
    public void Parse_Arguments()
    {
        var normal = Assert.IsType<Normal>(Init.Parse("normal:0.01"));
        Assert.Equal(0.01f, normal.Std);
        Assert.Equal(0.01f, Assert.IsType<Normal>(Init.Parse("normal")).Std);
        var uniform = Assert.IsType<Uniform>(Init.Parse("uniform:0.05"));
        Assert.Equal((-0.05f, 0.05f), (uniform.Low, uniform.High));
        var he = Assert.IsType<HeNormal>(Init.Parse("he:fan_out,0.1"));
        Assert.Equal((FanMode.FanOut, 0.1f), (he.Mode, he.NegativeSlope));
        Assert.Equal(2f, Assert.IsType<XavierNormal>(Init.Parse("xavier:2")).Gain);
        Assert.Equal(0.5f, Assert.IsType<Constant>(Init.Parse("constant:0.5")).Value);
    }

    [Theory]
    [InlineData("zeros")]
    [InlineData("constant:0.1")]
    [InlineData("normal:0.01")]
    [InlineData("normal:1,0.5")]
    [InlineData("uniform:-0.5,0.25")]
    [InlineData("he_normal")]
    [InlineData("he_normal:fan_out")]
    [InlineData("he_uniform:fan_in,0.01")]
    [InlineData("xavier_normal")]
    [InlineData("xavier_uniform:1.5")]
    [InlineData("lecun_normal")]
    public void ToString_RoundTripsThroughParse(string spec) => Assert.Equal(spec, Init.Parse(spec).ToString());

    [Fact]
    public void Parse_Errors_SayWhatWasExpected()
    {
        Assert.Contains("unknown initializer 'orthogonal'", Assert.Throws<FormatException>(() => Init.Parse("orthogonal")).Message, StringComparison.Ordinal);
        Assert.Contains("'abc' is not a number", Assert.Throws<FormatException>(() => Init.Parse("normal:abc")).Message, StringComparison.Ordinal);
        Assert.Contains("expected fan_in or fan_out", Assert.Throws<FormatException>(() => Init.Parse("he:sideways")).Message, StringComparison.Ordinal);
        Assert.Contains("takes 1 argument(s)", Assert.Throws<FormatException>(() => Init.Parse("constant")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Init.Parse("uniform:1,-1"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Normal(-1f));
    }
}
