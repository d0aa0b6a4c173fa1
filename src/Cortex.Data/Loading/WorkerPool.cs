// WorkerPool.cs — a few dedicated threads for the data pipeline, separate from the kernels'
// Parallelism (which the model's forward and backward passes use): fork-join over the samples
// of one batch. The calling thread works too, so a pool of N workers owns N − 1 threads, and a
// pool of 1 runs everything inline. One Run at a time (others wait); Run allocates nothing.
using System.Runtime.ExceptionServices;

namespace Cortex.Data.Loading;

/// <summary>Work that a <see cref="WorkerPool"/> runs for indices 0..count − 1.</summary>
internal interface IWorkItems
{
    /// <summary>Does item <paramref name="index"/> on the thread numbered <paramref name="worker"/> (0 = the caller).</summary>
    void Execute(int index, int worker);
}

/// <summary>A fixed set of background threads that split the items of one job between them and the caller.</summary>
internal sealed class WorkerPool : IDisposable
{
    private readonly Thread[] _threads;
    private readonly object _gate = new();
    private readonly object _runLock = new();
    private IWorkItems? _work;
    private int _count;
    private int _next;          // the next item to claim (Interlocked)
    private int _busy;          // helper threads still in the current job
    private long _generation;   // bumped for every job; helpers wait for a new one
    private bool _disposed;
    private ExceptionDispatchInfo? _failure;

    /// <summary>A pool of <paramref name="workers"/> (≥ 1) including the calling thread.</summary>
    public WorkerPool(int workers, string name = "cortex-data")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        Workers = workers;
        _threads = new Thread[workers - 1];
        for (int t = 0; t < _threads.Length; t++)
        {
            int worker = t + 1;
            _threads[t] = new Thread(() => Loop(worker)) { IsBackground = true, Name = $"{name}-{worker}" };
            _threads[t].Start();
        }
    }

    /// <summary>Threads that work on a job, the caller included.</summary>
    public int Workers { get; }

    /// <summary>Runs <paramref name="work"/> for every index in [0, <paramref name="count"/>) and returns when all are done.</summary>
    public void Run(IWorkItems work, int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_threads.Length == 0 || count <= 1)
        {
            for (int i = 0; i < count; i++)
                work.Execute(i, 0);
            return;
        }
        lock (_runLock)
        {
            lock (_gate)
            {
                _work = work;
                _count = count;
                _next = 0;
                _failure = null;
                _busy = _threads.Length;
                _generation++;
                Monitor.PulseAll(_gate);
            }
            Drain(0);
            lock (_gate)
            {
                while (_busy > 0)
                    Monitor.Wait(_gate);
                _work = null;
            }
            _failure?.Throw();
        }
    }

    private void Loop(int worker)
    {
        long seen = 0;
        while (true)
        {
            lock (_gate)
            {
                while (_generation == seen && !_disposed)
                    Monitor.Wait(_gate);
                if (_disposed)
                    return;
                seen = _generation;
            }
            Drain(worker);
            lock (_gate)
            {
                if (--_busy == 0)
                    Monitor.PulseAll(_gate);
            }
        }
    }

    private void Drain(int worker)
    {
        var work = _work!;
        int count = _count;
        try
        {
            for (int i = Interlocked.Increment(ref _next) - 1; i < count; i = Interlocked.Increment(ref _next) - 1)
                work.Execute(i, worker);
        }
#pragma warning disable CA1031 // any failure is handed to the caller of Run, rethrown there with its stack
        catch (Exception e)
#pragma warning restore CA1031
        {
            Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
            Volatile.Write(ref _next, count);   // stop the others early
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            Monitor.PulseAll(_gate);
        }
        foreach (var thread in _threads)
            thread.Join();
    }
}
