// ShippedDigits.cs — the 10,000 real MNIST digits that ship in the repository's data/mnist-digits
// (8,000 train / 2,000 test, gzip'd IDX, with SHA256SUMS; see its README for provenance).
//
// The folder is looked for as data/mnist-digits in the current directory and each of its
// parents, then beside the running program (AppContext.BaseDirectory) and each of its parents,
// so `dotnet run --project src/Cortex.Cli` from the repository root and the tests both find it.
// The checksums are verified on every load (about 2 MB: milliseconds).
namespace Cortex.Data.Sources;

/// <summary>The MNIST digits shipped with Cortex in <c>data/mnist-digits</c>.</summary>
/// <example><code>
/// var (train, test) = ShippedDigits.Load();   // 8,000 and 2,000 images, (1, 28, 28), classes "0" … "9"
/// </code></example>
public static class ShippedDigits
{
    /// <summary>Where the folder sits relative to the repository root.</summary>
    public static readonly string RelativePath = Path.Combine("data", "mnist-digits");

    /// <summary>The digit classes, "0" … "9".</summary>
    public static IReadOnlyList<string> ClassNames { get; } = IdxFolder.NumberedClasses(10);

    /// <summary>The shipped folder, or null when it cannot be found.</summary>
    public static string? Find()
    {
        foreach (string? start in (string?[])[Environment.CurrentDirectory, AppContext.BaseDirectory])
        {
            for (var dir = start is null ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, RelativePath);
                if (IdxFolder.Holds(candidate))
                    return candidate;
            }
        }
        return null;
    }

    /// <summary>Loads the shipped digits from <paramref name="directory"/> (by default, the folder <see cref="Find"/> finds), verifying SHA256SUMS.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder cannot be found.</exception>
    public static DatasetSplit Load(string? directory = null)
    {
        directory ??= Find() ?? throw new DirectoryNotFoundException(
            $"digits: expected the shipped folder {RelativePath} in {Environment.CurrentDirectory}, {AppContext.BaseDirectory} " +
            "or one of their parents, got none. Run from inside the Cortex repository, or pass the folder's path instead of 'digits'.");
        Sha256Sums.Verify(directory);
        return IdxFolder.Load(directory, ClassNames, "digits");
    }
}
