using Cortex.Layers;
using Cortex.Optimizers;
using Cortex.Tensors;
using static Cortex.Tests.Optimizers.OptimizerTestHelpers;

namespace Cortex.Tests.Optimizers;

// Each rule against its formula, stepped by hand in double precision (no call into the code under test).
public class UpdateRuleTests
{
    private static readonly double[] W0 = [1.0, -2.0, 0.5];
    private static readonly double[][] Grads = [[0.5, -1.0, 2.0], [0.25, 0.5, -1.5], [-0.75, 0.125, 1.0]];

    private static void Run(Optimizer optimizer, Parameter p, int steps)
    {
        for (int s = 0; s < steps; s++)
        {
            SetGradient(p, Grads[s]);
            optimizer.Step();
        }
    }

    [Fact]
    public void Sgd_ThreeSteps()
    {
        var p = Param(1f, -2f, 0.5f);
        Run(new Sgd([p], learningRate: 0.1f), p, 3);
        double[] w = [.. W0];
        foreach (var g in Grads)
        {
            for (int i = 0; i < 3; i++)
                w[i] -= 0.1 * g[i];
        }
        AssertClose(w, p.Value);
    }

    [Fact]
    public void Sgd_CoupledWeightDecay_AddsLambdaWToGradient()
    {
        var p = Param(1f, -2f, 0.5f);
        Run(new Sgd([p], learningRate: 0.1f) { WeightDecay = 0.01f }, p, 3);
        double[] w = [.. W0];
        foreach (var g in Grads)
        {
            for (int i = 0; i < 3; i++)
                w[i] -= 0.1 * (g[i] + 0.01 * w[i]);
        }
        AssertClose(w, p.Value);
    }

    [Fact]
    public void Momentum_ThreeSteps_LectureForm()
    {
        var p = Param(1f, -2f, 0.5f);
        var opt = new Momentum([p], learningRate: 0.1f, mu: 0.9f);
        Run(opt, p, 3);
        double[] w = [.. W0], v = new double[3];
        foreach (var g in Grads)
        {
            for (int i = 0; i < 3; i++)
            {
                v[i] = 0.9 * v[i] - 0.1 * g[i];
                w[i] += v[i];
            }
        }
        AssertClose(w, p.Value);
        var (key, velocity) = Assert.Single(opt.State);
        Assert.Equal("0.momentum_buffer", key);
        AssertClose(v, velocity);
    }

    [Fact]
    public void Nesterov_ThreeSteps_Cs231nLookAheadForm()
    {
        var p = Param(1f, -2f, 0.5f);
        Run(new Nesterov([p], learningRate: 0.1f, mu: 0.9f), p, 3);
        double[] w = [.. W0], v = new double[3];
        foreach (var g in Grads)
        {
            for (int i = 0; i < 3; i++)
            {
                double vPrev = v[i];
                v[i] = 0.9 * v[i] - 0.1 * g[i];
                w[i] += -0.9 * vPrev + (1 + 0.9) * v[i];
            }
        }
        AssertClose(w, p.Value);
    }

    [Fact]
    public void Nesterov_EqualsPyTorchFormWithConstantRate()
    {
        // PyTorch SGD(momentum=μ, nesterov=True): buf = μ·buf + g; w −= lr·(g + μ·buf)
        var p = Param(1f, -2f, 0.5f);
        Run(new Nesterov([p], learningRate: 0.1f, mu: 0.9f), p, 3);
        double[] w = [.. W0], buf = new double[3];
        foreach (var g in Grads)
        {
            for (int i = 0; i < 3; i++)
            {
                buf[i] = 0.9 * buf[i] + g[i];
                w[i] -= 0.1 * (g[i] + 0.9 * buf[i]);
            }
        }
        AssertClose(w, p.Value);
    }

    [Fact]
    public void AdaGrad_ThreeSteps()
    {
        var p = Param(1f, -2f, 0.5f);
        Run(new AdaGrad([p], learningRate: 0.1f), p, 3);
        double[] w = [.. W0], h = new double[3];
        foreach (var g in Grads)
        {
            for (int i = 0; i < 3; i++)
            {
                h[i] += g[i] * g[i];
                w[i] -= 0.1 * g[i] / (Math.Sqrt(h[i]) + 1e-7);
            }
        }
        AssertClose(w, p.Value);
    }

    [Fact]
    public void RmsProp_ThreeSteps_Decay099()
    {
        var p = Param(1f, -2f, 0.5f);
        var opt = new RmsProp([p], learningRate: 0.01f);
        Assert.Equal(0.99f, opt.Decay);
        Run(opt, p, 3);
        double[] w = [.. W0], h = new double[3];
        foreach (var g in Grads)
        {
            for (int i = 0; i < 3; i++)
            {
                h[i] = 0.99 * h[i] + 0.01 * g[i] * g[i];
                w[i] -= 0.01 * g[i] / (Math.Sqrt(h[i]) + 1e-7);
            }
        }
        AssertClose(w, p.Value);
    }

