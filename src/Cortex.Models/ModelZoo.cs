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

    /// <summary>Builds the model a spec describes within <see cref="ModelLimits.Default"/>, and checks that it accepts the spec's input.</summary>
    public static Layer Create(ModelSpec spec) => Create(spec, null, out _);

    /// <summary>Builds the model a spec describes within <paramref name="limits"/> (default <see cref="ModelLimits.Default"/>).</summary>
    public static Layer Create(ModelSpec spec, ModelLimits? limits) => Create(spec, limits, out _);

    /// <summary>
    /// Builds the model a spec describes. The input and the class count are checked against <paramref name="limits"/>
    /// before any layer is built, the parameters while the layers are built (each layer before it allocates), and the
    /// activation values of one forward pass from the shapes afterwards; a spec past a limit is refused with
    /// <see cref="InvalidDataException"/>. <paramref name="unusedOptions"/> lists the spec's options that the builder
    /// never read (a misspelt key, <c>init</c> on a model without initializers); "seed" is never listed.
    /// </summary>
    public static Layer Create(ModelSpec spec, ModelLimits? limits, out IReadOnlyList<string> unusedOptions)
    {
        ArgumentNullException.ThrowIfNull(spec);
        limits ??= ModelLimits.Default;
        limits.Validate();
        var info = Find(spec.Model);
        string what = Describe(spec);
        if (spec.NumClasses < 1)
            throw new ArgumentOutOfRangeException(nameof(spec), $"ModelZoo: expected at least 1 class, got {spec.NumClasses}.");
        if (spec.Input.Rank != 3)
            throw new ArgumentException($"ModelZoo: expected an input shape (C, H, W), got {spec.Input}.", nameof(spec));
        if (spec.Input.Dimensions.ToArray().Any(d => d > limits.MaxInputSide))
            throw new InvalidDataException(Invariant($"{what}: input {spec.Input} has a side above the limit of {limits.MaxInputSide:N0}; refused before building. {ModelLimits.Hint}"));
        if (spec.Input.Size > limits.MaxActivationValues)
            throw new InvalidDataException(Invariant($"{what}: input {spec.Input} holds {spec.Input.Size:N0} values, above the limit of {limits.MaxActivationValues:N0} activation values per image; refused before building. {ModelLimits.Hint}"));
        if (spec.NumClasses > limits.MaxParameters)
            throw new InvalidDataException(Invariant($"{what}: {spec.NumClasses:N0} classes need more than the limit of {limits.MaxParameters:N0} parameters; refused before building. {ModelLimits.Hint}"));

        Layer model;
        var read = new HashSet<string>(StringComparer.Ordinal);
        var outer = ModelSpec.ReadKeys;
        ModelSpec.ReadKeys = read;
        try
        {
            using (ParameterBudget.Limit(limits.MaxParameters, what, ModelLimits.Hint))
            {
                model = info.Build(spec);
                if (spec.Option("head") is { } head)
                {
                    // a fine-tuned model: the base's architecture with the head it was given (TransferHeads.cs)
                    if (model is not Sequential chain)
                        throw new ArgumentException($"ModelZoo: '{spec.Model}' builds a {model.Kind}, not a Sequential, so its head cannot be replaced.", nameof(spec));
                    HeadSpec.Parse(head).Apply(chain, spec.Input, spec.NumClasses, new CortexRandom((ulong)spec.Number("seed", 0) ^ 0x4EADUL));
                }
            }
        }
        finally
        {
            ModelSpec.ReadKeys = outer;
        }
        model.OutputShape(new Shape([1, .. spec.Input.Dimensions]));   // fail now, not at the first batch
        long activations = Diagnostics.ModelSummary.Create(model, spec.Input).ActivationValues;
        if (activations > limits.MaxActivationValues)
            throw new InvalidDataException(Invariant($"{what}: one image's forward pass holds {activations:N0} activation values, above the limit of {limits.MaxActivationValues:N0}; refused before running it. {ModelLimits.Hint}"));
        unusedOptions = [.. (spec.Options?.Keys ?? []).Where(k => k != "seed" && !read.Contains(k)).Order(StringComparer.Ordinal)];
        return model;
    }

    // "lenet5 (1×28×28 → 20,000,000 classes)", how a refusal names the model it refuses.
    private static string Describe(ModelSpec spec) =>
        Invariant($"ModelZoo: {spec.Model} ({string.Join("×", spec.Input.Dimensions.ToArray())} → {spec.NumClasses:N0} classes)");

    private static string Invariant(FormattableString text) => text.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Saves <paramref name="model"/> and its <paramref name="spec"/> to one file (atomically).</summary>
    public static void Save(Layer model, ModelSpec spec, string path)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ModelFile.Save(model, path, spec.ToJson());
    }

    /// <summary>
    /// Rebuilds the model stored in <paramref name="path"/> (within <paramref name="limits"/>, default
    /// <see cref="ModelLimits.Default"/>) and loads its weights; every refusal names the file.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a Cortex model, describes a model past the limits, or holds non-finite weights.</exception>
    public static (Layer Model, ModelSpec Spec) Load(string path, ModelLimits? limits = null) =>
        Load(SafeTensors.Load(path), path, limits);

    /// <summary>Rebuilds the model held in already-read safetensors <paramref name="content"/>; <paramref name="path"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The content is not a Cortex model, describes a model past the limits, or holds non-finite weights.</exception>
    public static (Layer Model, ModelSpec Spec) Load(SafeTensorsContent content, string path, ModelLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!content.Metadata.TryGetValue(ModelFile.ArchitectureKey, out var json))
            throw new InvalidDataException($"{path}: the file holds weights but no Cortex architecture (metadata '{ModelFile.ArchitectureKey}'); load it into a model you build with ModelFile.LoadWeights.");
        ModelSpec spec;
        Layer model;
        try
        {
            spec = ModelSpec.FromJson(json);
            model = Create(spec, limits);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: its architecture is refused: {e.Message}", e);
        }
        ModelFile.LoadWeights(model, content, path);
        return (model, spec);
    }
}
