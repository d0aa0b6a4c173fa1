// WorkerPool.cs — the persistent threads behind Parallelism.For: MaxDegree − 1 background
// workers plus the calling thread, handing out loop indices through one shared counter.
//
// Why not Parallel.For: it allocates per call and its hand-off costs tens of microseconds,
// which is the whole runtime of a small GEMM. Here a call publishes its body in static fields,
// flags each helper it wants (a worker that is still spinning from the last call starts within
// a microsecond; a sleeping one is woken through a monitor), runs indices itself, withdraws the
// assignments nobody picked up and waits for the helpers that did. Workers spin 1 ms after a
// job before sleeping: with 50 µs they fell asleep between back-to-back GEMM calls, and waking
// one through the OS cost 60 µs to over 1 ms on the shared 2-core VM. Spinning that long still
// leaves an idle process idle.
//
// One call at a time: a second concurrent caller, or a nested call from inside a body, runs its
// indices serially on its own thread instead of waiting (which could deadlock).
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Cortex.Kernels;

internal static class WorkerPool
{
    private static readonly long SpinTicks = Stopwatch.Frequency / 1000; // 1 ms
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

    /// <summary>Whether the calling thread is running a parallel body, where a nested call would run serially anyway.</summary>
    public static bool InsideBody => _insideBody;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

            // A helper that has not picked up its assignment yet (asleep, or descheduled) is not
            // waited for: withdrawing the assignment keeps its wake-up latency off this call.
            for (int w = 0; w < helpers; w++)
            {
                if (workers[w].Withdraw())
                    Interlocked.Decrement(ref _helpersOut);
            }

            // The others finish within one index of us: spin without yielding the core, since a
            // yield on a busy machine can cost a whole scheduler slice.
            while (Volatile.Read(ref _helpersOut) != 0)
                Thread.SpinWait(8);

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

        /// <summary>Takes back an assignment the worker has not started; true if it was still pending.</summary>
        public bool Withdraw() => Interlocked.CompareExchange(ref _hasJob, 0, 1) == 1;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Loop()
        {
            _insideBody = true;
            while (true)
            {
                WaitForJob();
                // Claim the assignment; losing means the caller withdrew it and already counted us out.
                if (Interlocked.CompareExchange(ref _hasJob, 0, 1) != 1)
                    continue;
                Drain();
                Interlocked.Decrement(ref _helpersOut);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void WaitForJob()
        {
            while (true)
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
                    if (Volatile.Read(ref _hasJob) == 0)
                        Monitor.Wait(_gate);
                    Volatile.Write(ref _sleeping, 0);
                }

                // Woken: calls are arriving again. Spin before sleeping, even if the caller already
                // withdrew this assignment (it finished alone while we woke), to catch the next one.
            }
        }
    }
}
