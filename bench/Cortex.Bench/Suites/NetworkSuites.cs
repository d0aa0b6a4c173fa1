// NetworkSuites.cs — what the conv, train, infer and memory suites share: the progress line
// printed as each case finishes, and (train, infer) the architecture check run before a network's
// cases, with its one-line report.
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
            $"  {row.Name,-40} {row.Details,-40} Cortex {ResultsTable.Side(row.Cortex, row.Note),-24} {row.PeerName} {ResultsTable.Side(row.Peer, null),-24} {row.Unit}  {ratio}  [grey]({Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s)[/]");
    }

    /// <summary>
    /// Runs <see cref="ArchitectureCheck"/> on <paramref name="network"/> and reports it in one line, e.g.
    /// "ResNet-20: 269,722 parameters on both sides, outputs agree to 2.1e-7 (inference and training)".
    /// </summary>
    /// <exception cref="InvalidOperationException">The two definitions differ.</exception>
    public static ArchitectureCheck Check(BenchContext context, Network network)
    {
        long started = Stopwatch.GetTimestamp();
        var check = ArchitectureCheck.Run(network);
        string modes = check.Training ? "inference and training" : "inference; training has dropout";
        context.Console.MarkupLineInterpolated(
            $"  [grey]{network.Name}: {check.ParametersText} on both sides, outputs agree to {check.Difference:0.0e+0} ({modes}) ({Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s)[/]");
        return check;
    }
}
