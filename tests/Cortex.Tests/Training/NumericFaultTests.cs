using Cortex.Layers;
using Cortex.Losses;
using Cortex.Optimizers;
using Cortex.Tensors;
using Cortex.Training;

namespace Cortex.Tests.Training;

/// <summary>NaN, infinity and divergence stop the run naming the epoch, batch and layer; the last good checkpoint stays.</summary>
public sealed class NumericFaultTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cortex-numeric-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly BlobDataset Train = new(128, 3, 4, seed: 1);   // 4 batches of 32
    private static readonly BlobDataset Overlapping = new(128, 3, 4, seed: 1, spread: 4f);   // no weights separate these

    private static Sequential Mlp(params Layer[] middle) =>
        new([new Dense(4, 16, random: new CortexRandom(1)), .. middle, new ReLU(), new Dense(16, 3, random: new CortexRandom(2))]);

    private static Trainer Trainer(Layer model, Optimizer? optimizer = null, int epochs = 3) =>
        new(model, new SoftmaxCrossEntropy(), optimizer ?? new Sgd(model.AllParameters(), 0.05f), new TrainerOptions { Epochs = epochs, BatchSize = 32, Seed = 1 });

    [Fact]
    public void AdamAtLr1e6_IsStoppedAsDiverged_NotRunToTheEnd()
    {
        var model = Mlp();
        var trainer = Trainer(model, new Adam(model.AllParameters(), 1e6f), epochs: 20);
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(Overlapping));
        // Either the loss overflowed or it stayed above 1000× its start for 10 batches: both within the first epochs.
        Assert.Matches(@"^Training (diverged|stopped) at epoch [1-5], batch \d of 4: ", e.Message);
        Assert.True(e.Message.Contains("Lower the learning rate", StringComparison.Ordinal), e.Message);
        Assert.True(trainer.History!.Epochs.Count < 5, $"{trainer.History.Epochs.Count} epochs ran");
    }

    [Fact]
    public void FiniteButHugeLosses_AreDivergence()
    {
        // A layer that scales the scores by 1e6 after the first epoch: the loss stays finite but enormous.
        var blow = new Scale(1f);
        var model = new Sequential(new Dense(4, 3, random: new CortexRandom(1)), blow);
        var trainer = Trainer(model, epochs: 10);
        trainer.Callbacks.Add(new AtEpochEnd(1, () => blow.Factor = 1e6f));
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(Overlapping));
        Assert.StartsWith("Training diverged at epoch 4, batch 2 of 4: the loss has stayed above 1000 × its first value", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Contains("for 10 batches (now ", StringComparison.Ordinal), e.Message);   // batches 5–14 of the run
        Assert.Equal(3, trainer.History!.Epochs.Count);
    }

    [Fact]
    public void NonFiniteGradient_NamesTheDeepestLayerWithIt_AndLeavesTheWeights()
    {
        var poison = new PoisonGradient();
        var model = new Sequential(new Dense(4, 8, random: new CortexRandom(1)), new ReLU(), new Dense(8, 8, random: new CortexRandom(2)), poison, new Dense(8, 3, random: new CortexRandom(3)));
        var trainer = Trainer(model);
        trainer.Callbacks.Add(new AtBatchEnd(1, 2, () => poison.Armed = true));
        var before = new List<float[]>();
        trainer.Callbacks.Add(new AtBatchEnd(1, 2, () => before.AddRange(model.AllParameters().Select(p => p.Value.ToArray()))));
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(Train));
        Assert.True(e.Message.Contains("epoch 1, batch 3 of 4: a gradient is no longer finite", StringComparison.Ordinal), e.Message);
        Assert.True(e.Message.Contains("first appears in layer '2' (2.bias)", StringComparison.Ordinal), e.Message);  // layer 4 is fine, 2 is the first hit
        Assert.Equal(before, model.AllParameters().Select(p => p.Value.ToArray()));                   // the bad step was not applied
    }

    [Fact]
    public void NonFiniteWeights_NameTheLayer_AndTheLastGoodCheckpointStays()
    {
        var model = Mlp();
        string path = Path.Combine(_folder, "good.ckpt");
        var warnings = new List<string>();
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Sgd(model.AllParameters(), 0.05f), new TrainerOptions { Epochs = 3, BatchSize = 32, Seed = 1 })
        { Checkpoints = new CheckpointOptions(path) { Warning = warnings.Add } };
        trainer.Callbacks.Add(new AtEpochEnd(2, () => model.AllParameters().Last().Value.Span[0] = float.NaN));
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(Train));
        Assert.True(e.Message.Contains("epoch 3, batch 1 of 4: the loss is no longer finite; the weights of layer '2' are no longer finite (2.bias)", StringComparison.Ordinal), e.Message);
        var info = TrainingCheckpoint.ReadInfo(path);
        Assert.Equal((1, true), (info.Epoch, info.EpochComplete));      // epoch 2's checkpoint would have held the NaN: not written
        Assert.Contains(warnings, w => w.Contains("the weights of layer '2' are no longer finite", StringComparison.Ordinal));
    }

    [Fact]
    public void NonFiniteInput_IsNamed()
    {
        var model = Mlp();
        var e = Assert.Throws<TrainingDivergedException>(() => Trainer(model).Fit(new NaNData(Train)));
        Assert.True(e.Message.Contains("the input batch itself holds NaN or infinite values", StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public void OverflowInALayer_NamesThatLayer()
    {
        var model = Mlp(new Scale(float.MaxValue));
        var e = Assert.Throws<TrainingDivergedException>(() => Trainer(model).Fit(Train));
        Assert.True(e.Message.Contains("it first appears in the output of layer '1 (Scale)'", StringComparison.Ordinal), e.Message);
    }

    private sealed class Scale(float factor) : Layer("scale")
    {
        public float Factor { get; set; } = factor;
        private Tensor? _y, _dx;

        public override Shape OutputShape(Shape input) => input;

        public override Tensor Forward(Tensor input, bool training)
        {
            var y = Reuse(ref _y, input.Shape);
            System.Numerics.Tensors.TensorPrimitives.Multiply(input.Span, Factor, y.Span);
            return y;
        }

        public override Tensor Backward(Tensor outputGradient)
        {
            var dx = Reuse(ref _dx, outputGradient.Shape);
            System.Numerics.Tensors.TensorPrimitives.Multiply(outputGradient.Span, Factor, dx.Span);
            return dx;
        }
    }

    /// <summary>Identity forward; once armed, a NaN input gradient.</summary>
    private sealed class PoisonGradient() : Layer("poison")
    {
        public bool Armed { get; set; }
        private Tensor? _dx;

        public override Shape OutputShape(Shape input) => input;

        public override Tensor Forward(Tensor input, bool training) => input;

        public override Tensor Backward(Tensor outputGradient)
        {
            if (!Armed)
                return outputGradient;
            var dx = Reuse(ref _dx, outputGradient.Shape);
            dx.Span.Fill(float.NaN);
            return dx;
        }
    }

    private sealed class NaNData(IDataset inner) : IDataset
    {
        public int Count => inner.Count;
        public Shape SampleShape => inner.SampleShape;
        public int NumClasses => inner.NumClasses;

        public void CopyBatch(ReadOnlySpan<int> indices, Tensor images, Span<int> labels)
        {
            inner.CopyBatch(indices, images, labels);
            images.Span[1] = float.PositiveInfinity;
        }
    }

    private sealed class AtEpochEnd(int epoch, Action action) : TrainingCallback
    {
        public override void OnEpochEnd(TrainingContext context, EpochRecord record)
        {
            if (record.Epoch == epoch)
                action();
        }
    }

    private sealed class AtBatchEnd(int epoch, int batch, Action action) : TrainingCallback
    {
        public override void OnBatchEnd(TrainingContext context, in BatchProgress progress)
        {
            if (progress.Epoch == epoch && progress.Batch == batch)
                action();
        }
    }
}
