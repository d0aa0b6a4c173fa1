// Conv2dTests.cs — the Conv2d layer: gradients by central differences, the lectures' worked
// examples through the layer, output sizes of the classic networks, groups, errors, and that a
// steady training step allocates nothing.
using Cortex.Kernels;
using Cortex.Kernels.Reference;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Tests.Layers;

public sealed class Conv2dTests
{
    private static Tensor Image(float[,] values) => Tensor.FromArray(values).Reshape(1, 1, values.GetLength(0), values.GetLength(1));

    private static readonly float[,] LectureInput = { { 1, 2, 3, 0 }, { 0, 1, 2, 3 }, { 3, 0, 1, 2 }, { 2, 3, 0, 1 } };
    private static readonly float[,] LectureFilter = { { 2, 0, 1 }, { 0, 1, 2 }, { 1, 0, 2 } };

    private static Conv2d FromFilter(float[,] filter, float bias)
    {
        var conv = new Conv2d(1, 1, filter.GetLength(0));
        Tensor.FromArray(filter).Span.CopyTo(conv.Weight.Value.Span);
        conv.Bias!.Value.Span[0] = bias;
        return conv;
    }

    [Fact]
    public void Conv2d_LectureExample_GivesFeatureMap()
    {
        var y = FromFilter(LectureFilter, 0).Forward(Image(LectureInput), training: false);
        Assert.Equal(new Shape(1, 1, 2, 2), y.Shape);
        Assert.Equal([15f, 16f, 6f, 15f], y.ToArray());
    }

    [Fact]
    public void Conv2d_LectureExample_WithBias3_AddsToEveryOutput()
    {
        var y = FromFilter(LectureFilter, 3).Forward(Image(LectureInput), training: false);
        Assert.Equal([18f, 19f, 9f, 18f], y.ToArray());
    }

    [Fact]
    public void Conv2d_SecondDeckExample_GivesFeatureMap()
    {
        float[,] input = { { 0, 3, 2, 1 }, { 2, 1, 0, 2 }, { 1, 3, 2, 0 }, { 2, 0, 3, 3 } };
        float[,] filter = { { 1, 0, 1 }, { 0, 1, 0 }, { 1, 0, 1 } };
        var y = FromFilter(filter, 0).Forward(Image(input), training: false);
        Assert.Equal([6f, 7f, 10f, 8f], y.ToArray());
    }

    [Fact]
    public void Conv2d_LeNetSizes_FromOutputShape()
    {
        // 28×28 MNIST, C1 5×5 pad 2 → 28, S2 → 14, C3 5×5 → 10, S4 → 5
        var c1 = new Conv2d(1, 6, 5, padding: 2);
        var s2 = new AvgPool2d(2);
        var c3 = new Conv2d(6, 16, 5);
        var s4 = new MaxPool2d(2);
        var shape = new Shape(64, 1, 28, 28);
        shape = c1.OutputShape(shape);
        Assert.Equal(new Shape(64, 6, 28, 28), shape);
        shape = s2.OutputShape(shape);
        Assert.Equal(new Shape(64, 6, 14, 14), shape);
        shape = c3.OutputShape(shape);
        Assert.Equal(new Shape(64, 16, 10, 10), shape);
        Assert.Equal(new Shape(64, 16, 5, 5), s4.OutputShape(shape));
    }

    [Theory]
    [InlineData(32, 5, 1, 0, 28)]    // 32×32×3 through a 5×5 filter → 28×28
    [InlineData(227, 11, 4, 0, 55)]  // AlexNet CONV1
    [InlineData(224, 7, 2, 3, 112)]  // ResNet conv1
    [InlineData(7, 3, 2, 1, 4)]
    public void Conv2d_OutputShape_FollowsTheFormula(int size, int kernel, int stride, int padding, int expected)
    {
        var conv = new Conv2d(3, 4, kernel, stride: stride, padding: padding);
        Assert.Equal(new Shape(2, 4, expected, expected), conv.OutputShape(new Shape(2, 3, size, size)));
    }

    [Theory]
    [InlineData(7, 1, 7)]
    [InlineData(8, 1, 8)]
    [InlineData(7, 2, 4)]
    [InlineData(8, 3, 3)]
    public void Conv2d_SamePadding_GivesCeilOfSizeOverStride(int size, int stride, int expected)
    {
        var conv = new Conv2d(2, 3, 4, stride: stride, padding: "same", random: new CortexRandom(1));
        Assert.Equal(new Shape(1, 3, expected, expected), conv.OutputShape(new Shape(1, 2, size, size)));
        var y = conv.Forward(Tensor.RandomNormal(new Shape(1, 2, size, size), new CortexRandom(2)), training: false);
        Assert.Equal(new Shape(1, 3, expected, expected), y.Shape);
    }

