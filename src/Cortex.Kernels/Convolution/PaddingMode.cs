// PaddingMode.cs — what a convolution sees outside the input. Both kinds are in the lectures:
// "0 덧대기" (zero padding) and "복사 덧대기" (copy padding: the edge value is repeated).
namespace Cortex.Kernels;

/// <summary>The values a convolution window reads where it hangs over the edge of the input.</summary>
public enum PaddingMode
{
    /// <summary>Zeros outside the input (PyTorch <c>padding_mode="zeros"</c>).</summary>
    Zero = 0,

    /// <summary>
    /// The nearest edge value is repeated: a padded pixel (i, j) reads
    /// x[clamp(i, 0, H−1), clamp(j, 0, W−1)] (PyTorch <c>padding_mode="replicate"</c>).
    /// Its gradient flows back to that edge pixel.
    /// </summary>
    Replicate = 1,
}
