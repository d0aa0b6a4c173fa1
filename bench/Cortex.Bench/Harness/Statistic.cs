// Statistic.cs — median and range of a handful of measurements. The median, not the mean, is the
// headline: on a shared machine a few rounds are slowed by other work, and the median ignores them.
namespace Cortex.Bench.Harness;

/// <summary>Median, minimum and maximum of a set of measurements, and how many there were.</summary>
public readonly record struct Statistic(double Median, double Min, double Max, int Count)
{
    /// <summary>Summarizes <paramref name="values"/> (at least one).</summary>
    public static Statistic Of(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        if (sorted.Length == 0)
            throw new ArgumentException("Statistic: no values to summarize.", nameof(values));
        int half = sorted.Length / 2;
        double median = sorted.Length % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
        return new Statistic(median, sorted[0], sorted[^1], sorted.Length);
    }

    /// <summary>Every value multiplied by <paramref name="factor"/> (a unit change, e.g. FLOP/s → GFLOP/s).</summary>
    public Statistic Scale(double factor) => new(Median * factor, Min * factor, Max * factor, Count);
}
