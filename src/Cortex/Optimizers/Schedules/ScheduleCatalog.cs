// ScheduleCatalog.cs — learning-rate schedules by name, for the command line and config files:
//
//   constant                     the optimizer's rate throughout
//   step:S[,G]                   × G (default 0.5) every S epochs
//   exp:K                        α₀·e^(−K·t)
//   inv:K                        α₀/(1 + K·t)
//   cosine[:MIN]                 cosine annealing to MIN over the run's epochs
//   plateau[:PATIENCE[,FACTOR]]  × FACTOR (default 0.1) when validation accuracy stalls (AlexNet's rule)
//   warmup:W+<schedule>          linear warm-up over W epochs, then <schedule>
using System.Globalization;

namespace Cortex.Optimizers.Schedules;

/// <summary>Parses schedule specs such as <c>step:5,0.5</c> or <c>plateau:2</c>.</summary>
public static class ScheduleCatalog
{
    /// <summary>The schedule names, for help texts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["constant", "step:S[,G]", "exp:K", "inv:K", "cosine[:MIN]", "plateau[:P[,F]]", "warmup:W+SCHEDULE"];

    /// <summary>Builds the schedule <paramref name="spec"/> describes; <paramref name="epochs"/> sizes cosine annealing.</summary>
    public static ILearningRateSchedule Parse(string spec, int epochs)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string text = spec.Trim().ToLowerInvariant();
        if (text.StartsWith("warmup:", StringComparison.Ordinal))
        {
            int plus = text.IndexOf('+', StringComparison.Ordinal);
            if (plus < 0)
                throw Bad(spec, "warm-up needs an inner schedule, as in 'warmup:2+cosine'");
            int warm = (int)Number(spec, text[7..plus]);
            return new Warmup(Parse(text[(plus + 1)..], Math.Max(1, epochs - warm)), warm);
        }
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string name = colon < 0 ? text : text[..colon];
        double[] args = colon < 0 ? [] : text[(colon + 1)..].Split(',').Select(a => Number(spec, a)).ToArray();
        return name switch
        {
            "constant" or "none" => ConstantSchedule.Instance,
            "step" when args.Length is 1 or 2 => new StepDecay((int)args[0], args.Length > 1 ? (float)args[1] : 0.5f),
            "exp" when args.Length == 1 => new ExponentialDecay(args[0]),
            "inv" when args.Length == 1 => new InverseTimeDecay(args[0]),
            "cosine" when args.Length <= 1 => new CosineAnnealing(Math.Max(1, epochs), args.Length > 0 ? (float)args[0] : 0f),
            "plateau" when args.Length <= 2 => new ReduceOnPlateau(PlateauMode.Max,
                factor: args.Length > 1 ? (float)args[1] : 0.1f, patience: args.Length > 0 ? (int)args[0] : 2),
            "step" or "exp" or "inv" or "cosine" or "plateau" => throw Bad(spec, "wrong number of arguments"),
            _ => throw Bad(spec, "unknown schedule"),
        };
    }

    private static double Number(string spec, string text) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            ? v
            : throw Bad(spec, $"'{text}' is not a number");

    private static FormatException Bad(string spec, string why) =>
        new($"ScheduleCatalog: '{spec}': {why}. Expected one of: {string.Join(", ", Names)}.");
}
