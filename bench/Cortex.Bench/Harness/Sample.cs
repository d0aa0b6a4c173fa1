// Sample.cs — the timings one contender produced in one case: seconds per call, one value per
// round (each value is the mean over the calls of that round's sample).
namespace Cortex.Bench.Harness;

/// <summary>Seconds per call of one contender, one value per timed round.</summary>
public sealed class Sample(string name, IReadOnlyList<double> secondsPerCall, int callsPerRound)
{
    /// <summary>The contender's name.</summary>
    public string Name { get; } = name;

    /// <summary>Seconds per call, in the order the rounds ran.</summary>
    public IReadOnlyList<double> SecondsPerCall { get; } = secondsPerCall;

    /// <summary>How many calls each timed round made.</summary>
    public int CallsPerRound { get; } = callsPerRound;

    /// <summary>Median, min and max of the time per call, in seconds.</summary>
    public Statistic Seconds => Statistic.Of(SecondsPerCall);

    /// <summary>Median, min and max of <paramref name="work"/> per second (e.g. FLOP/s), one value per round.</summary>
    public Statistic Rate(double work) => Statistic.Of(SecondsPerCall.Select(s => work / s));
}
