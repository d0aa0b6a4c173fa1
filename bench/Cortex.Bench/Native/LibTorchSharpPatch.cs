// LibTorchSharpPatch.cs — makes the build-output copy of TorchSharp's native glue library
// (libLibTorchSharp.so) loadable on systems whose libstdc++ is older than the one it was built with.
//
// TorchSharp-cpu 0.107 ships libLibTorchSharp.so linked against GCC 13's libstdc++, so its
// .gnu.version_r requires GLIBCXX_3.4.32. Debian 12's libstdc++ stops at GLIBCXX_3.4.30, so ld.so
// refuses the library and TorchSharp reports, misleadingly, that the program "doesn't contain a
// reference to libtorch-cpu-linux-x64". The only symbol bound to GLIBCXX_3.4.32 is
// _ZSt21ios_base_library_initv, an undefined marker GCC 13's <iostream> emits to pull in the
// iostream initialisation object at link time; no relocation uses it, so nothing is ever
// looked up under that version. WeakVersionPatch proves exactly that and marks the requirement weak.
//
// Only files inside this program's own output folder are touched — never the NuGet cache. The
// patched bytes go to a new file that is renamed over the old one: that never writes through a
// hard link into the cache and never exposes a half-written library to a concurrent reader.
// MSBuild may copy the original back on the next build; the patch is cheap and idempotent, so it
// simply runs again at every start.
namespace Cortex.Bench.Native;

/// <summary>Finds and patches the build-output copies of <c>libLibTorchSharp.so</c>.</summary>
public static class LibTorchSharpPatch
{
    /// <summary>The native library TorchSharp P/Invokes into.</summary>
    public const string LibraryFileName = "libLibTorchSharp.so";

    /// <summary>The libstdc++ version TorchSharp-cpu 0.107 requires only for an inert link-time marker.</summary>
    public const string MarkerVersion = "GLIBCXX_3.4.32";

    /// <summary>Patches every copy of the library in this program's output folder; returns what was done to each.</summary>
    /// <exception cref="FileNotFoundException">No copy was found where the runtime loads native libraries from.</exception>
    public static IReadOnlyList<(string Path, WeakVersionResult Result)> PatchBuildOutput()
    {
        var paths = Locate(AppContext.BaseDirectory, AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") as string);
        if (paths.Count == 0)
            throw new FileNotFoundException(
                $"{LibraryFileName} was not found in the output folder {AppContext.BaseDirectory} (nor in its runtimes/<rid>/native). " +
                "Is the TorchSharp-cpu package referenced and restored?", LibraryFileName);
        return [.. paths.Select(path => (path, PatchFile(path)))];
    }

    /// <summary>Marks <see cref="MarkerVersion"/> weak in the library at <paramref name="path"/>, replacing the file only if it changed.</summary>
    public static WeakVersionResult PatchFile(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        WeakVersionResult result;
        try
        {
            result = WeakVersionPatch.Apply(bytes, MarkerVersion);
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException)
        {
            throw new InvalidOperationException($"Cannot patch {path}: {e.Message}", e);
        }
        if (result.Outcome != WeakVersionOutcome.Patched)
            return result;

        string temporary = $"{path}.patch-{Environment.ProcessId}";
        try
        {
            File.WriteAllBytes(temporary, bytes);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(path));
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);                 // no-op after a successful move
        }
        return result;
    }

    /// <summary>
    /// The distinct existing copies of the library in <paramref name="baseDirectory"/>, its
    /// runtimes/linux-x64/native folder, and those of the host's native search directories
    /// (<paramref name="searchDirectories"/>, ':'-separated) that lie inside <paramref name="baseDirectory"/>.
    /// </summary>
    public static IReadOnlyList<string> Locate(string baseDirectory, string? searchDirectories)
    {
        ArgumentException.ThrowIfNullOrEmpty(baseDirectory);
        string root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(baseDirectory)) + Path.DirectorySeparatorChar;
        var directories = new List<string> { root, Path.Combine(root, "runtimes", "linux-x64", "native") };
        directories.AddRange((searchDirectories ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        return [.. directories
            .Select(d => Path.GetFullPath(Path.Combine(d, LibraryFileName)))
            .Where(p => p.StartsWith(root, StringComparison.Ordinal) && File.Exists(p))   // build output only, never the NuGet cache
            .Distinct(StringComparer.Ordinal)];
    }
}
