using Cortex.Layers;
using Cortex.Losses;
using Cortex.Optimizers;
using Cortex.Optimizers.Schedules;
using Cortex.Serialization;
using Cortex.Tensors;
using Cortex.Training;

namespace Cortex.Tests.Training;

/// <summary>
/// Training checkpoints: a run stopped after batch k (mid-epoch, at an epoch's end, or by a crash after the last
/// periodic checkpoint) and resumed in a fresh trainer — new model with other initial weights, new optimizer —
/// ends with the same weights, optimizer state and history as a run that was never stopped, bit for bit.
/// </summary>
public sealed class ResumeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cortex-resume-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string In(string name) => Path.Combine(_folder, name);

    private static readonly BlobDataset Train = new(150, 3, 4, seed: 1);   // 5 batches of 32 (the last of 22)
    private static readonly BlobDataset Check = new(60, 3, 4, seed: 2);

    /// <summary>Everything a run is: a model with dropout and batch norm, Adam, a plateau schedule, early stopping and a best-model callback.</summary>
    private sealed class Run
    {
        public Run(ulong initSeed, string folder, CheckpointOptions? checkpoints = null)
        {
            Model = new Sequential(
                new Dense(4, 16, random: new CortexRandom(initSeed)), new BatchNorm1d(16), new ReLU(),
                new Dropout(0.3, seed: initSeed + 7), new Dense(16, 3, random: new CortexRandom(initSeed + 1)));
            Optimizer = new Adam(Model.AllParameters(), 0.01f) { MaxGradientNorm = 5f };
            Best = new ModelCheckpoint(Path.Combine(folder, $"best-{initSeed}.safetensors"));
            Stopping = new EarlyStopping(patience: 50);
            Trainer = new Trainer(Model, new SoftmaxCrossEntropy(), Optimizer, new TrainerOptions { Epochs = 4, BatchSize = 32, Seed = 9 })
            {
                Schedule = new Warmup(new ReduceOnPlateau(PlateauMode.Max, factor: 0.5f, patience: 0), 1),
                Checkpoints = checkpoints,
            };
            Trainer.Callbacks.Add(Stopping);
            Trainer.Callbacks.Add(Best);
        }

        public Sequential Model { get; }
        public Adam Optimizer { get; }
        public ModelCheckpoint Best { get; }
        public EarlyStopping Stopping { get; }
        public Trainer Trainer { get; }
    }

    /// <summary>Cancels the token once batch <c>Batch</c> of epoch <c>Epoch</c> is done (the trainer stops before the next).</summary>
    private sealed class CancelAfter(int epoch, int batch, CancellationTokenSource source) : TrainingCallback
    {
        public override void OnBatchEnd(TrainingContext context, in BatchProgress progress)
        {
            if (progress.Epoch == epoch && progress.Batch == batch)
                source.Cancel();
        }
    }

    /// <summary>Throws (a crash) once batch <c>Batch</c> of epoch <c>Epoch</c> is done.</summary>
    private sealed class CrashAfter(int epoch, int batch) : TrainingCallback
    {
        public override void OnBatchEnd(TrainingContext context, in BatchProgress progress)
        {
            if (progress.Epoch == epoch && progress.Batch == batch)
                throw new InvalidOperationException("simulated crash");
        }
    }

    private static void AssertSameRun(Run expected, Run actual)
    {
        var a = ModelFile.StateDict(expected.Model).ToList();
        var b = ModelFile.StateDict(actual.Model).ToList();
        Assert.Equal(a.Select(t => t.Key), b.Select(t => t.Key));
        for (int i = 0; i < a.Count; i++)
            Assert.True(Bits(a[i].Value).SequenceEqual(Bits(b[i].Value)), $"{a[i].Key} differs");
        var sa = expected.Optimizer.State.ToList();
        var sb = actual.Optimizer.State.ToList();
        Assert.Equal(sa.Select(t => t.Key), sb.Select(t => t.Key));
        for (int i = 0; i < sa.Count; i++)
            Assert.True(Bits(sa[i].Value).SequenceEqual(Bits(sb[i].Value)), $"optimizer {sa[i].Key} differs");
        Assert.Equal(expected.Optimizer.StepCount, actual.Optimizer.StepCount);
        Assert.Equal(Figures(expected.Trainer.History!), Figures(actual.Trainer.History!));
        Assert.Equal(expected.Best.Best, actual.Best.Best);
        Assert.Equal(expected.Stopping.Best, actual.Stopping.Best);
    }

    private static int[] Bits(Tensor t) => [.. t.ToArray().Select(BitConverter.SingleToInt32Bits)];

    // Everything but the timings, exactly.
    private static string[] Figures(History h) =>
        [.. h.Epochs.Select(e => $"{e.Epoch}:{e.TrainLoss:R}/{e.TrainAccuracy:R}/{e.ValidationLoss:R}/{e.ValidationAccuracy:R}/{e.LearningRate:R}")];

    private Run Uninterrupted()
    {
        var run = new Run(initSeed: 3, _folder);
        run.Trainer.Fit(Train, Check);
        return run;
    }

    [Theory]
    [InlineData(1, 1)]   // after the first batch
    [InlineData(2, 3)]   // mid-epoch
    [InlineData(2, 5)]   // after the epoch's last batch, before its evaluation
    [InlineData(3, 2)]
    public void CancelledAfterBatchK_ResumedInAFreshTrainer_EndsBitIdentical(int epoch, int batch)
    {
        var expected = Uninterrupted();
        Assert.Equal(4, expected.Trainer.History!.Epochs.Count);

        string path = In("run.ckpt");
        using var cancel = new CancellationTokenSource();
        var first = new Run(initSeed: 3, _folder, new CheckpointOptions(path) { Every = null });
        first.Trainer.Callbacks.Add(new CancelAfter(epoch, batch, cancel));
        var info = default(CheckpointInfo);
        if (batch < 5)
        {
            Assert.Throws<OperationCanceledException>(() => first.Trainer.Fit(Train, Check, cancel.Token));
            info = TrainingCheckpoint.ReadInfo(path);
            Assert.Equal((epoch, batch, false), (info.Epoch, info.BatchesDone, info.EpochComplete));
            Assert.Equal(epoch - 1, first.Trainer.History!.Epochs.Count);
        }
        else
        {
            // The epoch's last batch: the epoch is evaluated and recorded, and the run stops before the next.
            Assert.Equal("cancelled", first.Trainer.Fit(Train, Check, cancel.Token).StopReason);
            info = TrainingCheckpoint.ReadInfo(path);
            Assert.Equal((epoch, batch, true), (info.Epoch, info.BatchesDone, info.EpochComplete));
        }
        Assert.Null(info!.StopReason);

        var resumed = new Run(initSeed: 77, _folder);     // other initial weights and dropout seed: all must come from the file
        resumed.Trainer.Fit(Train, Check, path);
        AssertSameRun(expected, resumed);
    }

    [Fact]
    public void CancelledBetweenEpochs_ResumesAtTheNextEpoch()
    {
        var expected = Uninterrupted();
        string path = In("between.ckpt");
        using var cancel = new CancellationTokenSource();
        var first = new Run(initSeed: 3, _folder, new CheckpointOptions(path));
        first.Trainer.Callbacks.Add(new CancelAtEpochEnd(2, cancel));
        var history = first.Trainer.Fit(Train, Check, cancel.Token);       // between epochs: returns, stop reason "cancelled"
        Assert.Equal("cancelled", history.StopReason);
        var info = TrainingCheckpoint.ReadInfo(path);
        Assert.Equal((2, true, (string?)null), (info.Epoch, info.EpochComplete, info.StopReason));

        var resumed = new Run(initSeed: 11, _folder);
        resumed.Trainer.Fit(Train, Check, path);
        AssertSameRun(expected, resumed);
    }

    private sealed class CancelAtEpochEnd(int epoch, CancellationTokenSource source) : TrainingCallback
    {
        public override void OnEpochEnd(TrainingContext context, EpochRecord record)
        {
            if (record.Epoch == epoch)
                source.Cancel();
        }
    }

    [Fact]
    public void CrashAfterThePeriodicCheckpoint_ResumesFromIt_BitIdentical()
    {
        var expected = Uninterrupted();
        string path = In("periodic.ckpt");
        var first = new Run(initSeed: 3, _folder, new CheckpointOptions(path) { Every = CheckpointInterval.Batches(3) });
        first.Trainer.Callbacks.Add(new CrashAfter(2, 5));     // crashes in batch 10 of 20; batch 9 was the last checkpointed
        Assert.Throws<InvalidOperationException>(() => first.Trainer.Fit(Train, Check));
        var info = TrainingCheckpoint.ReadInfo(path);
        Assert.Equal((2, 4, false), (info.Epoch, info.BatchesDone, info.EpochComplete));   // 9 = 5 + 4
        var resumed = new Run(initSeed: 5, _folder);
        resumed.Trainer.Fit(Train, Check, path);
        AssertSameRun(expected, resumed);
        Assert.Equal(4, resumed.Trainer.History!.Epochs.Select(e => e.Epoch).Distinct().Count());
        Assert.Equal([1, 2, 3, 4], resumed.Trainer.History!.Epochs.Select(e => e.Epoch));  // no gap, no duplicate
    }

    [Fact]
    public void ResumingAFinishedRun_TrainsNothing()
    {
        string path = In("done.ckpt");
        var run = new Run(initSeed: 3, _folder, new CheckpointOptions(path));
        run.Trainer.Fit(Train, Check);
        var info = TrainingCheckpoint.ReadInfo(path);
        Assert.True(info.Finished, info.Describe());
        var again = new Run(initSeed: 8, _folder);
        again.Trainer.Fit(Train, Check, path);
        AssertSameRun(run, again);
    }

    [Fact]
    public void Keep3_KeepsTheThreeNewest_AndResolveFallsBackToTheOlder()
    {
        string path = In("k.ckpt");
        var run = new Run(initSeed: 3, _folder, new CheckpointOptions(path) { Every = CheckpointInterval.Batches(2), Keep = 3 });
        run.Trainer.Fit(Train, Check);
        // 20 batches: checkpoints at run batches 2, 4, …, 20 (epoch 4, batch 5), then one at the end (after the evaluation).
        var positions = new[] { path, CheckpointOptions.OlderPath(path, 1), CheckpointOptions.OlderPath(path, 2) }
            .Select(p => TrainingCheckpoint.ReadInfo(p)).Select(i => (i.Epoch, i.BatchesDone, i.EpochComplete)).ToArray();
        Assert.Equal([(4, 5, true), (4, 5, false), (4, 3, false)], positions);
        Assert.False(File.Exists(CheckpointOptions.OlderPath(path, 3)));
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));

        File.Delete(path);                                     // as if killed between the two renames
        Assert.Equal(CheckpointOptions.OlderPath(path, 1), TrainingCheckpoint.Resolve(path));
    }

    [Fact]
    public void Resume_OtherOptionsOrModel_IsRefusedSayingWhat()
    {
        string path = In("opts.ckpt");
        new Run(initSeed: 3, _folder, new CheckpointOptions(path)).Trainer.Fit(Train, Check);

        var model = new Sequential(new Dense(4, 3));
        var otherEpochs = new Trainer(model, new SoftmaxCrossEntropy(), new Adam(model.AllParameters()), new TrainerOptions { Epochs = 5, BatchSize = 32, Seed = 9 });
        var e = Assert.Throws<InvalidDataException>(() => otherEpochs.Fit(Train, Check, path));
        Assert.Contains("the checkpoint's epochs is 4, this run's is 5", e.Message, StringComparison.Ordinal);

        var otherModel = new Trainer(model, new SoftmaxCrossEntropy(), new Adam(model.AllParameters()), new TrainerOptions { Epochs = 4, BatchSize = 32, Seed = 9 })
        { Schedule = new Warmup(new ReduceOnPlateau(PlateauMode.Max, factor: 0.5f, patience: 0), 1) };
        var m = Assert.Throws<InvalidDataException>(() => otherModel.Fit(Train, Check, path));
        Assert.Contains("optimizer's parameter count is 6, this run's is 2", m.Message, StringComparison.Ordinal);

        ModelFile.Save(model, In("model.safetensors"));
        var notCheckpoint = Assert.Throws<InvalidDataException>(() => otherModel.Fit(Train, Check, In("model.safetensors")));
        Assert.Contains("not a Cortex training checkpoint", notCheckpoint.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelCheckpoint_KeepsTheBestInMemory_EvenWhenTheFileIsReplaced()
    {
        var run = new Run(initSeed: 3, _folder);
        run.Trainer.Fit(Train, Check);
        var best = ModelFile.StateDict(run.Model).Select(t => t.Value.Clone()).ToList();
        ModelFile.Save(new Run(initSeed: 40, _folder).Model, run.Best.Path);   // another writer replaces the file
        var restored = new Run(initSeed: 41, _folder);
        Assert.True(run.Best.RestoreBest(restored.Model));
        var fromFile = new Run(initSeed: 42, _folder);
        ModelFile.LoadWeights(fromFile.Model, run.Best.Path);
        var kept = ModelFile.StateDict(restored.Model).Select(t => t.Value).ToList();
        Assert.NotEqual(Bits(kept[0]), Bits(ModelFile.StateDict(fromFile.Model).First().Value));
        // The kept weights are the best epoch's: evaluating them gives the best validation accuracy recorded.
        var check = new Trainer(restored.Model, new SoftmaxCrossEntropy(), new Sgd(restored.Model.AllParameters())).Evaluate(Check);
        Assert.Equal(run.Best.Best, check.Accuracy);
        Assert.Equal(run.Trainer.History!.Epochs.Max(e => e.ValidationAccuracy), check.Accuracy);
        Assert.Equal(best.Count, kept.Count);
    }
}
