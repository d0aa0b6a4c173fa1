// SearchSpace.cs — the declared dimensions of a hyper-parameter search, and the two ways to turn
// it into trials (Bergstra & Bengio 2012, "Random Search for Hyper-Parameter Optimization", as
// the lectures show it: random search tries more distinct values of the parameters that matter).
//   Random(n, seed)  n configurations, each dimension sampled independently
//   Grid()           the Cartesian product of every dimension's grid values, first dimension slowest
using Cortex.Tensors;

namespace Cortex.Data.Search;

/// <summary>A set of named parameter ranges that random or grid search draws configurations from.</summary>
/// <example><code>
/// var space = new SearchSpace(
///     new LogUniform("lr", 1e-6, 1e-2),
///     new LogUniform("weight_decay", 1e-6, 1e-2),
///     new Choice("optimizer", "adam", "sgd"));
/// IReadOnlyList&lt;HyperParameters&gt; trials = space.Random(20, seed: 1);
/// </code></example>
public sealed class SearchSpace
{
    private readonly ParameterRange[] _ranges;

    /// <summary>A space over <paramref name="ranges"/> (names must be distinct).</summary>
    public SearchSpace(params IEnumerable<ParameterRange> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        _ranges = [.. ranges];
        var duplicate = _ranges.GroupBy(r => r.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"SearchSpace: expected distinct parameter names, got '{duplicate.Key}' twice.", nameof(ranges));
    }

    /// <summary>The dimensions, in declaration order.</summary>
    public IReadOnlyList<ParameterRange> Ranges => _ranges;

    /// <summary><paramref name="trials"/> random configurations, reproducible from <paramref name="seed"/>.</summary>
    public IReadOnlyList<HyperParameters> Random(int trials, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        var random = new CortexRandom(seed);
        var result = new List<HyperParameters>(trials);
        for (int t = 0; t < trials; t++)
            result.Add(new HyperParameters(_ranges.Select(r => new KeyValuePair<string, object>(r.Name, r.Sample(random)))));
        return result;
    }

    /// <summary>Every combination of the dimensions' grid values (the first dimension varies slowest).</summary>
    public IReadOnlyList<HyperParameters> Grid()
    {
        IEnumerable<List<KeyValuePair<string, object>>> combinations = [[]];
        foreach (var range in _ranges)
        {
            var values = range.GridValues();
            combinations = combinations.SelectMany(prefix => values.Select(v => new List<KeyValuePair<string, object>>(prefix) { new(range.Name, v) }));
        }
        return [.. combinations.Select(c => new HyperParameters(c))];
    }
}
