// WorkerPool.cs — the persistent threads behind Parallelism.For: MaxDegree − 1 background
// workers plus the calling thread, handing out loop indices through one shared counter.
//
// Why not Parallel.For: it allocates per call and its hand-off costs tens of microseconds,
// which is the whole runtime of a small GEMM. Here a call publishes its body in static fields,
// flags each helper it wants (a worker that is still spinning from the last call starts within
// a microsecond; a sleeping one is woken through its semaphore), runs indices itself, and
// waits for the helpers to check out. Workers spin ~50 µs after a job before sleeping, so
// back-to-back kernel calls (a training step) keep them hot without burning a core when idle.
//
// One call at a time: a second concurrent caller, or a nested call from inside a body, runs its
// indices serially on its own thread instead of waiting (which could deadlock).
using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Cortex.Kernels;

internal static class WorkerPool
{
    private static readonly long SpinTicks = Stopwatch.Frequency / 20_000; // 50 µs
    private static readonly Lock GrowLock = new();

    [ThreadStatic]
    private static bool _insideBody;

    private static Worker[] _workers = [];
    private static int _busy;

    // The job being run: valid only while _busy is held, read by helpers between Assign and check-out.
    private static Action<int>? _action;
    private static IParallelWork? _work;
    private static int _count;
    private static int _next;
    private static int _helpersOut;
    private static ExceptionDispatchInfo? _error;

    public static void Run(int count, Action<int>? action, IParallelWork? work, int maxDegree)
    {
        int helpers = Math.Min(count, maxDegree) - 1;
        if (helpers <= 0 || _insideBody || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            RunSerially(count, action, work);
            return;
        }

        try
        {
            var workers = EnsureWorkers(helpers);
            _action = action;
            _work = work;
            _count = count;
            _next = 0;
            _error = null;
            Volatile.Write(ref _helpersOut, helpers);
            for (int w = 0; w < helpers; w++)
                workers[w].Assign();

            _insideBody = true;
            try
            {
                Drain();
            }
            finally
            {
                _insideBody = false;
            }

            var spin = new SpinWait();
            while (Volatile.Read(ref _helpersOut) != 0)
                spin.SpinOnce(sleep1Threshold: -1);

            var error = _error;
            _action = null;
            _work = null;
            _error = null;
            error?.Throw();
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private static void RunSerially(int count, Action<int>? action, IParallelWork? work)
    {
        for (int i = 0; i < count; i++)
        {
            if (action is not null)
                action(i);
            else
                work!.Execute(i);
        }
    }

    // Takes indices until none are left; the first exception stops further indices from starting.
    private static void Drain()
    {
        while (true)
        {
            int i = Interlocked.Increment(ref _next) - 1;
            if (i >= _count)
                return;
            try
            {
                if (_action is not null)
                    _action(i);
                else
                    _work!.Execute(i);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(e), null);
                Volatile.Write(ref _next, _count);
            }
        }
    }

    private static Worker[] EnsureWorkers(int helpers)
    {
        var workers = _workers;
        if (workers.Length >= helpers)
            return workers;
        lock (GrowLock)
        {
            if (_workers.Length < helpers)
            {
                var grown = new Worker[helpers];
                Array.Copy(_workers, grown, _workers.Length);
                for (int w = _workers.Length; w < helpers; w++)
                    grown[w] = new Worker(w);
                _workers = grown;
            }

            return _workers;
        }
    }

    private sealed class Worker
    {
        private readonly object _gate = new();
        private int _hasJob;
        private int _sleeping;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Cortex worker {index + 1}" };
            thread.Start();
        }

        public void Assign()
        {
            // Publish, then look for a sleeper; the Exchange is a full fence paired with the worker's,
            // so either the worker sees the job before sleeping or we see it asleep and wake it.
            Interlocked.Exchange(ref _hasJob, 1);
            if (Volatile.Read(ref _sleeping) == 1)
            {
                lock (_gate)
                    Monitor.PulseAll(_gate);
            }
        }

        private void Loop()
        {
            _insideBody = true;
            while (true)
            {
                WaitForJob();
                Volatile.Write(ref _hasJob, 0);
                Drain();
                Interlocked.Decrement(ref _helpersOut);
            }
        }

        private void WaitForJob()
        {
            long deadline = Stopwatch.GetTimestamp() + SpinTicks;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                if (Volatile.Read(ref _hasJob) == 1)
                    return;
                Thread.SpinWait(16);
            }

            lock (_gate)
            {
                Interlocked.Exchange(ref _sleeping, 1);
                while (Volatile.Read(ref _hasJob) == 0)
                    Monitor.Wait(_gate);
                Volatile.Write(ref _sleeping, 0);
            }
        }
    }
}
