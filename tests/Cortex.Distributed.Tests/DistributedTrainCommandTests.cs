// DistributedTrainCommandTests.cs — `cortex train` under `mpiexec -n 2` end to end, on a small IDX
// folder cut from the shipped digits (400 to train, 100 to test), and `--distributed` without MPI.
using Cortex.Data;
using Cortex.Data.Idx;

namespace Cortex.Distributed.Tests;

public sealed class DistributedTrainCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);
    private readonly string _folder = Directory.CreateTempSubdirectory("cortex-mpi-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Two_ranks_train_and_only_rank_0_prints_and_saves()
    {
        if (MpiRun.SkipReason is { } reason)
            Assert.Skip(reason);
        string data = WriteDigits();
        string model = Path.Combine(_folder, "out", "lenet5.safetensors");
        string history = Path.Combine(_folder, "out", "history.csv");
        var run = MpiRun.Dotnet(MpiRun.CliPath, 2, Timeout, null,
            "train", "--data", data, "--epochs", "1", "--batch-size", "25", "--threads", "1", "--augment", "none",
            "-o", model, "--history", history);
        Assert.False(run.TimedOut, run.Output);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("distributed: 2 ranks × batch 25 = global batch 50", run.Output, StringComparison.Ordinal);
        Assert.Single(run.Output.Split('\n'), line => line.StartsWith("test accuracy: ", StringComparison.Ordinal));  // rank 0 alone
        Assert.True(File.Exists(model), run.Output);
        var rows = File.ReadAllLines(history);
        Assert.Equal(2, rows.Length);                      // header and the one epoch
        var checkpoint = Cortex.Training.TrainingCheckpoint.ReadInfo(Path.ChangeExtension(model, ".ckpt"));   // rank 0's
        Assert.Equal("2", checkpoint.Metadata[DistributedTrainer.RanksKey]);
        Assert.Equal(50, DistributedTrainer.GlobalBatchOf(checkpoint));
    }

    [Fact]
    public void A_two_rank_run_resumed_from_a_mid_epoch_checkpoint_ends_as_it_did_on_two_ranks_and_on_one()
    {
        if (MpiRun.SkipReason is { } reason)
            Assert.Skip(reason);
        string data = WriteDigits();
        string model = Path.Combine(_folder, "out", "lenet5.safetensors");
        var run = MpiRun.Dotnet(MpiRun.CliPath, 2, Timeout, null,
            "train", "--data", data, "--epochs", "1", "--batch-size", "25", "--threads", "1", "--augment", "none",
            "-o", model, "--history", Path.Combine(_folder, "out", "history.csv"), "--checkpoint-every", "3b", "--keep-checkpoints", "3");
        Assert.True(run.ExitCode == 0, run.Output);
        // 360 training images, global batch 50: 8 steps; checkpoints after steps 3 and 6 and at the end (kept as .2, .1 and the newest)
        string early = Path.Combine(_folder, "out", "lenet5.2.ckpt");
        Assert.Equal("epoch 1, batch 3 of 8", Cortex.Training.TrainingCheckpoint.ReadInfo(early).Describe());

        string two = Path.Combine(_folder, "two.safetensors"), one = Path.Combine(_folder, "one.safetensors");
        string copy = Path.Combine(_folder, "early-copy.ckpt");
        File.Copy(early, copy);                 // a resumed run goes on writing the checkpoint it came from
        var onTwo = MpiRun.Dotnet(MpiRun.CliPath, 2, Timeout, null, "train", "--resume", early, "-o", two, "--history", Path.Combine(_folder, "two.csv"));
        Assert.True(onTwo.ExitCode == 0, onTwo.Output);
        Assert.Contains("distributed: 2 ranks × batch 25 = global batch 50", onTwo.Output, StringComparison.Ordinal);
        var onOne = MpiRun.Dotnet(MpiRun.CliPath, 0, Timeout, null, "train", "--resume", copy, "-o", one, "--history", Path.Combine(_folder, "one.csv"));
        Assert.True(onOne.ExitCode == 0, onOne.Output);
        Assert.Contains("distributed: 1 ranks × batch 50 = global batch 50", onOne.Output, StringComparison.Ordinal);

        var reference = Weights(model);
        Assert.Equal(reference, Weights(two));                                       // same ranks, same threads: bit for bit
        var single = Weights(one);
        Assert.Equal(reference.Length, single.Length);
        double worst = reference.Zip(single, (x, y) => Math.Abs(x - y) / (1 + Math.Abs(x))).Max();
        Assert.True(worst < 1e-4, $"resumed as 1 rank: largest relative difference from the 2-rank run {worst:E2}");
    }

    [Fact]
    public void Sync_bn_outside_a_distributed_run_says_so_in_one_line()
    {
        var run = MpiRun.Dotnet(MpiRun.CliPath, 0, Timeout, null, "train", "--sync-bn", "--epochs", "1");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: --sync-bn: synchronises batch norm across the ranks of a distributed run; run under mpiexec -n N, or add --distributed.",
                     run.Output.Trim());
    }

    private static float[] Weights(string path) =>
        Cortex.Serialization.SafeTensors.Load(path).Tensors.OrderBy(t => t.Key, StringComparer.Ordinal)
            .SelectMany(t => t.Value.Span.ToArray()).ToArray();

    [Fact]
    public void Distributed_without_an_MPI_library_says_so_in_one_line()
    {
        var run = MpiRun.Dotnet(MpiRun.CliPath, 0, Timeout, new Dictionary<string, string> { ["CORTEX_MPI_LIBRARY"] = "/nonexistent/libmpi.so.12" },
            "train", "--distributed", "--epochs", "1");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: --distributed: the MPI library '/nonexistent/libmpi.so.12' (CORTEX_MPI_LIBRARY) could not be loaded or has no MPI_Init_thread.",
                     run.Output.Trim());
    }

    private string WriteDigits()
    {
        string folder = Path.Combine(_folder, "digits");
        Directory.CreateDirectory(folder);
        var digits = DataSources.Load("digits");
        Write(digits.Train, 400, Path.Combine(folder, "train"));
        Write(digits.Test, 100, Path.Combine(folder, "t10k"));
        return folder;
    }

    private static void Write(ImageDataset set, int count, string prefix)
    {
        var pixels = new byte[count * 28 * 28];
        var x = set.Images.Span;
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = (byte)MathF.Round(x[i] * 255f);
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
            labels[i] = (byte)set.Labels[i];
        IdxWriter.Write($"{prefix}-images-idx3-ubyte.gz", new IdxArray([count, 28, 28], pixels));
        IdxWriter.Write($"{prefix}-labels-idx1-ubyte.gz", new IdxArray([count], labels));
    }
}
