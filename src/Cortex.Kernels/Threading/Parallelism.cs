// Parallelism.cs — the one place Cortex gets threads from. Every kernel that splits work asks
// here, so the degree of parallelism is set once (CORTEX_THREADS or Parallelism.MaxDegree).
// The threads themselves are a small persistent pool (WorkerPool.cs); this file is the public face.
namespace Cortex.Kernels;

/// <summary>Where all of Cortex's kernel threads come from.</summary>
public static class Parallelism
{
    private static int _maxDegree = ReadEnvironment();

    /// <summary>How many threads kernels may use (the caller included); defaults to the processor count or <c>CORTEX_THREADS</c>.</summary>
    public static int MaxDegree
    {
        get => _maxDegree;
        set => _maxDegree = value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), $"Parallelism.MaxDegree: expected at least 1, got {value}.");
    }

    /// <summary>Runs <paramref name="body"/> for every index in [0, count), split across up to <see cref="MaxDegree"/> threads.</summary>
    /// <remarks>
    /// The calling thread takes part. A call made from inside a parallel body, or while another
    /// thread's call holds the pool, runs its indices on the calling thread in order. If bodies
    /// throw, the remaining indices are skipped and the first exception is rethrown as is.
    /// </remarks>
    public static void For(int count, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        WorkerPool.Run(count, body, null, _maxDegree);
    }

    /// <summary>Like <see cref="For(int, Action{int})"/>, for a body object the caller reuses (no allocation per call).</summary>
    /// <example>
    /// <code>
    /// sealed class RowSums(float[] x, float[] sums, int cols) : IParallelWork
    /// {
    ///     public void Execute(int row) => sums[row] = TensorPrimitives.Sum(x.AsSpan(row * cols, cols));
    /// }
    /// Parallelism.For(rows, cachedRowSums);
    /// </code>
    /// </example>
    public static void For(int count, IParallelWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        WorkerPool.Run(count, null, work, _maxDegree);
    }

    /// <summary>Like <see cref="For(int, IParallelWork)"/> with at most <paramref name="maxDegree"/> threads (kernels that know their work is small).</summary>
    internal static void For(int count, IParallelWork work, int maxDegree) =>
        WorkerPool.Run(count, null, work, Math.Min(maxDegree, _maxDegree));

    /// <summary>
    /// How many contiguous chunks an element-wise pass over <paramref name="length"/> floats is cut into:
    /// one per thread from 2^16 elements (below that a hand-off costs more than it saves), else 1.
    /// </summary>
    public static int ElementwiseChunks(int length) => length >= 1 << 16 ? _maxDegree : 1;

    /// <summary>
    /// The range [Start, Start + Length) of chunk <paramref name="chunk"/> of <paramref name="chunks"/> over
    /// <paramref name="length"/> elements; inner edges on 16-float (64-byte) boundaries, so no two threads
    /// write one cache line.
    /// </summary>
    public static (int Start, int Length) ChunkRange(int chunk, int chunks, int length)
    {
        int start = Edge(chunk, chunks, length);
        return (start, Edge(chunk + 1, chunks, length) - start);
    }

    private static int Edge(int chunk, int chunks, int length) => chunk == chunks ? length : (int)((long)chunk * length / chunks) & ~15;

    private static int ReadEnvironment()
    {
        string? text = Environment.GetEnvironmentVariable("CORTEX_THREADS");
        return int.TryParse(text, out int value) && value >= 1 ? value : Environment.ProcessorCount;
    }
}
