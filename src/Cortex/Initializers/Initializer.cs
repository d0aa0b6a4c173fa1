// Initializer.cs — the base of every weight initializer: fills a tensor, drawing from a
// CortexRandom so that a seed fixes the result. Variance-scaling rules (Xavier, He, LeCun) read
// the fans from the tensor's shape (Fans.Of) unless they are given explicitly.
//
// Every initializer prints as the spec Init.Parse reads back ("he_normal", "normal:0.01"), which
// is how the CLI and saved model configurations name them.
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Initializers;

/// <summary>Fills a parameter's initial value.</summary>
/// <example><code>
/// HeNormal.Instance.Initialize(conv.Weight.Value, rng);    // std √(2/fan_in), fans from (FN, C, KH, KW)
/// Init.Parse("normal:0.01").Initialize(w, rng);           // the lectures' weight_init_std = 0.01
/// </code></example>
public abstract class Initializer
{
    /// <summary>Fills <paramref name="value"/>, with fans from its shape, drawing from <paramref name="random"/> (or <see cref="CortexRandom.Global"/>).</summary>
    public void Initialize(Tensor value, CortexRandom? random = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        Initialize(value, Fans.Of(value.Shape), random);
    }

    /// <summary>Fills <paramref name="value"/> using the given <paramref name="fans"/> (for weights stored in another layout).</summary>
    public void Initialize(Tensor value, Fans fans, CortexRandom? random = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Size == 0)
            return;
        if (fans.FanIn <= 0 || fans.FanOut <= 0)
            throw new ArgumentException($"{GetType().Name}: fans must be positive, got fan_in {fans.FanIn}, fan_out {fans.FanOut} (tensor {value.Shape}).", nameof(fans));
        Fill(value.Span, fans, random ?? CortexRandom.Global);
    }

    /// <summary>Fills <paramref name="parameter"/>'s value (fans from its shape).</summary>
    public void Initialize(Parameter parameter, CortexRandom? random = null)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        Initialize(parameter.Value, random);
    }

    /// <summary>Writes the initial values; <paramref name="values"/> is non-empty and the fans are positive.</summary>
    protected abstract void Fill(Span<float> values, Fans fans, CortexRandom random);

    /// <summary>The spec <see cref="Init.Parse"/> reads back to an equal initializer.</summary>
    public abstract override string ToString();
}
