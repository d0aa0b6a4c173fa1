// ModelZoo.cs — the catalogue of named architectures: build one by name, list them, and save or
// load a model together with its spec in one safetensors file.
using Cortex.Layers;
using Cortex.Serialization;
using Cortex.Tensors;

namespace Cortex.Models;

/// <summary>One entry of the zoo.</summary>
/// <param name="Name">The name used on the command line and in model files (<c>lenet5</c>).</param>
/// <param name="Description">One line for <c>cortex summary --list</c>.</param>
/// <param name="DefaultInput">The input (C, H, W) the model was designed for.</param>
/// <param name="DefaultClasses">The number of classes it was designed for.</param>
/// <param name="Build">Builds the model from a spec.</param>
/// <param name="SmallInput">
/// A small input (C, H, W) the architecture still accepts, for quick checks (<c>cortex gradcheck</c>, tests);
/// null when the default input is small already.
/// </param>
/// <param name="Pretrained">
/// True when <paramref name="Build"/> loads learnt weights (an imported ImageNet network) rather than
/// drawing random ones: <c>cortex finetune NAME</c> then starts from them. Such a builder must honour
/// the spec's NumClasses or leave the head to the spec's <c>head</c> option (see <see cref="HeadSpec"/>).
/// </param>
public sealed record ModelInfo(string Name, string Description, Shape DefaultInput, int DefaultClasses, Func<ModelSpec, Layer> Build, Shape? SmallInput = null, bool Pretrained = false)
{
    /// <summary><see cref="SmallInput"/>, or the default input when none is given.</summary>
    public Shape QuickInput => SmallInput ?? DefaultInput;
}

/// <summary>Builds the classic architectures by name.</summary>
/// <example><code>
/// Layer lenet = ModelZoo.Create("lenet5");                        // 1×28×28 → 10 classes
/// Layer vgg = ModelZoo.Create("vgg16", numClasses: 2, input: new Shape(3, 150, 150));
/// </code></example>
public static class ModelZoo
{
    private static readonly List<ModelInfo> Entries = [];

    static ModelZoo()
    {
        LeNet5.Register();
        SimpleConvNet.Register();
        ConvNetJsCifar.Register();
        CatsDogs.Register();
        AlexNet.Register();
        Vgg.Register();
        Nin.Register();
        GoogLeNet.Register();
        ResNet.Register();
    }

    /// <summary>Every model, in the order <c>cortex summary --list</c> shows them.</summary>
    public static IReadOnlyList<ModelInfo> Models => Entries;

    /// <summary>Adds a builder (used by the model families; also open to applications).</summary>
    public static void Register(ModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (Entries.Any(e => string.Equals(e.Name, info.Name, StringComparison.OrdinalIgnoreCase)))
            throw new ArgumentException($"ModelZoo: a model named '{info.Name}' is already registered.", nameof(info));
        Entries.Add(info);
    }

    /// <summary>The entry named <paramref name="name"/> (case-insensitive); a wrong name lists the available ones.</summary>
    public static ModelInfo Find(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"ModelZoo: no model named '{name}'. Available: {string.Join(", ", Entries.Select(e => e.Name))}.", nameof(name));
    }

    /// <summary>A spec for <paramref name="name"/> with its defaults where arguments are null.</summary>
    public static ModelSpec Spec(string name, int? numClasses = null, Shape? input = null, IReadOnlyDictionary<string, string>? options = null)
    {
        var info = Find(name);
        return new ModelSpec(info.Name, numClasses ?? info.DefaultClasses, input ?? info.DefaultInput, options ?? new Dictionary<string, string>());
    }

    /// <summary>Builds <paramref name="name"/> for <paramref name="numClasses"/> classes and input (C, H, W).</summary>
    public static Layer Create(string name, int? numClasses = null, Shape? input = null, IReadOnlyDictionary<string, string>? options = null) =>
        Create(Spec(name, numClasses, input, options));

    /// <summary>Builds the model a spec describes, and checks that it accepts the spec's input.</summary>
    public static Layer Create(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.NumClasses < 1)
            throw new ArgumentOutOfRangeException(nameof(spec), $"ModelZoo: expected at least 1 class, got {spec.NumClasses}.");
        if (spec.Input.Rank != 3)
            throw new ArgumentException($"ModelZoo: expected an input shape (C, H, W), got {spec.Input}.", nameof(spec));
        var model = Find(spec.Model).Build(spec);
        if (spec.Option("head") is { } head)
        {
            // a fine-tuned model: the base's architecture with the head it was given (TransferHeads.cs)
            if (model is not Sequential chain)
                throw new ArgumentException($"ModelZoo: '{spec.Model}' builds a {model.Kind}, not a Sequential, so its head cannot be replaced.", nameof(spec));
            HeadSpec.Parse(head).Apply(chain, spec.Input, spec.NumClasses, new CortexRandom((ulong)spec.Number("seed", 0) ^ 0x4EADUL));
        }
        model.OutputShape(new Shape([1, .. spec.Input.Dimensions]));   // fail now, not at the first batch
        return model;
    }

    /// <summary>Saves <paramref name="model"/> and its <paramref name="spec"/> to one file (atomically).</summary>
    public static void Save(Layer model, ModelSpec spec, string path)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ModelFile.Save(model, path, spec.ToJson());
    }

    /// <summary>Rebuilds the model stored in <paramref name="path"/> and loads its weights.</summary>
    public static (Layer Model, ModelSpec Spec) Load(string path)
    {
        var content = SafeTensors.Load(path);
        if (!content.Metadata.TryGetValue(ModelFile.ArchitectureKey, out var json))
            throw new InvalidDataException($"{path}: the file holds weights but no Cortex architecture (metadata '{ModelFile.ArchitectureKey}'); load it into a model you build with ModelFile.LoadWeights.");
        var spec = ModelSpec.FromJson(json);
        var model = Create(spec);
        ModelFile.LoadWeights(model, content, path);
        return (model, spec);
    }
}
