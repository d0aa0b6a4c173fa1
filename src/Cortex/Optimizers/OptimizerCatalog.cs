// OptimizerCatalog.cs — optimizers by name, for the command line and configuration files.
// Names are case-insensitive and follow PyTorch/Keras spelling: sgd, momentum, nesterov,
// adagrad, rmsprop, adam, adamw, adadelta. Momentum and Nesterov take μ after a colon
// ("momentum:0.95"); "adam:nobias" is the lectures' slide Adam (no bias correction, ε 1e-7);
// every rule gets its own default learning rate unless one is given.
using System.Globalization;
using Cortex.Layers;

namespace Cortex.Optimizers;

/// <summary>Creates optimizers from names such as <c>"adam"</c> or <c>"momentum:0.9"</c>.</summary>
/// <example><code>var opt = OptimizerCatalog.Create("adam", model.AllParameters(), learningRate: 3e-4f);</code></example>
public static class OptimizerCatalog
{
    /// <summary>The names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "adadelta"];

    /// <summary>
    /// The optimizer named by <paramref name="spec"/> over <paramref name="parameters"/>, with
    /// <paramref name="learningRate"/> or, when null, the rule's default (SGD family, AdaGrad and
    /// RMSProp 0.01; Adam and AdamW 0.001; AdaDelta 1). <c>"adam:nobias"</c> is Adam without bias correction and with ε = 1e-7, as the lectures' slide writes it.
    /// </summary>
    public static Optimizer Create(string spec, IEnumerable<Parameter> parameters, float? learningRate = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(parameters);
        string text = spec.Trim();
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string name = (colon < 0 ? text : text[..colon]).Trim().ToLowerInvariant();
        string? argument = colon < 0 ? null : text[(colon + 1)..].Trim();
        bool noBias = name == "adam" && argument is not null && argument.Equals("nobias", StringComparison.OrdinalIgnoreCase);
        if (argument is not null && !noBias && name is not ("momentum" or "nesterov"))
            throw new FormatException($"OptimizerCatalog: '{spec}': only momentum and nesterov take an argument (μ), as in 'momentum:0.9', and adam only 'nobias' (the slide's Adam without bias correction).");
        float mu = argument is null || noBias ? 0.9f : ParseMu(spec, argument);
        return name switch
        {
            "sgd" => new Sgd(parameters, learningRate ?? 0.01f),
            "momentum" => new Momentum(parameters, learningRate ?? 0.01f, mu),
            "nesterov" => new Nesterov(parameters, learningRate ?? 0.01f, mu),
            "adagrad" => new AdaGrad(parameters, learningRate ?? 0.01f),
            "rmsprop" => new RmsProp(parameters, learningRate ?? 0.01f),
            "adam" when noBias => new Adam(parameters, learningRate ?? 1e-3f, epsilon: 1e-7f, biasCorrection: false),
            "adam" => new Adam(parameters, learningRate ?? 1e-3f),
            "adamw" => new AdamW(parameters, learningRate ?? 1e-3f),
            "adadelta" => new AdaDelta(parameters, learningRate ?? 1f),
            _ => throw new ArgumentException($"OptimizerCatalog: unknown optimizer '{spec}'. Expected one of: {string.Join(", ", Names)}.", nameof(spec)),
        };
    }

    private static float ParseMu(string spec, string argument) =>
        float.TryParse(argument, NumberStyles.Float, CultureInfo.InvariantCulture, out float mu)
            ? mu
            : throw new FormatException($"OptimizerCatalog: '{spec}': '{argument}' is not a number; expected μ as in 'momentum:0.9'.");
}
