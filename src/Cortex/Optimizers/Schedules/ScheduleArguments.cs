// ScheduleArguments.cs — the argument checks every schedule shares, with messages that name it.
namespace Cortex.Optimizers.Schedules;

internal static class ScheduleArguments
{
    public static void CheckEpoch(int epoch, string schedule)
    {
        if (epoch < 0)
            throw new ArgumentOutOfRangeException(nameof(epoch), $"{schedule}: epochs count from 0, got {epoch}.");
    }

    public static void Check(bool condition, string schedule, string what, double value, string paramName)
    {
        if (!condition)
            throw new ArgumentOutOfRangeException(paramName, $"{schedule}: {what}, got {value}.");
    }
}
