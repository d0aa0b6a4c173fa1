// WeakVersionPatchTests.cs — the weak-version ELF patch on a synthetic library (always) and on
// the real libLibTorchSharp.so from the NuGet cache (in memory only; skipped when absent).
using Cortex.Bench.Native;

namespace Cortex.Bench.Tests;

public sealed class WeakVersionPatchTests
{
    [Fact]
    public void MarksTheUnrelocatedVersionWeak_ChangingOnlyItsFlag()
    {
        byte[] original = SyntheticElf.Build();
        byte[] image = (byte[])original.Clone();

        var result = WeakVersionPatch.Apply(image, SyntheticElf.MarkerVersion);

        Assert.Equal(WeakVersionOutcome.Patched, result.Outcome);
        Assert.Equal("libstdc++.so.6", result.RequiredFrom);
        Assert.Equal(3, result.VersionIndex);
        Assert.Equal([SyntheticElf.Marker], result.BoundSymbols);
        Assert.Equal(1, result.RelocationsChecked);
        int[] changed = [.. Enumerable.Range(0, image.Length).Where(i => image[i] != original[i])];
        Assert.Equal([result.FlagsOffset], changed);
        Assert.Equal(WeakVersionPatch.VersionFlagWeak, image[result.FlagsOffset]);
    }

    [Fact]
    public void IsIdempotent()
    {
        byte[] image = SyntheticElf.Build();
        WeakVersionPatch.Apply(image, SyntheticElf.MarkerVersion);
        byte[] once = (byte[])image.Clone();

        var again = WeakVersionPatch.Apply(image, SyntheticElf.MarkerVersion);

        Assert.Equal(WeakVersionOutcome.AlreadyWeak, again.Outcome);
        Assert.Equal(once, image);
    }

    [Fact]
    public void RefusesWhenARelocationUsesASymbolOfThatVersion()
    {
        byte[] image = SyntheticElf.Build(relocateMarker: true);
        byte[] original = (byte[])image.Clone();

        var error = Assert.Throws<InvalidOperationException>(() => WeakVersionPatch.Apply(image, SyntheticElf.MarkerVersion));

        Assert.Contains(SyntheticElf.Marker, error.Message, StringComparison.Ordinal);
        Assert.Equal(original, image);
    }

    [Fact]
    public void LeavesALibraryAloneWhenTheVersionIsNotRequired()
    {
        byte[] image = SyntheticElf.Build();
        byte[] original = (byte[])image.Clone();

        var result = WeakVersionPatch.Apply(image, "GLIBCXX_9.9.9");

        Assert.Equal(WeakVersionOutcome.NotRequired, result.Outcome);
        Assert.Equal(original, image);
    }

    [Fact]
    public void RefusesFilesThatAreNotElf64()
    {
        Assert.Throws<InvalidDataException>(() => WeakVersionPatch.Apply(new byte[100], "V"));
        byte[] truncated = SyntheticElf.Build()[..200];
        var error = Assert.Throws<InvalidDataException>(() => WeakVersionPatch.Apply(truncated, "V"));
        Assert.Contains("ELF:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PatchFileRewritesTheFileOnceAndKeepsItsMode()
    {
        string directory = Directory.CreateTempSubdirectory("cortex-bench-elf-").FullName;
        try
        {
            string path = Path.Combine(directory, LibTorchSharpPatch.LibraryFileName);
            File.WriteAllBytes(path, SyntheticElf.Build());
            var mode = OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(path);

            Assert.Equal(WeakVersionOutcome.Patched, LibTorchSharpPatch.PatchFile(path).Outcome);
            Assert.Equal(WeakVersionOutcome.AlreadyWeak, LibTorchSharpPatch.PatchFile(path).Outcome);
            if (!OperatingSystem.IsWindows())
                Assert.Equal(mode, File.GetUnixFileMode(path));
            Assert.Equal([LibTorchSharpPatch.LibraryFileName], Directory.GetFiles(directory).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void LocateFindsOnlyCopiesInsideTheOutputFolder()
    {
        string directory = Directory.CreateTempSubdirectory("cortex-bench-locate-").FullName;
        try
        {
            string output = Path.Combine(directory, "bin");
            string native = Path.Combine(output, "runtimes", "linux-x64", "native");
            string cache = Path.Combine(directory, "nuget-cache");
            Directory.CreateDirectory(native);
            Directory.CreateDirectory(cache);
            File.WriteAllBytes(Path.Combine(native, LibTorchSharpPatch.LibraryFileName), [1]);
            File.WriteAllBytes(Path.Combine(cache, LibTorchSharpPatch.LibraryFileName), [1]);

            var found = LibTorchSharpPatch.Locate(output, string.Join(Path.PathSeparator, native, cache));

            Assert.Equal([Path.Combine(native, LibTorchSharpPatch.LibraryFileName)], found);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void PatchesTheRealTorchSharpLibraryInMemory()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string path = Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", LibTorchSharpPatch.LibraryFileName);
        Assert.SkipUnless(File.Exists(path), $"{path} is not in the NuGet cache.");

        byte[] image = File.ReadAllBytes(path);                        // patched in memory only; the cache stays as it is
        var result = WeakVersionPatch.Apply(image, LibTorchSharpPatch.MarkerVersion);

        Assert.Equal(WeakVersionOutcome.Patched, result.Outcome);
        Assert.Equal("libstdc++.so.6", result.RequiredFrom);
        Assert.Equal([SyntheticElf.Marker], result.BoundSymbols);
        Assert.True(result.RelocationsChecked > 1000, $"only {result.RelocationsChecked} relocations were checked");
    }
}
