// RemoteFile.cs — what to download: a file name, where to get it (mirrors, tried in order), its
// published checksum and, when known, its exact size (a server sending more is cut off).
namespace Cortex.Data.Download;

/// <summary>A file to fetch from one of several mirrors and verify against a published checksum.</summary>
/// <example><code>
/// var file = new RemoteFile("t10k-labels-idx1-ubyte.gz",
///     [new Uri("https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz")],
///     Checksum.Md5("ec29112dd5afa0611ce80d1b7f02629c"), Size: 4542);
/// </code></example>
public sealed record RemoteFile(string FileName, IReadOnlyList<Uri> Sources, Checksum Checksum, long? Size = null)
{
    /// <summary>The same file at <paramref name="baseUris"/> + <paramref name="fileName"/> for each mirror.</summary>
    public static RemoteFile AtMirrors(string fileName, IEnumerable<Uri> baseUris, Checksum checksum, long? size = null)
    {
        ArgumentNullException.ThrowIfNull(baseUris);
        return new RemoteFile(fileName, [.. baseUris.Select(b => new Uri(b, fileName))], checksum, size);
    }
}
