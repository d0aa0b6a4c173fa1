// ResultsJson.cs — writes result rows as a JSON array, one object per row:
//   { "suite", "name", "details", "unit", "higherIsBetter", "cortex", "peerName", "peer", "ratio",
//     "cortexMin", "cortexMax", "peerMin", "peerMax", "cortexRounds", "peerRounds",
//     "peak", "cortexPercentOfPeak", "peerPercentOfPeak", "check", "note", "threads", "loadAverage" }
// "cortex" and "peer" are medians (null when a side did not run); ratio = cortex / peer.
// The file is written to a temporary name and then moved into place, so an existing results
// file is never left half-overwritten.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cortex.Bench.Harness;

/// <summary>Writes <see cref="ResultRow"/>s to a JSON file.</summary>
public static class ResultsJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Writes <paramref name="rows"/>, measured with <paramref name="threads"/> threads, to <paramref name="path"/>.</summary>
    public static void Write(string path, IEnumerable<ResultRow> rows, int threads)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(rows);
        var objects = rows.Select(r => new JsonRow(
            r.Suite, r.Name, r.Details, r.Unit, r.HigherIsBetter,
            r.Cortex?.Median, r.PeerName, r.Peer?.Median, r.Ratio,
            r.Cortex?.Min, r.Cortex?.Max, r.Peer?.Min, r.Peer?.Max, r.Cortex?.Count, r.Peer?.Count,
            r.Peak, r.CortexPercentOfPeak, r.PeerPercentOfPeak, r.Check, r.Note, threads, r.LoadAverage)).ToList();

        string full = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(full);
        if (directory is not null)
            Directory.CreateDirectory(directory);
        string temporary = $"{full}.tmp-{Environment.ProcessId}";
        File.WriteAllText(temporary, JsonSerializer.Serialize(objects, Options) + "\n");
        File.Move(temporary, full, overwrite: true);
    }

    private sealed record JsonRow(
        string Suite, string Name, string Details, string Unit, bool HigherIsBetter,
        double? Cortex, string PeerName, double? Peer, double? Ratio,
        double? CortexMin, double? CortexMax, double? PeerMin, double? PeerMax, int? CortexRounds, int? PeerRounds,
        double? Peak, double? CortexPercentOfPeak, double? PeerPercentOfPeak, double? Check, string? Note, int Threads, double? LoadAverage);
}
