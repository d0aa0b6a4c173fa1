using Cortex.Losses;
using Cortex.Optimizers;
using Cortex.Training;
using Cortex.Transfer;
using static Cortex.Tests.Transfer.TransferTesting;

namespace Cortex.Tests.Transfer;

public class FeatureExtractionTests
{
    [Theory]
    [InlineData("features", true)]                      // body = conv, frozen BN, ReLU, pool, flatten
    [InlineData("features,classifier.0", false)]        // body reaches into the classifier
    public void CachedFeatures_TrainTheSameHeadAsTheFullModel(string frozen, bool batchNorm)
    {
        var train = Blobs(21, 40);
        var validation = Blobs(22, 12);
        var options = new TrainerOptions { Epochs = 3, BatchSize = 8, Seed = 5 };

        var full = SmallNet(8, batchNorm: batchNorm);
        FineTuning.Freeze(full, frozen);
        var fullHistory = new Trainer(full, new SoftmaxCrossEntropy(), new Adam(full.AllParameters(), 1e-2f), options).Fit(train, validation);

        var cached = SmallNet(8, batchNorm: batchNorm);
        FineTuning.Freeze(cached, frozen);
        var split = FeatureExtraction.Split(cached);
        Assert.NotNull(split);
        var cachedHistory = FeatureExtraction.Fit(cached, new SoftmaxCrossEntropy(), new Adam(cached.AllParameters(), 1e-2f), options, train, validation);

        var expected = Snapshot(full);
        var actual = Snapshot(cached);
        Assert.NotEqual(Snapshot(SmallNet(8, batchNorm: batchNorm))["classifier.2.weight"], actual["classifier.2.weight"]);  // it trained
        foreach (var (key, values) in expected)
        {
            for (int i = 0; i < values.Length; i++)
                Assert.True(Math.Abs(values[i] - actual[key][i]) <= 1e-5f, $"{key}[{i}]: full {values[i]}, cached {actual[key][i]}");
        }
        for (int e = 0; e < options.Epochs; e++)
        {
            Assert.Equal(fullHistory.Epochs[e].TrainLoss, cachedHistory.Epochs[e].TrainLoss, 5);
            Assert.Equal(fullHistory.Epochs[e].ValidationAccuracy, cachedHistory.Epochs[e].ValidationAccuracy, 9);
        }
        Assert.True(cached.Find("classifier.0")!.InputGradientRequired);   // the head's first layer got its setting back
    }

    [Fact]
    public void Split_WithNothingFrozenUpFront_IsNull_AndWithEverythingFrozen_Throws()
    {
        var model = SmallNet(1);
        Assert.Null(FeatureExtraction.Split(model));
        model.SetTrainable(false);
        var e = Assert.Throws<ArgumentException>(() => FeatureExtraction.Split(model));
        Assert.StartsWith("FeatureExtraction: every parameter of net (Sequential) is frozen", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_GivesTheBodysInferenceOutputPerSample()
    {
        var model = SmallNet(3);
        FineTuning.Freeze(model, "features");
        var (body, _) = FeatureExtraction.Split(model)!.Value;
        var data = Blobs(4, 5);
        var features = FeatureExtraction.Extract(body, data, batchSize: 2);
        Assert.Equal(new Cortex.Tensors.Shape(64), features.SampleShape);
        var x = new Cortex.Tensors.Tensor(1, 1, 8, 8);
        var label = new int[1];
        data.CopyBatch([3], x, label);
        var y = model.Find("flatten")!.Forward(model.Find("features")!.Forward(x, training: false), training: false).ToArray();
        Assert.Equal(y, features.Features.SliceBatch(3, 1).ToArray());
        Assert.Equal(label[0], features.Labels[3]);
    }
}
