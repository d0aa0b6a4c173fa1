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
    /// <summary>The value of option <paramref name="key"/>, or null.</summary>
    public string? Option(string key) => Options is not null && Options.TryGetValue(key, out var v) ? v : null;

    /// <summary>A boolean option ("true"/"false"), or <paramref name="fallback"/>.</summary>
    public bool Flag(string key, bool fallback = false) =>
        Option(key) is { } v ? bool.Parse(v) : fallback;

    /// <summary>A numeric option, or <paramref name="fallback"/>.</summary>
    public double Number(string key, double fallback) =>
        Option(key) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    /// <summary>
    /// The weight initializer option "init" (an <see cref="Initializers.Init.Parse"/> spec: "he", "xavier_uniform",
    /// "normal:0.01", "zeros"), or null for each layer's default. "zeros" builds a model quickly (for counting).
    /// </summary>
    public Initializers.Initializer? WeightInit => Option("init") is { } text ? Initializers.Init.Parse(text) : null;

    /// <summary>Builds the model through the zoo.</summary>
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
        return json.ToJsonString();
    }

    /// <summary>Reads a spec written by <see cref="ToJson"/>; refuses anything else with a clear message.</summary>
    public static ModelSpec FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            var node = JsonNode.Parse(json)?.AsObject() ?? throw new FormatException("ModelSpec: expected a JSON object, got null.");
            string model = node["model"]?.GetValue<string>() ?? throw new FormatException("ModelSpec: the architecture has no \"model\" name.");
            int classes = node["num_classes"]?.GetValue<int>() ?? throw new FormatException("ModelSpec: the architecture has no \"num_classes\".");
            var dims = node["input"]?.AsArray().Select(d => d!.GetValue<int>()).ToArray() ?? throw new FormatException("ModelSpec: the architecture has no \"input\" shape.");
            var options = new Dictionary<string, string>(StringComparer.Ordinal);
            if (node["options"] is JsonObject o)
            {
                foreach (var (k, v) in o)
                    options[k] = v?.GetValue<string>() ?? "";
            }
            return new ModelSpec(model, classes, new Shape(dims), options);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            throw new FormatException($"ModelSpec: the architecture JSON is malformed ({e.Message}).", e);
        }
    }

    public bool Equals(ModelSpec? other) => other is not null && ToJson() == other.ToJson();

    public override int GetHashCode() => ToJson().GetHashCode(StringComparison.Ordinal);
}
