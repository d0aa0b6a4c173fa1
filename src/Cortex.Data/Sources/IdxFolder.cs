// IdxFolder.cs — loads a train/test pair from a folder of IDX files in the MNIST layout:
//   train-images-idx3-ubyte[.gz]  train-labels-idx1-ubyte[.gz]
//   t10k-images-idx3-ubyte[.gz]   t10k-labels-idx1-ubyte[.gz]    (or test-… for t10k-…)
// (Kaggle's "train-images.idx3-ubyte" spelling is accepted too.) Images are (N, H, W) for one
// channel or (N, C, H, W); labels (N). Class names come from the caller, else from a
// classes.txt beside the files (one name per line), else "0" … "k-1" for the largest label k-1.
using Cortex.Data.Idx;
using Cortex.Tensors;

namespace Cortex.Data.Sources;

/// <summary>A folder of MNIST-layout IDX files as a <see cref="DatasetSplit"/>.</summary>
/// <example><code>
/// DatasetSplit kmnist = IdxFolder.Load("/data/kmnist");   // any MNIST-shaped data set
/// </code></example>
public static class IdxFolder
{
    /// <summary>Optional file of class names, one per line, beside the IDX files.</summary>
    public const string ClassNamesFile = "classes.txt";

    private static readonly string[] TrainPrefixes = ["train"];
    private static readonly string[] TestPrefixes = ["t10k", "test"];

    /// <summary>True when <paramref name="directory"/> holds the four files <see cref="Load"/> needs.</summary>
    public static bool Holds(string directory) =>
        Find(directory, TrainPrefixes, "images", 3) is not null && Find(directory, TrainPrefixes, "labels", 1) is not null
        && Find(directory, TestPrefixes, "images", 3) is not null && Find(directory, TestPrefixes, "labels", 1) is not null;

