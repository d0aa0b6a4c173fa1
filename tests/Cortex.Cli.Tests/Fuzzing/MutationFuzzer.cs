// MutationFuzzer.cs — a small, seeded, managed mutation fuzzer (in the spirit of AFL's havoc stage,
// without coverage feedback): each input is a valid seed file changed by one to four mutations —
// bit flips, byte overwrites with "interesting" values (0, 0xFF, 0x7F, 0x80), 32-bit length-field
// edits (big- and little-endian: 0, 1, 0x7FFFFFFF, 0xFFFFFFFF, ±1, ×2^k), truncations, chunk
// deletions and duplications, and splices of two seeds. Half of the mutations land in the first
// 512 bytes, where every format here keeps its header and length fields.
//
// Each input runs on a thread-pool thread under a time limit (a hang is a failure) and with the bytes
// that thread allocates measured (more than the bound is a failure). An exception whose type is not
// one of the parser's documented ones is a failure; the report keeps the first few with the input's
// seed and iteration, so a failure can be replayed.
using System.Diagnostics;

namespace Cortex.Cli.Tests.Fuzzing;

/// <summary>What a fuzzing run saw.</summary>
internal sealed record FuzzReport(string Parser, int Iterations, int CorpusSize, int Accepted, int Refused, IReadOnlyList<string> Failures)
{
    public override string ToString() =>
        $"{Parser}: {Iterations} inputs from {CorpusSize} seeds, {Accepted} accepted, {Refused} refused, {Failures.Count} failures" +
        (Failures.Count == 0 ? "" : ":\n  " + string.Join("\n  ", Failures.Take(5)));
}

