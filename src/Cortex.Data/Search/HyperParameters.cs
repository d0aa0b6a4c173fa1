// HyperParameters.cs — one configuration of a search (name → number or string), and its JSON
// file, the one `cortex train --config FILE` reads:
//   {"lr": 0.0012, "weight_decay": 3.1e-05, "optimizer": "adam", "batch_size": 64}
// Numbers that are whole are written as integers. Keys starting with '_' (the search writes
// "_search": {...} with the score) are metadata, ignored on reading.
using System.Globalization;
using System.Text;
using System.Text.Json;
using Cortex.Serialization;

namespace Cortex.Data.Search;

/// <summary>A hyper-parameter configuration: names mapped to numbers (double) or strings.</summary>
/// <example><code>
/// var config = new HyperParameters(new Dictionary&lt;string, object&gt; { ["lr"] = 1e-3, ["optimizer"] = "adam" });
/// double lr = config.GetDouble("lr");
/// config.WriteJson("best.json");
/// </code></example>
public sealed class HyperParameters
{
    private readonly SortedDictionary<string, object> _values = new(StringComparer.Ordinal);

    /// <summary>A configuration holding <paramref name="values"/> (doubles, ints or strings).</summary>
    public HyperParameters(IEnumerable<KeyValuePair<string, object>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var (key, value) in values)
        {
            _values[key] = value switch
            {
                int i => (double)i,
                float f => (double)f,
                long l => (double)l,
                double or string => value,
                _ => throw new ArgumentException($"HyperParameters: '{key}' must be a number or a string, got {value?.GetType().Name ?? "null"}.", nameof(values)),
            };
        }
    }

    /// <summary>The names, sorted ordinally.</summary>
    public IEnumerable<string> Names => _values.Keys;

    /// <summary>The values by name.</summary>
    public IReadOnlyDictionary<string, object> Values => _values;

    /// <summary>Whether <paramref name="name"/> is set.</summary>
    public bool Contains(string name) => _values.ContainsKey(name);

    /// <summary>The number named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">It is not set.</exception>
    /// <exception cref="InvalidCastException">It is a string.</exception>
    public double GetDouble(string name) => _values.TryGetValue(name, out var v)
        ? v as double? ?? throw new InvalidCastException($"HyperParameters: '{name}' is '{v}', expected a number.")
        : throw new KeyNotFoundException($"HyperParameters: '{name}' is not set (have {string.Join(", ", _values.Keys)}).");

    /// <summary>The value named <paramref name="name"/> as text.</summary>
    public string GetString(string name) => _values.TryGetValue(name, out var v)
        ? Format(v)
        : throw new KeyNotFoundException($"HyperParameters: '{name}' is not set (have {string.Join(", ", _values.Keys)}).");

    /// <summary>A value as text: numbers in invariant culture, shortest round-trip form.</summary>
    public static string Format(object value) => value is double d ? d.ToString("R", CultureInfo.InvariantCulture) : value.ToString() ?? "";

    /// <summary>"lr=0.001234 optimizer=adam": numbers to 4 significant digits, for display.</summary>
    public override string ToString() => string.Join(" ", _values.Select(kv =>
        $"{kv.Key}={(kv.Value is double d ? d.ToString("G4", CultureInfo.InvariantCulture) : kv.Value)}"));

    /// <summary>The configuration as a JSON object, with optional metadata written under <c>"_search"</c>.</summary>
    public string ToJson(IReadOnlyDictionary<string, object>? metadata = null)
    {
        using var memory = new MemoryStream();
        using (var json = new Utf8JsonWriter(memory, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            foreach (var (key, value) in _values)
                WriteValue(json, key, value);
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("_search");
                foreach (var (key, value) in metadata)
                    WriteValue(json, key, value);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(memory.ToArray()) + "\n";
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> (whole or not at all).</summary>
    public void WriteJson(string path, IReadOnlyDictionary<string, object>? metadata = null) => AtomicWrite.AllText(path, ToJson(metadata));

    /// <summary>Reads a configuration file: a JSON object of numbers and strings (keys starting with '_' are skipped).</summary>
    /// <exception cref="InvalidDataException">The file is not such an object; the message names the file and the key.</exception>
    public static HyperParameters ReadJson(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ParseJson(File.ReadAllText(path), path);
    }

    /// <summary>Parses a configuration from JSON text; <paramref name="name"/> names it in errors.</summary>
    public static HyperParameters ParseJson(string text, string name = "config")
    {
        ArgumentNullException.ThrowIfNull(text);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"HyperParameters: {name}: not valid JSON ({e.Message}).", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"HyperParameters: {name}: expected a JSON object like {{\"lr\": 0.001}}, got a {document.RootElement.ValueKind}.");
            var values = new List<KeyValuePair<string, object>>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name.StartsWith('_'))
                    continue;
                object value = property.Value.ValueKind switch
                {
                    JsonValueKind.Number => property.Value.GetDouble(),
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => throw new InvalidDataException(
                        $"HyperParameters: {name}: expected '{property.Name}' to be a number or a string, got a {property.Value.ValueKind}."),
                };
                values.Add(new(property.Name, value));
            }
            return new HyperParameters(values);
        }
    }

    private static void WriteValue(Utf8JsonWriter json, string key, object value)
    {
        switch (value)
        {
            case double d when Math.Abs(d) < 1e15 && d == Math.Floor(d):
                json.WriteNumber(key, (long)d);
                break;
            case double d when double.IsFinite(d):
                json.WriteNumber(key, d);
                break;
            case double d:
                json.WriteString(key, d.ToString(CultureInfo.InvariantCulture));
                break;
            case int i:
                json.WriteNumber(key, i);
                break;
            default:
                json.WriteString(key, Format(value));
                break;
        }
    }
}
