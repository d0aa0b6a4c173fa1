// GemmInstructionSetTests.cs — re-runs the dispatch and correctness checks in child processes of
// this test assembly with instruction sets switched off, so the AVX2, 128-bit and scalar paths
// are exercised through the public entry exactly as on a processor that lacks the wider ones.
// The child knows which path it must have chosen through CORTEX_EXPECT_GEMM_PATH
// (GemmSelectionTests asserts it there).
//
// Switches: .NET 10 groups AVX-512 under DOTNET_EnableAVX512 (DOTNET_EnableAVX512F is the name
// older runtimes read; both are set). DOTNET_EnableAVX2=0 also removes FMA and AVX-512.
// DOTNET_EnableHWIntrinsic=0 turns off every vector instruction set.
using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cortex.Kernels.Tests;

public class GemmInstructionSetTests
{
    // The checks the child runs: the path assertion and the correctness tests that go through Gemm.Multiply.
    private static readonly string[] ChildMethods =
    [
        "Cortex.Kernels.Tests.GemmSelectionTests.*",
        "Cortex.Kernels.Tests.GemmCorrectnessTests.SelectedPath_EdgeShapes_MatchReference",
        "Cortex.Kernels.Tests.Convolution.Im2ColTests.*",         // the portable row loops (no masked AVX-512 moves)
        "Cortex.Kernels.Tests.Convolution.Col2ImTests.*",
        "Cortex.Kernels.Tests.Convolution.Convolution2dTests.*",
        "Cortex.Kernels.Tests.Distance.PairwiseDistanceTests.*",  // the L1 kernel's 256/128-bit and scalar loops
    ];

    [Fact]
    public void WithoutAvx512_UsesAvx2Path()
    {
        Assert.SkipUnless(Avx512F.IsSupported && Avx2.IsSupported && Fma.IsSupported, "needs a processor with AVX-512F and AVX2 + FMA");
        RunChild(GemmPath.Avx2, ("DOTNET_EnableAVX512F", "0"), ("DOTNET_EnableAVX512", "0"));
    }

    [Fact]
    public void WithoutAvx2_UsesVector128Path()
    {
        Assert.SkipUnless(Avx2.IsSupported, "needs a processor with AVX2");
        RunChild(GemmPath.Vector128, ("DOTNET_EnableAVX2", "0"));
    }

    [Fact]
    public void WithoutHardwareIntrinsics_UsesScalarPath()
    {
        Assert.SkipUnless(Vector128.IsHardwareAccelerated, "needs a processor with 128-bit SIMD");
        RunChild(GemmPath.Scalar, ("DOTNET_EnableHWIntrinsic", "0"));
    }

    private static void RunChild(GemmPath expected, params (string Name, string Value)[] environment)
    {
        string assembly = typeof(GemmInstructionSetTests).Assembly.Location;
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        foreach (string method in ChildMethods)
        {
            start.ArgumentList.Add("-method");
            start.ArgumentList.Add(method);
        }

        start.ArgumentList.Add("-noLogo");
        start.ArgumentList.Add("-noColor");
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        start.Environment[GemmSelectionTests.ExpectedPathVariable] = expected.ToString();

        using var child = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var stderr = child.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        string stdout = child.StandardOutput.ReadToEnd();
        if (!child.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            child.Kill(entireProcessTree: true);
            Assert.Fail($"child test run for {expected} did not finish in 2 minutes:\n{stdout}");
        }

        string report = $"child ({string.Join(' ', environment.Select(e => $"{e.Name}={e.Value}"))}) exited {child.ExitCode}:\n{stdout}\n{stderr.Result}";
        Assert.True(child.ExitCode == 0, report);
        Assert.Contains("Failed: 0", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Total: 0", stdout, StringComparison.Ordinal);
    }

    // The muxer that runs this test process (dotnet test, or `dotnet Cortex.Kernels.Tests.dll`), else the one on PATH.
    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
            return host;
        string? current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
