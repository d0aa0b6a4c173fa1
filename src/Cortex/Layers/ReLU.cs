// ReLU.cs — max(0, x): the lectures' default ("use ReLU; mind the learning rate").
using System.Numerics.Tensors;
using Cortex.Kernels;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Layers;

/// <summary>The rectified linear unit, element-wise: <c>y = max(0, x)</c>.</summary>
/// <example><code>var model = new Sequential(new Dense(784, 100), new ReLU(), new Dense(100, 10));</code></example>
public sealed class ReLU(string name = "relu") : Activation(name)
{
    private Layer? _fusedInto;

    /// <summary>Whether <see cref="BatchNormFolding.Fold"/> fused this ReLU into the convolution before it (it then passes its input through).</summary>
    public bool IsFolded => _fusedInto is not null;

    internal void MarkFolded(Layer convolution) => _fusedInto = convolution;

    public override Tensor Forward(Tensor input, bool training)
    {
        if (_fusedInto is null)
            return base.Forward(input, training);
        ArgumentNullException.ThrowIfNull(input);
        if (training)
            throw new InvalidOperationException(
                $"{Describe()}: fused into {_fusedInto.Describe()} for inference (BatchNormFolding.Fold), so it can no longer train. Reload the model to train it.");
        return input;                                      // the convolution before already applied it
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        if (_fusedInto is not null)
            throw new InvalidOperationException(
                $"{Describe()}: fused into {_fusedInto.Describe()} for inference (BatchNormFolding.Fold); gradients through a folded model are not available. Use the model before folding.");
        return base.Backward(outputGradient);
    }

    // y = max(x, 0)
    protected override void Apply(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

    // dy/dx = 1 if x > 0 else 0 (the subgradient at 0 is taken as 0, as PyTorch does): dx = x > 0 ? dy : 0
    protected override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) =>
        ActivationKernels.ReluBackward(x, dy, dx);
}
