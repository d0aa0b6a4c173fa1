using Cortex.Tensors;

namespace Cortex.Tests.Tensors;

public class CortexRandomTests
{
    [Fact]
    public void SameSeed_SameStream_DifferentSeed_DifferentStream()
    {
        var a = new CortexRandom(123);
        var b = new CortexRandom(123);
        var c = new CortexRandom(124);
        ulong[] sa = [.. Enumerable.Range(0, 8).Select(_ => a.NextUInt64())];
        ulong[] sb = [.. Enumerable.Range(0, 8).Select(_ => b.NextUInt64())];
        ulong[] sc = [.. Enumerable.Range(0, 8).Select(_ => c.NextUInt64())];
        Assert.Equal(sa, sb);
        Assert.NotEqual(sa, sc);
    }

    [Fact]
    public void NextInt_IsUniformOverSmallRange()
    {
        var rng = new CortexRandom(5);
        var counts = new int[7];
        for (int i = 0; i < 70000; i++)
            counts[rng.NextInt(7)]++;
        Assert.All(counts, n => Assert.InRange(n, 9500, 10500));
    }

    [Fact]
    public void NextInt_Bounds()
    {
        var rng = new CortexRandom(9);
        for (int i = 0; i < 1000; i++)
            Assert.InRange(rng.NextInt(-3, 4), -3, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(5, 5));
    }

    [Fact]
    public void Permutation_ContainsEveryIndexOnce()
    {
        int[] p = new CortexRandom(11).Permutation(1000);
        Assert.Equal(Enumerable.Range(0, 1000), p.Order());
        Assert.NotEqual(Enumerable.Range(0, 1000), p);
    }

    [Fact]
    public void Fork_IsReproducibleAndIndependent()
    {
        var parentA = new CortexRandom(77);
        var parentB = new CortexRandom(77);
        var childA = parentA.Fork();
        var childB = parentB.Fork();
        Assert.Equal(childA.NextUInt64(), childB.NextUInt64());
        Assert.NotEqual(parentA.NextUInt64(), childA.NextUInt64());
    }

    [Fact]
    public void NextFloat_IsInUnitInterval()
    {
        var rng = new CortexRandom(1);
        double sum = 0;
        for (int i = 0; i < 100000; i++)
        {
            float f = rng.NextFloat();
            Assert.InRange(f, 0f, 0.99999994f);
            sum += f;
        }
        Assert.InRange(sum / 100000, 0.49, 0.51);
    }

    [Fact]
    public void Reset_RestartsTheStream_IncludingTheSpareNormal()
    {
        var rng = new CortexRandom(9);
        rng.Normal();                          // leaves a spare normal behind
        rng.Reset(42);
        var fresh = new CortexRandom(42);
        Assert.Equal(fresh.Normal(), rng.Normal());
        Assert.Equal(fresh.NextUInt64(), rng.NextUInt64());
        Assert.Equal(42UL, rng.Seed);
    }

    [Fact]
    public void Mix_DependsOnBothArguments()
    {
        Assert.Equal(CortexRandom.Mix(1, 2), CortexRandom.Mix(1, 2));
        Assert.NotEqual(CortexRandom.Mix(1, 2), CortexRandom.Mix(2, 1));
        Assert.NotEqual(CortexRandom.Mix(1, 2), CortexRandom.Mix(1, 3));
        Assert.NotEqual(0UL, CortexRandom.Mix(0, 0));
    }
}
