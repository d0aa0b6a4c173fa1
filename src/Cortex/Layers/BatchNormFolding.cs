// BatchNormFolding.cs — folds each batch normalization into the convolution before it, for inference.
//
//   conv:  y = w ∗ x + b            batch norm (inference):  z = γ (y − μ) / √(σ² + ε) + β
//   folded: z = w' ∗ x + b'         w'[f] = s[f]·w[f],  b'[f] = s[f]·(b[f] − μ[f]) + β[f],  s = γ / √(σ² + ε)
//
// Why: at inference a batch norm is a per-channel affine map, one more read and write of a whole
// activation tensor (in ResNet-20 at batch 64 as long as a third of the convolution before it);
// folded into the filters it costs nothing. The pairs come from the containers that know them
// (IConvolutionNormPairs: Sequential's consecutive children, the ResNet blocks). A folded batch norm
// passes its input through, and refuses to train: folding is for a model that is done training
// (deployment, `cortex eval`/`predict`, the inference benchmark). A convolution without a bias
// gains one (its state dict gets a bias key).
namespace Cortex.Layers;

/// <summary>A container that can name each convolution whose output goes straight into a batch norm.</summary>
public interface IConvolutionNormPairs
{
    /// <summary>(convolution, the batch norm that normalizes exactly its output) pairs.</summary>
    IEnumerable<(Conv2d Convolution, BatchNorm2d Norm)> ConvolutionNormPairs { get; }
}

/// <summary>Folds batch normalization into the preceding convolutions of a trained model (inference only).</summary>
/// <example><code>
/// var model = ModelFile.Load("resnet20.safetensors").Model;
/// int folded = BatchNormFolding.Fold(model);        // 19 for ResNet-20; outputs unchanged, faster
/// var y = model.Forward(x, training: false);
/// </code></example>
public static class BatchNormFolding
{
    /// <summary>
    /// Folds every batch norm that directly follows a convolution in <paramref name="model"/> into that
    /// convolution, using the running statistics. Returns how many were folded (already folded ones
    /// are skipped, so calling it twice is harmless). The model's inference outputs do not change
    /// (up to rounding); it can no longer be trained.
    /// </summary>
    public static int Fold(Layer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        int folded = 0;
        foreach (var container in model.Descendants().OfType<IConvolutionNormPairs>())
        {
            foreach (var (conv, norm) in container.ConvolutionNormPairs)
            {
                if (norm.IsFolded || norm.NumFeatures != conv.OutChannels)
                    continue;
                var scale = new float[norm.NumFeatures];
                var shift = new float[norm.NumFeatures];
                var gamma = norm.Weight.Value.Span;
                var beta = norm.Bias.Value.Span;
                var mean = norm.RunningMean.Span;
                var variance = norm.RunningVar.Span;
                for (int f = 0; f < scale.Length; f++)
                {
                    scale[f] = (float)(gamma[f] / Math.Sqrt(variance[f] + (double)norm.Epsilon));
                    shift[f] = beta[f] - scale[f] * mean[f];
                }
                conv.FoldScaleShift(scale, shift);
                norm.MarkFolded(conv);
                folded++;
            }
        }
        return folded;
    }
}
