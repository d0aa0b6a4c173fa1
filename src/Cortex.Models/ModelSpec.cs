// ModelSpec.cs — what a model file stores as its architecture: the zoo builder's name, the number
// of classes, the input shape (C, H, W) and the builder's own options. Building a spec twice gives
// the same architecture, so a spec plus the saved weights restores a model exactly.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cortex.Tensors;

namespace Cortex.Models;

/// <summary>The architecture of a zoo model: builder name, classes, input shape and options.</summary>
/// <example><code>
/// var spec = new ModelSpec("lenet5", NumClasses: 10, Input: new Shape(1, 28, 28));
/// Layer model = spec.Build();
/// string json = spec.ToJson();   // {"model":"lenet5","num_classes":10,"input":[1,28,28],"options":{}}
/// </code></example>
public sealed record ModelSpec(string Model, int NumClasses, Shape Input, IReadOnlyDictionary<string, string>? Options = null)
{
    // The option keys builders have read on this thread while ModelZoo builds (null otherwise), so that
    // an option no builder reads (a typo, --init on a model without initializers) can be reported.
    [ThreadStatic]
    private static HashSet<string>? _readKeys;

    internal static HashSet<string>? ReadKeys
    {
        get => _readKeys;
        set => _readKeys = value;
    }

    /// <summary>
    /// What the model was trained on: the data source, its class names and how images were prepared;
    /// null for a spec that was not trained (or a file written before Cortex recorded it).
    /// </summary>
    public ModelDataInfo? Data { get; init; }

    /// <summary>The value of option <paramref name="key"/>, or null.</summary>
    public string? Option(string key)
    {
        _readKeys?.Add(key);
        return Options is not null && Options.TryGetValue(key, out var v) ? v : null;
    }

    /// <summary>A boolean option ("true"/"false"), or <paramref name="fallback"/>.</summary>
    public bool Flag(string key, bool fallback = false) =>
        Option(key) is not { } v ? fallback
        : bool.TryParse(v, out bool b) ? b
        : throw new FormatException($"ModelSpec: option '{key}' must be true or false, got '{v}'.");

