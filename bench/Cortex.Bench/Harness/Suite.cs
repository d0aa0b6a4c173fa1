// Suite.cs — a family of benchmark cases (GEMM, convolution, training step, …). Each suite is one
// command of the bench program; `all` runs every suite in SuiteCatalog. To add a suite: derive
// from Suite, yield one ResultRow per case (as it finishes, so progress shows), list it in SuiteCatalog.
namespace Cortex.Bench.Harness;

/// <summary>A named family of side-by-side benchmark cases.</summary>
public abstract class Suite
{
    /// <summary>The command name, e.g. <c>gemm</c>.</summary>
    public abstract string Name { get; }

    /// <summary>One line for <c>--help</c>.</summary>
    public abstract string Description { get; }

    /// <summary>Runs every case, yielding each row as soon as it is measured.</summary>
    public abstract IEnumerable<ResultRow> Run(BenchContext context);
}
