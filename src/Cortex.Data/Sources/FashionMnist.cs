// FashionMnist.cs — Zalando's Fashion-MNIST (60,000 train / 10,000 test, 28×28 grey, 10 classes)
// as Debian's package `dataset-fashion-mnist` installs it: four gzip'd IDX files in
// /usr/share/datasets/fashion-mnist. scripts/install-fashion-mnist.sh installs the package.
// (Xiao, Rasul & Vollgraf 2017, arXiv:1708.07747; class names from the data set's README.)
// No checksum is pinned: Debian's .gz files differ byte-wise from the upstream ones, so the
// files are checked by their structure (IdxReader), which refuses truncation and corruption.
namespace Cortex.Data.Sources;

/// <summary>Fashion-MNIST from the Debian package <c>dataset-fashion-mnist</c>.</summary>
/// <example><code>
/// var (train, test) = FashionMnist.Load();   // 60,000 and 10,000 images, (1, 28, 28)
/// </code></example>
public static class FashionMnist
{
    /// <summary>Where the Debian package puts the files.</summary>
    public const string DebianDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The ten classes, by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>True when the files are installed in <paramref name="directory"/> (by default the Debian location).</summary>
    public static bool IsInstalled(string directory = DebianDirectory) => IdxFolder.Holds(directory);

    /// <summary>Loads Fashion-MNIST from <paramref name="directory"/>.</summary>
    /// <exception cref="FileNotFoundException">The files are not installed; the message says how to install them.</exception>
    public static DatasetSplit Load(string directory = DebianDirectory)
    {
        if (!IsInstalled(directory))
            throw new FileNotFoundException(
                $"fashion-mnist: expected the Debian package dataset-fashion-mnist's files (train-images-idx3-ubyte.gz …) in {directory}, " +
                "got none. Install them with scripts/install-fashion-mnist.sh (sudo apt-get install dataset-fashion-mnist), " +
                "or pass the path of a folder holding Fashion-MNIST's IDX files.");
        return IdxFolder.Load(directory, ClassNames, "fashion-mnist");
    }
}
