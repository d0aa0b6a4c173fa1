// ResultRow.cs — one line of a benchmark report: the same case measured on Cortex and on the peer.
// Every suite produces these; the console table and the JSON file are both written from them.
namespace Cortex.Bench.Harness;

/// <summary>One case measured side by side. Either side may be missing (skipped or not applicable).</summary>
/// <param name="Suite">The suite that produced the row, e.g. <c>gemm</c>.</param>
/// <param name="Name">The case, e.g. <c>square 1024</c>.</param>
/// <param name="Details">What exactly ran, e.g. <c>m=1024 n=1024 k=1024</c>.</param>
/// <param name="Unit">Unit of <paramref name="Cortex"/> and <paramref name="Peer"/>, e.g. <c>GFLOP/s</c>.</param>
/// <param name="HigherIsBetter">True for rates, false for times and sizes.</param>
/// <param name="Cortex">Cortex's measurements, or null when it did not run.</param>
/// <param name="Peer">The peer's measurements, or null when it did not run.</param>
/// <param name="Peak">The machine's peak in <paramref name="Unit"/> for the thread count used, when meaningful.</param>
/// <param name="Check">Agreement of the two results, e.g. the largest relative difference.</param>
/// <param name="Note">Anything a reader must know, e.g. why a side was skipped.</param>
public sealed record ResultRow(
    string Suite, string Name, string Details, string Unit, bool HigherIsBetter,
    Statistic? Cortex, Statistic? Peer, double? Peak = null, double? Check = null, string? Note = null)
{
    /// <summary>Who the peer column is: libtorch, unless a suite compares Cortex with something else (itself, a recorded figure).</summary>
    public string PeerName { get; init; } = "libtorch";

    /// <summary>The machine's one-minute load average when the row was finished (filled in by the program).</summary>
    public double? LoadAverage { get; init; }

    /// <summary>Cortex ÷ peer of the medians (above 1 means Cortex is higher), or null if a side is missing.</summary>
    public double? Ratio => Cortex is { } c && Peer is { } p && p.Median != 0 ? c.Median / p.Median : null;

    /// <summary>Cortex's median as a percentage of <see cref="Peak"/>.</summary>
    public double? CortexPercentOfPeak => Cortex is { } c && Peak is > 0 ? 100 * c.Median / Peak : null;

    /// <summary>The peer's median as a percentage of <see cref="Peak"/>.</summary>
    public double? PeerPercentOfPeak => Peer is { } p && Peak is > 0 ? 100 * p.Median / Peak : null;
}
