// Init.cs — the initializers by short name, and the parser for the specs they print as
// (for the CLI and for model configurations). Names are case-insensitive; '-' and '_' are the same.
//
//   zeros | ones | constant:c
//   normal[:std] | normal:mean,std          std defaults to 0.01 (the lectures' weight_init_std)
//   uniform:limit (= uniform:-limit,limit) | uniform:low,high
//   he | he_normal | kaiming | kaiming_normal | relu      [:fan_in|fan_out[,negative_slope]]
//   he_uniform | kaiming_uniform                          [:fan_in|fan_out[,negative_slope]]
//   xavier | xavier_normal | glorot | glorot_normal | sigmoid   [:gain]
//   xavier_uniform | glorot_uniform                             [:gain]
//   lecun | lecun_normal
// ('relu' and 'sigmoid' are the lectures' weight_init_std strings: relu → He, sigmoid → Xavier.)
using System.Globalization;

namespace Cortex.Initializers;

/// <summary>Short names for the initializers, and <see cref="Parse"/> for text specs.</summary>
/// <example><code>
/// Init.HeNormal.Initialize(w, rng);
/// Initializer fromCli = Init.Parse("normal:0.01");
/// </code></example>
public static class Init
{
    /// <summary>All zeros.</summary>
    public static Initializer Zeros => Initializers.Zeros.Instance;

    /// <summary>All ones.</summary>
    public static Initializer Ones { get; } = new Constant(1f);

    /// <summary>He/Kaiming normal, fan-in, for ReLU.</summary>
    public static Initializer HeNormal => Initializers.HeNormal.Instance;

    /// <summary>He/Kaiming uniform, fan-in, for ReLU.</summary>
    public static Initializer HeUniform => Initializers.HeUniform.Instance;

    /// <summary>Xavier/Glorot normal, gain 1.</summary>
    public static Initializer XavierNormal => Initializers.XavierNormal.Instance;

    /// <summary>Xavier/Glorot uniform, gain 1.</summary>
    public static Initializer XavierUniform => Initializers.XavierUniform.Instance;

    /// <summary>LeCun normal.</summary>
    public static Initializer LeCunNormal => Initializers.LeCunNormal.Instance;

    /// <summary>Every element <paramref name="value"/>.</summary>
    public static Initializer Constant(float value) => new Constant(value);

    /// <summary>N(0, std²); the lectures use std = 0.01.</summary>
    public static Initializer Normal(float std = 0.01f) => new Normal(std);

    /// <summary>U[low, high).</summary>
    public static Initializer Uniform(float low, float high) => new Uniform(low, high);

    /// <summary>Parses a spec such as <c>"he"</c>, <c>"xavier_uniform"</c>, <c>"normal:0.01"</c> (see the file header for the grammar).</summary>
    public static Initializer Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string text = spec.Trim();
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string name = (colon < 0 ? text : text[..colon]).Trim().ToLowerInvariant().Replace('-', '_');
        string[] args = colon < 0 ? [] : text[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries);

        switch (name)
        {
            case "zeros" or "zero":
                Arity(spec, args, 0, 0);
                return Zeros;
            case "ones" or "one":
                Arity(spec, args, 0, 0);
                return Ones;
            case "constant":
                Arity(spec, args, 1, 1);
                return new Constant(Number(spec, args[0]));
            case "normal":
                Arity(spec, args, 0, 2);
                return args.Length switch
                {
                    0 => new Normal(),
                    1 => new Normal(Number(spec, args[0])),
                    _ => new Normal(std: Number(spec, args[1]), mean: Number(spec, args[0])),
                };
            case "uniform":
                Arity(spec, args, 1, 2);
                return args.Length == 1
                    ? new Uniform(-Number(spec, args[0]), Number(spec, args[0]))
                    : new Uniform(Number(spec, args[0]), Number(spec, args[1]));
            case "he" or "he_normal" or "kaiming" or "kaiming_normal" or "relu":
                Arity(spec, args, 0, 2);
                return args.Length == 0 ? HeNormal : new HeNormal(Mode(spec, args[0]), args.Length > 1 ? Number(spec, args[1]) : 0f);
            case "he_uniform" or "kaiming_uniform":
                Arity(spec, args, 0, 2);
                return args.Length == 0 ? HeUniform : new HeUniform(Mode(spec, args[0]), args.Length > 1 ? Number(spec, args[1]) : 0f);
            case "xavier" or "xavier_normal" or "glorot" or "glorot_normal" or "sigmoid":
                Arity(spec, args, 0, 1);
                return args.Length == 0 ? XavierNormal : new XavierNormal(Number(spec, args[0]));
            case "xavier_uniform" or "glorot_uniform":
                Arity(spec, args, 0, 1);
                return args.Length == 0 ? XavierUniform : new XavierUniform(Number(spec, args[0]));
            case "lecun" or "lecun_normal":
                Arity(spec, args, 0, 0);
                return LeCunNormal;
            default:
                throw new FormatException($"Init.Parse: unknown initializer '{spec}'. Expected zeros, ones, constant:c, normal[:std], uniform:low,high, he, he_uniform, xavier, xavier_uniform or lecun.");
        }
    }

    private static void Arity(string spec, string[] args, int min, int max)
    {
        if (args.Length < min || args.Length > max)
            throw new FormatException($"Init.Parse: '{spec}' takes {(min == max ? $"{min}" : $"{min} to {max}")} argument(s) after ':', got {args.Length}.");
    }

    private static float Number(string spec, string text) =>
        float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value)
            ? value
            : throw new FormatException($"Init.Parse: '{spec}': '{text}' is not a number.");

    private static FanMode Mode(string spec, string text) => text.ToLowerInvariant().Replace('-', '_') switch
    {
        "fan_in" or "in" => FanMode.FanIn,
        "fan_out" or "out" => FanMode.FanOut,
        _ => throw new FormatException($"Init.Parse: '{spec}': expected fan_in or fan_out, got '{text}'."),
    };
}
