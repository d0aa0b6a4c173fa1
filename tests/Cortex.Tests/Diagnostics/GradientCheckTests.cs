using Cortex.Diagnostics;
using Cortex.Layers;
using Cortex.Tensors;
using static Cortex.Tests.Layers.LayerTesting;

namespace Cortex.Tests.Diagnostics;

public class GradientCheckTests
{
    /// <summary>y = w ⊙ x² with a deliberately wrong input gradient (forgets the factor 2) when told to.</summary>
    private sealed class ScaledSquare(int features, bool wrongInputGradient, bool forgetWeightGradient) : Layer("scaled_square")
    {
        private Tensor? _x;
        public Parameter Weight { get; } = new("weight", Tensor.RandomNormal(new Shape(features), new CortexRandom(1)));
        public override IEnumerable<Parameter> Parameters => [Weight];
        public override Shape OutputShape(Shape input) => input;

        public override Tensor Forward(Tensor input, bool training)
        {
            _x = input;
            var y = new Tensor(input.Shape);
            for (int i = 0; i < y.Size; i++)
                y.Span[i] = Weight.Value.Span[i % features] * input.Span[i] * input.Span[i];
            return y;
        }

        public override Tensor Backward(Tensor outputGradient)
        {
            var x = _x ?? throw BackwardBeforeForward();
            var dx = new Tensor(x.Shape);
            for (int i = 0; i < dx.Size; i++)
            {
                float w = Weight.Value.Span[i % features];
                dx.Span[i] = outputGradient.Span[i] * w * x.Span[i] * (wrongInputGradient ? 1f : 2f);
                if (!forgetWeightGradient)
                    Weight.Gradient.Span[i % features] += outputGradient.Span[i] * x.Span[i] * x.Span[i];
            }
            return dx;
        }
    }

    [Fact]
    public void CorrectLayer_Passes_WithSmallErrors()
    {
        var report = GradientCheck.Check(new ScaledSquare(3, false, false), Random(1, 4, 3));
        Assert.True(report.Passed(1e-3), report.ToString());
        Assert.Equal(["input", "weight"], report.Entries.Select(e => e.Name));
        Assert.Equal(12, report["input"].Checked);
    }

    [Fact]
    public void WrongInputGradient_FailsOnInputOnly()
    {
        var report = GradientCheck.Check(new ScaledSquare(3, true, false), Random(1, 4, 3));
        Assert.False(report.Passed());
        Assert.InRange(report["input"].WorstError, 0.4, 0.6);   // half the true gradient: error 1/2
        Assert.True(report["weight"].Passed());
        Assert.Equal(2 * report["input"].Analytic, report["input"].Numeric, 0.05 * Math.Abs(report["input"].Numeric));
    }

    [Fact]
    public void MissingParameterGradient_FailsOnThatParameter()
    {
        var report = GradientCheck.Check(new ScaledSquare(3, false, true), Random(1, 4, 3));
        Assert.True(report["input"].Passed());
        Assert.Equal(1.0, report["weight"].WorstError, 6);
        Assert.False(report.Passed());
    }

    [Fact]
    public void Report_DescribesTheWorstElement()
    {
        var report = GradientCheck.Check(new ScaledSquare(3, true, false), Random(2, 2, 3));
        var input = report["input"];
        Assert.Equal(new Shape(2, 3), input.Shape);
        Assert.Equal(2, input.WorstPosition.Length);
        Assert.Equal(input.WorstIndex, input.WorstPosition[0] * 3 + input.WorstPosition[1]);
        AssertContainsAll(report.ToString(), "input [2, 3]", "checked 6/6", "weight [3]");
        Assert.Throws<KeyNotFoundException>(() => report["bias"]);
    }

    [Fact]
    public void MaxElementsPerTensor_SamplesThatMany()
    {
        var dense = new Dense(10, 8, random: new CortexRandom(3));
        var report = GradientCheck.Check(dense, Random(4, 3, 10), new GradientCheckOptions { MaxElementsPerTensor = 5 });
        Assert.Equal(5, report["input"].Checked);
        Assert.Equal(5, report["weight"].Checked);
        Assert.Equal(5, report["bias"].Checked);
        Assert.True(report.Passed(), report.ToString());
    }

    [Fact]
    public void RestoresInputParametersAndBuffers_SkipsFrozen()
    {
        var model = new Sequential(new Dense(4, 3, random: new CortexRandom(5)), new BatchNorm1d(3));
        model[0].Parameters.First().Trainable = false;
        var x = Random(6, 5, 4);
        var xBefore = x.ToArray();
        var weightsBefore = model.AllParameters().Select(p => p.Value.ToArray()).ToList();

        var report = GradientCheck.Check(model, x);

        Assert.Equal(xBefore, x.ToArray());
        Assert.Equal(weightsBefore, model.AllParameters().Select(p => p.Value.ToArray()).ToList());
        Assert.Equal([0f, 0f, 0f], ((BatchNorm1d)model[1]).RunningMean.ToArray());
        Assert.DoesNotContain(report.Entries, e => e.Name == "0.weight");
        Assert.True(report.Passed(), report.ToString());
    }

    [Fact]
    public void LossOverload_ChecksAnyScalarFunction()
    {
        // E = Σ ½(t − softmax-free output)² with output = w·x, checked for both w and x
        var w = Random(7, 3, 2);
        var x = Random(8, 2);
        var t = Random(9, 3);
        double Loss()
        {
            double e = 0;
            for (int i = 0; i < 3; i++)
            {
                double o = (double)w[i, 0] * x[0] + (double)w[i, 1] * x[1];
                e += 0.5 * (t[i] - o) * (t[i] - o);
            }
            return e;
        }
        var dw = new Tensor(3, 2);
        var dx = new Tensor(2);
        for (int i = 0; i < 3; i++)
        {
            float r = w[i, 0] * x[0] + w[i, 1] * x[1] - t[i];   // dE/do
            for (int j = 0; j < 2; j++)
            {
                dw[i, j] = r * x[j];
                dx[j] += r * w[i, j];
            }
        }

        var report = GradientCheck.Check(Loss, [("w", w, dw), ("x", x, dx)]);
        Assert.True(report.Passed(1e-3), report.ToString());

        dx[1] *= -1;
        Assert.False(GradientCheck.Check(Loss, [("w", w, dw), ("x", x, dx)]).Passed());
    }

    [Fact]
    public void NaNGradient_NeverPasses()
    {
        var v = Tensor.FromArray(1f, 2f);
        var g = Tensor.FromArray(float.NaN, 4f);
        var report = GradientCheck.Check(() => (double)v[0] * v[0] + (double)v[1] * v[1], [("v", v, g)]);
        Assert.True(double.IsNaN(report.WorstError));
        Assert.False(report.Passed(1e9));
    }

    [Fact]
    public void BadOptions_Throw()
    {
        var dense = new Dense(2, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientCheck.Check(dense, new Tensor(1, 2), new GradientCheckOptions { Step = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientCheck.Check(dense, new Tensor(1, 2), new GradientCheckOptions { MaxElementsPerTensor = 0 }));
        Assert.Throws<ArgumentException>(() => GradientCheck.Check(() => 0, [("a", new Tensor(2), new Tensor(3))]));
    }
}
