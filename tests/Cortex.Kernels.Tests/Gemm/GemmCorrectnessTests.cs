// GemmCorrectnessTests.cs — Gemm equals its reference twin on shapes that straddle every tile
// and block edge (1, MR±1, NR±1, KC+1), all four transpose pairs, alpha/beta in {0, 1, -0.5, 2.5},
// padded leading dimensions and NaN-filled C under beta = 0; on every instruction-set path the
// processor supports (forced with Gemm.MultiplyWith) and through the public dispatcher.
// Paths the processor lacks are covered by GemmInstructionSetTests in child processes.
namespace Cortex.Kernels.Tests;


public class GemmCorrectnessTests
{
    private static readonly float[] Alphas = [1f, -0.5f, 2.5f, 0f];
    private static readonly float[] Betas = [0f, 1f, -0.5f, 2.5f];

    public static TheoryData<GemmPath> SupportedPaths => [.. Enum.GetValues<GemmPath>().Where(Gemm.IsSupported)];

    [Theory]
    [MemberData(nameof(SupportedPaths))]
    public void EdgeShapes_AllTransposes_MatchReference(GemmPath path)
    {
        foreach (var (@case, seed) in EdgeCases(Gemm.ConfigOf(path)))
        {
            @case.AssertMatchesReference([(path.ToString(), (ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) =>
                Gemm.MultiplyWith(path, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc))], seed);
        }
    }

    [Fact]
    public void LargeShapes_Threaded_EveryPath_MatchesReference()
    {
        // Big enough to be split across threads and to cross MC and KC blocks; odd everywhere.
        // One reference result per case serves every supported path (the reference is the slow part).
        GemmCase[] cases =
        [
            new(false, false, 513, 257, 129, 2.5f, -0.5f, Pad: 3),
            new(true, true, 257, 513, 129, -0.5f, 0f),
            new(true, false, 129, 67, 513, 1f, 1f, Pad: 1),
            new(false, true, 67, 300, 301, 1f, 2.5f),
        ];
        (string, GemmMultiply)[] paths = [.. Enum.GetValues<GemmPath>().Where(Gemm.IsSupported).Select(path => (path.ToString(), (GemmMultiply)((ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) =>
            Gemm.MultiplyWith(path, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc))))];
        for (int i = 0; i < cases.Length; i++)
            cases[i].AssertMatchesReference(paths, seed: 100 + i);
    }

    [Fact]
    public void SelectedPath_EdgeShapes_MatchReference()
    {
        // Through the public entry, so a child process with instruction sets switched off checks its own dispatch.
        foreach (var (@case, seed) in EdgeCases(Gemm.Selected))
            @case.AssertMatchesReference(Gemm.Multiply, seed);
    }

    [Fact]
    public void RandomShapes_MatchReference()
    {
        var random = new Random(2024);
        for (int t = 0; t < 60; t++)
        {
            var @case = new GemmCase(
                random.Next(2) == 1, random.Next(2) == 1,
                random.Next(1, 90), random.Next(1, 90), random.Next(1, 90),
                Alphas[random.Next(Alphas.Length)], Betas[random.Next(Betas.Length)], Pad: random.Next(3));
            @case.AssertMatchesReference(Gemm.Multiply, seed: t);
        }
    }

    // A few rows of A times Bᵀ run as dot products of rows (a dense layer at batch 1–4).
    [Theory]
    [InlineData(1, 100, 4320, 1f, 0f)]
    [InlineData(2, 7, 33, 2.5f, -0.5f)]
    [InlineData(3, 1, 1, -1f, 1f)]
    [InlineData(4, 65, 17, 0.5f, 2f)]
    public void FewRowsTimesTransposedB_MatchReference(int m, int n, int k, float alpha, float beta)
    {
        new GemmCase(false, true, m, n, k, alpha, beta, Pad: 2).AssertMatchesReference(Gemm.Multiply, seed: m);
    }

    // A product at most 16 columns wide is computed transposed and added back (a late ResNet stage at batch 1).
    [Theory]
    [InlineData(false, false, 100, 16, 300, 1f, 0f)]
    [InlineData(true, false, 45, 9, 70, 2f, 0.5f)]
    [InlineData(false, true, 64, 1, 33, -1f, 1f)]
    [InlineData(true, true, 200, 13, 5, 0.5f, -2f)]
    public void NarrowProducts_MatchReference(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float beta)
    {
        new GemmCase(transposeA, transposeB, m, n, k, alpha, beta, Pad: 1).AssertMatchesReference(Gemm.Multiply, seed: n);
    }

