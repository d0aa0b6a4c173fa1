// LoadAverage.cs — the system's one-minute load average (Linux /proc/loadavg), so a report can
// say how busy the machine was while it measured. On a shared machine this is the first thing to
// look at when min–max ranges are wide or a peer seems to beat the measured peak.
using System.Globalization;

namespace Cortex.Bench.Machine;

/// <summary>Reads the one-minute load average.</summary>
public static class LoadAverage
{
    /// <summary>The one-minute load average, or null where /proc/loadavg is not available.</summary>
    public static double? OneMinute()
    {
        try
        {
            string text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
