// LibTorchPeer.cs — the libtorch side of every comparison, reached through TorchSharp-cpu.
//
// Loading order matters: TorchSharp's static constructor loads libLibTorchSharp.so the first
// time any torch member is touched, and if that fails it falls back to copying all of libtorch
// (~600 MB) into a "cpu" folder and trying again. So before touching TorchSharp we patch the
// build-output copy of the library (LibTorchSharpPatch) and load it ourselves, which either
// succeeds — TorchSharp then finds it already loaded — or fails with the loader's own message.
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Cortex.Bench.Native;
using TorchSharp;

namespace Cortex.Bench.Peers;

/// <summary>libtorch, loaded and configured for a fixed number of threads.</summary>
public sealed class LibTorchPeer
{
    private LibTorchPeer(string version, string torchSharpVersion, int threads, IReadOnlyList<string> report)
        => (Version, TorchSharpVersion, Threads, Report) = (version, torchSharpVersion, threads, report);

    /// <summary>libtorch's version, e.g. <c>2.10.0</c>.</summary>
    public string Version { get; }

    /// <summary>TorchSharp's version, e.g. <c>0.107.0</c>.</summary>
    public string TorchSharpVersion { get; }

    /// <summary>Intra-op threads libtorch uses (<c>torch.get_num_threads()</c>).</summary>
    public int Threads { get; }

    /// <summary>What was done to make libtorch load, one line per library file.</summary>
    public IReadOnlyList<string> Report { get; }

    /// <summary>Patches and loads the native library, then initializes TorchSharp with <paramref name="threads"/> threads.</summary>
    /// <exception cref="InvalidOperationException">libtorch could not be loaded; the message says why.</exception>
    public static LibTorchPeer Load(int threads)
    {
        var report = new List<string>();
        if (OperatingSystem.IsLinux())
        {
            foreach (var (path, result) in LibTorchSharpPatch.PatchBuildOutput())
            {
                report.Add(Describe(path, result));
                try
                {
                    NativeLibrary.Load(path);
                }
                catch (DllNotFoundException e)
                {
                    throw new InvalidOperationException($"libtorch: {path} still does not load after the patch: {e.Message}", e);
                }
            }
        }
        return Initialize(threads, report);
    }

    // The first method that touches TorchSharp; kept apart so nothing runs its static constructor earlier.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static LibTorchPeer Initialize(int threads, List<string> report)
    {
        torch.InitializeDeviceType(DeviceType.CPU);
        torch.set_num_threads(threads);
        string torchSharp = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
        return new LibTorchPeer(torch.__version__, torchSharp.Split('+')[0], torch.get_num_threads(), report);
    }

    private static string Describe(string path, WeakVersionResult result)
    {
        string file = Path.GetRelativePath(AppContext.BaseDirectory, path);
        string symbols = result.BoundSymbols.Count == 0 ? "no symbols" : string.Join(", ", result.BoundSymbols);
        return result.Outcome switch
        {
            WeakVersionOutcome.Patched => $"{file}: marked {result.Version} (needed from {result.RequiredFrom}, only by {symbols}) weak; {result.RelocationsChecked} relocations checked, none uses it",
            WeakVersionOutcome.AlreadyWeak => $"{file}: {result.Version} already weak (only {symbols}; {result.RelocationsChecked} relocations checked)",
            _ => $"{file}: does not require {result.Version}; left as is",
        };
    }
}
