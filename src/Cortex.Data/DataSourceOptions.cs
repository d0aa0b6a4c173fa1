// DataSourceOptions.cs — where DataSources looks for and caches data, and how it downloads.
// Every member has a working default; tests override the folders and inject an HTTP handler
// that serves local bytes, so nothing reaches the network.
using Cortex.Data.Download;
using Cortex.Data.Images;

namespace Cortex.Data;

/// <summary>Settings for <see cref="DataSources.Load"/>.</summary>
/// <example><code>
/// var options = new DataSourceOptions { Progress = new Progress&lt;DownloadProgress&gt;(p => Console.Write($"\r{p.FileName} {p.Fraction:P0}")) };
/// var data = DataSources.Load("cifar10", options);
/// </code></example>
public sealed class DataSourceOptions
{
    /// <summary>Where downloads are kept; null means <see cref="DataSources.DefaultCacheDirectory"/>.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>The shipped digits folder; null means search for <c>data/mnist-digits</c>.</summary>
    public string? DigitsDirectory { get; init; }

    /// <summary>Where Fashion-MNIST is installed.</summary>
    public string FashionMnistDirectory { get; init; } = Sources.FashionMnist.DebianDirectory;

    /// <summary>The HTTP handler downloads go through (not disposed); null means a default one.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>
    /// Size, channels and warning sink for image-folder sources (train/ + validation/ or test/ of class folders).
    /// Set Height/Width/Channels to the model's input; unset, the first training image's are used.
    /// </summary>
    public ImageFolderOptions ImageFolder { get; init; } = new();

    /// <summary>The largest element count an IDX header in a folder source may declare (<see cref="Idx.IdxReader.DefaultMaxElements"/>).</summary>
    public long MaxIdxElements { get; init; } = Idx.IdxReader.DefaultMaxElements;

    /// <summary>Receives download progress; null means silent.</summary>
    public IProgress<DownloadProgress>? Progress { get; init; }
}
