// RunFiles.cs — the runs/ folder as Studio uses it: names of runs (a run NAME is
// runs/NAME-history.csv, with runs/NAME.safetensors beside it when the model was kept), and a
// bounded reader of history CSV files. A request can name a run, never a path: names are checked
// against a plain pattern and resolved inside the runs folder only.
using System.Globalization;
using System.Text.RegularExpressions;

namespace Cortex.Studio;

/// <summary>Lists and reads the runs kept under a runs folder.</summary>
public static partial class RunFiles
{
    /// <summary>The largest history file read (a run of a million epochs is not a history).</summary>
    public const long MaxHistoryBytes = 8L << 20;

    public const string HistorySuffix = "-history.csv";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex NamePattern();

    /// <summary>Whether <paramref name="name"/> may name a run (letters, digits, '.', '_', '-'; no path).</summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal);

    /// <summary>The runs with a history in <paramref name="directory"/>, newest first.</summary>
    public static IReadOnlyList<(string Name, DateTime Modified)> List(string directory)
    {
        if (!Directory.Exists(directory))
            return [];
        return [.. new DirectoryInfo(directory).EnumerateFiles("*" + HistorySuffix)
            .Select(f => (Name: f.Name[..^HistorySuffix.Length], Modified: f.LastWriteTimeUtc))
            .Where(r => IsValidName(r.Name))
            .OrderByDescending(r => r.Modified)];
    }

    /// <summary>The history file of run <paramref name="name"/> in <paramref name="directory"/>.</summary>
    public static string HistoryPath(string directory, string name) => Resolve(directory, name, HistorySuffix);

    /// <summary>The model file of run <paramref name="name"/> in <paramref name="directory"/>.</summary>
    public static string ModelPath(string directory, string name) => Resolve(directory, name, ".safetensors");

    private static string Resolve(string directory, string name, string suffix)
    {
        if (!IsValidName(name))
            throw new ArgumentException($"runs: '{name}' is not a run name (letters, digits, '.', '_' and '-' only).");
        string root = Path.GetFullPath(directory);
        string path = Path.GetFullPath(Path.Combine(root, name + suffix));
        if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"runs: '{name}' does not name a file inside {directory}.");
        return path;
    }

    /// <summary>
    /// Reads a history CSV as <c>cortex train</c> and Studio write it (epoch, train_loss, train_accuracy, val_loss,
    /// val_accuracy, lr, seconds, images_per_second); refuses anything else with the file and line.
    /// </summary>
    public static IReadOnlyList<EpochPoint> ReadHistory(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
            throw new FileNotFoundException($"{path}: no such history file.", path);
        if (file.Length > MaxHistoryBytes)
            throw new InvalidDataException($"{path}: {file.Length:N0} bytes is larger than a history can be ({MaxHistoryBytes:N0}).");
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || !lines[0].Trim().StartsWith("epoch,train_loss,train_accuracy", StringComparison.Ordinal))
            throw new InvalidDataException($"{path}: not a training history (expected the header 'epoch,train_loss,train_accuracy,…').");
        var points = new List<EpochPoint>(lines.Length - 1);
        for (int i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
                continue;
            var cells = lines[i].Split(',');
            if (cells.Length < 7 || !int.TryParse(cells[0], NumberStyles.None, CultureInfo.InvariantCulture, out int epoch))
                throw new InvalidDataException($"{path}: line {i + 1}: expected 8 comma-separated values starting with the epoch, got '{Clip(lines[i])}'.");
            points.Add(new EpochPoint(epoch, null, Cell(cells, 1), Cell(cells, 2), Cell(cells, 3), Cell(cells, 4), Cell(cells, 5), Cell(cells, 6)));
        }
        return points;

        double? Cell(string[] cells, int index) =>
            index < cells.Length && double.TryParse(cells[index], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v : null;
    }

    private static string Clip(string line) => line.Length <= 60 ? line : line[..60] + "…";
}
