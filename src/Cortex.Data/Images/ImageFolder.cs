// ImageFolder.cs — a folder of class sub-folders of image files, as the lectures' cats-vs-dogs
// set is laid out (Keras flow_from_directory / torchvision ImageFolder):
//
//   cats_and_dogs_small/          ← ImageFolder.LoadSplit(root): train/ with validation/ and/or test/
//     train/       cats/ cat.0.jpg …   dogs/ dog.0.jpg …     ← ImageFolder.Load(root/train)
//     validation/  cats/ …             dogs/ …
//     test/        cats/ …             dogs/ …
//
// A class is a sub-folder; class names are the sub-folder names sorted ordinally, and label k is
// ClassNames[k]. Files are read from each class folder and its sub-folders, in ordinal path order.
// Every image is decoded (ImageDecoder), converted to the chosen channel count and resized with
// bilinear sampling (ImageResize: half-pixel centres, no anti-aliasing, as Keras/TensorFlow) to
// one size, giving an in-memory (N, C, H, W) tensor in [0, 1]. A file that does not decode, or is
// not an image, is skipped and reported through the Warning sink with its path; hidden files
// (.DS_Store) are skipped silently. Decoding runs on several threads for 16 or more files.
using Cortex.Tensors;

namespace Cortex.Data.Images;

/// <summary>Loads image-folder data sets (class = sub-folder name).</summary>
/// <example><code>
/// var options = new ImageFolderOptions { Height = 150, Width = 150, Channels = 3, Warning = Console.Error.WriteLine };
/// DatasetSplit data = ImageFolder.LoadSplit("cats_and_dogs_small", options);
/// Console.WriteLine(data.Train);     // train: 2000 images [3, 150, 150], 2 classes
/// </code></example>
public static class ImageFolder
{
    /// <summary>Names of the training folder inside a split root.</summary>
    public const string TrainFolder = "train";

    /// <summary>Accepted names of the validation folder inside a split root.</summary>
    public static IReadOnlyList<string> ValidationFolders { get; } = ["validation", "val", "valid"];

    /// <summary>Name of the test folder inside a split root.</summary>
    public const string TestFolder = "test";

    private const int ParallelThreshold = 16;

