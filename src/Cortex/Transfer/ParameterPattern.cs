// ParameterPattern.cs — which parameters a freeze pattern names, matched against the dotted keys
// of Layer.NamedParameters (features.0.weight, layer1.0.bn1.bias, classifier.4.bias).
//
//   features           no wildcard: that key, or every key below it (features.0.weight, features.3.bias)
//   features.*         '*' matches any run of characters, dots included
//   *.bn?.weight       '?' matches one character
//   features,layer1    a comma separates alternatives
//
// Matching is ordinal and case-sensitive, as the keys are.
namespace Cortex.Transfer;

/// <summary>Glob or prefix patterns over parameter keys, for freezing and unfreezing.</summary>
/// <example><code>
/// ParameterPattern.Matches("features", "features.0.weight");     // true: a prefix at a dot
/// ParameterPattern.Matches("*.bias", "classifier.4.bias");         // true
/// ParameterPattern.Matches("feat", "features.0.weight");          // false: not a whole segment
/// </code></example>
public static class ParameterPattern
{
    /// <summary>The alternatives of <paramref name="patterns"/> ("a,b" → a, b), trimmed; empty ones refused.</summary>
    public static IReadOnlyList<string> Split(string patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        var parts = patterns.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Any(p => p.Length == 0))
            throw new FormatException($"ParameterPattern: '{patterns}' has an empty alternative; expected patterns such as 'features' or 'features.*,classifier.0' separated by commas.");
        return parts;
    }

    /// <summary>Whether <paramref name="key"/> is matched by <paramref name="pattern"/> (one alternative, or several joined by commas).</summary>
    public static bool Matches(string pattern, string key)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(key);
        foreach (var alternative in Split(pattern))
        {
            if (MatchesOne(alternative, key))
                return true;
        }
        return false;
    }

    private static bool MatchesOne(string pattern, string key)
    {
        if (pattern.AsSpan().IndexOfAny('*', '?') < 0)
            return key == pattern || (key.Length > pattern.Length && key.StartsWith(pattern, StringComparison.Ordinal) && key[pattern.Length] == '.');
        return Glob(pattern, key);
    }

    // Iterative wildcard matching with one back-tracking point (the last '*'): O(|p|·|k|) at worst.
    private static bool Glob(string p, string k)
    {
        int pi = 0, ki = 0, star = -1, mark = 0;
        while (ki < k.Length)
        {
            if (pi < p.Length && (p[pi] == '?' || p[pi] == k[ki]))
            {
                pi++;
                ki++;
            }
            else if (pi < p.Length && p[pi] == '*')
            {
                star = pi++;
                mark = ki;
            }
            else if (star >= 0)
            {
                pi = star + 1;
                ki = ++mark;
            }
            else
            {
                return false;
            }
        }
        while (pi < p.Length && p[pi] == '*')
            pi++;
        return pi == p.Length;
    }
}