    [Theory]
    [InlineData(6, 784, 25)]     // LeNet-5 conv1, one image: 6 filters · (1·5·5) × 28·28 positions
    [InlineData(16, 100, 150)]   // LeNet-5 conv2, one image: 16 filters · (6·5·5) × 10·10
    [InlineData(64, 1024, 576)]  // ResNet 3×3, 64→64 channels on 32×32
    public void ConvolutionShapes_MatchReference(int m, int n, int k)
    {
        new GemmCase(false, false, m, n, k, 1f, 0f).AssertMatchesReference(Gemm.Multiply, seed: m);
    }

    [Theory]
    [InlineData(40, 1005, 300)]   // A small, B packed: a one-thread chunk holds 32 panels, packed in groups
    [InlineData(20, 1005, 300)]   // at most two row panels: B read in place, its narrow last panel packed
    [InlineData(600, 77, 40)]     // A large: 43 row panels shared out between the chunks
    public void WideAndTallProducts_OnAllThreadsAndNested_MatchReference(int m, int n, int k)
    {
        var @case = new GemmCase(false, false, m, n, k, 1.5f, 0.5f, Pad: 1);
        @case.AssertMatchesReference(
        [
            ("Gemm.Multiply", Gemm.Multiply),
            ("nested in a parallel body (planned as one thread)", MultiplyNested),
        ], seed: m);
    }

    // Runs the product from inside a Parallelism.For body, where Gemm plans a call as one thread's work.
    private static void MultiplyNested(bool transposeA, bool transposeB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        float[] aa = a.ToArray(), bb = b.ToArray(), cc = c.ToArray();
        Parallelism.For(2, i =>
        {
            if (i == 0)
                Gemm.Multiply(transposeA, transposeB, m, n, k, alpha, aa, lda, bb, ldb, beta, cc, ldc);
        });
        cc.CopyTo(c);
    }

    [Fact]
    public void DocumentationExample_GivesTheWrittenResult()
    {
        float[] a = [1, 2, 3, 4, 5, 6], b = [7, 8, 9, 10, 11, 12], c = new float[4];
        Gemm.Multiply(false, false, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 2);
        Assert.Equal([58f, 64f, 139f, 154f], c);
    }

    [Fact]
    public void ZeroDepth_ScalesC_AndBetaZeroClearsNaN()
    {
        float[] c = [1f, 2f, float.NaN, 4f];
        Gemm.Multiply(false, false, 2, 2, 0, 1f, [], 1, [], 2, 0.5f, c, 2);
        Assert.Equal([0.5f, 1f, float.NaN, 2f], c);
        Gemm.Multiply(true, true, 2, 2, 0, 1f, [], 2, [], 1, 0f, c, 2);
        Assert.Equal([0f, 0f, 0f, 0f], c);
    }

    [Fact]
    public void EmptyOutput_LeavesEverythingAlone()
    {
        float[] c = [float.NaN];
        Gemm.Multiply(false, false, 0, 5, 3, 1f, [], 3, new float[15], 5, 0f, c, 5);
        Gemm.Multiply(false, false, 3, 0, 3, 1f, new float[9], 3, [], 1, 0f, c, 1);
        Assert.True(float.IsNaN(c[0]));
    }

    [Fact]
    public void RepeatedCall_AllocatesNothing()
    {
        float[] a = new float[96 * 80], b = new float[80 * 72], c = new float[96 * 72];
        for (int i = 0; i < 300; i++)   // warm-up: the workspace grows once and tiered JIT settles on its final code
            Gemm.Multiply(false, true, 96, 72, 80, 1f, a, 80, b, 80, 0f, c, 72);
        const int Calls = 100;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++)
            Gemm.Multiply(false, true, 96, 72, 80, 1f, a, 80, b, 80, 0f, c, 72);
        // Per call, rounded down: a one-off runtime allocation (a late tier-up) is not a per-call cost.
        Assert.Equal(0, (GC.GetAllocatedBytesForCurrentThread() - before) / Calls);
    }

    // Every combination of m ∈ {1, MR−1, MR+1, 2·MR+3}, n ∈ {1, NR−1, NR+1, 3·NR+5}, k ∈ {1, 7, KC+1}
    // and the four transpose pairs; alpha, beta and padding rotate so each value meets each shape class.
    private static IEnumerable<(GemmCase Case, int Seed)> EdgeCases(GemmConfig config)
    {
        int[] ms = [1, config.MR - 1, config.MR + 1, 2 * config.MR + 3];
        int[] ns = [1, config.NR - 1, config.NR + 1, 3 * config.NR + 5];
        int[] ks = [1, 7, config.KC + 1];
        int seed = 0;
        foreach (int m in ms.Where(v => v >= 1).Distinct())
            foreach (int n in ns.Where(v => v >= 1).Distinct())
                foreach (int k in ks)
                    for (int t = 0; t < 4; t++, seed++)
                        yield return (new GemmCase((t & 1) != 0, (t & 2) != 0, m, n, k, Alphas[seed % 4], Betas[seed / 4 % 4], Pad: seed % 3 == 0 ? 2 : 0), seed);
    }
}
