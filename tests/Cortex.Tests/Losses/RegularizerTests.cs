using Cortex.Layers;
using Cortex.Losses;
using Cortex.Tensors;

namespace Cortex.Tests.Losses;

public class RegularizerTests
{
    [Fact]
    public void L2_LectureExample()
    {
        // x = [1, 1, 1, 1]: w1 and w2 score it the same (1), but R(w1) = 1 and R(w2) = 0.25.
        var l2 = Regularizer.L2(1f);
        Assert.Equal(1.0, l2.Penalty(Tensor.FromArray(1f, 0f, 0f, 0f)), 12);
        Assert.Equal(0.25, l2.Penalty(Tensor.FromArray(0.25f, 0.25f, 0.25f, 0.25f)), 12);
    }

    [Fact]
    public void L1_HandComputed()
    {
        // 0.1 × (1 + 2 + 0 + 0.5) = 0.35; for the lecture's w1 and w2 both give λ × 1
        var l1 = new L1Regularizer(0.1f);
        Assert.Equal(0.35, l1.Penalty(Tensor.FromArray(1f, -2f, 0f, 0.5f)), 6);
        Assert.Equal(0.1, l1.Penalty(Tensor.FromArray(1f, 0f, 0f, 0f)), 6);
        Assert.Equal(0.1, l1.Penalty(Tensor.FromArray(0.25f, 0.25f, 0.25f, 0.25f)), 6);
    }

    [Fact]
    public void ElasticNet_HandComputed()
    {
        // 0.1 × (1 + 2) + 0.01 × (1 + 4) = 0.35
        var en = Regularizer.ElasticNet(l1: 0.1f, l2: 0.01f);
        Assert.Equal(0.35, en.Penalty(Tensor.FromArray(1f, -2f)), 6);
        var g = new Tensor(2);
        en.AddGradient(Tensor.FromArray(1f, -2f), g);
        Assert.Equal(0.1f + 0.02f, g.Span[0], 6);                  // λ₁ sign(w) + 2λ₂ w
        Assert.Equal(-0.1f - 0.04f, g.Span[1], 6);
    }

    [Fact]
    public void L1_SubgradientIsZeroAtZero()
    {
        var g = new Tensor(3);
        new L1Regularizer(0.5f).AddGradient(Tensor.FromArray(2f, 0f, -3f), g);
        Assert.Equal([0.5f, 0f, -0.5f], g.ToArray());
    }

    public static TheoryData<string> Kinds => ["l1", "l2", "elastic"];

    private static Regularizer Make(string kind) => kind switch
    {
        "l1" => Regularizer.L1(0.3f),
        "l2" => Regularizer.L2(0.7f),
        _ => Regularizer.ElasticNet(0.2f, 0.4f),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Gradients_MatchCentralDifferences_AndAreAdded(string kind)
    {
        var regularizer = Make(kind);
        var random = new CortexRandom(9);
        var parameters = new[]
        {
            new Parameter("weight", Tensor.RandomNormal(new Shape(3, 5), random)),
            new Parameter("weight", Tensor.RandomNormal(new Shape(7), random)),
        };
        foreach (var p in parameters)
        {
            var v = p.Value.Span;
            for (int i = 0; i < v.Length; i++)
                v[i] += v[i] >= 0 ? 0.1f : -0.1f;                   // away from |w|'s kink at 0
            p.Gradient.Fill(0.25f);                                  // AddGradients must add, not overwrite
        }

        regularizer.AddGradients(parameters);

        // R is linear or quadratic away from 0, so central differences are exact up to rounding:
        // a wide step keeps the float rounding of the penalty out of the quotient.
        const double h = 0.05;
        foreach (var p in parameters)
        {
            var v = p.Value.Span;
            for (int i = 0; i < v.Length; i++)
            {
                float saved = v[i];
                float plus = (float)(saved + h), minus = (float)(saved - h);
                v[i] = plus;
                double penaltyPlus = regularizer.Penalty(parameters);
                v[i] = minus;
                double penaltyMinus = regularizer.Penalty(parameters);
                v[i] = saved;
                double numeric = (penaltyPlus - penaltyMinus) / ((double)plus - minus);
                Assert.Equal(numeric + 0.25, p.Gradient.Span[i], tolerance: 1e-4);
            }
        }
    }

    [Fact]
    public void FrozenParameters_AreSkipped()
    {
        var trainable = new Parameter("weight", Tensor.FromArray(1f, 1f));
        var frozen = new Parameter("weight", Tensor.FromArray(10f, 10f), trainable: false);
        var l2 = Regularizer.L2(1f);
        Assert.Equal(2.0, l2.Penalty([trainable, frozen]), 6);
        l2.AddGradients([trainable, frozen]);
        Assert.Equal([2f, 2f], trainable.Gradient.ToArray());
        Assert.Equal([0f, 0f], frozen.Gradient.ToArray());
    }

    [Fact]
    public void ParameterGroups_WeightsLeaveOutBiases()
    {
        var model = new TwoParameterLayer();
        var weights = ParameterGroups.Weights(model);
        Assert.Equal([model.Weight], weights);
        Assert.Equal([model.Weight, model.Bias], ParameterGroups.All(model));

        // λ per group: the weights with one strength, everything with another.
        double penalty = Regularizer.L2(1f).Penalty(weights) + Regularizer.L1(0.5f).Penalty(ParameterGroups.All(model));
        Assert.Equal((4 + 9) + 0.5 * (2 + 3 + 5), penalty, 6);
    }

    [Fact]
    public void L2_NegativeStrength_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new L2Regularizer(-0.1f));
        Assert.StartsWith("L2Regularizer: expected a finite strength lambda ≥ 0, got -0.1.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ElasticNet_NaNStrength_ThrowsNamingIt()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ElasticNetRegularizer(0.1f, float.NaN));
        Assert.StartsWith("ElasticNetRegularizer: expected a finite strength l2 ≥ 0, got NaN.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddGradient_ShapeMismatch_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => Regularizer.L1(1f).AddGradient(new Tensor(2, 3), new Tensor(6)));
        Assert.StartsWith("L1Regularizer: expected a gradient of the weights' shape [2, 3], got [6].", e.Message, StringComparison.Ordinal);
    }

    private sealed class TwoParameterLayer() : Layer("dense")
    {
        public Parameter Weight { get; } = new("weight", Tensor.FromArray(2f, -3f));
        public Parameter Bias { get; } = new("bias", Tensor.FromArray(5f));
        public override IEnumerable<Parameter> Parameters => [Weight, Bias];
        public override Shape OutputShape(Shape input) => input;
        public override Tensor Forward(Tensor input, bool training) => input;
        public override Tensor Backward(Tensor outputGradient) => outputGradient;
    }
}
