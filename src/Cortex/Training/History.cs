// History.cs — the per-epoch record of a training run, saved as CSV or JSON (atomically).
using System.Globalization;
using System.Text;
using System.Text.Json;
using Cortex.Serialization;

namespace Cortex.Training;

/// <summary>The epochs of a training run, in order.</summary>
/// <example><code>
/// History history = trainer.Fit(train, validation);
/// history.SaveCsv("history.csv");   // epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds,images_per_second
/// </code></example>
public sealed class History
{
    private readonly List<EpochRecord> _epochs = [];

    /// <summary>The recorded epochs.</summary>
    public IReadOnlyList<EpochRecord> Epochs => _epochs;

    /// <summary>The last epoch, or null before the first ends.</summary>
    public EpochRecord? Last => _epochs.Count == 0 ? null : _epochs[^1];

    /// <summary>Why training ended early (early stopping, divergence, cancellation), or null if it ran all epochs.</summary>
    public string? StopReason { get; internal set; }

    internal void Add(EpochRecord record) => _epochs.Add(record);

    /// <summary>The column names of <see cref="ToCsv"/>.</summary>
    public const string CsvHeader = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds,images_per_second";

    /// <summary>The history as CSV, one line per epoch, invariant culture; empty cells for missing validation.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder(CsvHeader).Append('\n');
        foreach (var e in _epochs)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"{e.Epoch},{F(e.TrainLoss)},{F(e.TrainAccuracy)},{F(e.ValidationLoss)},{F(e.ValidationAccuracy)},{F(e.LearningRate)},{F(e.Seconds)},{F(e.ImagesPerSecond)}\n");
        }
        return sb.ToString();

        static string F(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>The history as a JSON object: <c>{"stop_reason": ..., "epochs": [{...}, ...]}</c>.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            if (StopReason is null)
                json.WriteNull("stop_reason");
            else
                json.WriteString("stop_reason", StopReason);
            json.WriteStartArray("epochs");
            foreach (var e in _epochs)
            {
                json.WriteStartObject();
                json.WriteNumber("epoch", e.Epoch);
                Number(json, "train_loss", e.TrainLoss);
                Number(json, "train_accuracy", e.TrainAccuracy);
                Number(json, "val_loss", e.ValidationLoss);
                Number(json, "val_accuracy", e.ValidationAccuracy);
                Number(json, "lr", e.LearningRate);
                Number(json, "seconds", e.Seconds);
                Number(json, "images_per_second", e.ImagesPerSecond);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());

        static void Number(Utf8JsonWriter json, string name, double value)
        {
            if (double.IsFinite(value))
                json.WriteNumber(name, value);
            else
                json.WriteNull(name);
        }
    }

    /// <summary>Reads a history written by <see cref="ToJson"/> (missing or null numbers read as NaN).</summary>
    /// <exception cref="FormatException">The text is not such a history.</exception>
    public static History FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var history = new History();
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.TryGetProperty("stop_reason", out var reason) && reason.ValueKind == JsonValueKind.String)
                history.StopReason = reason.GetString();
            foreach (var e in root.GetProperty("epochs").EnumerateArray())
            {
                history.Add(new EpochRecord(
                    e.GetProperty("epoch").GetInt32(), Number(e, "train_loss"), Number(e, "train_accuracy"),
                    Number(e, "val_loss"), Number(e, "val_accuracy"), Number(e, "lr"), Number(e, "seconds"), Number(e, "images_per_second")));
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new FormatException($"History.FromJson: not a training history ({e.Message}).", e);
        }
        return history;

        static double Number(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
    }

    /// <summary>Writes <see cref="ToCsv"/> to <paramref name="path"/> atomically.</summary>
    public void SaveCsv(string path) => AtomicWrite.AllText(path, ToCsv());

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> atomically.</summary>
    public void SaveJson(string path) => AtomicWrite.AllText(path, ToJson());

    /// <summary>Saves as JSON when the path ends in .json, else as CSV.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            SaveJson(path);
        else
            SaveCsv(path);
    }
}
