using Cortex.Layers;
using Cortex.Optimizers;
using Cortex.Tensors;
using static Cortex.Tests.Optimizers.OptimizerTestHelpers;

namespace Cortex.Tests.Optimizers;

public class OptimizerBehaviourTests
{
    public static TheoryData<string> AllNames => [.. OptimizerCatalog.Names];

    [Theory]
    [MemberData(nameof(AllNames))]
    public void FrozenParameter_IsUntouched_AndGetsNoState(string name)
    {
        var live = Param(1f, 2f);
        var frozen = Param(3f, 4f);
        frozen.Trainable = false;
        SetGradient(live, 0.5, 0.5);
        SetGradient(frozen, 0.5, 0.5);
        var opt = OptimizerCatalog.Create(name, [live, frozen]);
        opt.WeightDecay = 0.1f;
        opt.Step();
        opt.Step();
        Assert.Equal([3f, 4f], frozen.Value.ToArray());
        Assert.NotEqual([1f, 2f], live.Value.ToArray());
        Assert.DoesNotContain(opt.State, s => s.Key.StartsWith("1.", StringComparison.Ordinal));
        Assert.Equal(0, opt.ParameterStepCount(1));
        Assert.Equal(2, opt.ParameterStepCount(0));
    }

    [Fact]
    public void Step_DoesNotZeroGradients_ZeroGradientsDoes()
    {
        var p = Param(1f, 2f);
        SetGradient(p, 0.5, -0.5);
        var opt = new Sgd([p], 0.1f);
        opt.Step();
        Assert.Equal([0.5f, -0.5f], p.Gradient.ToArray());
        opt.ZeroGradients();
        Assert.Equal([0f, 0f], p.Gradient.ToArray());
        Assert.Equal(1, opt.StepCount);
    }

    [Fact]
    public void ClipGradientNorm_AboveMax_ScalesToMaxNorm_AndReturnsPreClipNorm()
    {
        var a = Param(0f, 0f);
        var b = Param(0f, 0f, 0f);
        SetGradient(a, 3, 0);
        SetGradient(b, 0, 4, 12);          // global norm √(9 + 16 + 144) = 13
        float norm = Optimizer.ClipGradientNorm([a, b], maxNorm: 6.5f);
        Assert.Equal(13f, norm, 5);
        AssertClose([1.5, 0], a.Gradient);
        AssertClose([0, 2, 6], b.Gradient);
        double after = Math.Sqrt(a.Gradient.ToArray().Concat(b.Gradient.ToArray()).Sum(x => (double)x * x));
        Assert.Equal(6.5, after, 5);
    }

    [Fact]
    public void ClipGradientNorm_BelowMax_LeavesGradientsUnchanged()
    {
        var a = Param(0f, 0f);
        SetGradient(a, 3, 4);
        Assert.Equal(5f, Optimizer.ClipGradientNorm([a], maxNorm: 5.5f), 5);
        Assert.Equal([3f, 4f], a.Gradient.ToArray());
    }

    [Fact]
    public void ClipGradientNorm_IgnoresFrozenParameters()
    {
        var a = Param(0f, 0f);
        var frozen = Param(0f);
        frozen.Trainable = false;
        SetGradient(a, 3, 4);
        SetGradient(frozen, 100);
        Assert.Equal(5f, Optimizer.ClipGradientNorm([a, frozen], maxNorm: 1f), 5);
        AssertClose([0.6, 0.8], a.Gradient);
        Assert.Equal(100f, frozen.Gradient.Span[0]);
    }