/// <summary>Seeded mutation fuzzing of one parser.</summary>
internal static class MutationFuzzer
{
    private static readonly uint[] InterestingWords = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 1000, 1 << 20, 1 << 30];
    private static readonly byte[] InterestingBytes = [0, 1, 0x7F, 0x80, 0xFF, (byte)'"', (byte)'{', (byte)'[', (byte)'-', (byte)'9'];

    /// <summary>
    /// Runs <paramref name="parse"/> on <paramref name="iterations"/> mutants of <paramref name="corpus"/>. An exception
    /// of a type in <paramref name="documented"/> (or derived from one) counts as a refusal; anything else, a run
    /// past <paramref name="timeLimit"/> or more than <paramref name="maxAllocatedBytes"/> allocated is a failure.
    /// </summary>
    public static FuzzReport Run(string parser, IReadOnlyList<byte[]> corpus, Action<byte[]> parse, Type[] documented,
        int iterations, ulong seed, TimeSpan? timeLimit = null, long maxAllocatedBytes = 256L << 20)
    {
        var limit = timeLimit ?? TimeSpan.FromSeconds(5);
        var random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        var failures = new List<string>();
        int accepted = 0, refused = 0;
        for (int i = 0; i < iterations && failures.Count < 10; i++)
        {
            byte[] input = i < corpus.Count ? corpus[i] : Mutate(corpus, random);    // the seeds themselves first
            long allocated = 0;
            Exception? thrown = null;
            var task = Task.Run(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    parse(input);
                }
#pragma warning disable CA1031 // the fuzzer classifies every exception
                catch (Exception e)
#pragma warning restore CA1031
                {
                    thrown = e;
                }
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            });
            if (!task.Wait(limit))
            {
                failures.Add($"iteration {i} (seed {seed}): no answer within {limit.TotalSeconds:F0} s ({input.Length} bytes, kept in {Keep(parser, i, input)})");
                break;                                         // the thread cannot be stopped; do not pile up more
            }
            if (allocated > maxAllocatedBytes)
                failures.Add($"iteration {i} (seed {seed}): allocated {allocated >> 20} MiB from {input.Length} bytes (kept in {Keep(parser, i, input)})");
            if (thrown is null)
                accepted++;
            else if (documented.Any(t => t.IsInstanceOfType(thrown)))
                refused++;
            else
                failures.Add($"iteration {i} (seed {seed}): {thrown.GetType().Name}: {thrown.Message}\n{thrown.StackTrace}");
        }
        return new FuzzReport(parser, iterations, corpus.Count, accepted, refused, failures);
    }

    // A failing input is written to the temp folder so that it can be replayed and added to the tests.
    private static string Keep(string parser, int iteration, byte[] input)
    {
        string name = new([.. parser.Select(c => char.IsLetterOrDigit(c) ? c : '-')]);
        string path = Path.Combine(Path.GetTempPath(), $"cortex-fuzz-{name}-{iteration}.bin");
        File.WriteAllBytes(path, input);
        return path;
    }

    /// <summary>One to four mutations of a random seed (or of a splice of two).</summary>
    public static byte[] Mutate(IReadOnlyList<byte[]> corpus, Random random)
    {
        Debug.Assert(corpus.Count > 0);
        var data = new List<byte>(corpus[random.Next(corpus.Count)]);
        int count = 1 + random.Next(4);
        for (int m = 0; m < count; m++)
        {
            switch (random.Next(8))
            {
                case 0: // flip one bit
                    if (data.Count > 0)
                    {
                        int at = Position(data.Count, random);
                        data[at] ^= (byte)(1 << random.Next(8));
                    }
                    break;
                case 1: // an interesting byte
                    if (data.Count > 0)
                        data[Position(data.Count, random)] = InterestingBytes[random.Next(InterestingBytes.Length)];
                    break;
                case 2: // a length field: an interesting or nudged 32-bit word, either byte order
                    if (data.Count >= 4)
                    {
                        int at = Math.Min(Position(data.Count, random), data.Count - 4);
                        uint old = (uint)(data[at] << 24 | data[at + 1] << 16 | data[at + 2] << 8 | data[at + 3]);
                        uint word = random.Next(3) switch
                        {
                            0 => InterestingWords[random.Next(InterestingWords.Length)],
                            1 => old + (uint)(random.Next(2) == 0 ? 1 : -1),
                            _ => old << random.Next(1, 8),
                        };
                        bool big = random.Next(2) == 0;
                        for (int k = 0; k < 4; k++)
                            data[at + k] = (byte)(word >> (big ? 24 - 8 * k : 8 * k));
                    }
                    break;
                case 3: // truncate
                    if (data.Count > 0)
                    {
                        int cut = random.Next(data.Count);
                        data.RemoveRange(cut, data.Count - cut);
                    }
                    break;
                case 4: // delete a chunk
                    if (data.Count > 1)
                    {
                        int at = Position(data.Count, random);
                        data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(64)));
                    }
                    break;
                case 5: // duplicate a chunk
                    if (data.Count > 1)
                    {
                        int at = Position(data.Count, random);
                        int n = Math.Min(data.Count - at, 1 + random.Next(64));
                        data.InsertRange(at, data.GetRange(at, n));
                    }
                    break;
                case 6: // splice: the head of this input and the tail of another seed
                    {
                        var other = corpus[random.Next(corpus.Count)];
                        int cut = data.Count == 0 ? 0 : random.Next(data.Count);
                        int from = other.Length == 0 ? 0 : random.Next(other.Length);
                        data.RemoveRange(cut, data.Count - cut);
                        data.AddRange(other.AsSpan(from).ToArray());
                    }
                    break;
                default: // random bytes over a short run
                    if (data.Count > 0)
                    {
                        int at = Position(data.Count, random);
                        int n = Math.Min(data.Count - at, 1 + random.Next(8));
                        for (int k = 0; k < n; k++)
                            data[at + k] = (byte)random.Next(256);
                    }
                    break;
            }
        }
        return [.. data];
    }

    // Half the time within the first 512 bytes (headers and length fields), else anywhere.
    private static int Position(int length, Random random) =>
        random.Next(2) == 0 ? random.Next(Math.Min(length, 512)) : random.Next(length);
}
