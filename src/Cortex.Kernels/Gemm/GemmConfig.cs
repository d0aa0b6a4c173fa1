// GemmConfig.cs — a description of one GEMM path: its instruction set, register tile and cache
// blocks. Read-only information for tests, benchmarks and the `cortex info` command; changing
// the blocking means changing the micro-kernel's constants.
namespace Cortex.Kernels;

/// <summary>The instruction set, register tile (MR × NR) and cache blocks (KC, MC, NC) of a GEMM path.</summary>
/// <param name="Path">The instruction-set path.</param>
/// <param name="MR">Rows of the register tile.</param>
/// <param name="NR">Columns of the register tile.</param>
/// <param name="KC">Depth of a packed block (k).</param>
/// <param name="MC">Rows of op(A) packed at once.</param>
/// <param name="NC">Columns of op(B) packed at once.</param>
public sealed record GemmConfig(GemmPath Path, int MR, int NR, int KC, int MC, int NC)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path} (tile {MR}×{NR}, KC={KC}, MC={MC}, NC={NC})";
}
