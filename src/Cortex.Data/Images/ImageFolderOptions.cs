// ImageFolderOptions.cs — how ImageFolder turns files into a fixed-size tensor.
namespace Cortex.Data.Images;

/// <summary>Settings for <see cref="ImageFolder"/>: target size and channels, warnings, threads.</summary>
/// <example><code>
/// var options = new ImageFolderOptions { Height = 150, Width = 150, Channels = 3, Warning = Console.Error.WriteLine };
/// ImageDataset train = ImageFolder.Load("cats_and_dogs_small/train", options);
/// </code></example>
public sealed record ImageFolderOptions
{
    /// <summary>Height every image is resized to (bilinear); null takes the first readable image's height.</summary>
    public int? Height { get; init; }

    /// <summary>Width every image is resized to (bilinear); null takes the first readable image's width.</summary>
    public int? Width { get; init; }

    /// <summary>1 (grey) or 3 (RGB); null takes the first readable image's (1 if grey, else 3).</summary>
    public int? Channels { get; init; }

    /// <summary>Receives one line per skipped file (naming it and saying why); null means skipped files go unreported.</summary>
    public Action<string>? Warning { get; init; }

    /// <summary>Threads that decode files (a folder of fewer than 16 files is decoded on the caller's thread).</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>The largest width × height of one file, checked from its header before decoding (<see cref="ImageDecoder.DefaultMaxPixels"/>); a larger file is skipped with a warning.</summary>
    public long MaxPixels { get; init; } = ImageDecoder.DefaultMaxPixels;

    internal void Validate()
    {
        if (MaxPixels < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxPixels), $"ImageFolderOptions: expected MaxPixels ≥ 1, got {MaxPixels}.");
        if (Height is < 1 || Width is < 1)
            throw new ArgumentOutOfRangeException(nameof(Height), $"ImageFolderOptions: expected a size of at least 1×1, got {Height}×{Width}.");
        if (Channels is not (null or 1 or 3))
            throw new ArgumentOutOfRangeException(nameof(Channels), $"ImageFolderOptions: expected 1 or 3 channels, got {Channels}.");
        if (Workers < 1)
            throw new ArgumentOutOfRangeException(nameof(Workers), $"ImageFolderOptions: expected at least 1 worker, got {Workers}.");
    }
}
