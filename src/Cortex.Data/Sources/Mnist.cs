// Mnist.cs — the full MNIST (60,000 train / 10,000 test), downloaded on first use into a cache.
//
// Sources and checksums are torchvision's (torchvision/datasets/mnist.py, MNIST.mirrors and
// MNIST.resources): the PyTorch S3 mirror first, because yann.lecun.com is often unavailable,
// then the original site. The MD5s are those torchvision publishes; sizes are the well-known
// byte counts of the four .gz files. Each file is verified before it is kept (FileDownloader).
using Cortex.Data.Download;

namespace Cortex.Data.Sources;

/// <summary>MNIST, downloaded and verified into a cache folder.</summary>
/// <example><code>
/// using var downloader = new FileDownloader();
/// var (train, test) = await Mnist.LoadAsync(DataSources.DefaultCacheDirectory(), downloader);
/// </code></example>
public static class Mnist
{
    /// <summary>The mirrors, tried in order.</summary>
    public static IReadOnlyList<Uri> Mirrors { get; } =
    [
        new("https://ossci-datasets.s3.amazonaws.com/mnist/"),
        new("http://yann.lecun.com/exdb/mnist/"),
    ];

    /// <summary>The four files, with their published MD5 digests and sizes.</summary>
    public static IReadOnlyList<RemoteFile> Files { get; } =
    [
        RemoteFile.AtMirrors("train-images-idx3-ubyte.gz", Mirrors, Checksum.Md5("f68b3c2dcbeaaa9fbdd348bbdeb94873"), 9_912_422),
        RemoteFile.AtMirrors("train-labels-idx1-ubyte.gz", Mirrors, Checksum.Md5("d53e105ee54ea40749a09fcbcd1e9432"), 28_881),
        RemoteFile.AtMirrors("t10k-images-idx3-ubyte.gz", Mirrors, Checksum.Md5("9fb629c4189551a2d022fa330f9573f3"), 1_648_877),
        RemoteFile.AtMirrors("t10k-labels-idx1-ubyte.gz", Mirrors, Checksum.Md5("ec29112dd5afa0611ce80d1b7f02629c"), 4_542),
    ];

    /// <summary>The sub-folder of the cache that holds the files.</summary>
    public const string CacheFolder = "mnist";

    /// <summary>
    /// Downloads (if needed) and loads MNIST from <paramref name="cacheDirectory"/>/mnist. <paramref name="files"/>
    /// replaces <see cref="Files"/> (for tests or a private mirror).
    /// </summary>
    public static async Task<DatasetSplit> LoadAsync(
        string cacheDirectory, FileDownloader downloader, IReadOnlyList<RemoteFile>? files = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(cacheDirectory);
        ArgumentNullException.ThrowIfNull(downloader);
        string directory = Path.Combine(cacheDirectory, CacheFolder);
        foreach (var file in files ?? Files)
            await downloader.EnsureAsync(file, directory, cancellationToken).ConfigureAwait(false);
        return IdxFolder.Load(directory, ShippedDigits.ClassNames, "mnist");
    }
}
