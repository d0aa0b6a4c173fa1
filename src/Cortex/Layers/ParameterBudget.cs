// ParameterBudget.cs — a cap on how many parameters (and per-channel buffers) the layers built on
// this thread may allocate, so a model description read from a file cannot make Cortex allocate
// without bound. Every layer that owns weights (Dense, Conv1d/2d/3d, BatchNorm) reserves its count
// here *before* it allocates them; past the cap the reservation throws and nothing more is built.
//
// Outside a Limit scope nothing is counted (a thread-static null check per layer constructed).
// The scope is per thread because model builders run on the thread that calls them.

namespace Cortex.Layers;

/// <summary>Caps the parameters that layers built on this thread may allocate.</summary>
/// <example><code>
/// using (ParameterBudget.Limit(100_000_000, "lenet5.safetensors"))
///     model = spec.Build();       // throws InvalidDataException before the layer that would pass the cap
/// </code></example>
public static class ParameterBudget
{
    [ThreadStatic]
    private static Scope? _current;

    /// <summary>Values reserved in the innermost scope on this thread so far (0 outside one).</summary>
    public static long Reserved => _current?.Used ?? 0;

    /// <summary>
    /// Until the returned scope is disposed, layers built on this thread may hold at most
    /// <paramref name="maxValues"/> parameter and buffer values in all; <paramref name="source"/> names
    /// what is being built in the refusal ("lenet5 with 20,000,000 classes", a file name).
    /// </summary>
    public static IDisposable Limit(long maxValues, string source, string? hint = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxValues);
        ArgumentNullException.ThrowIfNull(source);
        var scope = new Scope(_current, maxValues, source, hint);
        _current = scope;
        return scope;
    }

    /// <summary>
    /// Called by a layer before it allocates <paramref name="values"/> parameter or buffer values;
    /// throws <see cref="InvalidDataException"/> when that would pass the current cap.
    /// </summary>
    public static void Reserve(long values, string layer)
    {
        var scope = _current;
        if (scope is null)
            return;
        if (values < 0 || values > scope.Max - scope.Used)
        {
            throw new InvalidDataException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{scope.Source}: the model needs more than {scope.Max:N0} parameters (the limit; {scope.Used:N0} so far, layer '{layer}' would add {values:N0}), refused before allocating them.{(scope.Hint is null ? "" : " " + scope.Hint)}"));
        }
        scope.Used += values;
    }

    private sealed class Scope(Scope? outer, long max, string source, string? hint) : IDisposable
    {
        public long Max { get; } = max;
        public string Source { get; } = source;
        public string? Hint { get; } = hint;
        public long Used { get; set; }

        public void Dispose()
        {
            if (ReferenceEquals(_current, this))
                _current = outer;
        }
    }
}
