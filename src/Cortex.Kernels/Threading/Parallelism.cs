// Parallelism.cs — the one place Cortex gets threads from. Every kernel that splits work asks
// here, so the degree of parallelism is set once (CORTEX_THREADS or Parallelism.MaxDegree).
namespace Cortex.Kernels;

/// <summary>Where all of Cortex's kernel threads come from.</summary>
public static class Parallelism
{
    private static int _maxDegree = ReadEnvironment();

    /// <summary>How many threads kernels may use; defaults to the processor count or <c>CORTEX_THREADS</c>.</summary>
    public static int MaxDegree
    {
        get => _maxDegree;
        set => _maxDegree = value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), $"Parallelism.MaxDegree: expected at least 1, got {value}.");
    }

    /// <summary>Runs <paramref name="body"/> for every index in [0, count), split across up to <see cref="MaxDegree"/> threads.</summary>
    public static void For(int count, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (count <= 1 || _maxDegree == 1)
        {
            for (int i = 0; i < count; i++)
                body(i);
            return;
        }
        System.Threading.Tasks.Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = _maxDegree }, body);
    }

    private static int ReadEnvironment()
    {
        string? text = Environment.GetEnvironmentVariable("CORTEX_THREADS");
        return int.TryParse(text, out int value) && value >= 1 ? value : Environment.ProcessorCount;
    }
}
