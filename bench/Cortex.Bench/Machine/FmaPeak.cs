// FmaPeak.cs — measures the machine's FP32 peak: a loop of fused multiply-adds on independent
// register accumulators, with no loads or stores, on one thread and then on all threads together.
//
//   acc_j = acc_j * m + c      j = 0 … 11, one vector FMA each = 2 FLOP per lane
//
// Twelve independent chains cover the FMA latency (4 cycles) on two FMA ports (4 × 2 = 8 in
// flight needed). Each run lasts ~30 ms; the best of many runs is kept, since a peak is a
// maximum and on a shared machine every disturbance only makes a run slower (short runs are
// likelier to fall into a quiet moment).
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cortex.Bench.Machine;

/// <summary>Register-only FMA loop that measures peak FP32 throughput.</summary>
public static class FmaPeak
{
    private const int Chains = 12;
    private const int Repeats = 15;
    private const double RunSeconds = 0.03;

    /// <summary>Measures the peak on one thread and on <paramref name="threads"/> threads running at once.</summary>
    public static MachinePeak Measure(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var (kernel, lanes, instruction) = Vector512.IsHardwareAccelerated ? ((Func<long, float>)Loop512, 16, "Vector512 FMA")
            : Vector256.IsHardwareAccelerated ? (Loop256, 8, "Vector256 FMA")
            : ((Func<long, float>)Loop128, 4, "Vector128 FMA");
        double flopsPerIteration = Chains * lanes * 2.0;

        // Calibrate: iterations for about RunSeconds on one thread.
        long iterations = 1 << 14;
        double seconds;
        while ((seconds = TimeThreads(kernel, 1, iterations)) < 0.01)
            iterations *= 2;
        iterations = Math.Max(1, (long)(iterations * RunSeconds / seconds));

        double Best(int count) => Enumerable.Range(0, Repeats)
            .Max(_ => count * iterations * flopsPerIteration / TimeThreads(kernel, count, iterations)) / 1e9;
        double perThread = Best(1);
        double total = threads == 1 ? perThread : Best(threads);
        return new MachinePeak(instruction, perThread, total, threads);
    }

    /// <summary>
    /// Starts <paramref name="count"/> threads together; returns seconds from the first thread's
    /// start to the last one's end. Each thread reads the clock itself, so a late-waking
    /// coordinator cannot shorten the span (which would overstate the peak).
    /// </summary>
    private static double TimeThreads(Func<long, float> kernel, int count, long iterations)
    {
        using var start = new Barrier(count);
        var begins = new long[count];
        var ends = new long[count];
        var results = new float[count];
        var workers = Enumerable.Range(0, count).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            begins[t] = Stopwatch.GetTimestamp();
            results[t] = kernel(iterations);            // kept, so the loop cannot be dropped
            ends[t] = Stopwatch.GetTimestamp();
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        double seconds = (double)(ends.Max() - begins.Min()) / Stopwatch.Frequency;
        return results.Any(float.IsNaN) ? double.NaN : seconds;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop512(long iterations)
    {
        Vector512<float> m = Vector512.Create(0.9999999f), c = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512<float>.One, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0,
                         a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c); a1 = Vector512.FusedMultiplyAdd(a1, m, c);
            a2 = Vector512.FusedMultiplyAdd(a2, m, c); a3 = Vector512.FusedMultiplyAdd(a3, m, c);
            a4 = Vector512.FusedMultiplyAdd(a4, m, c); a5 = Vector512.FusedMultiplyAdd(a5, m, c);
            a6 = Vector512.FusedMultiplyAdd(a6, m, c); a7 = Vector512.FusedMultiplyAdd(a7, m, c);
            a8 = Vector512.FusedMultiplyAdd(a8, m, c); a9 = Vector512.FusedMultiplyAdd(a9, m, c);
            a10 = Vector512.FusedMultiplyAdd(a10, m, c); a11 = Vector512.FusedMultiplyAdd(a11, m, c);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop256(long iterations)
    {
        Vector256<float> m = Vector256.Create(0.9999999f), c = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256<float>.One, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0,
                         a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c); a1 = Vector256.FusedMultiplyAdd(a1, m, c);
            a2 = Vector256.FusedMultiplyAdd(a2, m, c); a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c); a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c); a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c); a9 = Vector256.FusedMultiplyAdd(a9, m, c);
            a10 = Vector256.FusedMultiplyAdd(a10, m, c); a11 = Vector256.FusedMultiplyAdd(a11, m, c);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop128(long iterations)
    {
        Vector128<float> m = Vector128.Create(0.9999999f), c = Vector128.Create(1e-7f);
        Vector128<float> a0 = Vector128<float>.One, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0,
                         a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector128.FusedMultiplyAdd(a0, m, c); a1 = Vector128.FusedMultiplyAdd(a1, m, c);
            a2 = Vector128.FusedMultiplyAdd(a2, m, c); a3 = Vector128.FusedMultiplyAdd(a3, m, c);
            a4 = Vector128.FusedMultiplyAdd(a4, m, c); a5 = Vector128.FusedMultiplyAdd(a5, m, c);
            a6 = Vector128.FusedMultiplyAdd(a6, m, c); a7 = Vector128.FusedMultiplyAdd(a7, m, c);
            a8 = Vector128.FusedMultiplyAdd(a8, m, c); a9 = Vector128.FusedMultiplyAdd(a9, m, c);
            a10 = Vector128.FusedMultiplyAdd(a10, m, c); a11 = Vector128.FusedMultiplyAdd(a11, m, c);
        }
        return Vector128.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
