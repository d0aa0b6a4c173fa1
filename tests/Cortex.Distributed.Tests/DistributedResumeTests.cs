// DistributedResumeTests.cs — `--resume` of data-parallel runs, under `mpiexec`: a run whose rank 1
// is killed (SIGKILL) at its 5th step, after rank 0 wrote the checkpoint of step 4 (every 4 batches;
// 96 samples, global batch 16: 6 steps an epoch, 3 epochs, so it is mid-epoch 1 and the resumed run
// crosses two epoch boundaries, replaying their permutations), then resumed:
//   on 2 ranks: bit for bit the uninterrupted 2-rank run (same reductions in the same order, same threads);
//   on 1 rank (2 → 1) and a single-process Trainer's checkpoint on 2 ranks (1 → 2): the same global
//   batches, so the same steps up to float rounding (the mean of 16 per-sample gradients in one
//   process against the average of two means of 8) — compared to float tolerance.
// The model (Worker: conv, dense) trains with Momentum and a step-decay schedule, so the optimizer's
// state and the schedule must be restored too.
using Cortex.Training;

namespace Cortex.Distributed.Tests;

public sealed class DistributedResumeTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private readonly string _dir = Directory.CreateTempSubdirectory("cortex-mpi-resume-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_two_rank_run_killed_after_a_checkpoint_resumes_on_two_ranks_bit_for_bit_and_on_one_rank_to_float_tolerance()
    {
        SkipWithoutMpi();
        float[] uninterrupted = Run(2, "mpi", "full", "-", dieStep: 0);

        var killed = Worker(2, "mpi", "killed", Ckpt("two"), dieStep: 5, dieRank: 1, resume: "-");
        Assert.False(killed.TimedOut, $"the job hung after rank 1 was killed: {killed.Output}");
        Assert.NotEqual(0, killed.ExitCode);
        var info = TrainingCheckpoint.ReadInfo(Ckpt("two"));
        Assert.Equal("epoch 1, batch 4 of 6", info.Describe());                  // rank 0's checkpoint of step 4
        Assert.Equal("2", info.Metadata[DistributedTrainer.RanksKey]);
        Assert.Equal(16, DistributedTrainer.GlobalBatchOf(info));

        float[] resumed = Run(2, "mpi", "resumed2", Ckpt("two"), dieStep: 0);
        Assert.Equal(uninterrupted, resumed);                                    // bit for bit

        float[] onOne = Run(1, "mpi", "resumed1", Ckpt("two"), dieStep: 0);
        AssertClose(uninterrupted, onOne, "2 ranks resumed on 1");
        AssertMoved(Ckpt("two"), uninterrupted);
    }

    [Fact]
    public void A_single_process_checkpoint_resumes_on_two_ranks_with_the_same_global_batch()
    {
        SkipWithoutMpi();
        float[] uninterrupted = Run(2, "mpi", "full", "-", dieStep: 0);
        var killed = Worker(0, "plain", "killed", Ckpt("one"), dieStep: 5, dieRank: 0, resume: "-");
        Assert.NotEqual(0, killed.ExitCode);
        Assert.Equal("epoch 1, batch 4 of 6", TrainingCheckpoint.ReadInfo(Ckpt("one")).Describe());

        float[] onTwo = Run(2, "mpi", "resumed", Ckpt("one"), dieStep: 0);
        AssertClose(uninterrupted, onTwo, "1 process resumed on 2 ranks");
        AssertMoved(Ckpt("one"), uninterrupted);
    }

    private string Ckpt(string name) => Path.Combine(_dir, $"{name}.ckpt");

    private float[] Run(int ranks, string mode, string name, string resume, int dieStep)
    {
        var run = Worker(ranks, mode, name, Path.Combine(_dir, $"{name}-{ranks}.ckpt"), dieStep, 1, resume);
        Assert.False(run.TimedOut, run.Output);
        Assert.True(run.ExitCode == 0, run.Output);
        return Read(Path.Combine(_dir, $"{name}.bin"));
    }

    private RunResult Worker(int ranks, string mode, string name, string checkpoint, int dieStep, int dieRank, string resume) =>
        MpiRun.Worker(ranks, Timeout, "checkpointed", Path.Combine(_dir, $"{name}.bin"), mode, "16", "3", checkpoint, "4",
                      dieStep.ToString(System.Globalization.CultureInfo.InvariantCulture),
                      dieRank.ToString(System.Globalization.CultureInfo.InvariantCulture), resume);

    // The checkpoint's weights are far from the end: a resume that trained nothing, or restarted, could not pass.
    private static void AssertMoved(string checkpoint, float[] final)
    {
        var saved = Cortex.Serialization.SafeTensors.Load(checkpoint).Tensors
            .Where(t => t.Key.StartsWith("model/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(saved);
        double apart = 0;
        int at = 0;
        foreach (var (_, tensor) in saved.OrderBy(t => Order(t.Key)))
        {
            foreach (float v in tensor.Span)
                apart = Math.Max(apart, Math.Abs(v - final[at++]));
        }
        Assert.True(apart > 1e-3, $"the checkpoint's weights are within {apart:E2} of the final ones");
    }

    // The worker writes AllParameters in registration order: layers 0 (conv), 3 and 5 (dense), weight before bias;
    // the checkpoint's keys are model/0.weight, model/0.bias, ….
    private static (int Layer, bool Bias) Order(string key)
    {
        string name = key["model/".Length..];
        return (int.Parse(name[..name.IndexOf('.', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture),
                name.EndsWith(".bias", StringComparison.Ordinal));
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = expected.Zip(actual, (x, y) => Math.Abs(x - y) / (1 + Math.Abs(x))).Max();
        Assert.True(worst < 1e-5, $"{what}: largest relative difference from the uninterrupted 2-rank run {worst:E2}");
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
}
