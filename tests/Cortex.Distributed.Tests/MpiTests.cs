// MpiTests.cs — the binding, the equivalence proof and the faults, each under `mpiexec -n 2`
// over loopback (the worker program does the MPI side; these tests only start it and read what it
// wrote). They skip, saying why, where MPI is not installed (scripts/install-mpi.sh installs it).
using System.Globalization;
using System.Text.RegularExpressions;

namespace Cortex.Distributed.Tests;

public sealed partial class MpiTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public void Without_a_library_the_message_names_the_libraries_and_how_to_install_MPI()
    {
        Assert.False(Mpi.Probe(["libcortex-no-such-mpi.so.1"], out string reason));
        Assert.Equal(Mpi.NotFoundMessage, reason);
        Assert.Contains("libmpi.so.12", reason, StringComparison.Ordinal);
        Assert.Contains("scripts/install-mpi.sh", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Collectives_on_two_ranks_match_sums_computed_by_hand()
    {
        SkipWithoutMpi();
        var run = MpiRun.Worker(2, Timeout, "collectives");
        Assert.False(run.TimedOut, run.Output);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("rank 0 of 2: collectives ok", run.Output, StringComparison.Ordinal);
        Assert.Contains("rank 1 of 2: collectives ok", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(256)]           // 5 buckets of at most 64 floats (or one tensor), each started during backward
    [InlineData(1 << 20)]       // one bucket
    public void Two_ranks_reach_the_weights_of_one_process_with_the_same_global_batch(int bucketBytes)
    {
        SkipWithoutMpi();
        string dir = Directory.CreateTempSubdirectory("cortex-mpi-").FullName;
        string one = Path.Combine(dir, "one.bin"), two = Path.Combine(dir, "two.bin"), half = Path.Combine(dir, "half.bin");
        string bucket = bucketBytes.ToString(CultureInfo.InvariantCulture);
        var single = MpiRun.Worker(0, Timeout, "train", one, "16", "2", bucket);
        Assert.Equal(0, single.ExitCode);
        var parallel = MpiRun.Worker(2, Timeout, "train", two, "16", "2", bucket);
        Assert.False(parallel.TimedOut, parallel.Output);
        Assert.Equal(0, parallel.ExitCode);
        var control = MpiRun.Worker(0, Timeout, "train", half, "8", "2", bucket);   // the per-rank batch alone: other steps
        Assert.Equal(0, control.ExitCode);

        float[] a = Read(one), b = Read(two), c = Read(half);
        Assert.Equal(a.Length, b.Length);
        double worst = a.Zip(b, (x, y) => Math.Abs(x - y) / (1 + Math.Abs(x))).Max();
        Assert.True(worst < 1e-5, $"2 ranks vs 1 process: largest relative difference {worst:E2} ({parallel.Output.Trim()})");
        if (bucketBytes == 256)   // each of the 5 parameter tensors its own bucket, each started by Layer.BackwardCompleted
            Assert.Contains("buckets 5, started during backward 5", parallel.Output, StringComparison.Ordinal);
        double apart = a.Zip(c, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(apart > 1e-3, $"batch 16 and batch 8 should train differently; they differ by at most {apart:E2}");
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void With_sync_batch_norm_two_ranks_reach_the_weights_and_statistics_of_one_process_and_without_it_they_do_not()
    {
        SkipWithoutMpi();
        string dir = Directory.CreateTempSubdirectory("cortex-mpi-bn-").FullName;
        string one = Path.Combine(dir, "one.bin"), synced = Path.Combine(dir, "sync.bin"), local = Path.Combine(dir, "local.bin");
        var single = MpiRun.Worker(0, Timeout, "train", one, "16", "2", "4194304", "bn");
        Assert.True(single.ExitCode == 0, single.Output);
        var sync = MpiRun.Worker(2, Timeout, "train", synced, "16", "2", "4194304", "syncbn");
        Assert.False(sync.TimedOut, sync.Output);
        Assert.True(sync.ExitCode == 0, sync.Output);
        var plain = MpiRun.Worker(2, Timeout, "train", local, "16", "2", "4194304", "bn");
        Assert.True(plain.ExitCode == 0, plain.Output);

        float[] a = Read(one), b = Read(synced), c = Read(local);
        Assert.Equal(a.Length, b.Length);
        double worst = a.Zip(b, (x, y) => Math.Abs(x - y) / (1 + Math.Abs(x))).Max();
        Assert.True(worst < 1e-5, $"sync batch norm, 2 ranks vs 1 process: largest relative difference {worst:E2}");
        double apart = a.Zip(c, (x, y) => Math.Abs(x - y) / (1 + Math.Abs(x))).Max();
        Assert.True(apart > 1e-3, $"local batch norm over 8 samples per rank should train differently from 16 in one process; they differ by at most {apart:E2}");
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void A_killed_rank_stops_the_job_and_the_launcher_names_its_pid_which_rank_0_listed()
    {
        SkipWithoutMpi();
        var run = MpiRun.Worker(2, Timeout, "die", "1");
        Assert.False(run.TimedOut, $"the job hung after rank 1 was killed: {run.Output}");
        Assert.NotEqual(0, run.ExitCode);
        var listed = RankPid().Match(run.Output);
        Assert.True(listed.Success, run.Output);
        string pid = listed.Groups[1].Value;
        Assert.Matches($"(PID {pid} |rank 1 with PID {pid} )", run.Output);   // MPICH's Hydra; Open MPI's mpirun
    }

    [Fact]
    public void A_failing_rank_aborts_the_job_with_a_message_naming_it()
    {
        SkipWithoutMpi();
        var run = MpiRun.Worker(2, Timeout, "throw", "1");
        Assert.False(run.TimedOut, $"the job hung after rank 1 failed: {run.Output}");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("error: rank 1 of 2 failed: a deliberate failure at step 3", run.Output, StringComparison.Ordinal);
    }

    private static void SkipWithoutMpi()
    {
        if (MpiRun.SkipReason is { } reason)
            Assert.Skip(reason);
    }

    private static float[] Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    [GeneratedRegex(@"rank 1 = pid (\d+) on")]
    private static partial Regex RankPid();
}
