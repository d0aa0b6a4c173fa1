// Cadence.cs — when Studio's periodic work is due: no more often than a minimum interval, and no
// more often than keeps its cost below a fraction of the time (a snapshot that took 20 ms with a
// 2 % budget waits at least 1 s). This is what keeps Studio's overhead on training bounded whatever
// the model's size.
using System.Diagnostics;

namespace Cortex.Studio;

internal sealed class Cadence(double minSeconds, double budget)
{
    private long _last = long.MinValue;
    private double _cost;

    /// <summary>Whether the work is due now.</summary>
    public bool Due(long now)
    {
        if (_last == long.MinValue)
            return true;
        double seconds = (now - _last) / (double)Stopwatch.Frequency;
        return seconds >= Math.Max(minSeconds, _cost / budget);
    }

    /// <summary>Records that the work ran at <paramref name="started"/> and took <paramref name="seconds"/>.</summary>
    public void Ran(long started, double seconds)
    {
        _last = started;
        _cost = seconds;
    }

    /// <summary>Makes the work due at the next check.</summary>
    public void Reset() => _last = long.MinValue;
}
