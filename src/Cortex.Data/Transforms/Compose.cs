// Compose.cs — transforms applied one after another (torchvision's Compose, Keras' chained
// ImageDataGenerator options). Intermediate images live in two buffers rented from the shared
// ArrayPool for the duration of one Apply, so after warm-up a call allocates nothing and one
// Compose can serve many threads at once.
using System.Buffers;
using Cortex.Tensors;

namespace Cortex.Data.Transforms;

/// <summary>A pipeline of transforms applied in order, drawing from one generator in turn.</summary>
/// <example><code>
/// var pipeline = new Compose(new RandomAffine(rotation: 40), new HorizontalFlip(), Normalize.Fit(train));
/// </code></example>
public sealed class Compose : Transform
{
    private readonly Transform[] _steps;

    /// <summary>A pipeline of <paramref name="steps"/> (nested Compose steps are flattened).</summary>
    public Compose(params IEnumerable<Transform> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var flat = new List<Transform>();
        foreach (var step in steps)
        {
            ArgumentNullException.ThrowIfNull(step, nameof(steps));
            if (step is Compose inner)
                flat.AddRange(inner._steps);
            else
                flat.Add(step);
        }
        _steps = [.. flat];
    }

    /// <summary>The steps, in order.</summary>
    public IReadOnlyList<Transform> Steps => _steps;

    /// <inheritdoc/>
    public override string Name => _steps.Length == 0 ? "Identity" : string.Join(" → ", _steps.Select(s => s.Name));

    /// <inheritdoc/>
    public override ImageSize OutputSize(ImageSize input)
    {
        foreach (var step in _steps)
            input = step.OutputSize(input);
        return input;
    }

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> source, ImageSize size, Span<float> destination, CortexRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (_steps.Length == 0)
        {
            CheckSpans(source, size, destination, size);
            source.CopyTo(destination);
            return;
        }
        if (_steps.Length == 1)
        {
            _steps[0].Apply(source, size, destination, random);
            return;
        }
        int largest = size.Length;
        var at = size;
        foreach (var step in _steps)
        {
            at = step.OutputSize(at);
            largest = Math.Max(largest, at.Length);
        }
        float[] a = ArrayPool<float>.Shared.Rent(largest), b = ArrayPool<float>.Shared.Rent(largest);
        try
        {
            // source → a → b → a … → destination: the last step writes straight into the caller's span.
            ReadOnlySpan<float> input = source;
            at = size;
            for (int i = 0; i < _steps.Length; i++)
            {
                var next = _steps[i].OutputSize(at);
                float[] buffer = i % 2 == 0 ? a : b;
                Span<float> output = i == _steps.Length - 1 ? destination : buffer.AsSpan(0, next.Length);
                _steps[i].Apply(input, at, output, random);
                input = output;
                at = next;
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(a);
            ArrayPool<float>.Shared.Return(b);
        }
    }
}
