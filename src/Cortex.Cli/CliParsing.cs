// CliParsing.cs — number options parsed the way the rest of Cortex words its errors. Without this,
// System.CommandLine answers `--lr abc` with "Cannot parse argument 'abc' for option '--lr' as
// expected type 'System.Nullable`1[System.Single]'"; with it, "--lr: expected a number, got 'abc'."
// Install walks a command tree once and gives every int, long, ulong, float and double option
// (nullable or not) a parser that accepts invariant-culture numbers only.
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Cortex.Cli;

internal static class CliParsing
{
    /// <summary>Gives every numeric option of <paramref name="command"/> and its sub-commands a Cortex-worded parser.</summary>
    public static Command Install(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in command.Options)
        {
            switch (option)
            {
                case Option<int> o: o.CustomParser = r => Value(r, o, Integer, Int32); break;
                case Option<int?> o: o.CustomParser = r => Nullable(r, o, Integer, Int32); break;
                case Option<long> o: o.CustomParser = r => Value(r, o, Integer, Int64); break;
                case Option<long?> o: o.CustomParser = r => Nullable(r, o, Integer, Int64); break;
                case Option<ulong> o: o.CustomParser = r => Value(r, o, Natural, UInt64); break;
                case Option<ulong?> o: o.CustomParser = r => Nullable(r, o, Natural, UInt64); break;
                case Option<float> o: o.CustomParser = r => Value(r, o, Number, Single); break;
                case Option<float?> o: o.CustomParser = r => Nullable(r, o, Number, Single); break;
                case Option<double> o: o.CustomParser = r => Value(r, o, Number, Double); break;
                case Option<double?> o: o.CustomParser = r => Nullable(r, o, Number, Double); break;
                default: break;
            }
        }
        foreach (var sub in command.Subcommands)
            Install(sub);
        return command;
    }

    private delegate bool TryParse<T>(string text, out T value);

    private const string Integer = "an integer";
    private const string Natural = "a non-negative integer";
    private const string Number = "a finite number";

    private static readonly TryParse<int> Int32 = (string s, out int v) => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out v);
    private static readonly TryParse<long> Int64 = (string s, out long v) => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out v);
    private static readonly TryParse<ulong> UInt64 = (string s, out ulong v) => ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out v);
    private static readonly TryParse<float> Single = (string s, out float v) => float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v) && float.IsFinite(v);
    private static readonly TryParse<double> Double = (string s, out double v) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v) && double.IsFinite(v);

    // One token → the value, or an error "--lr: expected a finite number, got 'abc'." (no token: the option's default).
    private static T Value<T>(ArgumentResult result, Option<T> option, string expected, TryParse<T> tryParse)
    {
        if (result.Tokens.Count == 0)
            return option.DefaultValueFactory is { } factory ? factory(result) : default!;
        string text = result.Tokens[^1].Value;
        if (tryParse(text.Trim(), out T value))
            return value;
        result.AddError($"{option.Name}: expected {expected}, got '{text}'.");
        return default!;
    }

    private static T? Nullable<T>(ArgumentResult result, Option<T?> option, string expected, TryParse<T> tryParse)
        where T : struct
    {
        if (result.Tokens.Count == 0)
            return option.DefaultValueFactory is { } factory ? factory(result) : null;
        string text = result.Tokens[^1].Value;
        if (tryParse(text.Trim(), out T value))
            return value;
        result.AddError($"{option.Name}: expected {expected}, got '{text}'.");
        return null;
    }
}
