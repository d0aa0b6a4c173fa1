// BatchNormFolding.cs — folds each batch normalization into the convolution before it, for inference.
//
//   conv:  y = w ∗ x + b            batch norm (inference):  z = γ (y − μ) / √(σ² + ε) + β
//   folded: z = w' ∗ x + b'         w'[f] = s[f]·w[f],  b'[f] = s[f]·(b[f] − μ[f]) + β[f],  s = γ / √(σ² + ε)
//
// Why: at inference a batch norm is a per-channel affine map, one more read and write of a whole
// activation tensor (in ResNet-20 at batch 64 as long as a third of the convolution before it);
// folded into the filters it costs nothing. The pairs come from the containers that know them
// (IConvolutionNormPairs: Sequential's consecutive children, the ResNet blocks). A ReLU right after
// such a convolution is fused into it as well (applied to each image's output while it is in
// cache, instead of one more pass over the whole tensor). A folded batch norm
// passes its input through, and refuses to train: folding is for a model that is done training
// (deployment, `cortex eval`/`predict`, the inference benchmark). A convolution without a bias
// gains one (its state dict gets a bias key).
namespace Cortex.Layers;

/// <summary>A container that can name each convolution whose output goes straight into a batch norm, or a ReLU.</summary>
public interface IConvolutionNormPairs
{
    /// <summary>(convolution, the batch norm that normalizes exactly its output) pairs.</summary>
    IEnumerable<(Conv2d Convolution, BatchNorm2d Norm)> ConvolutionNormPairs { get; }

    /// <summary>
    /// (convolution, the ReLU applied to exactly its output) pairs, also through a batch norm that is
    /// already folded into the convolution.
    /// </summary>
    IEnumerable<(Conv2d Convolution, ReLU Relu)> ConvolutionReluPairs { get; }
}

/// <summary>What <see cref="BatchNormFolding.Fold"/> folded: batch norms into convolutions, ReLUs fused after them.</summary>
/// <param name="Norms">Batch norms folded into the convolution before them.</param>
/// <param name="Activations">ReLUs fused into the convolution before them.</param>
public readonly record struct FoldingResult(int Norms, int Activations);

/// <summary>Folds batch normalization into the preceding convolutions of a trained model (inference only).</summary>
/// <example><code>
/// var model = ModelFile.Load("resnet20.safetensors").Model;
/// var folded = BatchNormFolding.Fold(model);        // ResNet-20: 19 norms, 10 ReLUs; outputs unchanged, faster
/// var y = model.Forward(x, training: false);
/// </code></example>
public static class BatchNormFolding
{
    /// <summary>
    /// Folds every batch norm that directly follows a convolution in <paramref name="model"/> into that
    /// convolution, using the running statistics, then fuses every ReLU that directly follows such a
    /// convolution into it. Returns how many of each (already folded ones are skipped, so calling it
    /// twice is harmless). The model's inference outputs do not change (up to rounding); it can no
    /// longer be trained, and gradients through a fused ReLU are refused.
    /// </summary>
    public static FoldingResult Fold(Layer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        int folded = 0, fused = 0;
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

        // Then each ReLU straight after a convolution (or after a norm folded into it) moves into the
        // convolution, which applies it to each image's output while that is still in cache.
        foreach (var container in model.Descendants().OfType<IConvolutionNormPairs>())
        {
            foreach (var (conv, relu) in container.ConvolutionReluPairs)
            {
                if (relu.IsFolded || conv.FusedRelu)
                    continue;
                conv.FuseRelu();
                relu.MarkFolded(conv);
                fused++;
            }
        }
        return new FoldingResult(folded, fused);
    }
}