    [Fact]
    public void Conv2d_MatchesReferenceConvolution()
    {
        var random = new CortexRandom(3);
        var conv = new Conv2d(3, 4, (3, 2), stride: (2, 1), padding: ConvPadding.Explicit(1, 0, 2, 1),
            paddingMode: PaddingMode.Replicate, dilation: (1, 2), random: random);
        random.FillNormal(conv.Bias!.Value.Span);
        var x = Tensor.RandomNormal(new Shape(2, 3, 7, 6), random);
        var y = conv.Forward(x, training: false);
        var g = new Conv2dGeometry(3, 7, 6, 3, 2, 2, 1, 1, 0, 2, 1, 1, 2, PaddingMode.Replicate);
        var expected = new float[y.Size];
        Convolution2dReference.Forward(g, 2, 4, x.Span, conv.Weight.Value.Span, conv.Bias.Value.Span, expected);
        AssertClose(expected, y.Span, 1e-5);
    }

    public static TheoryData<string, Func<Conv2d>, int[]> GradientCases => new()
    {
        { "odd sizes, stride 1", () => new Conv2d(2, 3, 3, random: new CortexRandom(1)), [2, 2, 5, 7] },
        { "stride 2, zero padding", () => new Conv2d(3, 2, 3, stride: 2, padding: 1, random: new CortexRandom(2)), [2, 3, 7, 5] },
        { "replicate padding", () => new Conv2d(2, 2, 3, padding: 2, paddingMode: PaddingMode.Replicate, random: new CortexRandom(3)), [1, 2, 5, 4] },
        { "asymmetric padding, stride 3", () => new Conv2d(2, 2, (2, 3), stride: (3, 2), padding: ConvPadding.Explicit(0, 2, 1, 0), random: new CortexRandom(4)), [2, 2, 7, 6] },
        { "same, stride 2", () => new Conv2d(1, 2, 4, stride: 2, padding: "same", paddingMode: PaddingMode.Replicate, random: new CortexRandom(5)), [2, 1, 7, 7] },
        { "dilation 2", () => new Conv2d(2, 3, 3, padding: 1, dilation: 2, random: new CortexRandom(6)), [1, 2, 7, 6] },
        { "groups 2", () => new Conv2d(4, 6, 3, padding: 1, groups: 2, random: new CortexRandom(7)), [2, 4, 5, 5] },
        { "groups 3, stride 2", () => new Conv2d(3, 6, 3, stride: 2, groups: 3, paddingMode: PaddingMode.Replicate, padding: 1, random: new CortexRandom(8)), [2, 3, 5, 6] },
        { "pointwise 1×1, no bias", () => new Conv2d(3, 4, 1, bias: false, random: new CortexRandom(9)), [2, 3, 3, 5] },
    };

