// CortexRandom.cs — the seeded random source that all of Cortex draws from (initializers,
// shuffling, dropout masks, augmentation), so that a run with the same seed gives the same numbers.
//
// Generator: xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number generators",
// 2018), seeded through SplitMix64. Written out here rather than using System.Random so that the
// stream is fixed by this file, not by the runtime version.
using System.Runtime.CompilerServices;

namespace Cortex.Tensors;

/// <summary>A deterministic, seedable random number generator. Not thread-safe: give each thread its own via <see cref="Fork"/>.</summary>
/// <example><code>
/// var rng = new CortexRandom(42);
/// var w = Tensor.RandomNormal(new Shape(30, 1, 5, 5), rng, std: 0.01f);
/// </code></example>
public sealed class CortexRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareNormal;
    private bool _hasSpare;

    /// <summary>Creates a generator whose whole stream is fixed by <paramref name="seed"/>.</summary>
    public CortexRandom(ulong seed) => Reset(seed);

    /// <summary>The seed this generator was created with (or last reset to).</summary>
    public ulong Seed { get; private set; }

    /// <summary>
    /// Restarts the stream as if this generator had just been created with <paramref name="seed"/>.
    /// Lets a worker reuse one generator for many independently seeded work items without allocating.
    /// </summary>
    public void Reset(ulong seed)
    {
        Seed = seed;
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
        _hasSpare = false;
        _spareNormal = 0;
    }

    /// <summary>
    /// The generator's whole state (the four xoshiro words, the cached second normal, the seed), so a
    /// training checkpoint can continue the stream exactly where it stopped; see <see cref="Restore"/>.
    /// </summary>
    public CortexRandomState State => new(Seed, _s0, _s1, _s2, _s3, _hasSpare, _spareNormal);

    /// <summary>Puts the generator back into <paramref name="state"/>, taken earlier from <see cref="State"/>: the next draws repeat those that followed it.</summary>
    /// <exception cref="ArgumentException">All four state words are zero (xoshiro's one forbidden state).</exception>
    public void Restore(CortexRandomState state)
    {
        if ((state.S0 | state.S1 | state.S2 | state.S3) == 0)
            throw new ArgumentException("CortexRandom.Restore: the state words are all zero, which xoshiro256** can never reach; the state is corrupt.", nameof(state));
        (Seed, _s0, _s1, _s2, _s3, _hasSpare, _spareNormal) = (state.Seed, state.S0, state.S1, state.S2, state.S3, state.HasSpareNormal, state.SpareNormal);
    }

    /// <summary>
    /// A well-mixed 64-bit seed derived from <paramref name="seed"/> and <paramref name="key"/> (SplitMix64 finalizer),
    /// for seeding work items by their position: <c>Mix(Mix(seed, epoch), batch)</c>.
    /// </summary>
    public static ulong Mix(ulong seed, ulong key)
    {
        ulong x = seed ^ (key * 0x9E3779B97F4A7C15UL);
        return SplitMix64(ref x);
    }

    /// <summary>
    /// The library-wide default generator, used wherever no generator is passed in.
    /// Reset it with <see cref="SetGlobalSeed"/> to make a whole program reproducible.
    /// </summary>
    public static CortexRandom Global { get; private set; } = new(0x5EED_C0DE);

    /// <summary>Replaces <see cref="Global"/> with a fresh generator seeded with <paramref name="seed"/>.</summary>
    public static void SetGlobalSeed(ulong seed) => Global = new CortexRandom(seed);

    /// <summary>64 uniformly random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>A uniform float in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public float Uniform(float low, float high) => low + (high - low) * NextFloat();

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias (Lemire's method).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), $"CortexRandom.NextInt: expected a positive bound, got {maxExclusive}.");
        // Lemire's multiply-shift: the high 32 bits of x·range are uniform in [0, range) once the
        // few x whose low 32 bits fall under (2^32 mod range) are rejected.
        uint range = (uint)maxExclusive;
        ulong m = (NextUInt64() >> 32) * range;
        if ((uint)m < range)
        {
            uint threshold = unchecked(0u - range) % range;   // 2^32 mod range
            while ((uint)m < threshold)
                m = (NextUInt64() >> 32) * range;
        }
        return (int)(m >> 32);
    }

    /// <summary>A uniform integer in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int minInclusive, int maxExclusive)
    {
        if (maxExclusive <= minInclusive)
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), $"CortexRandom.NextInt: expected min < max, got [{minInclusive}, {maxExclusive}).");
        return minInclusive + NextInt(maxExclusive - minInclusive);
    }

    /// <summary>A normal sample (Box–Muller), mean <paramref name="mean"/>, standard deviation <paramref name="std"/>.</summary>
    public double Normal(double mean = 0, double std = 1)
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return mean + std * _spareNormal;
        }
        double u1 = 1.0 - NextDouble();            // (0, 1]: log stays finite
        double u2 = NextDouble();
        double radius = Math.Sqrt(-2.0 * Math.Log(u1));
        (double sin, double cos) = Math.SinCos(2.0 * Math.PI * u2);
        _spareNormal = radius * sin;
        _hasSpare = true;
        return mean + std * radius * cos;
    }

    /// <summary>Fills <paramref name="values"/> with normal samples.</summary>
    public void FillNormal(Span<float> values, float mean = 0f, float std = 1f)
    {
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)Normal(mean, std);
    }

    /// <summary>Fills <paramref name="values"/> with uniform samples in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public void FillUniform(Span<float> values, float low = 0f, float high = 1f)
    {
        for (int i = 0; i < values.Length; i++)
            values[i] = Uniform(low, high);
    }

    /// <summary>Shuffles <paramref name="values"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>A random permutation of 0..<paramref name="count"/>-1.</summary>
    public int[] Permutation(int count)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++)
            order[i] = i;
        Shuffle(order.AsSpan());
        return order;
    }

    /// <summary>
    /// A new, independent generator derived from this one's stream (for worker threads or sub-components).
    /// Forking advances this generator, so the sequence of forks is itself reproducible.
    /// </summary>
    public CortexRandom Fork() => new(NextUInt64());

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>A snapshot of a <see cref="CortexRandom"/>: its seed, the xoshiro256** words and the cached normal of Box–Muller.</summary>
public readonly record struct CortexRandomState(ulong Seed, ulong S0, ulong S1, ulong S2, ulong S3, bool HasSpareNormal, double SpareNormal);
