// Checksum.cs — an expected digest (MD5 or SHA-256) and the code to compute one over a stream.
//
// MD5 appears only because it is what the data sets' authors publish (MNIST via torchvision,
// CIFAR-10 on its home page); it detects corruption and truncation, which is its job here.
using System.Security.Cryptography;

namespace Cortex.Data.Download;

/// <summary>An expected file digest: algorithm and lowercase hex.</summary>
/// <example><code>
/// var sum = Checksum.Md5("c32a1d4ab5d03f1284b67883e8d87530");
/// bool ok = sum.Matches(Checksum.Compute("cifar-10-binary.tar.gz", sum.Algorithm));
/// </code></example>
public readonly record struct Checksum
{
    private Checksum(string algorithm, string hex)
    {
        Algorithm = algorithm;
        Hex = hex;
    }

    /// <summary>"md5" or "sha256".</summary>
    public string Algorithm { get; }

    /// <summary>The digest, lowercase hex.</summary>
    public string Hex { get; }

    /// <summary>An expected MD5 digest (32 hex digits).</summary>
    public static Checksum Md5(string hex) => new("md5", Normalize(hex, 16));

    /// <summary>An expected SHA-256 digest (64 hex digits).</summary>
    public static Checksum Sha256(string hex) => new("sha256", Normalize(hex, 32));

    /// <summary>True when <paramref name="hex"/> (any case) equals this digest.</summary>
    public bool Matches(string hex) => string.Equals(Hex, hex, StringComparison.OrdinalIgnoreCase);

    /// <summary>The digest of the file at <paramref name="path"/> with <paramref name="algorithm"/>, lowercase hex.</summary>
    public static string Compute(string path, string algorithm)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Compute(file, algorithm);
    }

    /// <summary>The digest of the rest of <paramref name="stream"/> with <paramref name="algorithm"/>, lowercase hex.</summary>
    public static string Compute(Stream stream, string algorithm)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var hash = CreateHash(algorithm);
        var buffer = new byte[1 << 16];
        int n;
        while ((n = stream.Read(buffer)) > 0)
            hash.AppendData(buffer, 0, n);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Algorithm} {Hex}";

    internal IncrementalHash CreateHash() => CreateHash(Algorithm);

    private static IncrementalHash CreateHash(string algorithm) => algorithm switch
    {
#pragma warning disable CA5351 // MD5 is the digest the data set's authors publish; it guards against corruption, not attack.
        "md5" => IncrementalHash.CreateHash(HashAlgorithmName.MD5),
#pragma warning restore CA5351
        "sha256" => IncrementalHash.CreateHash(HashAlgorithmName.SHA256),
        _ => throw new ArgumentException($"Checksum: expected algorithm md5 or sha256, got '{algorithm}'.", nameof(algorithm)),
    };

    private static string Normalize(string hex, int bytes)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (hex.Length != 2 * bytes || !hex.All(char.IsAsciiHexDigit))
            throw new ArgumentException($"Checksum: expected {2 * bytes} hex digits, got '{hex}'.", nameof(hex));
        return hex.ToLowerInvariant();
    }
}
