using Cortex.Losses;
using Cortex.Tensors;

namespace Cortex.Tests.Losses;

public class BinaryCrossEntropyTests
{
    [Fact]
    public void Probabilities_HandComputed()
    {
        // −[ln 0.8 + ln(1 − 0.3)] / 2
        var p = Tensor.FromArray(new float[,] { { 0.8f }, { 0.3f } });
        float l = new BinaryCrossEntropy(fromLogits: false).Forward(p, Tensor.FromArray(1f, 0f));
        Assert.Equal(-(Math.Log(0.8) + Math.Log(0.7)) / 2, l, 5);
    }

    [Fact]
    public void Logits_ZeroScoreIsLn2()
    {
        float l = new BinaryCrossEntropy().Forward(Tensor.FromArray(0f, 0f), Tensor.FromArray(1f, 0f));
        Assert.Equal(Math.Log(2), l, 6);
    }

    [Fact]
    public void Logits_EqualsProbabilitiesOfTheSigmoid()
    {
        var random = new CortexRandom(5);
        var logits = Tensor.RandomNormal(new Shape(9, 1), random, std: 2f);
        var probabilities = logits.Map(v => 1f / (1f + MathF.Exp(-v)));
        var targets = Tensor.RandomUniform(new Shape(9), random);       // soft targets are allowed
        var fromLogits = new BinaryCrossEntropy();
        var fromProbabilities = new BinaryCrossEntropy(fromLogits: false);
        Assert.Equal(fromLogits.Forward(logits, targets), fromProbabilities.Forward(probabilities, targets), 4);

        // dL/dx = dL/dp · σ'(x) = dL/dp · p(1 − p)
        var gx = fromLogits.Backward().ToArray();
        var gp = fromProbabilities.Backward().ToArray();
        var p = probabilities.ToArray();
        for (int e = 0; e < gx.Length; e++)
            Assert.Equal(gx[e], gp[e] * p[e] * (1 - p[e]), 5);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(7, true)]
    [InlineData(13, false)]
    public void Gradient_MatchesCentralDifferences(int n, bool fromLogits)
    {
        var random = new CortexRandom((ulong)(n + (fromLogits ? 100 : 200)));
        var target = Tensor.RandomUniform(new Shape(n), random).Map(MathF.Round);
        var output = fromLogits
            ? Tensor.RandomNormal(new Shape(n, 1), random, std: 3f)
            : Tensor.RandomUniform(new Shape(n, 1), random, 0.05f, 0.95f);   // away from the clamp
        LossGradient.Check(new BinaryCrossEntropy(fromLogits), output, target);
    }

    [Fact]
    public void Logits_ExtremeScores_GiveFiniteLossAndGradient()
    {
        var logits = Tensor.FromArray(1000f, -1000f, 1000f, -1000f);
        var targets = Tensor.FromArray(1f, 0f, 0f, 1f);
        var loss = new BinaryCrossEntropy();
        float l = loss.Forward(logits, targets);
        Assert.Equal((0 + 0 + 1000 + 1000) / 4.0, l, 3);           // right answers cost 0, wrong ones |x|
        float[] g = loss.Backward().ToArray();
        float[] expected = [0f, 0f, 0.25f, -0.25f];                 // (σ(x) − t)/4
        for (int e = 0; e < 4; e++)
            Assert.Equal(expected[e], g[e], 6);
        LossGradient.Check(loss, logits, targets);
    }

    [Fact]
    public void Probabilities_SaturatedOutputsAreClamped()
    {
        var loss = new BinaryCrossEntropy(fromLogits: false);
        float l = loss.Forward(Tensor.FromArray(0f, 1f), Tensor.FromArray(1f, 1f));
        Assert.Equal(-Math.Log(1e-7) / 2, l, 3);                    // ln(ε) instead of ln(0)
        Assert.All(loss.Backward().ToArray(), v => Assert.True(float.IsFinite(v)));
        Assert.True(loss.Backward().Span[0] < 0);                   // still pushes p = 0 up towards t = 1
    }

    [Fact]
    public void BinaryCrossEntropy_TargetOutsideUnitInterval_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new BinaryCrossEntropy().Forward(Tensor.FromArray(0.5f, 0.5f), Tensor.FromArray(1f, 2f)));
        Assert.Contains("BinaryCrossEntropy(fromLogits): expected targets in [0, 1] (0/1 labels or probabilities), got target[1] = 2.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Probabilities_RawScore_ThrowsPointingToFromLogits()
    {
        var e = Assert.Throws<ArgumentException>(() => new BinaryCrossEntropy(fromLogits: false).Forward(Tensor.FromArray(0.5f, 2.5f), Tensor.FromArray(1f, 0f)));
        Assert.StartsWith("BinaryCrossEntropy(probabilities): expected probabilities in [0, 1] (the output of a sigmoid), got output[1] = 2.5. For raw scores use new BinaryCrossEntropy(fromLogits: true).", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BinaryCrossEntropy_BadEpsilon_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new BinaryCrossEntropy(fromLogits: false, epsilon: 0f));
        Assert.Contains("BinaryCrossEntropy: expected epsilon in (0, 0.5), got 0.", e.Message, StringComparison.Ordinal);
    }
}