    private static double[] AdamReference(double lr, double lambda, bool decoupled)
    {
        const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
        double[] w = [.. W0], m = new double[3], v = new double[3];
        for (int t = 1; t <= 3; t++)
        {
            var g = Grads[t - 1];
            for (int i = 0; i < 3; i++)
            {
                double gi = g[i];
                if (decoupled)
                    w[i] -= lr * lambda * w[i];
                else
                    gi += lambda * w[i];
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                double mHat = m[i] / (1 - Math.Pow(b1, t));
                double vHat = v[i] / (1 - Math.Pow(b2, t));
                w[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        }
        return w;
    }

    [Fact]
    public void Adam_ThreeSteps_WithBiasCorrection()
    {
        var p = Param(1f, -2f, 0.5f);
        var opt = new Adam([p], learningRate: 0.01f);
        Run(opt, p, 3);
        AssertClose(AdamReference(0.01, 0, false), p.Value);
        Assert.Equal(["0.exp_avg", "0.exp_avg_sq"], opt.State.Select(s => s.Key));
        Assert.Equal(3, opt.ParameterStepCount(0));
    }

    [Fact]
    public void Adam_FirstStep_MovesEachWeightByAboutLr()
    {
        // With bias correction m̂ = g and v̂ = g² at t = 1, so the first step is lr·sign(g).
        var p = Param(1f, -2f, 0.5f);
        SetGradient(p, 0.5, -1e-3, 200);
        new Adam([p], learningRate: 0.01f).Step();
        AssertClose([1 - 0.01, -2 + 0.01, 0.5 - 0.01], p.Value, 1e-5);
    }

    [Fact]
    public void Adam_WithoutBiasCorrection_ThreeSteps_AsTheSlideWritesThem()
    {
        // cs231n lecture 7's Adam, step by step in double (lr 0.01, β1 0.9, β2 0.999, ε 1e-7):
        //   first_moment  = beta1 * first_moment + (1 - beta1) * dx
        //   second_moment = beta2 * second_moment + (1 - beta2) * dx * dx
        //   x -= learning_rate * first_moment / (np.sqrt(second_moment) + 1e-7)
        var p = Param(1f, -2f, 0.5f);
        var opt = Assert.IsType<Adam>(OptimizerCatalog.Create("adam:nobias", [p], 0.01f));
        Assert.False(opt.BiasCorrection);
        Assert.Equal(1e-7f, opt.Epsilon);
        double[] w = [.. W0], first = new double[3], second = new double[3];
        for (int t = 0; t < 3; t++)
        {
            SetGradient(p, Grads[t]);
            opt.Step();
            for (int i = 0; i < 3; i++)
            {
                double dx = Grads[t][i];
                first[i] = 0.9 * first[i] + (1 - 0.9) * dx;
                second[i] = 0.999 * second[i] + (1 - 0.999) * dx * dx;
                w[i] -= 0.01 * first[i] / (Math.Sqrt(second[i]) + 1e-7);
            }
            AssertClose(w, p.Value);                  // after each of the three steps
            if (t == 0)                               // step 1 by hand: 0.01 · 0.1·g / (√0.001·|g|) = 0.0316·sign(g)
                AssertClose([1 - 0.0316228, -2 + 0.0316228, 0.5 - 0.0316228], p.Value, 1e-6);
        }
        Assert.NotEqual(AdamReference(0.01, 0, false)[0], p.Value.Span[0], 4);   // not the paper's Adam
    }

    [Fact]
    public void Adam_CoupledWeightDecay()
    {
        var p = Param(1f, -2f, 0.5f);
        Run(new Adam([p], learningRate: 0.01f) { WeightDecay = 0.1f }, p, 3);
        AssertClose(AdamReference(0.01, 0.1, false), p.Value);
    }

    [Fact]
    public void AdamW_DecoupledWeightDecay()
    {
        var p = Param(1f, -2f, 0.5f);
        var opt = new AdamW([p], learningRate: 0.01f, weightDecay: 0.1f);
        Assert.True(opt.DecoupledWeightDecay);
        Run(opt, p, 3);
        AssertClose(AdamReference(0.01, 0.1, true), p.Value);
        Assert.NotEqual(AdamReference(0.01, 0.1, false)[0], p.Value.Span[0], 6);
    }

    [Fact]
    public void AdaDelta_ThreeSteps_Zeiler()
    {
        var p = Param(1f, -2f, 0.5f);
        Run(new AdaDelta([p]), p, 3);
        const double rho = 0.95, eps = 1e-6;
        double[] w = [.. W0], a = new double[3], d = new double[3];
        foreach (var g in Grads)
        {
            for (int i = 0; i < 3; i++)
            {
                a[i] = rho * a[i] + (1 - rho) * g[i] * g[i];
                double delta = -Math.Sqrt(d[i] + eps) / Math.Sqrt(a[i] + eps) * g[i];
                d[i] = rho * d[i] + (1 - rho) * delta * delta;
                w[i] += delta;
            }
        }
        AssertClose(w, p.Value);
    }

    [Fact]
    public void Adam_LargeParameter_ChunksAgreeWithReference()
    {
        // 5000 elements span three chunks, the last one partial.
        const int n = 5000;
        var rng = new CortexRandom(3);
        var p = new Parameter("weight", Tensor.RandomNormal(new Shape(50, 100), rng));
        double[] w = [.. p.Value.ToArray().Select(x => (double)x)], m = new double[n], v = new double[n];
        var opt = new Adam([p], learningRate: 0.01f) { WeightDecay = 0.01f };
        for (int t = 1; t <= 2; t++)
        {
            rng.FillNormal(p.Gradient.Span);
            var g = p.Gradient.ToArray();
            for (int i = 0; i < n; i++)
            {
                double gi = g[i] + 0.01 * w[i];
                m[i] = 0.9 * m[i] + 0.1 * gi;
                v[i] = 0.999 * v[i] + 0.001 * gi * gi;
                w[i] -= 0.01 * (m[i] / (1 - Math.Pow(0.9, t))) / (Math.Sqrt(v[i] / (1 - Math.Pow(0.999, t))) + 1e-8);
            }
            opt.Step();
        }
        AssertClose(w, p.Value, 1e-4);
    }
}
