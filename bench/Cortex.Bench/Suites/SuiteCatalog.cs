// SuiteCatalog.cs — every suite the bench program knows, in the order `all` runs them.
// A new suite is added here and nowhere else.
using Cortex.Bench.Harness;

namespace Cortex.Bench.Suites;

/// <summary>The list of benchmark suites.</summary>
public static class SuiteCatalog
{
    /// <summary>All suites, in the order <c>all</c> runs them.</summary>
    public static IReadOnlyList<Suite> All { get; } = [new GemmSuite(), new ConvSuite(), new TrainSuite(), new InferSuite(), new MemorySuite(), new AugmentSuite(), new StudioSuite(), new ClassicSuite(), new DistributedSuite()];
}
