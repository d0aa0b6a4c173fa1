// DataSources.cs — turns a data set name or a folder path into a train/test pair. This is what
// `cortex train --data X` calls.
//   digits          the 10,000 MNIST digits shipped in data/mnist-digits (the default)
//   fashion-mnist   Fashion-MNIST from Debian's dataset-fashion-mnist package
//   mnist           full MNIST, downloaded and verified into the cache
//   cifar10         CIFAR-10 binary, downloaded, verified and extracted into the cache
//   <path>          a folder of MNIST-layout IDX files, of extracted CIFAR-10 batch files, or of
//                   images: train/ and validation/ or test/, each with one sub-folder per class
//                   (PNG/JPEG, resized to DataSourceOptions.ImageFolder's size; see ImageFolder)
// The cache is $CORTEX_DATA_DIR, else ~/.cache/cortex.
using Cortex.Data.Download;
using Cortex.Data.Images;
using Cortex.Data.Sources;

namespace Cortex.Data;

/// <summary>Resolves data set names and paths to <see cref="DatasetSplit"/>s.</summary>
/// <example><code>
/// DatasetSplit data = DataSources.Load("digits");
/// Console.WriteLine(data.Train);   // digits/train: 8000 images [1, 28, 28], 10 classes
/// </code></example>
public static class DataSources
{
    /// <summary>The source used when none is named.</summary>
    public const string Default = "digits";

    /// <summary>The environment variable that overrides the cache folder.</summary>
    public const string CacheVariable = "CORTEX_DATA_DIR";

    /// <summary>The built-in names, in the order help text should list them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["digits", "fashion-mnist", "mnist", "cifar10"];

    /// <summary>$CORTEX_DATA_DIR when set, else ~/.cache/cortex.</summary>
    public static string DefaultCacheDirectory()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(CacheVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
            return fromEnvironment;
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "cortex");
    }

    /// <summary>Loads <paramref name="spec"/> (a built-in name or a folder path), downloading when needed.</summary>
    /// <exception cref="ArgumentException"><paramref name="spec"/> is neither a built-in name nor an existing folder.</exception>
    /// <exception cref="FileNotFoundException">Files the source needs are missing; the message says which and what to do.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt or truncated.</exception>
    /// <exception cref="IOException">A download failed or did not match its checksum.</exception>
    public static DatasetSplit Load(string? spec = Default, DataSourceOptions? options = null) =>
        LoadAsync(spec, options).GetAwaiter().GetResult();

    /// <summary>Loads <paramref name="spec"/> (a built-in name or a folder path), downloading when needed.</summary>
    public static async Task<DatasetSplit> LoadAsync(string? spec = Default, DataSourceOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new DataSourceOptions();
        spec = string.IsNullOrWhiteSpace(spec) ? Default : spec.Trim();
        switch (spec.ToLowerInvariant())
        {
            case "digits":
                return ShippedDigits.Load(options.DigitsDirectory);
            case "fashion-mnist" or "fashion_mnist" or "fashionmnist" or "fashion":
                return FashionMnist.Load(options.FashionMnistDirectory);
            case "mnist":
                {
                    using var downloader = new FileDownloader(options.HttpHandler, options.Progress);
                    return await Mnist.LoadAsync(options.CacheDirectory ?? DefaultCacheDirectory(), downloader, cancellationToken: cancellationToken)
                        .ConfigureAwait(false);
                }
            case "cifar10" or "cifar-10":
                {
                    using var downloader = new FileDownloader(options.HttpHandler, options.Progress);
                    return await Cifar10.LoadAsync(options.CacheDirectory ?? DefaultCacheDirectory(), downloader, cancellationToken: cancellationToken)
                        .ConfigureAwait(false);
                }
        }

        if (File.Exists(spec))
            throw new ArgumentException(
                $"DataSources: expected a data set name ({string.Join(", ", Names)}) or a folder, got the file '{spec}'. Pass the folder that holds it.",
                nameof(spec));
        if (!Directory.Exists(spec))
            throw new ArgumentException(
                $"DataSources: expected a data set name ({string.Join(", ", Names)}) or an existing folder (IDX files, CIFAR batches, or train/ and test/ image folders), got '{spec}'.",
                nameof(spec));
        if (!IdxFolder.Holds(spec) && Cifar10.Holds(spec))
            return Cifar10.LoadBatches(spec);
        if (!IdxFolder.Holds(spec) && ImageFolder.HoldsSplit(spec))
            return ImageFolder.LoadSplit(spec, options.ImageFolder);
        return IdxFolder.Load(spec, maxElements: options.MaxIdxElements);
    }
}
