// Measure.cs — times several contenders against each other in alternating rounds.
//
//   warm-up     each contender: untimed calls for MeasureSettings.WarmUp (caches, thread pools)
//   calibrate   calls per sample = enough calls to last about SampleTarget (≥ 1)
//   rounds      A, B, A, B, …  each sample times calls-per-sample calls and records seconds per call
//
// Alternating inside one process is the point: on a busy 2-core machine the load changes from
// second to second, and interleaving exposes both sides to the same disturbances, where
// "all of A, then all of B" would not. The number of rounds follows the case budget, clamped to
// [MinRounds, MaxRounds]; if the machine turns out slower than the warm-up suggested, rounds stop
// once the budget is spent (never before MinRounds). A short pause before each sample lets the previous side's spinning
// worker threads (OpenMP, the .NET thread pool) go idle before the next side is timed.
using System.Diagnostics;

namespace Cortex.Bench.Harness;

/// <summary>Alternating, warmed-up timing of competing implementations of the same work.</summary>
public static class Measure
{
    /// <summary>Times every contender in alternating rounds; returns one <see cref="Sample"/> per contender, in order.</summary>
    public static IReadOnlyList<Sample> Alternating(IReadOnlyList<Contender> contenders, MeasureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(contenders);
        ArgumentNullException.ThrowIfNull(settings);
        if (contenders.Count == 0)
            throw new ArgumentException("Measure: no contenders to time.", nameof(contenders));

        // Warm up, and learn roughly how long one call takes (the fastest warm-up call).
        var estimate = new double[contenders.Count];
        for (int i = 0; i < contenders.Count; i++)
            estimate[i] = WarmUp(contenders[i].Call, settings.WarmUp);

        var calls = new int[contenders.Count];
        double roundSeconds = 0;
        for (int i = 0; i < contenders.Count; i++)
        {
            calls[i] = (int)Math.Clamp(Math.Ceiling(settings.SampleTarget.TotalSeconds / estimate[i]), 1, 1_000_000);
            roundSeconds += calls[i] * estimate[i] + settings.Settle.TotalSeconds;
        }
        int rounds = (int)Math.Clamp(settings.CaseBudget.TotalSeconds / roundSeconds, settings.MinRounds, settings.MaxRounds);

        var seconds = contenders.Select(_ => new List<double>(rounds)).ToArray();
        var elapsed = Stopwatch.StartNew();
        for (int round = 0; round < rounds; round++)
        {
            if (round >= settings.MinRounds && elapsed.Elapsed > settings.CaseBudget)
                break;
            for (int i = 0; i < contenders.Count; i++)
            {
                Thread.Sleep(settings.Settle);
                seconds[i].Add(TimeCalls(contenders[i].Call, calls[i]) / calls[i]);
            }
        }
        return [.. contenders.Select((c, i) => new Sample(c.Name, seconds[i], calls[i]))];
    }

    /// <summary>Runs <paramref name="call"/> until <paramref name="duration"/> has passed (at least once); returns the fastest call in seconds.</summary>
    private static double WarmUp(Action call, TimeSpan duration)
    {
        double fastest = double.MaxValue;
        var total = Stopwatch.StartNew();
        do
        {
            fastest = Math.Min(fastest, TimeCalls(call, 1));
        }
        while (total.Elapsed < duration);
        return Math.Max(fastest, 1e-9);
    }

    private static double TimeCalls(Action call, int count)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
            call();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}
