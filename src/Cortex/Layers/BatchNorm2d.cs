// BatchNorm2d.cs — batch normalization of images (N, C, H, W): one μ, σ², γ, β per channel,
// shared across the batch and every pixel. The algorithm is in BatchNorm.cs.
namespace Cortex.Layers;

/// <summary>Batch normalization per channel of (N, C, H, W) inputs; see <see cref="BatchNorm"/>.</summary>
/// <example><code>
/// var bn = new BatchNorm2d(64);            // after a convolution with 64 output channels
/// var y = bn.Forward(x, training: true);   // x: (N, 64, H, W)
/// </code></example>
public sealed class BatchNorm2d(int numFeatures, float epsilon = 1e-5f, float momentum = 0.1f, string name = "bn")
    : BatchNorm(numFeatures, epsilon, momentum, name)
{
    protected override bool AcceptsRank(int rank) => rank == 4;

    protected override string ExpectedInput => $"[N, {NumFeatures}, H, W]";
}
