// ModelFile.cs — one file holds a model: its parameters and buffers as safetensors, keyed by
// PyTorch-style paths (features.0.weight, layer1.0.bn1.running_var), and its architecture as
// JSON in the safetensors metadata under "cortex.architecture".
//
// What "architecture" means is decided by whoever builds models (the zoo writes a JSON spec that
// names the builder and its options); this file only stores and checks it.
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Serialization;

/// <summary>Saves and loads a model's weights and architecture in one safetensors file.</summary>
/// <example><code>
/// ModelFile.Save(model, "lenet5.safetensors", architecture: """{"model":"lenet5"}""");
/// ModelFile.LoadWeights(sameShapedModel, "lenet5.safetensors");
/// </code></example>
public static class ModelFile
{
    /// <summary>The metadata key holding the architecture JSON.</summary>
    public const string ArchitectureKey = "cortex.architecture";

    /// <summary>Saves every parameter and buffer of <paramref name="model"/>, atomically.</summary>
    public static void Save(Layer model, string path, string? architecture = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["producer"] = "cortex" };
        if (architecture is not null)
            metadata[ArchitectureKey] = architecture;
        SafeTensors.Save(path, StateDict(model), metadata);
    }

    /// <summary>The architecture JSON stored in <paramref name="path"/>, or null if it has none.</summary>
    public static string? ReadArchitecture(string path) =>
        SafeTensors.Load(path).Metadata.TryGetValue(ArchitectureKey, out var json) ? json : null;

    /// <summary>
    /// Copies the tensors of <paramref name="path"/> into <paramref name="model"/>'s parameters and
    /// buffers. Every key must be present with the same shape and every value finite; the model is left unchanged if not.
    /// </summary>
    public static SafeTensorsContent LoadWeights(Layer model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        var content = SafeTensors.Load(path);
        LoadWeights(model, content, path);
        return content;
    }

    /// <summary>Copies already-read tensors into <paramref name="model"/> (see <see cref="LoadWeights(Layer, string)"/>).</summary>
    public static void LoadWeights(Layer model, SafeTensorsContent content, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(content);
        var stored = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, value) in content.Tensors)
            stored[key] = value;

        var targets = StateDict(model).ToList();
        var missing = targets.Where(t => !stored.ContainsKey(t.Key)).Select(t => t.Key).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{sourceName}: the file lacks {missing.Count} tensor(s) the model needs, e.g. {string.Join(", ", missing.Take(5))}. Was it saved from a different architecture?");
        foreach (var (key, value) in targets)
        {
            if (stored[key].Shape != value.Shape)
                throw new InvalidDataException($"{sourceName}: tensor '{key}' has shape {stored[key].Shape} in the file but {value.Shape} in the model.");
        }
        var known = targets.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
        var extra = stored.Keys.Where(k => !known.Contains(k)).ToList();
        if (extra.Count > 0)
            throw new InvalidDataException($"{sourceName}: the file has {extra.Count} tensor(s) the model does not, e.g. {string.Join(", ", extra.Take(5))}.");
        foreach (var (key, _) in targets)
            CheckFinite(stored[key], key, sourceName);
        foreach (var (key, value) in targets)
            stored[key].Span.CopyTo(value.Span);
    }

    // A NaN or infinite weight makes every prediction meaningless (a NaN logit wins no argmax: class 0
    // for everything), so such a file is refused rather than loaded.
    private static void CheckFinite(Tensor tensor, string key, string sourceName)
    {
        var span = tensor.Span;
        for (int i = 0; i < span.Length; i++)
        {
            if (!float.IsFinite(span[i]))
            {
                int count = 0;
                foreach (float v in span)
                    count += float.IsFinite(v) ? 0 : 1;
                throw new InvalidDataException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{sourceName}: tensor '{key}' holds {count} non-finite value(s) (NaN or infinity), the first at index {i} ({span[i]}); the model is refused. Was it saved after training diverged?"));
            }
        }
    }

    /// <summary>Parameters then buffers, each under its dotted key, in model order.</summary>
    public static IEnumerable<(string Key, Tensor Value)> StateDict(Layer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var (key, p) in model.NamedParameters())
            yield return (key, p.Value);
        foreach (var (key, value) in model.NamedBuffers())
            yield return (key, value);
    }
}
