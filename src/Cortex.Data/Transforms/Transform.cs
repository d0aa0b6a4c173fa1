// Transform.cs — one image-to-image step of a data pipeline (augmentation or preprocessing).
//
// Contract:
//   · Apply reads one (C, H, W) image from source and writes OutputSize(size) floats to destination;
//     the two spans must not overlap. C is preserved by every transform.
//   · Randomness comes only from the CortexRandom passed to Apply, so a transform holds no mutable
//     state and one instance serves every worker thread at once; the loader hands each sample a
//     generator seeded from (seed, epoch, batch, position), which makes a batch the same whatever the
//     number of threads.
//   · Apply allocates nothing (after the first call on a thread, for composed pipelines).
using Cortex.Tensors;

namespace Cortex.Data.Transforms;

/// <summary>A stateless, seeded image transform: (C, H, W) in, (C, H′, W′) out.</summary>
/// <example><code>
/// Transform augment = new Compose(new RandomCrop(32, 32, padding: 4), new HorizontalFlip());
/// var output = new float[augment.OutputSize(size).Length];
/// augment.Apply(image, size, output, new CortexRandom(7));
/// </code></example>
public abstract class Transform
{
    /// <summary>The size of the output for an input of <paramref name="input"/>; throws when the input cannot be transformed.</summary>
    public virtual ImageSize OutputSize(ImageSize input) => input;

    /// <summary>
    /// Transforms <paramref name="source"/> (an image of <paramref name="size"/>) into <paramref name="destination"/>
    /// (exactly <see cref="OutputSize"/> floats), drawing any randomness from <paramref name="random"/>.
    /// </summary>
    public abstract void Apply(ReadOnlySpan<float> source, ImageSize size, Span<float> destination, CortexRandom random);

    /// <summary>Transforms a (C, H, W) or (1, C, H, W) tensor into a new (C, H′, W′) tensor (allocates: for previews and tests).</summary>
    public Tensor Apply(Tensor image, CortexRandom random)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(random);
        var shape = image.Shape;
        if (!(shape.Rank == 3 || (shape.Rank == 4 && shape[0] == 1)))
            throw new ArgumentException($"{Name}: expected one image (C, H, W) or (1, C, H, W), got {shape}.", nameof(image));
        var size = new ImageSize(shape[-3], shape[-2], shape[-1]);
        var output = OutputSize(size);
        var result = new Tensor(output.ToShape());
        Apply(image.Span, size, result.Span, random);
        return result;
    }

    /// <summary>A short description used in messages and previews, e.g. <c>RandomCrop(32×32, pad 4)</c>.</summary>
    public virtual string Name => GetType().Name;

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>Checks that the spans hold an input of <paramref name="size"/> and an output of <paramref name="output"/>.</summary>
    protected void CheckSpans(ReadOnlySpan<float> source, ImageSize size, Span<float> destination, ImageSize output)
    {
        if (source.Length != size.Length)
            throw new ArgumentException($"{Name}: expected a source image of {size} = {size.Length} floats, got {source.Length}.", nameof(source));
        if (destination.Length != output.Length)
            throw new ArgumentException($"{Name}: expected a destination of {output} = {output.Length} floats, got {destination.Length}.", nameof(destination));
    }
}
