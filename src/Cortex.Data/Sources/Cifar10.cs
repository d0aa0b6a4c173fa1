// Cifar10.cs — CIFAR-10 (50,000 train / 10,000 test, 32×32 colour, 10 classes), downloaded on
// first use into a cache, verified, extracted and read from its binary version.
//
// Source and MD5 are the ones published on https://www.cs.toronto.edu/~kriz/cifar.html
// (Krizhevsky 2009, "Learning Multiple Layers of Features from Tiny Images").
// Extraction reads the .tar.gz with GZipStream + System.Formats.Tar and writes only the six
// expected members (data_batch_1…5.bin, test_batch.bin), by their file name, into the cache:
// no path from the archive is ever used as a path, links and other entry kinds are refused, and
// each member's size is capped before it is written. A marker file records a finished
// extraction; until it exists, the next load verifies and extracts again.
using System.Formats.Tar;
using System.IO.Compression;
using Cortex.Data.Cifar;
using Cortex.Data.Download;
using Cortex.Serialization;

namespace Cortex.Data.Sources;

/// <summary>CIFAR-10, downloaded, verified and extracted into a cache folder.</summary>
/// <example><code>
/// using var downloader = new FileDownloader();
/// var (train, test) = await Cifar10.LoadAsync(DataSources.DefaultCacheDirectory(), downloader); // (3, 32, 32)
/// </code></example>
public static class Cifar10
{
    /// <summary>The binary archive with its published MD5 and size.</summary>
    public static RemoteFile Archive { get; } = new(
        "cifar-10-binary.tar.gz",
        [new Uri("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz")],
        Checksum.Md5("c32a1d4ab5d03f1284b67883e8d87530"),
        170_052_171);

    /// <summary>The ten classes, by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>The sub-folder of the cache that holds the archive; the batches go in its <see cref="BatchesFolder"/>.</summary>
    public const string CacheFolder = "cifar10";

    /// <summary>The folder the archive's members live in (inside the archive and in the cache).</summary>
    public const string BatchesFolder = "cifar-10-batches-bin";

    /// <summary>The training batch files, in order.</summary>
    public static IReadOnlyList<string> TrainFiles { get; } = [.. Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin")];

    /// <summary>The test batch file.</summary>
    public const string TestFile = "test_batch.bin";

    /// <summary>Largest archive member extracted: 64 MiB (each real batch is 30,730,000 bytes).</summary>
    public const long MaxMemberBytes = 64L << 20;

    private const string CompleteMarker = ".complete";

    /// <summary>
    /// Downloads (if needed), extracts and loads CIFAR-10 under <paramref name="cacheDirectory"/>/cifar10.
    /// <paramref name="archive"/> replaces <see cref="Archive"/> (for tests or a private mirror).
    /// </summary>
    public static async Task<DatasetSplit> LoadAsync(
        string cacheDirectory, FileDownloader downloader, RemoteFile? archive = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(cacheDirectory);
        ArgumentNullException.ThrowIfNull(downloader);
        archive ??= Archive;
        string directory = Path.Combine(cacheDirectory, CacheFolder);
        string batches = Path.Combine(directory, BatchesFolder);
        string marker = Path.Combine(batches, CompleteMarker);
        bool extracted = File.Exists(marker) && File.ReadAllText(marker).Trim() == archive.Checksum.ToString() && Holds(batches);
        if (!extracted)
        {
            string path = await downloader.EnsureAsync(archive, directory, cancellationToken).ConfigureAwait(false);
            Extract(path, batches);
            AtomicWrite.Stream(marker, s => s.Write(System.Text.Encoding.UTF8.GetBytes(archive.Checksum + "\n")));
        }
        return LoadBatches(batches);
    }

    /// <summary>True when <paramref name="directory"/> holds the six extracted batch files.</summary>
    public static bool Holds(string directory) =>
        TrainFiles.Append(TestFile).All(f => File.Exists(Path.Combine(directory, f)));

    /// <summary>Loads the six extracted batch files from <paramref name="directory"/>.</summary>
    /// <exception cref="FileNotFoundException">A batch file is missing.</exception>
    /// <exception cref="InvalidDataException">A batch file is truncated or corrupt.</exception>
    public static DatasetSplit LoadBatches(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var missing = TrainFiles.Append(TestFile).Where(f => !File.Exists(Path.Combine(directory, f))).ToList();
        if (missing.Count > 0)
            throw new FileNotFoundException(
                $"cifar10: expected {string.Join(", ", TrainFiles)} and {TestFile} in {Path.GetFullPath(directory)}, missing {string.Join(", ", missing)}.");
        var train = CifarBatch.Concat([.. TrainFiles.Select(f => CifarReader.Read(Path.Combine(directory, f), CifarFormat.Cifar10))]);
        var test = CifarReader.Read(Path.Combine(directory, TestFile), CifarFormat.Cifar10);
        return new DatasetSplit(train.ToDataset(ClassNames, "cifar10/train"), test.ToDataset(ClassNames, "cifar10/test"), Path.GetFullPath(directory));
    }

    /// <summary>Extracts the six batch files of the archive at <paramref name="archivePath"/> into <paramref name="destination"/>.</summary>
    /// <exception cref="InvalidDataException">The archive is corrupt, lacks a batch file, or holds one of the wrong kind or size.</exception>
    public static void Extract(string archivePath, string destination)
    {
        ArgumentException.ThrowIfNullOrEmpty(archivePath);
        ArgumentException.ThrowIfNullOrEmpty(destination);
        Directory.CreateDirectory(destination);
        var wanted = TrainFiles.Append(TestFile).ToHashSet(StringComparer.Ordinal);
        var found = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var file = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            using var inflated = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(inflated);
            while (tar.GetNextEntry() is { } entry)
            {
                string name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
                string member = name.StartsWith(BatchesFolder + "/", StringComparison.Ordinal) ? name[(BatchesFolder.Length + 1)..] : "";
                if (!wanted.Contains(member))
                    continue;
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                    throw new InvalidDataException(
                        $"Cifar10: {archivePath}: expected {name} to be a regular file, got a {entry.EntryType} entry. The archive is not CIFAR-10's.");
                if (entry.Length > MaxMemberBytes)
                    throw new InvalidDataException(
                        $"Cifar10: {archivePath}: expected {name} to be at most {MaxMemberBytes} bytes, got {entry.Length}. The archive is not CIFAR-10's.");
                var data = entry.DataStream ?? Stream.Null;
                AtomicWrite.Stream(Path.Combine(destination, member), output => data.CopyTo(output));
                found.Add(member);
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException
                                   && !e.Message.StartsWith("Cifar10:", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Cifar10: {archivePath}: expected a .tar.gz archive, got corrupt data ({e.Message}). Delete it and download again.", e);
        }
        var missing = wanted.Except(found).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException(
                $"Cifar10: {archivePath}: expected the members {string.Join(", ", wanted.Order(StringComparer.Ordinal).Select(w => $"{BatchesFolder}/{w}"))}, " +
                $"missing {string.Join(", ", missing)}. The archive is not CIFAR-10's binary version.");
    }
}