    /// <summary>Loads the train and test sets from <paramref name="directory"/>; <paramref name="name"/> prefixes their names.</summary>
    /// <exception cref="FileNotFoundException">A file is missing; the message lists what was expected.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt, or images and labels disagree.</exception>
    /// <param name="directory">The folder.</param>
    /// <param name="classNames">The class names; null reads classes.txt, else numbers the labels.</param>
    /// <param name="name">Prefix of the data sets' names.</param>
    /// <param name="maxElements">The largest element count an IDX header may declare (<see cref="IdxReader.DefaultMaxElements"/>).</param>
    public static DatasetSplit Load(string directory, IReadOnlyList<string>? classNames = null, string? name = null, long maxElements = IdxReader.DefaultMaxElements)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        name ??= Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"IdxFolder: expected a folder of IDX files, got '{directory}', which does not exist.");
        string?[] paths =
        [
            Find(directory, TrainPrefixes, "images", 3), Find(directory, TrainPrefixes, "labels", 1),
            Find(directory, TestPrefixes, "images", 3), Find(directory, TestPrefixes, "labels", 1),
        ];
        if (paths.Any(p => p is null))
        {
            string[] wanted =
            [
                "train-images-idx3-ubyte[.gz]", "train-labels-idx1-ubyte[.gz]",
                "t10k-images-idx3-ubyte[.gz] (or test-…)", "t10k-labels-idx1-ubyte[.gz] (or test-…)",
            ];
            var missing = wanted.Where((_, i) => paths[i] is null);
            var present = Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal).Take(13).ToList();
            string holds = present.Count == 0 ? "nothing" : string.Join(", ", present.Take(12)) + (present.Count > 12 ? ", …" : "");
            throw new FileNotFoundException(
                $"IdxFolder: expected {string.Join(", ", wanted)} in {Path.GetFullPath(directory)}, missing {string.Join(", ", missing)}. " +
                $"The folder holds: {holds}.");
        }

        var (trainImages, trainLabels) = ReadPair(paths[0]!, paths[1]!, maxElements);
        var (testImages, testLabels) = ReadPair(paths[2]!, paths[3]!, maxElements);
        classNames ??= ReadClassNames(directory) ?? NumberedClasses(CheckedClassCount(trainLabels, testLabels, paths[1]!, paths[3]!));
        var train = ToDataset(trainImages, trainLabels, paths[1]!, classNames, $"{name}/train");
        var test = ToDataset(testImages, testLabels, paths[3]!, classNames, $"{name}/test");
        return new DatasetSplit(train, test, Path.GetFullPath(directory));
    }

    /// <summary>Loads one images file and its labels file as a data set.</summary>
    public static ImageDataset LoadPair(string imagesPath, string labelsPath, IReadOnlyList<string> classNames, string name)
    {
        var (images, labels) = ReadPair(imagesPath, labelsPath, IdxReader.DefaultMaxElements);
        return ToDataset(images, labels, labelsPath, classNames, name);
    }

    /// <summary>Names "0" … "<paramref name="count"/>-1".</summary>
    public static IReadOnlyList<string> NumberedClasses(int count) =>
        [.. Enumerable.Range(0, Math.Max(count, 1)).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    // The class count when labels are numbered: the largest label + 1, unless most of those classes never occur
    // (a stray 255 among digits would otherwise make a 256-class model without a word).
    private static int CheckedClassCount(IdxArray train, IdxArray test, string trainPath, string testPath)
    {
        int count = Math.Max(Max(train), Max(test)) + 1;
        var seen = new bool[256];
        foreach (byte b in train.Data)
            seen[b] = true;
        foreach (byte b in test.Data)
            seen[b] = true;
        int present = seen.Count(s => s);
        if (count > 2 && present * 2 < count)
        {
            int largest = count - 1;
            string where = Array.IndexOf(train.Data, (byte)largest) is int i and >= 0 ? $"{trainPath} at index {i}" : $"{testPath} at index {Array.IndexOf(test.Data, (byte)largest)}";
            throw new InvalidDataException(
                $"IdxFolder: the labels run up to {largest} ({where}) but only {present} of the {count} classes 0…{largest} occur. " +
                $"A stray label? Fix the labels, or name the classes in {ClassNamesFile} beside the files.");
        }
        return count;
    }

    private static (IdxArray Images, IdxArray Labels) ReadPair(string imagesPath, string labelsPath, long maxElements)
    {
        var images = IdxReader.Read(imagesPath, maxElements);
        var labels = IdxReader.Read(labelsPath, maxElements);
        if (images.Rank is not (3 or 4))
            throw new InvalidDataException(
                $"IdxFolder: {imagesPath}: expected images of shape (N, H, W) or (N, C, H, W), got {images}.");
        if (labels.Rank != 1)
            throw new InvalidDataException($"IdxFolder: {labelsPath}: expected labels of shape (N), got {labels}.");
        if (labels.Count != images.Count)
            throw new InvalidDataException(
                $"IdxFolder: expected as many labels as images, got {images.Count} images in {imagesPath} and {labels.Count} labels in {labelsPath}.");
        return (images, labels);
    }

    private static ImageDataset ToDataset(IdxArray images, IdxArray labels, string labelsPath, IReadOnlyList<string> classNames, string name)
    {
        int max = Max(labels);
        if (max >= classNames.Count)
            throw new InvalidDataException(
                $"IdxFolder: {labelsPath}: expected labels in [0, {classNames.Count}) for the classes [{string.Join(", ", classNames)}], " +
                $"got {max} at index {Array.IndexOf(labels.Data, (byte)max)}. The file is corrupt or belongs to another data set.");
        var d = images.Dimensions;
        var sample = images.Rank == 3 ? new Shape(1, d[1], d[2]) : new Shape(d[1], d[2], d[3]);
        return ImageDataset.FromBytes(images.Data, labels.Data, sample, classNames, name);
    }

    private static int Max(IdxArray labels) => labels.Data.Length == 0 ? 0 : labels.Data.Max();

    private static string[]? ReadClassNames(string directory)
    {
        string path = Path.Combine(directory, ClassNamesFile);
        if (!File.Exists(path))
            return null;
        if (new FileInfo(path).Length > 1 << 20)
            throw new InvalidDataException($"IdxFolder: {path}: expected a short list of class names (≤ 1 MiB), got a larger file.");
        return [.. File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0)];
    }

    private static string? Find(string directory, string[] prefixes, string kind, int rank)
    {
        foreach (string prefix in prefixes)
        {
            foreach (string stem in (string[])[$"{prefix}-{kind}-idx{rank}-ubyte", $"{prefix}-{kind}.idx{rank}-ubyte"])
            {
                foreach (string candidate in (string[])[stem, stem + ".gz"])
                {
                    string path = Path.Combine(directory, candidate);
                    if (File.Exists(path))
                        return path;
                }
            }
        }
        return null;
    }
}
