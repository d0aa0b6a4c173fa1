// Parameter.cs — a named, learnable tensor and the gradient that Backward accumulates into it.
using Cortex.Tensors;

namespace Cortex.Layers;

/// <summary>
/// A learnable value (a weight or bias) with its gradient. Layers add into <see cref="Gradient"/>
/// during Backward; the optimizer reads it and the trainer clears it between steps.
/// </summary>
/// <example><code>
/// var w = new Parameter("weight", Tensor.Zeros(10, 784));
/// w.Trainable = false;   // frozen for transfer learning: optimizers skip it
/// </code></example>
public sealed class Parameter
{
    /// <summary>Creates a parameter holding <paramref name="value"/> and a zero gradient of the same shape.</summary>
    public Parameter(string name, Tensor value, bool trainable = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        Name = name;
        Value = value;
        Gradient = new Tensor(value.Shape);
        Trainable = trainable;
    }

    /// <summary>The local name within its layer, PyTorch-style: <c>weight</c>, <c>bias</c>.</summary>
    public string Name { get; }

    /// <summary>The current value.</summary>
    public Tensor Value { get; }

    /// <summary>dL/dValue, accumulated (+=) by Backward.</summary>
    public Tensor Gradient { get; }

    /// <summary>
    /// Whether optimizers update this parameter (false = frozen). A frozen parameter gets no gradient
    /// (layers skip its product), no update and no weight decay from any optimizer; a batch norm whose
    /// γ and β are both frozen also stops using and updating batch statistics.
    /// </summary>
    public bool Trainable
    {
        get => _trainable;
        set
        {
            if (_trainable == value)
                return;
            _trainable = value;
            InvalidateTrainableCaches();
        }
    }

    private bool _trainable;
    private static int _trainableVersion;

    /// <summary>Changes whenever any parameter is frozen or unfrozen: lets containers cache what depends on it.</summary>
    internal static int TrainableVersion => Volatile.Read(ref _trainableVersion);

    /// <summary>Moves <see cref="TrainableVersion"/> on: called when a parameter is frozen or a model's layers change.</summary>
    internal static void InvalidateTrainableCaches() => Interlocked.Increment(ref _trainableVersion);

    /// <summary>The shape of the value (and of the gradient).</summary>
    public Shape Shape => Value.Shape;

    /// <summary>Sets the gradient to zero.</summary>
    public void ZeroGradient() => Gradient.Clear();

    public override string ToString() => $"{Name} {Value.Shape}{(Trainable ? "" : " (frozen)")}";
}
