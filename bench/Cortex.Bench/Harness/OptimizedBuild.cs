// OptimizedBuild.cs — refuses to time unoptimized code. A bench figure means something only when
// every Cortex assembly was compiled with optimizations: an assembly built in Debug carries
// DebuggableAttribute with the JIT optimizer disabled, and its methods run several times slower.
//
// It happened: `dotnet build -c Release bench/Cortex.Bench.slnx` built the referenced src projects
// in Debug (a solution build unsets Configuration for projects it does not list), and `--no-build`
// runs then timed Debug layers beside Release kernels — the `keras` augmentation 20× slower, the
// networks' element-wise passes several times. The solution now lists the src projects, and the
// bench checks the loaded assemblies before it measures anything.
using System.Diagnostics;
using System.Reflection;

namespace Cortex.Bench.Harness;

/// <summary>Finds the Cortex assemblies that were compiled without optimizations.</summary>
public static class OptimizedBuild
{
    /// <summary>The assemblies the bench times: Cortex, its kernels, models and data pipeline.</summary>
    public static IReadOnlyList<Assembly> Timed { get; } =
    [
        typeof(Cortex.Kernels.Parallelism).Assembly,
        typeof(Cortex.Layers.Sequential).Assembly,
        typeof(Cortex.Models.ModelZoo).Assembly,
        typeof(Cortex.Data.DataSources).Assembly,
    ];

    /// <summary>Whether <paramref name="assembly"/> asks the JIT not to optimize it (a Debug build).</summary>
    public static bool IsOptimizerDisabled(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled ?? false;
    }

    /// <summary>The names of the <see cref="Timed"/> assemblies built without optimizations; empty when all are optimized.</summary>
    public static IReadOnlyList<string> Unoptimized() =>
        [.. Timed.Where(IsOptimizerDisabled).Select(a => a.GetName().Name ?? a.FullName ?? "?")];
}
