// NetworkSuites.cs — what the conv, train, infer and memory suites share: the progress line
// printed as each case finishes.
using System.Diagnostics;
using Cortex.Bench.Harness;
using Spectre.Console;

namespace Cortex.Bench.Suites;

internal static class NetworkSuites
{
    /// <summary>"  LeNet-5  batch 64, …  Cortex 12345 (…)  libtorch 16800 (…) images/s  1.36×  (4.1 s)".</summary>
    public static void Progress(BenchContext context, ResultRow row, long started)
    {
        string ratio = row.Ratio is { } r ? $"{ResultsTable.Number(r)}×" : "—";
        context.Console.MarkupLineInterpolated(
            $"  {row.Name,-40} {row.Details,-40} Cortex {ResultsTable.Side(row.Cortex, row.Note),-24} libtorch {ResultsTable.Side(row.Peer, null),-24} {row.Unit}  {ratio}  [grey]({Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s)[/]");
    }
}
