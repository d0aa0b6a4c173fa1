// Sha256Sums.cs — checks a folder against its SHA256SUMS file (the `sha256sum` output format:
// "<64 hex>  <name>" or "<64 hex> *<name>", names optionally prefixed "./").
// Only plain file names inside the folder are accepted; a listed file that is missing or whose
// digest differs is refused with its name and both digests.
using System.Security.Cryptography;

namespace Cortex.Data.Sources;

/// <summary>Verifies files against a <c>SHA256SUMS</c> list.</summary>
public static class Sha256Sums
{
    /// <summary>The conventional name of the list.</summary>
    public const string FileName = "SHA256SUMS";

    /// <summary>
    /// Verifies every file listed in <paramref name="directory"/>/SHA256SUMS; returns how many were checked
    /// (0 when there is no list).
    /// </summary>
    /// <exception cref="InvalidDataException">A line is malformed, or a listed file is missing or has another digest.</exception>
    public static int Verify(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string list = Path.Combine(directory, FileName);
        if (!File.Exists(list))
            return 0;
        var info = new FileInfo(list);
        if (info.Length > 1 << 20)
            throw new InvalidDataException($"Sha256Sums: {list}: expected a short list (≤ 1 MiB), got {info.Length} bytes. The file is not a checksum list.");
        int checkedFiles = 0;
        int lineNumber = 0;
        foreach (string raw in File.ReadLines(list))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            string hex = space == 64 ? line[..64] : "";
            string name = space == 64 ? line[65..].TrimStart(' ', '*') : "";
            if (name.StartsWith("./", StringComparison.Ordinal))
                name = name[2..];
            if (!hex.All(char.IsAsciiHexDigit) || hex.Length != 64 || name.Length == 0 || Path.GetFileName(name) != name)
                throw new InvalidDataException(
                    $"Sha256Sums: {list} line {lineNumber}: expected '<64 hex digits>  <file name>', got '{raw}'.");
            string path = Path.Combine(directory, name);
            if (!File.Exists(path))
                throw new InvalidDataException($"Sha256Sums: {list} lists {name}, but {path} does not exist. Restore the file.");
            string actual = Digest(path);
            if (!string.Equals(actual, hex, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException(
                    $"Sha256Sums: {path}: expected SHA-256 {hex.ToLowerInvariant()}, got {actual}. The file is corrupt or was changed; restore it.");
            checkedFiles++;
        }
        return checkedFiles;
    }

    private static string Digest(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }
}