    [Fact]
    public void ClipGradientNorm_BadMax_ThrowsWithValue()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Optimizer.ClipGradientNorm([Param(1f)], 0f));
        Assert.Contains("must be finite and > 0, got 0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Step_WithMaxGradientNorm_ClipsBeforeUpdating()
    {
        var p = Param(0f, 0f);
        SetGradient(p, 30, 40);
        var opt = new Sgd([p], learningRate: 1f) { MaxGradientNorm = 1f };
        opt.Step();
        Assert.Equal(50f, opt.LastGradientNorm, 4);
        AssertClose([-0.6, -0.8], p.Value);
    }

    [Fact]
    public void LastGradientNorm_IsNaNWithoutClipping()
    {
        var p = Param(0f);
        var opt = new Sgd([p]);
        opt.Step();
        Assert.True(float.IsNaN(opt.LastGradientNorm));
    }

    // f(w) = ½ Σ aᵢ wᵢ²,  ∇f = aᵢ wᵢ: an ill-conditioned bowl (condition number 20).
    [Theory]
    // AdaDelta is only asked for 1e-3: near the minimum its step tends to √ε/√ε·g = g, i.e. SGD
    // with rate 1, which overshoots the a = 10 direction, so it circles at the ε scale (as the
    // same recurrence does in double precision).
    [InlineData("sgd", 0.09f, 300, 1e-6)]
    [InlineData("momentum", 0.02f, 300, 1e-6)]
    [InlineData("nesterov", 0.02f, 300, 1e-6)]
    [InlineData("adagrad", 0.5f, 300, 1e-6)]
    [InlineData("rmsprop", 0.01f, 600, 1e-6)]
    [InlineData("adam", 0.05f, 600, 1e-6)]
    [InlineData("adamw", 0.05f, 600, 1e-6)]
    [InlineData("adadelta", 1f, 1000, 1e-3)]
    public void MinimizesQuadratic(string name, float learningRate, int steps, double ratio)
    {
        double[] a = [0.5, 1, 4, 10];
        var p = Param(1f, -1.5f, 2f, -0.5f);
        var opt = OptimizerCatalog.Create(name, [p], learningRate);
        if (opt is AdamW)
            opt.WeightDecay = 0f;
        double Loss() => 0.5 * a.Select((ai, i) => ai * p.Value.Span[i] * p.Value.Span[i]).Sum();
        double start = Loss();
        for (int s = 0; s < steps; s++)
        {
            SetGradient(p, [.. a.Select((ai, i) => ai * p.Value.Span[i])]);
            opt.Step();
        }
        Assert.True(Loss() < ratio * start, $"{name}: loss {Loss():G3} after {steps} steps (start {start:G3}); w = {p.Value}");
    }

    [Theory]
    [MemberData(nameof(AllNames))]
    public void StepAfterTheFirst_AllocatesNothing(string name)
    {
        var rng = new CortexRandom(1);
        Parameter[] ps =
        [
            new("weight", Tensor.RandomNormal(new Shape(16, 3, 5, 5), rng)),
            new("bias", Tensor.RandomNormal(new Shape(16), rng)),
            new("weight", Tensor.RandomNormal(new Shape(10, 3000), rng)),
        ];
        foreach (var p in ps)
            rng.FillNormal(p.Gradient.Span, std: 0.1f);
        var opt = OptimizerCatalog.Create(name, ps, 1e-3f);
        opt.WeightDecay = 1e-4f;
        opt.MaxGradientNorm = 1f;
        for (int i = 0; i < 3; i++)
            opt.Step();                    // state allocated, code paths warm
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
            opt.Step();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void DuplicateParameter_Throws()
    {
        var p = Param(1f);
        var ex = Assert.Throws<ArgumentException>(() => new Adam([p, p]));
        Assert.Contains("appears twice", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadHyperParameters_ThrowWithNameAndValue()
    {
        var p = Param(1f);
        Assert.Contains("Momentum: mu (momentum) must be in [0, 1), got 1.5", Assert.Throws<ArgumentOutOfRangeException>(() => new Momentum([p], 0.1f, mu: 1.5f)).Message, StringComparison.Ordinal);
        Assert.Contains("Adam: beta2 must be in [0, 1), got 1", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], beta2: 1f)).Message, StringComparison.Ordinal);
        Assert.Contains("Sgd: the learning rate must be finite and ≥ 0, got -1", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], -1f)).Message, StringComparison.Ordinal);
        var sgd = new Sgd([p]);
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.WeightDecay = float.NaN);
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.MaxGradientNorm = -1f);
    }

    [Fact]
    public void LearningRate_IsSettable_AndUsedByTheNextStep()
    {
        var p = Param(1f);
        SetGradient(p, 1);
        var opt = new Sgd([p], 0.1f);
        opt.Step();
        opt.LearningRate = 0.01f;
        opt.Step();
        Assert.Equal(1 - 0.1 - 0.01, p.Value.Span[0], 6);
    }

    [Fact]
    public void Catalog_ParsesNamesAndMu_AndRejectsUnknown()
    {
        var p = Param(1f);
        var m = Assert.IsType<Momentum>(OptimizerCatalog.Create("Momentum:0.95", [p], 0.1f));
        Assert.Equal(0.95f, m.Mu);
        Assert.Equal(0.1f, m.LearningRate);
        Assert.Equal(1e-3f, OptimizerCatalog.Create("adam", [p]).LearningRate);
        Assert.IsType<AdamW>(OptimizerCatalog.Create(" ADAMW ", [p]));
        var ex = Assert.Throws<ArgumentException>(() => OptimizerCatalog.Create("lbfgs", [p]));
        Assert.Contains("unknown optimizer 'lbfgs'", ex.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => OptimizerCatalog.Create("adam:0.9", [p]));
        Assert.True(Assert.IsType<Adam>(OptimizerCatalog.Create("adam", [p])).BiasCorrection);
        Assert.False(Assert.IsType<Adam>(OptimizerCatalog.Create("Adam:NoBias", [p])).BiasCorrection);
        Assert.Throws<FormatException>(() => OptimizerCatalog.Create("adamw:nobias", [p]));
    }
}
