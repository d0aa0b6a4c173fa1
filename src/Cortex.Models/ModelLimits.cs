// ModelLimits.cs — the most a model description may ask for before Cortex refuses to build it.
// A model file's architecture JSON is untrusted input: "num_classes": 20000000 on LeNet-5 asks for
// a 1.7-billion-weight layer (6.7 GB). The parameter cap is enforced while the layers are built
// (ParameterBudget: each layer reserves its count before allocating); the input and activation
// caps are checked from shapes alone, before any layer is built and before any batch is run.
//
// The defaults leave room for every model of the zoo at its designed input (the largest, VGG-19 at
// 3×224×224, has 143.7 M parameters and 16.5 M activation values per image; ResNet-152 60.2 M).
using System.Globalization;

namespace Cortex.Models;

/// <summary>Caps on what a model description may ask for; raise them for a genuinely larger model.</summary>
/// <example><code>
/// var (model, spec) = ModelZoo.Load("big.safetensors", new ModelLimits { MaxParameters = 1_000_000_000 });
/// </code></example>
public sealed record ModelLimits
{
    /// <summary>The limits used when none are given.</summary>
    public static ModelLimits Default { get; } = new();

    /// <summary>Default <see cref="MaxParameters"/>: 300 million (1.2 GB of float32).</summary>
    public const long DefaultMaxParameters = 300_000_000;

    /// <summary>Default <see cref="MaxActivationValues"/>: 2^28 values (1 GiB of float32) for one image's forward pass.</summary>
    public const long DefaultMaxActivationValues = 1L << 28;

    /// <summary>Default <see cref="MaxInputSide"/>: 16,384 pixels.</summary>
    public const int DefaultMaxInputSide = 16_384;

    /// <summary>Parameters plus buffers (batch-norm statistics) the model may hold.</summary>
    public long MaxParameters { get; init; } = DefaultMaxParameters;

    /// <summary>Values of the input and every layer's output for one image (what one forward pass keeps).</summary>
    public long MaxActivationValues { get; init; } = DefaultMaxActivationValues;

    /// <summary>The largest input height or width, and the largest channel count.</summary>
    public int MaxInputSide { get; init; } = DefaultMaxInputSide;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a limit is not positive.</summary>
    public void Validate()
    {
        if (MaxParameters < 1 || MaxActivationValues < 1 || MaxInputSide < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxParameters), string.Create(CultureInfo.InvariantCulture,
                $"ModelLimits: every limit must be positive, got parameters {MaxParameters}, activations {MaxActivationValues}, input side {MaxInputSide}."));
    }

    /// <summary>The option hint a refusal ends with.</summary>
    internal const string Hint = "If the model is genuine, raise the limit (--max-parameters / --max-activations on the command line, ModelLimits in code).";
}
