// ParameterRange.cs — one dimension of a hyper-parameter search space, and how random search
// samples it and grid search enumerates it.
//   LogUniform   10^U(log10 low, log10 high) — for learning rates and weight decay, whose effect is
//                multiplicative (cs231n: "learning_rate = 10 ** uniform(-6, 1)"); grid: Points
//                values evenly spaced in log space, ends included
//   Uniform      U(low, high); grid: Points evenly spaced values, ends included
//   Choice       one of the listed values (numbers or names), uniformly; grid: all of them
using System.Globalization;
using Cortex.Tensors;

namespace Cortex.Data.Search;

/// <summary>A named dimension of a search space.</summary>
public abstract record ParameterRange(string Name)
{
    /// <summary>A random value (a double or a string).</summary>
    public abstract object Sample(CortexRandom random);

    /// <summary>The values grid search tries.</summary>
    public abstract IReadOnlyList<object> GridValues();

    /// <summary>
    /// Parses a command-line range: <c>log:1e-6:1e-2</c> (log-uniform), <c>uniform:0:0.5</c>, <c>1e-3,1e-2,1e-1</c> or
    /// <c>adam,sgd</c> (a choice); a single value is a choice of one. <paramref name="points"/> sets a continuous range's grid size.
    /// </summary>
    public static ParameterRange Parse(string name, string text, int points = 3)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(text);
        string[] parts = text.Split(':');
        if (parts.Length == 3 && parts[0] is "log" or "loguniform" or "uniform" or "lin")
        {
            if (!double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double low) ||
                !double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double high))
                throw new FormatException($"ParameterRange {name}: expected {parts[0]}:LOW:HIGH with two numbers, got '{text}'.");
            return parts[0] is "log" or "loguniform" ? new LogUniform(name, low, high, points) : new Uniform(name, low, high, points);
        }
        var values = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? (object)d : v)
            .ToArray();
        return new Choice(name, values);
    }
}

/// <summary>10^U(log10 <see cref="Low"/>, log10 <see cref="High"/>).</summary>
public sealed record LogUniform : ParameterRange
{
    /// <summary>A log-uniform range [<paramref name="low"/>, <paramref name="high"/>] (both positive) with a grid of <paramref name="points"/>.</summary>
    public LogUniform(string name, double low, double high, int points = 3) : base(name)
    {
        if (!(low > 0 && high >= low && double.IsFinite(high)))
            throw new ArgumentOutOfRangeException(nameof(low), $"LogUniform {name}: expected 0 < low ≤ high, got [{low}, {high}].");
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 1);
        (Low, High, Points) = (low, high, points);
    }

    /// <summary>Smallest value.</summary>
    public double Low { get; }

    /// <summary>Largest value.</summary>
    public double High { get; }

    /// <summary>Grid size.</summary>
    public int Points { get; }

    /// <inheritdoc/>
    public override object Sample(CortexRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        double a = Math.Log10(Low), b = Math.Log10(High);
        return Math.Pow(10, a + (b - a) * random.NextDouble());
    }

    /// <inheritdoc/>
    public override IReadOnlyList<object> GridValues()
    {
        double a = Math.Log10(Low), b = Math.Log10(High);
        return Points == 1 ? [Math.Pow(10, (a + b) / 2)] : [.. Enumerable.Range(0, Points).Select(i => (object)Math.Pow(10, a + (b - a) * i / (Points - 1)))];
    }
}

/// <summary>U(<see cref="Low"/>, <see cref="High"/>).</summary>
public sealed record Uniform : ParameterRange
{
    /// <summary>A uniform range [<paramref name="low"/>, <paramref name="high"/>] with a grid of <paramref name="points"/>.</summary>
    public Uniform(string name, double low, double high, int points = 3) : base(name)
    {
        if (!(high >= low && double.IsFinite(low) && double.IsFinite(high)))
            throw new ArgumentOutOfRangeException(nameof(low), $"Uniform {name}: expected finite low ≤ high, got [{low}, {high}].");
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 1);
        (Low, High, Points) = (low, high, points);
    }

    /// <summary>Smallest value.</summary>
    public double Low { get; }

    /// <summary>Largest value.</summary>
    public double High { get; }

    /// <summary>Grid size.</summary>
    public int Points { get; }

    /// <inheritdoc/>
    public override object Sample(CortexRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return Low + (High - Low) * random.NextDouble();
    }

    /// <inheritdoc/>
    public override IReadOnlyList<object> GridValues() =>
        Points == 1 ? [(Low + High) / 2] : [.. Enumerable.Range(0, Points).Select(i => (object)(Low + (High - Low) * i / (Points - 1)))];
}

/// <summary>One of <see cref="Values"/> (doubles or strings).</summary>
public sealed record Choice : ParameterRange
{
    /// <summary>A choice among <paramref name="values"/> (each a double, an int or a string).</summary>
    public Choice(string name, params object[] values) : base(name)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length == 0)
            throw new ArgumentException($"Choice {name}: expected at least one value, got none.", nameof(values));
        Values = [.. values.Select(v => v switch
        {
            int i => (object)(double)i,
            double or string => v,
            float f => (double)f,
            _ => throw new ArgumentException($"Choice {name}: expected numbers or strings, got {v?.GetType().Name ?? "null"}.", nameof(values)),
        })];
    }

    /// <summary>The values.</summary>
    public IReadOnlyList<object> Values { get; }

    /// <inheritdoc/>
    public override object Sample(CortexRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return Values[random.NextInt(Values.Count)];
    }

    /// <inheritdoc/>
    public override IReadOnlyList<object> GridValues() => Values;
}
