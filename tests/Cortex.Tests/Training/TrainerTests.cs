using Cortex.Layers;
using Cortex.Losses;
using Cortex.Optimizers;
using Cortex.Optimizers.Schedules;
using Cortex.Serialization;
using Cortex.Tensors;
using Cortex.Training;

namespace Cortex.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cortex-train-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static Sequential Mlp(ulong seed) =>
        new(new Dense(4, 16, random: new CortexRandom(seed)), new ReLU(), new Dense(16, 3, random: new CortexRandom(seed + 1)));

    private static Trainer MakeTrainer(Layer model, int epochs = 5, ulong seed = 7, float lr = 0.05f, TrainerOptions? options = null) =>
        new(model, new SoftmaxCrossEntropy(), new Momentum(model.AllParameters(), lr),
            options ?? new TrainerOptions { Epochs = epochs, BatchSize = 32, Seed = seed });

    [Fact]
    public void Fit_LearnsSeparableBlobs()
    {
        var train = new BlobDataset(600, 3, 4, seed: 1);
        var test = new BlobDataset(300, 3, 4, seed: 2);
        var model = Mlp(3);
        var trainer = MakeTrainer(model, epochs: 8);
        var history = trainer.Fit(train, test);

        Assert.Equal(8, history.Epochs.Count);
        Assert.True(history.Epochs[^1].TrainLoss < history.Epochs[0].TrainLoss / 2, $"loss did not fall: {history.ToCsv()}");
        var evaluation = trainer.Evaluate(test);
        Assert.True(evaluation.Accuracy > 0.95, $"test accuracy {evaluation.Accuracy}");
        Assert.Equal(300, Enumerable.Range(0, 3).Sum(i => Enumerable.Range(0, 3).Sum(j => evaluation.Confusion[i, j])));
        Assert.Equal(evaluation.Correct, Enumerable.Range(0, 3).Sum(i => evaluation.Confusion[i, i]));
    }

    [Fact]
    public void Fit_SameSeed_SameNumbers_DifferentSeed_DifferentNumbers()
    {
        var train = new BlobDataset(200, 3, 4, seed: 1);
        string Run(ulong seed)
        {
            var model = Mlp(5);
            var h = MakeTrainer(model, epochs: 3, seed: seed).Fit(train, train);
            return string.Join(";", h.Epochs.Select(e => $"{e.TrainLoss:R},{e.TrainAccuracy:R},{e.ValidationLoss:R}"));
        }
        Assert.Equal(Run(11), Run(11));
        Assert.NotEqual(Run(11), Run(12));
    }

    [Fact]
    public void History_SavesCsvAndJson()
    {
        var train = new BlobDataset(100, 3, 4, seed: 1);
        var history = MakeTrainer(Mlp(1), epochs: 2).Fit(train);
        string csv = Path.Combine(_folder, "h.csv"), json = Path.Combine(_folder, "h.json");
        history.Save(csv);
        history.Save(json);
        string[] lines = File.ReadAllLines(csv);
        Assert.Equal(History.CsvHeader, lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("1,", lines[1], StringComparison.Ordinal);
        Assert.Contains(",,", lines[1], StringComparison.Ordinal);       // no validation set: empty cells
        string text = File.ReadAllText(json);
        Assert.Contains("\"epoch\": 2", text, StringComparison.Ordinal);
        Assert.Contains("\"val_loss\": null", text, StringComparison.Ordinal);
    }

    [Fact]
    public void EarlyStopping_StopsWhenNothingImproves()
    {
        var train = new BlobDataset(100, 3, 4, seed: 1);
        var model = Mlp(1);
        // A zero learning rate: nothing ever improves after the first epoch.
        var trainer = MakeTrainer(model, epochs: 20, lr: 0f);
        trainer.Callbacks.Add(new EarlyStopping(patience: 2, monitor: MonitorMetric.ValidationLoss));
        var history = trainer.Fit(train, train);
        Assert.Equal(3, history.Epochs.Count);
        Assert.StartsWith("early stopping", history.StopReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Checkpoint_SavesTheBestModel_AndLoadingPredictsBitForBit()
    {
        var train = new BlobDataset(300, 3, 4, seed: 1);
        var model = Mlp(2);
        string path = Path.Combine(_folder, "best.safetensors");
        var trainer = MakeTrainer(model, epochs: 3);
        var checkpoint = new ModelCheckpoint(path, architecture: "{\"model\":\"mlp\"}", saveBestOnly: false);
        trainer.Callbacks.Add(checkpoint);
        trainer.Fit(train, train);
        Assert.Equal(3, checkpoint.SavedEpoch);

        var restored = Mlp(99);
        ModelFile.LoadWeights(restored, path);
        Assert.Equal("{\"model\":\"mlp\"}", ModelFile.ReadArchitecture(path));
        var x = Tensor.RandomNormal(new Shape(17, 4), new CortexRandom(4));
        Assert.Equal(model.Forward(x, false).ToArray(), restored.Forward(x, false).ToArray());
    }

    [Fact]
    public void ModelFile_RefusesAnotherArchitecture()
    {
        string path = Path.Combine(_folder, "m.safetensors");
        ModelFile.Save(Mlp(1), path);
        var wider = new Sequential(new Dense(4, 32), new ReLU(), new Dense(32, 3));
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.LoadWeights(wider, path));
        Assert.Contains("'0.weight' has shape [16, 4] in the file but [32, 4] in the model", e.Message, StringComparison.Ordinal);
        var deeper = new Sequential(new Dense(4, 16), new ReLU(), new Dense(16, 3), new ReLU(), new Dense(3, 3));
        var missing = Assert.Throws<InvalidDataException>(() => ModelFile.LoadWeights(deeper, path));
        Assert.Contains("lacks 2 tensor(s)", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Divergence_StopsNamingTheStep_AndKeepsTheLastGoodCheckpoint()
    {
        var train = new BlobDataset(256, 3, 4, seed: 1);
        var model = Mlp(2);
        string path = Path.Combine(_folder, "good.safetensors");
        var optimizer = new Sgd(model.AllParameters(), 0.05f);
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), optimizer, new TrainerOptions { Epochs = 5, BatchSize = 32, Seed = 1 });
        trainer.Callbacks.Add(new ModelCheckpoint(path, saveBestOnly: false));
        trainer.Callbacks.Add(new ExplodeAfterFirstEpoch(optimizer));
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(train));
        Assert.Matches(@"epoch 2, batch \d+ of 8", e.Message);
        var reloaded = Mlp(3);
        ModelFile.LoadWeights(reloaded, path);       // the epoch-1 checkpoint is whole and finite
        Assert.All(reloaded.AllParameters(), p => Assert.True(p.Value.Span.ToArray().All(float.IsFinite)));
    }

    private sealed class ExplodeAfterFirstEpoch(Optimizer optimizer) : TrainingCallback
    {
        public override void OnEpochEnd(TrainingContext context, EpochRecord record) => optimizer.LearningRate = 1e30f;
    }

    [Fact]
    public void ValidationSampleCount_EvaluatesOnlyThatMany()
    {
        var train = new BlobDataset(100, 3, 4, seed: 1);
        var validation = new CountingDataset(new BlobDataset(500, 3, 4, seed: 2));
        var trainer = MakeTrainer(Mlp(1), options: new TrainerOptions { Epochs = 2, BatchSize = 50, ValidationSampleCount = 120, EvaluationBatchSize = 50 });
        trainer.Fit(train, validation);
        Assert.Equal(240, validation.Served);
    }

    [Fact]
    public void Schedule_SetsTheLearningRateEachEpoch()
    {
        var train = new BlobDataset(64, 3, 4, seed: 1);
        var model = Mlp(1);
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Sgd(model.AllParameters(), 0.1f),
            new TrainerOptions { Epochs = 3, BatchSize = 32 })
        { Schedule = new StepDecay(1, 0.5f) };
        var history = trainer.Fit(train);
        Assert.Equal([0.1, 0.05, 0.025], history.Epochs.Select(e => Math.Round(e.LearningRate, 6)));
    }

    [Fact]
    public void Fit_SkipsTheFirstLayersInputGradient_AndRestoresTheFlag()
    {
        var model = Mlp(1);
        var first = (Dense)model[0];
        var seenDuringFit = new List<bool>();
        var trainer = MakeTrainer(model, epochs: 1);
        trainer.Callbacks.Add(new OnBatch(() => seenDuringFit.Add(first.InputGradientRequired)));
        trainer.Fit(new BlobDataset(64, 3, 4, seed: 1));
        Assert.NotEmpty(seenDuringFit);
        Assert.All(seenDuringFit, Assert.False);
        Assert.True(model.InputGradientRequired);
        Assert.True(first.InputGradientRequired);
    }

    /// <summary>Holds the training thread after the first batch of each epoch, and says so.</summary>
    private sealed class PauseOnce(TimeSpan hold) : TrainingCallback
    {
        public override void OnBatchEnd(TrainingContext context, in BatchProgress progress)
        {
            if (progress.Batch != 1)
                return;
            Thread.Sleep(hold);
            context.ReportPause(hold);
        }
    }

    [Fact]
    public void ReportedPause_IsLeftOutOfEpochSeconds()
    {
        var train = new BlobDataset(64, 3, 4, seed: 1);
        var trainer = MakeTrainer(Mlp(1), epochs: 2);
        var hold = TimeSpan.FromMilliseconds(400);
        trainer.Callbacks.Add(new PauseOnce(hold));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var history = trainer.Fit(train);
        Assert.True(clock.Elapsed > 2 * hold);                                 // the pauses happened
        Assert.All(history.Epochs, e => Assert.True(e.Seconds < hold.TotalSeconds / 2, $"epoch took {e.Seconds} s"));
        Assert.All(history.Epochs, e => Assert.True(e.ImagesPerSecond > 64 / (hold.TotalSeconds / 2)));
    }

    private sealed class OnBatch(Action action) : TrainingCallback
    {
        public override void OnBatchEnd(TrainingContext context, in BatchProgress progress) => action();
    }

    [Fact]
    public void Fit_WrongSampleShape_SaysWhat()
    {
        var model = new Sequential(new Dense(5, 3));
        var e = Assert.Throws<ArgumentException>(() => MakeTrainer(model).Fit(new BlobDataset(10, 3, 4, seed: 1)));
        Assert.Contains("training set's samples [4] do not fit the model", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Metrics_TopKAndBinaryLogits()
    {
        var scores = Tensor.FromArray(new float[,] { { 0.1f, 0.5f, 0.4f }, { 0.9f, 0.05f, 0.05f } });
        Assert.Equal(1, Metrics.CountCorrect(scores, [1, 2]));
        Assert.Equal(2, Metrics.CountTopK(scores, [2, 0], 2));
        Assert.Equal(0, Metrics.CountTopK(scores, [0, 2], 2));   // a tie with a lower class counts against
        Assert.Equal(2, Metrics.CountTopK(scores, [1, 1], 2));
        var logits = Tensor.FromArray(new float[,] { { 2f }, { -1f }, { 0.5f } });
        Assert.Equal(2, Metrics.CountCorrect(logits, [1, 0, 0]));
    }

    private sealed class CountingDataset(IDataset inner) : IDataset
    {
        public int Served { get; private set; }
        public int Count => inner.Count;
        public Shape SampleShape => inner.SampleShape;
        public int NumClasses => inner.NumClasses;

        public void CopyBatch(ReadOnlySpan<int> indices, Tensor images, Span<int> labels)
        {
            Served += indices.Length;
            inner.CopyBatch(indices, images, labels);
        }
    }
}
