// ParallelismTests.cs — the worker pool behind Parallelism.For runs every index exactly once,
// survives nesting and concurrent callers, and reports a body's exception to the caller.
namespace Cortex.Kernels.Tests;

public class ParallelismTests
{
    [Fact]
    public void For_RunsEveryIndexOnce()
    {
        for (int round = 0; round < 50; round++)
        {
            int[] hits = new int[round * 7 + 1];
            Parallelism.For(hits.Length, i => Interlocked.Increment(ref hits[i]));
            Assert.All(hits, h => Assert.Equal(1, h));
        }
    }

    [Fact]
    public void For_WorkObject_RunsEveryIndexOnce()
    {
        var work = new CountingWork(1000);
        Parallelism.For(1000, work);
        Assert.All(work.Hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void For_NestedCall_RunsInline()
    {
        int[] hits = new int[64];
        Parallelism.For(8, i => Parallelism.For(8, j => Interlocked.Increment(ref hits[i * 8 + j])));
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public async Task For_ConcurrentCallers_AllComplete()
    {
        int[] hits = new int[4 * 500];
        var callers = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (int r = 0; r < 50; r++)
                Parallelism.For(10, i => Interlocked.Increment(ref hits[t * 500 + r * 10 + i]));
        })).ToArray();
        await Task.WhenAll(callers);
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void For_BodyThrows_RethrowsToCaller()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Parallelism.For(100, i =>
        {
            if (i == 37)
                throw new InvalidOperationException("index 37 failed");
        }));
        Assert.Equal("index 37 failed", e.Message);
        int ran = 0;
        Parallelism.For(10, _ => Interlocked.Increment(ref ran));   // the pool still works afterwards
        Assert.Equal(10, ran);
    }

    [Fact]
    public void MaxDegree_BelowOne_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Parallelism.MaxDegree = 0);
        Assert.Contains("Parallelism.MaxDegree: expected at least 1, got 0.", e.Message, StringComparison.Ordinal);
    }

    private sealed class CountingWork(int count) : IParallelWork
    {
        public int[] Hits { get; } = new int[count];

        public void Execute(int index) => Interlocked.Increment(ref Hits[index]);
    }

    // Chunks tile [0, n) exactly, in order, with inner edges on 16-float boundaries.
    [Theory]
    [InlineData(1, 1000)]
    [InlineData(2, 1 << 16)]
    [InlineData(3, 100_003)]
    [InlineData(7, 33)]
    public void ChunkRange_TilesTheRange_OnCacheLineEdges(int chunks, int length)
    {
        int next = 0;
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            var (start, count) = Parallelism.ChunkRange(chunk, chunks, length);
            Assert.Equal(next, start);
            Assert.True(count >= 0);
            Assert.Equal(0, start % 16);
            next = start + count;
        }
        Assert.Equal(length, next);
    }

    [Fact]
    public void ElementwiseChunks_OnePerThread_OnlyForLargeTensors()
    {
        Assert.Equal(1, Parallelism.ElementwiseChunks((1 << 16) - 1));
        Assert.Equal(Parallelism.MaxDegree, Parallelism.ElementwiseChunks(1 << 16));
    }
}
