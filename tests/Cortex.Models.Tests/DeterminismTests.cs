// Same seed and same thread count → the same weights after training, bit for bit, on LeNet-5 and
// ResNet-20 (with batch norm and the CIFAR shortcut); and a ResNet-20 run stopped mid-epoch and
// resumed from its checkpoint ends equal to the uninterrupted one. Tiny inputs, six batches.
// Runs alone (no parallel tests), so no other test changes the kernels' thread count in between.
using Cortex.Kernels;
using Cortex.Layers;
using Cortex.Losses;
using Cortex.Optimizers;
using Cortex.Optimizers.Schedules;
using Cortex.Serialization;
using Cortex.Tensors;
using Cortex.Training;

namespace Cortex.Models.Tests;

[CollectionDefinition(nameof(DeterminismTests), DisableParallelization = true)]
public sealed class DeterminismTestGroup;

[Collection(nameof(DeterminismTests))]
public sealed class DeterminismTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cortex-determinism-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Random images with random labels, fixed by a seed.</summary>
    private sealed class RandomImages(Shape sample, int count, int classes, ulong seed) : IDataset
    {
        private readonly Tensor _images = Tensor.RandomUniform(new Shape([count, .. sample.Dimensions]), new CortexRandom(seed));
        private readonly int[] _labels = [.. Enumerable.Range(0, count).Select(i => (int)(CortexRandom.Mix(seed, (ulong)i) % (ulong)classes))];

        public int Count => _labels.Length;
        public Shape SampleShape => sample;
        public int NumClasses => classes;

        public void CopyBatch(ReadOnlySpan<int> indices, Tensor images, Span<int> labels)
        {
            int size = sample.Size;
            for (int i = 0; i < indices.Length; i++)
            {
                _images.Span.Slice(indices[i] * size, size).CopyTo(images.Span.Slice(i * size, size));
                labels[i] = _labels[indices[i]];
            }
        }
    }

    private static (Layer Model, Trainer Trainer) Make(string name, Shape input, ulong seed, CheckpointOptions? checkpoints = null, ulong? initSeed = null)
    {
        CortexRandom.SetGlobalSeed(initSeed ?? seed);
        var model = ModelZoo.Create(name, 10, input, new Dictionary<string, string> { ["seed"] = (initSeed ?? seed).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Adam(model.AllParameters(), 1e-3f),
            new TrainerOptions { Epochs = 2, BatchSize = 8, Seed = seed })
        { Schedule = new CosineAnnealing(2), Checkpoints = checkpoints };
        return (model, trainer);
    }

    private static int[][] Weights(Layer model) => [.. ModelFile.StateDict(model).Select(t => t.Value.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray())];

    [Theory]
    [InlineData("lenet5", 1, 28)]
    [InlineData("resnet20", 3, 16)]
    public void SameSeedSameThreads_SameWeightsBitForBit(string name, int channels, int size)
    {
        var input = new Shape(channels, size, size);
        var data = new RandomImages(input, 24, 10, seed: 5);      // 3 batches of 8, 2 epochs
        var (a, ta) = Make(name, input, 7);
        ta.Fit(data);
        var (b, tb) = Make(name, input, 7);
        tb.Fit(data);
        Assert.Equal(6, tb.Optimizer.StepCount);
        Assert.Equal(Weights(a), Weights(b));
        var (c, tc) = Make(name, input, 8);                       // another seed: other numbers (the comparison can fail)
        tc.Fit(data);
        Assert.NotEqual(Weights(a), Weights(c));
    }

    [Fact]
    public void ResNet20_StoppedMidEpochAndResumed_EqualsTheUninterruptedRun()
    {
        var input = new Shape(3, 16, 16);
        var data = new RandomImages(input, 24, 10, seed: 5);
        var (expected, te) = Make("resnet20", input, 7);
        te.Fit(data);

        string path = Path.Combine(_folder, "r20.ckpt");
        var (_, first) = Make("resnet20", input, 7, new CheckpointOptions(path) { Every = CheckpointInterval.Batches(4) });
        first.Callbacks.Add(new CrashAfterBatch(5));
        Assert.Throws<InvalidOperationException>(() => first.Fit(data));
        Assert.Equal((2, 1), (TrainingCheckpoint.ReadInfo(path).Epoch, TrainingCheckpoint.ReadInfo(path).BatchesDone));

        var (resumed, tr) = Make("resnet20", input, 7, initSeed: 99);   // other initial weights: all must come from the file
        tr.Fit(data, null, path);
        Assert.Equal(Weights(expected), Weights(resumed));       // weights and batch-norm running statistics
    }

    private sealed class CrashAfterBatch(int runBatch) : TrainingCallback
    {
        private int _seen;

        public override void OnBatchEnd(TrainingContext context, in BatchProgress progress)
        {
            if (++_seen == runBatch)
                throw new InvalidOperationException("simulated crash");
        }
    }

    [Fact]
    public void TheThreadCount_ChangesOnlyTheRounding()
    {
        // Documented in docs/determinism.md: the kernels cut work into one chunk per thread and add the chunks'
        // partial sums in chunk order, so another thread count sums in another order.
        var input = new Shape(3, 16, 16);
        var data = new RandomImages(input, 24, 10, seed: 5);
        int saved = Parallelism.MaxDegree;
        try
        {
            Parallelism.MaxDegree = 1;
            var (one, t1) = Make("resnet20", input, 7);
            t1.Fit(data);
            Parallelism.MaxDegree = 4;
            var (four, t4) = Make("resnet20", input, 7);
            t4.Fit(data);
            var w1 = ModelFile.StateDict(one).SelectMany(t => t.Value.ToArray()).ToArray();
            var w4 = ModelFile.StateDict(four).SelectMany(t => t.Value.ToArray()).ToArray();
            double largest = w1.Max(v => Math.Abs(v));
            double difference = w1.Zip(w4, (x, y) => Math.Abs(x - y)).Max();
            Assert.True(difference < 1e-3 * largest, $"1 vs 4 threads: largest weight difference {difference:G3} of {largest:G3}");
            TestContext.Current.TestOutputHelper?.WriteLine($"1 vs 4 threads after 6 Adam steps: largest weight difference {difference:G3} (largest weight {largest:G3})");
        }
        finally
        {
            Parallelism.MaxDegree = saved;
        }
    }
}
