// Constant.cs — every element c (e.g. 1 for a BatchNorm γ, 0.1 for a ReLU bias as in AlexNet's 1).
using System.Globalization;
using Cortex.Tensors;

namespace Cortex.Initializers;

/// <summary>Fills with a constant.</summary>
/// <example><code>new Constant(1f).Initialize(gamma);</code></example>
public sealed class Constant(float value) : Initializer
{
    /// <summary>c, the value written.</summary>
    public float Value { get; } = float.IsFinite(value) ? value
        : throw new ArgumentOutOfRangeException(nameof(value), $"Constant: the value must be finite, got {value}.");

    protected override void Fill(Span<float> values, Fans fans, CortexRandom random) => values.Fill(Value);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"constant:{Value:R}");
}
