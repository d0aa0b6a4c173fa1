// Dense.cs — the fully connected (affine) layer: y = x·Wᵀ + b.
//
//   x: (N, in)   W: (out, in) (PyTorch's nn.Linear layout)   b: (out)   y: (N, out)
//
//   forward   y  = x·Wᵀ + b                      one GEMM, then the bias added to every row
//   backward  dW += dyᵀ·x    (out, in)           GEMM, beta = 1: gradients accumulate
//             db += Σ_n dy[n, :]
//             dx  = dy·W     (N, in)             GEMM, beta = 0
//
// Not here: flattening. An image batch (N, C, H, W) must go through Flatten first, so that the
// error for a forgotten Flatten names this layer instead of silently treating C·H·W as features.
using System.Numerics.Tensors;
using Cortex.Initializers;
using Cortex.Kernels;
using Cortex.Tensors;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Layers;

/// <summary>A fully connected layer <c>y = x·Wᵀ + b</c> on inputs of shape (N, inFeatures).</summary>
/// <example><code>
/// var fc = new Dense(784, 100, random: new CortexRandom(42));  // weight (100, 784), bias (100)
/// Tensor y = fc.Forward(x, training: true);                    // x: (64, 784) → y: (64, 100)
/// </code></example>
public sealed class Dense : Layer
{
    private Tensor? _input;        // cached for Backward: dW = dyᵀ·x
    private Tensor? _output;
    private Tensor? _inputGradient;

    /// <summary>
    /// Creates a layer with <paramref name="outFeatures"/> units, each connected to all
    /// <paramref name="inFeatures"/> inputs. Weights come from <paramref name="weightInit"/>, by
    /// default He-uniform U(−√(6/in), √(6/in)) (He et al. 2015, "Delving Deep into Rectifiers");
    /// biases start at zero. Draws come from <paramref name="random"/> (default
    /// <see cref="CortexRandom.Global"/>), so a seeded generator gives the same weights every time.
    /// </summary>
    /// <example><code>var fc = new Dense(784, 100, weightInit: Init.Normal(0.01f)); // the lectures' weight_init_std</code></example>
    public Dense(int inFeatures, int outFeatures, bool bias = true, CortexRandom? random = null, Initializer? weightInit = null, string name = "dense")
        : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        ParameterBudget.Reserve((long)outFeatures * inFeatures + (bias ? outFeatures : 0), name);
        var w = new Tensor(outFeatures, inFeatures);
        (weightInit ?? HeUniform.Instance).Initialize(w, random ?? CortexRandom.Global);
        Weight = new Parameter("weight", w);
        Bias = bias ? new Parameter("bias", new Tensor(outFeatures)) : null;
    }

    /// <summary>Number of input features.</summary>
    public int InFeatures { get; }

    /// <summary>Number of output features (units).</summary>
    public int OutFeatures { get; }

    /// <summary>The weight, shape (out, in).</summary>
    public Parameter Weight { get; }

    /// <summary>The bias, shape (out), or null when created with <c>bias: false</c>.</summary>
    public Parameter? Bias { get; }

    public override IEnumerable<Parameter> Parameters => Bias is null ? [Weight] : [Weight, Bias];

    public override Shape OutputShape(Shape input)
    {
        CheckInput(input);
        return new Shape(input[0], OutFeatures);
    }

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        int n = input.Shape[0];
        var y = Reuse(ref _output, OutputShapeCached(input.Shape));
        // y (N, out) = x (N, in) · Wᵀ (in, out)
        Gemm.Multiply(false, true, n, OutFeatures, InFeatures, 1f, input.Span, InFeatures, Weight.Value.Span, InFeatures, 0f, y.Span, OutFeatures);
        if (Bias is not null)
        {
            var b = Bias.Value.Span;
            var ys = y.Span;
            for (int row = 0; row < n; row++)
            {
                var yRow = ys.Slice(row * OutFeatures, OutFeatures);
                TensorPrimitives.Add(yRow, b, yRow);   // y[n, :] += b
            }
        }
        _input = input;
        return y;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        var x = _input ?? throw BackwardBeforeForward();
        int n = x.Shape[0];
        var dy = outputGradient;
        if (dy.Shape != _output!.Shape)
            throw OutputGradientShapeError(_output.Shape, dy.Shape);

        if (Weight.Trainable)   // frozen weights skip their GEMM
        {
            // dW (out, in) += dyᵀ (out, N) · x (N, in)
            Gemm.Multiply(true, false, OutFeatures, InFeatures, n, 1f, dy.Span, OutFeatures, x.Span, InFeatures, 1f, Weight.Gradient.Span, InFeatures);
        }
        if (Bias is { Trainable: true })
        {
            // db += Σ_n dy[n, :]
            var db = Bias.Gradient.Span;
            var dys = dy.Span;
            for (int row = 0; row < n; row++)
                TensorPrimitives.Add(db, dys.Slice(row * OutFeatures, OutFeatures), db);
        }

        if (!InputGradientRequired)
            return NoInputGradient;                        // a first layer: nothing reads dx
        // dx (N, in) = dy (N, out) · W (out, in)
        var dx = Reuse(ref _inputGradient, x.Shape);
        Gemm.Multiply(false, false, n, InFeatures, OutFeatures, 1f, dy.Span, OutFeatures, Weight.Value.Span, InFeatures, 0f, dx.Span, InFeatures);
        return dx;
    }

    private void CheckInput(Shape input)
    {
        if (input.Rank == 2 && input[1] == InFeatures)
            return;
        string hint = input.Rank > 2
            ? $"Add a Flatten before this layer (it would give [N, {input.SizeFrom(1)}])."
            : "Check the previous layer's output size.";
        throw InputShapeError($"[N, {InFeatures}]", input, hint);
    }
}
