// OptimizedBuildTests.cs — the bench's refusal to time Debug builds: the check reads the
// DebuggableAttribute the compiler writes, so it must tell this test assembly's configuration
// apart and must see Cortex.Kernels (always compiled with Optimize=true) as optimized.
using Cortex.Bench.Harness;

namespace Cortex.Bench.Tests;

public sealed class OptimizedBuildTests
{
#if DEBUG
    private const bool BuiltInDebug = true;
#else
    private const bool BuiltInDebug = false;
#endif

    [Fact]
    public void IsOptimizerDisabled_MatchesTheConfigurationThisAssemblyWasBuiltIn()
    {
        Assert.Equal(BuiltInDebug, OptimizedBuild.IsOptimizerDisabled(typeof(OptimizedBuildTests).Assembly));
    }

    [Fact]
    public void IsOptimizerDisabled_IsFalseForTheKernels_WhichAlwaysBuildOptimized()
    {
        var kernels = typeof(Cortex.Kernels.Parallelism).Assembly;

        Assert.False(OptimizedBuild.IsOptimizerDisabled(kernels));
        Assert.DoesNotContain(kernels.GetName().Name!, OptimizedBuild.Unoptimized());
    }

    [Fact]
    public void Unoptimized_NamesExactlyTheTimedAssembliesBuiltInDebug()
    {
        // The src projects are built in this test run's configuration (the kernels excepted).
        var expected = OptimizedBuild.Timed.Where(a => BuiltInDebug && a != typeof(Cortex.Kernels.Parallelism).Assembly)
            .Select(a => a.GetName().Name!).ToArray();

        Assert.Equal(expected, OptimizedBuild.Unoptimized());
        Assert.Equal(4, OptimizedBuild.Timed.Count);
        Assert.All(OptimizedBuild.Timed, a => Assert.StartsWith("Cortex", a.GetName().Name!, StringComparison.Ordinal));
    }

    [Fact]
    public void IsOptimizerDisabled_RejectsNull()
    {
        Assert.Throws<ArgumentNullException>(() => OptimizedBuild.IsOptimizerDisabled(null!));
    }
}