    /// <summary>The class sub-folders of <paramref name="directory"/>, sorted ordinally (hidden ones left out).</summary>
    public static IReadOnlyList<string> ClassNames(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return [.. Directory.EnumerateDirectories(directory)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => !name.StartsWith('.'))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>True when <paramref name="directory"/> has class sub-folders and at least one of them holds an image file.</summary>
    public static bool IsClassFolder(string directory)
    {
        if (!Directory.Exists(directory))
            return false;
        foreach (string name in ClassNames(directory))
        {
            if (Directory.EnumerateFiles(Path.Combine(directory, name), "*", SearchOption.AllDirectories)
                .Any(f => ImageDecoder.Extensions.Contains(Path.GetExtension(f))))
                return true;
        }
        return false;
    }

    /// <summary>True when <paramref name="root"/> holds a train/ class folder and a validation/ or test/ one.</summary>
    public static bool HoldsSplit(string root) =>
        IsClassFolder(Path.Combine(root, TrainFolder)) &&
        (IsClassFolder(Path.Combine(root, TestFolder)) || FindValidation(root) is not null);

    /// <summary>
    /// Loads train/, validation/ and test/ under <paramref name="root"/> at one size (taken from the options, else
    /// from the first training image) and with train's class names. <see cref="DatasetSplit.Test"/> is test/, or
    /// validation/ when there is no test/; <see cref="DatasetSplit.Validation"/> is validation/ when present.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">There is no train/ folder, or neither validation/ nor test/.</exception>
    /// <exception cref="InvalidDataException">A folder holds no readable image, or validation/test has a class train lacks.</exception>
    public static DatasetSplit LoadSplit(string root, ImageFolderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        options ??= new ImageFolderOptions();
        string trainDirectory = Path.Combine(root, TrainFolder);
        string? validationDirectory = FindValidation(root);
        string testDirectory = Path.Combine(root, TestFolder);
        bool hasTest = IsClassFolder(testDirectory);
        if (!Directory.Exists(trainDirectory) || (validationDirectory is null && !hasTest))
            throw new DirectoryNotFoundException(
                $"ImageFolder: expected {root} to hold train/ and validation/ or test/, each with one sub-folder per class, got " +
                $"[{string.Join(", ", Directory.Exists(root) ? Directory.EnumerateDirectories(root).Select(Path.GetFileName) : [])}].");

        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)));
        var train = Load(trainDirectory, options, classNames: null, $"{name}/train");
        // Validation and test are read at the training images' size and channels, with train's labels.
        var fixedOptions = options with { Channels = train.SampleShape[0], Height = train.SampleShape[1], Width = train.SampleShape[2] };
        var validation = validationDirectory is null ? null
            : Load(validationDirectory, fixedOptions, train.ClassNames, $"{name}/{Path.GetFileName(validationDirectory)}");
        var test = hasTest ? Load(testDirectory, fixedOptions, train.ClassNames, $"{name}/test") : null;
        return new DatasetSplit(train, test ?? validation!, root) { Validation = test is null ? null : validation };
    }

    /// <summary>
    /// Loads the class folders of <paramref name="directory"/>. With <paramref name="classNames"/> given (say, the
    /// training set's), labels follow that list and a sub-folder outside it is an error.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">No readable image was found, or a sub-folder is not one of <paramref name="classNames"/>.</exception>
    public static ImageDataset Load(string directory, ImageFolderOptions? options = null, IReadOnlyList<string>? classNames = null, string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new ImageFolderOptions();
        options.Validate();
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"ImageFolder: the folder {directory} does not exist.");
        name ??= Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));

        var folders = ClassNames(directory);
        classNames ??= folders;
        var files = new List<(string Path, int Label)>();
        foreach (string folder in folders)
        {
            int label = IndexOf(classNames, folder);
            if (label < 0)
                throw new InvalidDataException(
                    $"ImageFolder {name}: the class folder '{folder}' is not one of the expected classes [{string.Join(", ", classNames)}]. " +
                    "Validation and test folders must use the training set's class names.");
            string classDirectory = Path.Combine(directory, folder);
            foreach (string file in Directory.EnumerateFiles(classDirectory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                if (Path.GetFileName(file).StartsWith('.'))
                    continue;
                if (!ImageDecoder.Extensions.Contains(Path.GetExtension(file)))
                {
                    options.Warning?.Invoke($"ImageFolder {name}: skipped {file}: not an image file (expected one of {string.Join(", ", ImageDecoder.Extensions.Order(StringComparer.Ordinal))}).");
                    continue;
                }
                files.Add((file, label));
            }
        }
        if (classNames.Count == 0 || files.Count == 0)
            throw new InvalidDataException(
                $"ImageFolder {name}: expected one sub-folder of image files per class in {directory}, got {folders.Count} sub-folders and no image files.");

        // The size: from the options, else from the first file that decodes.
        var size = ResolveSize(files, options, name, out int firstReadable, out string?[] earlyWarnings);
        int sample = size.Length;
        if ((long)files.Count * sample > Array.MaxLength)
            throw new InvalidDataException(
                $"ImageFolder {name}: {files.Count} images of {size} need {(long)files.Count * sample * 4 / (1 << 20)} MiB, more than one array holds. " +
                "Use a smaller size (ImageFolderOptions.Height/Width) or fewer images.");

        var pixels = new float[(long)files.Count * sample];
        var ok = new bool[files.Count];
        var warnings = new string?[files.Count];
        Array.Copy(earlyWarnings, warnings, earlyWarnings.Length);
        void DecodeOne(int i)
        {
            if (i < firstReadable)
                return;                                  // already known to be unreadable (warned in ResolveSize)
            try
            {
                var image = ImageDecoder.Load(files[i].Path, size.Channels, options.MaxPixels);
                var target = pixels.AsSpan(i * sample, sample);
                if (image.Size == size)
                    image.Pixels.CopyTo(target);
                else
                    ImageResize.Bilinear(image.Pixels, image.Size, target, size.Height, size.Width);
                ok[i] = true;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                warnings[i] = $"ImageFolder {name}: skipped {files[i].Path}: {Reason(e, files[i].Path)}";
            }
        }
        if (files.Count >= ParallelThreshold && options.Workers > 1)
            Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Workers }, DecodeOne);
        else
            for (int i = 0; i < files.Count; i++)
                DecodeOne(i);

        foreach (string? warning in warnings)   // in file order, whatever order the threads finished in
        {
            if (warning is not null)
                options.Warning?.Invoke(warning);
        }
        int kept = ok.Count(b => b);
        if (kept == 0)
            throw new InvalidDataException($"ImageFolder {name}: none of the {files.Count} image files in {directory} could be read.");

        var labels = new int[kept];
        float[] data = kept == files.Count ? pixels : new float[(long)kept * sample];
        for (int i = 0, j = 0; i < files.Count; i++)
        {
            if (!ok[i])
                continue;
            if (!ReferenceEquals(data, pixels))
                pixels.AsSpan(i * sample, sample).CopyTo(data.AsSpan(j * sample, sample));
            labels[j++] = files[i].Label;
        }
        return new ImageDataset(new Tensor(data, size.ToBatchShape(kept)), labels, classNames, name);
    }

    private static ImageSize ResolveSize(List<(string Path, int Label)> files, ImageFolderOptions options, string name, out int firstReadable, out string?[] warnings)
    {
        warnings = [];
        firstReadable = 0;
        if (options is { Height: int h, Width: int w, Channels: int c })
            return new ImageSize(c, h, w);
        var early = new List<string?>();
        for (int i = 0; i < files.Count; i++)
        {
            try
            {
                var first = ImageDecoder.Load(files[i].Path, options.Channels, options.MaxPixels);
                firstReadable = i;
                warnings = [.. early];
                return new ImageSize(first.Size.Channels, options.Height ?? first.Size.Height, options.Width ?? first.Size.Width);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                early.Add($"ImageFolder {name}: skipped {files[i].Path}: {Reason(e, files[i].Path)}");
            }
        }
        firstReadable = files.Count;
        warnings = [.. early];
        return new ImageSize(options.Channels ?? 3, options.Height ?? 1, options.Width ?? 1);
    }

    // The decoder's message without its own "ImageDecoder: <path>: " prefix (the warning names the file already).
    private static string Reason(Exception e, string path)
    {
        string prefix = $"ImageDecoder: {path}: ";
        return e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message;
    }

    private static string? FindValidation(string root) =>
        ValidationFolders.Select(v => Path.Combine(root, v)).FirstOrDefault(IsClassFolder);

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
                return i;
        }
        return -1;
    }
}
