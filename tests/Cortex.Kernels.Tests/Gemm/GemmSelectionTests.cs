// GemmSelectionTests.cs — the dispatcher picks the widest instruction set the process may use.
// Run directly, it expects the widest path the processor supports; GemmInstructionSetTests runs
// it again in child processes with instruction sets switched off and CORTEX_EXPECT_GEMM_PATH set
// to the path that must then be chosen.
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cortex.Kernels.Tests;

public class GemmSelectionTests
{
    public const string ExpectedPathVariable = "CORTEX_EXPECT_GEMM_PATH";

    [Fact]
    public void Selected_IsTheExpectedPath()
    {
        string? expected = Environment.GetEnvironmentVariable(ExpectedPathVariable);
        var widest =
            Avx512F.IsSupported ? GemmPath.Avx512 :
            Avx2.IsSupported && Fma.IsSupported ? GemmPath.Avx2 :
            Vector128.IsHardwareAccelerated ? GemmPath.Vector128 : GemmPath.Scalar;
        Assert.Equal(expected is null ? widest : Enum.Parse<GemmPath>(expected), Gemm.Selected.Path);
    }

    [Fact]
    public void EveryPath_HasConsistentBlocks()
    {
        foreach (var path in Enum.GetValues<GemmPath>())
        {
            var config = Gemm.ConfigOf(path);
            Assert.Equal(path, config.Path);
            Assert.True(config.MR >= 1 && config.NR >= 1 && config.KC >= 1, config.ToString());
            Assert.True(config.MC % config.MR == 0 && config.NC % config.NR == 0, config.ToString());
        }
    }

    [Fact]
    public void MultiplyWith_UnsupportedPath_Throws()
    {
        var missing = Enum.GetValues<GemmPath>().Where(p => !Gemm.IsSupported(p)).ToArray();
        Assert.SkipWhen(missing.Length == 0, "this processor supports every GEMM path");
        var e = Assert.Throws<PlatformNotSupportedException>(() =>
            Gemm.MultiplyWith(missing[0], false, false, 1, 1, 1, 1f, [1f], 1, [1f], 1, 0f, new float[1], 1));
        Assert.Contains($"Gemm.MultiplyWith: path {missing[0]} needs instructions this processor lacks", e.Message, StringComparison.Ordinal);
    }
}
