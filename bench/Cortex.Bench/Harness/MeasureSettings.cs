// MeasureSettings.cs — how long Measure warms up, how long one timed sample lasts and how much
// time one case may take. Defaults keep a whole suite within a couple of minutes on 2 cores.
namespace Cortex.Bench.Harness;

/// <summary>Time budget of <see cref="Measure.Alternating"/>.</summary>
/// <param name="WarmUp">Per contender: untimed calls run until this much time has passed (at least one call).</param>
/// <param name="SampleTarget">A timed sample repeats the call until it lasts about this long, so that tiny calls are timed well.</param>
/// <param name="CaseBudget">About how long all timed rounds of one case may take together.</param>
/// <param name="MinRounds">At least this many rounds, even over budget.</param>
/// <param name="MaxRounds">At most this many rounds, even under budget.</param>
/// <param name="Settle">A pause before each sample, so that the previous contender's spinning worker threads go idle.</param>
public sealed record MeasureSettings(
    TimeSpan WarmUp, TimeSpan SampleTarget, TimeSpan CaseBudget, int MinRounds, int MaxRounds, TimeSpan Settle)
{
    /// <summary>0.25 s warm-up, 40 ms samples, 3 s per case, 3–25 rounds, 5 ms settle.</summary>
    public static MeasureSettings Default { get; } = new(
        TimeSpan.FromSeconds(0.25), TimeSpan.FromMilliseconds(40), TimeSpan.FromSeconds(3), 3, 25, TimeSpan.FromMilliseconds(5));
}
