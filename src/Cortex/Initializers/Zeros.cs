// Zeros.cs — every element 0: the default for biases (the lectures' np.zeros(filter_num)).
using Cortex.Tensors;

namespace Cortex.Initializers;

/// <summary>Fills with 0.</summary>
/// <example><code>Zeros.Instance.Initialize(bias);</code></example>
public sealed class Zeros : Initializer
{
    /// <summary>The one instance.</summary>
    public static Zeros Instance { get; } = new();

    protected override void Fill(Span<float> values, Fans fans, CortexRandom random) => values.Clear();

    public override string ToString() => "zeros";
}