    [Theory]
    [MemberData(nameof(GradientCases))]
    public void Conv2d_Gradients_MatchCentralDifferences(string description, Func<Conv2d> make, int[] inputShape)
    {
        Assert.NotEmpty(description);
        var conv = make();
        var random = new CortexRandom(11);
        if (conv.Bias is not null)
            random.FillNormal(conv.Bias.Value.Span);
        LayerTesting.AssertGradients(conv, Tensor.RandomNormal(new Shape(inputShape), random), tolerance: 5e-3);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Conv2d_Grouped_EqualsConcatenationOfPerGroupConvolutions(int groups)
    {
        var random = new CortexRandom(20);
        int c = 2 * groups, f = 3 * groups, cg = c / groups, fg = f / groups;
        var grouped = new Conv2d(c, f, 3, stride: 2, padding: 1, groups: groups, random: random);
        random.FillNormal(grouped.Bias!.Value.Span);
        var x = Tensor.RandomNormal(new Shape(2, c, 7, 5), random);
        var dy = Tensor.RandomNormal(grouped.OutputShape(x.Shape), random);
        var y = grouped.Forward(x, training: true).Clone();
        var dx = grouped.Backward(dy).Clone();
        var (oh, ow) = (y.Shape[2], y.Shape[3]);

        for (int gi = 0; gi < groups; gi++)
        {
            var single = new Conv2d(cg, fg, 3, stride: 2, padding: 1);
            grouped.Weight.Value.Span.Slice(gi * fg * cg * 9, fg * cg * 9).CopyTo(single.Weight.Value.Span);
            grouped.Bias.Value.Span.Slice(gi * fg, fg).CopyTo(single.Bias!.Value.Span);
            var xg = new Tensor(2, cg, 7, 5);
            var dyg = new Tensor(2, fg, oh, ow);
            for (int n = 0; n < 2; n++)
            {
                x.Span.Slice((n * c + gi * cg) * 35, cg * 35).CopyTo(xg.Span.Slice(n * cg * 35, cg * 35));
                dy.Span.Slice((n * f + gi * fg) * oh * ow, fg * oh * ow).CopyTo(dyg.Span.Slice(n * fg * oh * ow, fg * oh * ow));
            }
            var yg = single.Forward(xg, training: true);
            var dxg = single.Backward(dyg);
            for (int n = 0; n < 2; n++)
            {
                AssertClose(yg.Span.Slice(n * fg * oh * ow, fg * oh * ow), y.Span.Slice((n * f + gi * fg) * oh * ow, fg * oh * ow), 1e-6);
                AssertClose(dxg.Span.Slice(n * cg * 35, cg * 35), dx.Span.Slice((n * c + gi * cg) * 35, cg * 35), 1e-6);
            }
            AssertClose(single.Weight.Gradient.Span, grouped.Weight.Gradient.Span.Slice(gi * fg * cg * 9, fg * cg * 9), 1e-6);
            AssertClose(single.Bias.Gradient.Span, grouped.Bias.Gradient.Span.Slice(gi * fg, fg), 1e-6);
        }
    }

    [Fact]
    public void Conv2d_Parameters_HavePyTorchKeysAndShapes()
    {
        var conv = new Conv2d(6, 16, 5, groups: 2);
        var keys = conv.NamedParameters().Select(p => (p.Key, p.Parameter.Shape)).ToList();
        Assert.Equal([("weight", new Shape(16, 3, 5, 5)), ("bias", new Shape(16))], keys);
        Assert.Single(new Conv2d(6, 16, 5, bias: false).Parameters);
        Assert.Equal("Conv2d", conv.Kind);
    }

    [Fact]
    public void Conv2d_HeNormalInit_HasTheExpectedSpread()
    {
        var conv = new Conv2d(32, 64, 3, random: new CortexRandom(4));
        var w = conv.Weight.Value.Span;
        double sumSquares = 0;
        foreach (float v in w)
            sumSquares += (double)v * v;
        double std = Math.Sqrt(sumSquares / w.Length);
        Assert.InRange(std, 0.95 * Math.Sqrt(2.0 / (32 * 9)), 1.05 * Math.Sqrt(2.0 / (32 * 9)));
        Assert.All(conv.Bias!.Value.ToArray(), b => Assert.Equal(0f, b));
    }

    [Fact]
    public void Conv2d_WeightInit_ReplacesTheHeDefault()
    {
        var zeros = new Conv2d(3, 4, 3, weightInit: Cortex.Initializers.Zeros.Instance);
        Assert.All(zeros.Weight.Value.ToArray(), v => Assert.Equal(0f, v));
        var a = new Conv2d(3, 4, 3, random: new CortexRandom(9));
        var b = new Conv2d(3, 4, 3, random: new CortexRandom(9), weightInit: Cortex.Initializers.HeNormal.Instance);
        Assert.Equal(a.Weight.Value.ToArray(), b.Weight.Value.ToArray());
    }

    [Fact]
    public void Conv2d_GradientsAccumulate_AndFrozenWeightIsUntouched()
    {
        var random = new CortexRandom(5);
        var conv = new Conv2d(2, 2, 3, padding: 1, random: random);
        var x = Tensor.RandomNormal(new Shape(1, 2, 4, 4), random);
        var dy = Tensor.RandomNormal(new Shape(1, 2, 4, 4), random);
        conv.Forward(x, true);
        var dx1 = conv.Backward(dy).Clone();
        var once = conv.Weight.Gradient.Clone();
        conv.Forward(x, true);
        var dx2 = conv.Backward(dy);
        AssertClose(dx1.Span, dx2.Span, 0);                       // dx is not accumulated
        for (int i = 0; i < once.Size; i++)
            Assert.Equal(2 * once.Span[i], conv.Weight.Gradient.Span[i], 5);

        conv.ZeroGradients();
        conv.Weight.Trainable = false;
        conv.Forward(x, true);
        var dx3 = conv.Backward(dy);
        Assert.All(conv.Weight.Gradient.ToArray(), v => Assert.Equal(0f, v));
        Assert.Contains(conv.Bias!.Gradient.ToArray(), v => v != 0f);
        AssertClose(dx1.Span, dx3.Span, 0);
    }

    [Fact]
    public void Conv2d_WrongChannelCount_Throws()
    {
        var conv = new Conv2d(6, 16, 5);
        PathHarness.Place(conv, "features", "3");
        Assert.Equal("features.3", conv.Path);
        var e = Assert.Throws<ArgumentException>(() => conv.Forward(new Tensor(64, 3, 14, 14), true));
        Assert.StartsWith("features.3 (Conv2d 16@5×5): expects 6 input channels, got 3 (input [64, 3, 14, 14]).", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => conv.OutputShape(new Shape(64, 3, 14, 14)));
        Assert.StartsWith("features.3 (Conv2d 16@5×5): expects 6 input channels, got 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Conv2d_WrongRank_Throws()
    {
        var conv = new Conv2d(3, 8, 3, name: "conv1");
        var e = Assert.Throws<ArgumentException>(() => conv.Forward(new Tensor(3, 32, 32), true));
        Assert.StartsWith("conv1 (Conv2d 8@3×3): expects input [N, 3, H, W] (rank 4), got [3, 32, 32] (rank 3).", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Conv2d_KernelLargerThanPaddedInput_Throws()
    {
        var conv = new Conv2d(16, 32, 5, padding: 1, name: "c5");
        var e = Assert.Throws<ArgumentException>(() => conv.OutputShape(new Shape(8, 16, 2, 2)));
        Assert.StartsWith("c5 (Conv2d 32@5×5): expects an input of at least 5×5 after padding, got 2×2 padded to 4×4 (input [8, 16, 2, 2]).", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Conv2d_GroupsNotDividingChannels_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new Conv2d(6, 16, 3, groups: 4));
        Assert.StartsWith("Conv2d: expected inChannels and outChannels divisible by groups 4, got inChannels 6 and outChannels 16.", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2d(3, 4, 3, stride: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2d(3, 4, 3, padding: -1));
        Assert.Throws<FormatException>(() => new Conv2d(3, 4, 3, padding: "full"));
    }

    [Fact]
    public void Conv2d_BackwardBeforeForward_Throws()
    {
        var conv = new Conv2d(1, 1, 3);
        var e = Assert.Throws<InvalidOperationException>(() => conv.Backward(new Tensor(1, 1, 2, 2)));
        Assert.StartsWith("conv (Conv2d): Backward was called before Forward", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Conv2d_WrongOutputGradientShape_Throws()
    {
        var conv = new Conv2d(1, 2, 3);
        conv.Forward(new Tensor(1, 1, 4, 4), true);
        var e = Assert.Throws<ArgumentException>(() => conv.Backward(new Tensor(1, 2, 3, 3)));
        Assert.StartsWith("conv (Conv2d): expected an output gradient of shape [1, 2, 2, 2]", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Conv2d_SecondStepOfTheSameShape_AllocatesNothing(int groups)
    {
        var random = new CortexRandom(6);
        var conv = new Conv2d(4, 4, 3, stride: 2, padding: 1, groups: groups, random: random);
        var x = Tensor.RandomNormal(new Shape(2, 4, 9, 9), random);
        var dy = Tensor.RandomNormal(conv.OutputShape(x.Shape), random);
        AllocationAssert.NoneOnSecondStep(conv, x, dy);
    }

    internal static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]) / Math.Max(1.0, Math.Abs(expected[i]));
            Assert.True(error <= tolerance, $"element {i}: expected {expected[i]}, got {actual[i]} (relative error {error:G3})");
        }
    }
}

/// <summary>A minimal container that gives a layer a dotted path such as <c>features.3</c> (Sequential lands separately).</summary>
internal sealed class PathHarness : Layer
{
    private readonly (string Name, Layer Layer)[] _children;

    private PathHarness(string name, params (string Name, Layer Layer)[] children) : base(name)
    {
        _children = children;
        foreach (var (key, child) in children)
            Adopt(key, child);
    }

    /// <summary>Puts <paramref name="layer"/> at <c>outer.inner</c> under a root model.</summary>
    public static void Place(Layer layer, string outer, string inner) =>
        GC.KeepAlive(new PathHarness("model", (outer, new PathHarness(outer, (inner, layer)))));

    public override IEnumerable<(string Name, Layer Layer)> Children => _children;

    public override Shape OutputShape(Shape input) => throw new NotSupportedException();

    public override Tensor Forward(Tensor input, bool training) => throw new NotSupportedException();

    public override Tensor Backward(Tensor outputGradient) => throw new NotSupportedException();
}

/// <summary>Asserts that Forward + Backward of a shape seen before allocates no managed memory.</summary>
internal static class AllocationAssert
{
    public static void NoneOnSecondStep(Layer layer, Tensor x, Tensor dy)
    {
        int saved = Parallelism.MaxDegree;
        Parallelism.MaxDegree = 1;   // thread-pool hand-offs allocate; measure the layer itself
        try
        {
            layer.Forward(x, true);
            layer.Backward(dy);
            long before = GC.GetAllocatedBytesForCurrentThread();
            layer.Forward(x, true);
            layer.Backward(dy);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated == 0, $"{layer.Describe()}: the second Forward+Backward allocated {allocated} bytes.");
        }
        finally
        {
            Parallelism.MaxDegree = saved;
        }
    }
}