    /// <summary>A numeric option, or <paramref name="fallback"/>.</summary>
    public double Number(string key, double fallback) =>
        Option(key) is not { } v ? fallback
        : double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) ? d
        : throw new FormatException($"ModelSpec: option '{key}' must be a finite number, got '{v}'.");

    /// <summary>
    /// The weight initializer option "init" (an <see cref="Initializers.Init.Parse"/> spec: "he", "xavier_uniform",
    /// "normal:0.01", "zeros"), or null for each layer's default. "zeros" builds a model quickly (for counting).
    /// </summary>
    public Initializers.Initializer? WeightInit => Option("init") is { } text ? Initializers.Init.Parse(text) : null;

    /// <summary>Builds the model through the zoo (within <see cref="ModelLimits.Default"/>).</summary>
    public Layers.Layer Build() => ModelZoo.Create(this);

    /// <summary>The spec as compact JSON.</summary>
    public string ToJson()
    {
        var options = new JsonObject();
        if (Options is not null)
        {
            foreach (var (k, v) in Options.OrderBy(p => p.Key, StringComparer.Ordinal))
                options[k] = v;
        }
        var input = new JsonArray();
        foreach (int d in Input.Dimensions)
            input.Add((JsonNode)JsonValue.Create(d));
        var json = new JsonObject
        {
            ["model"] = Model,
            ["num_classes"] = NumClasses,
            ["input"] = input,
            ["options"] = options,
        };
        if (Data is not null)
        {
            var classes = new JsonArray();
            foreach (string name in Data.ClassNames)
                classes.Add((JsonNode?)JsonValue.Create(name));
            json["data"] = new JsonObject
            {
                ["source"] = Data.Source,
                ["classes"] = classes,
                ["preprocessing"] = Data.Preprocessing,
            };
        }
        return json.ToJsonString();
    }

    /// <summary>Most class names a spec may list (as many as <see cref="ModelLimits.DefaultMaxParameters"/> could classify is far more than any data set).</summary>
    public const int MaxClassNames = 1_000_000;

    /// <summary>Reads a spec written by <see cref="ToJson"/>; refuses anything else with a <see cref="FormatException"/> saying what is wrong.</summary>
    public static ModelSpec FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new FormatException($"ModelSpec: the architecture is not valid JSON ({e.Message}).", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new FormatException($"ModelSpec: expected a JSON object, got {root.ValueKind}.");
            string model = String(root, "model") ?? throw new FormatException("ModelSpec: the architecture has no \"model\" name.");
            if (!root.TryGetProperty("num_classes", out var classesElement))
                throw new FormatException("ModelSpec: the architecture has no \"num_classes\".");
            if (!TryInt(classesElement, out int classes))
                throw new FormatException($"ModelSpec: \"num_classes\" must be a 32-bit integer, got {Text(classesElement)}.");
            if (!root.TryGetProperty("input", out var inputElement) || inputElement.ValueKind != JsonValueKind.Array)
                throw new FormatException("ModelSpec: the architecture has no \"input\" shape array.");
            if (inputElement.GetArrayLength() > 8)
                throw new FormatException($"ModelSpec: \"input\" has {inputElement.GetArrayLength()} dimensions; expected (C, H, W).");
            var dims = new int[inputElement.GetArrayLength()];
            int i = 0;
            foreach (var d in inputElement.EnumerateArray())
            {
                if (!TryInt(d, out dims[i]) || dims[i] < 1)
                    throw new FormatException($"ModelSpec: \"input\" sizes must be positive 32-bit integers, got {Text(d)}.");
                i++;
            }
            Shape input;
            try
            {
                input = new Shape(dims);
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"ModelSpec: \"input\" is too large ({e.Message}).", e);
            }
            var options = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("options", out var o))
            {
                if (o.ValueKind != JsonValueKind.Object)
                    throw new FormatException("ModelSpec: \"options\" must be an object of strings.");
                foreach (var item in o.EnumerateObject())
                {
                    options[item.Name] = item.Value.ValueKind == JsonValueKind.String ? item.Value.GetString()!
                        : throw new FormatException($"ModelSpec: option '{item.Name}' must be a string, got {Text(item.Value)}.");
                }
            }
            return new ModelSpec(model, classes, input, options) { Data = ReadData(root) };
        }
    }

    private static bool TryInt(JsonElement e, out int value)
    {
        value = 0;
        return e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out value);
    }

    private static ModelDataInfo? ReadData(JsonElement root)
    {
        if (!root.TryGetProperty("data", out var data))
            return null;
        if (data.ValueKind != JsonValueKind.Object)
            throw new FormatException("ModelSpec: \"data\" must be an object (source, classes, preprocessing).");
        var names = new List<string>();
        if (data.TryGetProperty("classes", out var classes))
        {
            if (classes.ValueKind != JsonValueKind.Array || classes.GetArrayLength() > MaxClassNames)
                throw new FormatException($"ModelSpec: \"data.classes\" must be an array of at most {MaxClassNames} strings.");
            foreach (var c in classes.EnumerateArray())
                names.Add(c.ValueKind == JsonValueKind.String ? c.GetString()! : throw new FormatException($"ModelSpec: class names must be strings, got {Text(c)}."));
        }
        return new ModelDataInfo(String(data, "source") ?? "", names, String(data, "preprocessing") ?? "");
    }

    private static string? String(JsonElement obj, string key)
    {
        if (!obj.TryGetProperty(key, out var value))
            return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString()
            : throw new FormatException($"ModelSpec: \"{key}\" must be a string, got {Text(value)}.");
    }

    // A short rendering of a JSON value for a message (never the whole of a long one).
    private static string Text(JsonElement e)
    {
        string raw = e.GetRawText();
        return raw.Length <= 40 ? raw : raw[..40] + "…";
    }

    public bool Equals(ModelSpec? other) => other is not null && ToJson() == other.ToJson();

    public override int GetHashCode() => ToJson().GetHashCode(StringComparison.Ordinal);
}

/// <summary>What a model was trained on, as recorded in its file.</summary>
/// <param name="Source">The data source as `cortex train --data` named it (digits, fashion-mnist, a folder path).</param>
/// <param name="ClassNames">The class names, label k being ClassNames[k].</param>
/// <param name="Preprocessing">How images were prepared, e.g. "pixels/255" or "decode to 3 channels, bilinear resize to 150x150, pixels/255".</param>
public sealed record ModelDataInfo(string Source, IReadOnlyList<string> ClassNames, string Preprocessing)
{
    public bool Equals(ModelDataInfo? other) =>
        other is not null && Source == other.Source && Preprocessing == other.Preprocessing && ClassNames.SequenceEqual(other.ClassNames);

    public override int GetHashCode() => HashCode.Combine(Source, Preprocessing, ClassNames.Count);
}
