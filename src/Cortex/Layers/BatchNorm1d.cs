// BatchNorm1d.cs — batch normalization of flat features (N, D) or sequences (N, C, L).
// The algorithm is in BatchNorm.cs; this file only fixes which inputs are accepted.
namespace Cortex.Layers;

/// <summary>Batch normalization over (N, D) features, or (N, C, L) per channel; see <see cref="BatchNorm"/>.</summary>
/// <example><code>
/// var model = new Sequential(new Dense(784, 100), new BatchNorm1d(100), new ReLU());
/// </code></example>
public sealed class BatchNorm1d(int numFeatures, float epsilon = 1e-5f, float momentum = 0.1f, string name = "bn")
    : BatchNorm(numFeatures, epsilon, momentum, name)
{
    protected override bool AcceptsRank(int rank) => rank is 2 or 3;

    protected override string ExpectedInput => $"[N, {NumFeatures}] or [N, {NumFeatures}, L]";
}
