using Cortex.Layers;
using Cortex.Losses;
using Cortex.Optimizers;
using Cortex.Tensors;
using Cortex.Training;
using Cortex.Transfer;
using static Cortex.Tests.Transfer.TransferTesting;

namespace Cortex.Tests.Transfer;

public class FineTuningTests
{
    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("adam")]
    [InlineData("adamw")]
    [InlineData("rmsprop")]
    public void FrozenBody_IsUnchangedBitForBit_UnderEveryOptimizerWithWeightDecay(string optimizerName)
    {
        var model = SmallNet(1);
        var frozen = FineTuning.Freeze(model, "features");
        Assert.Equal(["features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias"], frozen);
        var before = Snapshot(model);
        var optimizer = OptimizerCatalog.Create(optimizerName, model.AllParameters(), 0.05f);
        optimizer.WeightDecay = 0.1f;                      // would move every weight if it reached frozen ones
        new Trainer(model, new SoftmaxCrossEntropy(), optimizer, new TrainerOptions { Epochs = 2, BatchSize = 8, Seed = 3 }).Fit(Blobs(2, 24));

        var after = Snapshot(model);
        foreach (var key in before.Keys.Where(k => k.StartsWith("features.", StringComparison.Ordinal)))
            Assert.Equal(before[key], after[key]);         // weights, biases and the BN's running statistics
        Assert.NotEqual(before["classifier.2.weight"], after["classifier.2.weight"]);
        foreach (var (key, p) in model.NamedParameters().Where(p => !p.Parameter.Trainable))
            Assert.All(p.Gradient.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void FrozenBody_LeavesTheHeadsGradientsAsTheyAre()
    {
        // (no batch norm: a frozen one would normalize by its running statistics instead, on purpose)
        var reference = SmallNet(4, batchNorm: false);
        var frozen = SmallNet(4, batchNorm: false);
        FineTuning.Freeze(frozen, "features,classifier.0");
        var (x, labels) = Batch(Blobs(5, 6));
        foreach (var model in new[] { reference, frozen })
        {
            model.InputGradientRequired = false;           // as the trainer sets it
            var loss = new SoftmaxCrossEntropy();
            loss.Forward(model.Forward(x, training: true), labels);
            model.Backward(loss.Backward());
        }
        var head = (Dense)reference.Find("classifier.2")!;
        var frozenHead = (Dense)frozen.Find("classifier.2")!;
        Assert.Equal(head.Weight.Gradient.ToArray(), frozenHead.Weight.Gradient.ToArray());
        Assert.Equal(head.Bias!.Gradient.ToArray(), frozenHead.Bias!.Gradient.ToArray());
        Assert.Contains(reference.Find("features.0")!.Parameters.First().Gradient.ToArray(), g => g != 0f);   // the control moved
        Assert.All(frozen.Find("features.0")!.Parameters.First().Gradient.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void FrozenPrefix_IsNotBackpropagated_AndTheFirstTrainableLayerSkipsItsInputGradient()
    {
        var spy = new BackwardSpy();
        var dense = new Dense(4, 3, random: new CortexRandom(1));
        var model = new Sequential(new Dense(4, 4, random: new CortexRandom(2)), spy, new Dense(4, 4, random: new CortexRandom(3)), new ReLU(), dense);
        model.InputGradientRequired = false;
        var x = Tensor.FromArray(new float[,] { { 1, 2, 3, 4 }, { -1, 0, 1, 2 } });
        var dy = Tensor.Ones(new Shape(2, 3));

        model.Forward(x, training: true);
        model.Backward(dy);
        Assert.Equal(1, spy.Calls);                        // nothing frozen: the whole chain runs

        FineTuning.Freeze(model, "0,2");
        var first = (Dense)model[2];
        Assert.True(first.InputGradientRequired);
        model.Forward(x, training: true);
        Assert.Same(Layer.NoInputGradient, model.Backward(dy));
        Assert.Equal(1, spy.Calls);                        // the frozen Dense layers and the spy between them were skipped
        Assert.True(first.InputGradientRequired);

        FineTuning.Unfreeze(model, "2");                   // now layer 2 trains: it runs, and skips only its dx
        model.Forward(x, training: true);
        model.Backward(dy);
        Assert.Equal(1, spy.Calls);
        Assert.Contains(first.Weight.Gradient.ToArray(), g => g != 0f);
        Assert.True(first.InputGradientRequired);          // given back after the step

        FineTuning.Unfreeze(model, "0");
        model.Forward(x, training: true);
        model.Backward(dy);
        Assert.Equal(2, spy.Calls);
    }

    [Fact]
    public void Freeze_APatternThatMatchesNothing_NamesItAndTheLayers()
    {
        var model = SmallNet(1);
        var e = Assert.Throws<ArgumentException>(() => FineTuning.Freeze(model, "features,classifer"));
        Assert.StartsWith("FineTuning: the pattern 'classifer' matches no parameter of net (Sequential); its layers with parameters are features.0, features.1, classifier.0, classifier.2.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FreezeAllExcept_LeavesOnlyTheHeadTrainable_AndUnfreezeByGlobReopensIt()
    {
        var model = SmallNet(1);
        var head = FineTuning.FindHead(model);
        FineTuning.FreezeAllExcept(model, head);
        Assert.Equal(["classifier.2.weight", "classifier.2.bias"], FineTuning.TrainableKeys(model));
        FineTuning.Unfreeze(model, "*.1.*");
        Assert.Equal(["features.1.weight", "features.1.bias", "classifier.2.weight", "classifier.2.bias"], FineTuning.TrainableKeys(model));
    }

    [Fact]
    public void ReplaceHead_KeepsEveryOtherTensorBitExact_AndGivesTheNewClassCount()
    {
        var model = SmallNet(7);
        model.Forward(Batch(Blobs(1, 4)).X, training: true);   // BN statistics away from their initial values
        var before = Snapshot(model);

        var head = FineTuning.ReplaceHead(model, numClasses: 5, random: new CortexRandom(9));

        Assert.Same(head, model.Find("classifier.2"));
        Assert.Equal("classifier.2", head.Path);
        Assert.Equal(new Shape(5, 6), head.Weight.Shape);
        Assert.Equal(new Shape(2, 5), model.OutputShape(new Shape(2, 1, 8, 8)));
        var after = Snapshot(model);
        Assert.Equal(before.Keys, after.Keys);
        foreach (var key in before.Keys.Where(k => !k.StartsWith("classifier.2.", StringComparison.Ordinal)))
            Assert.Equal(before[key], after[key]);
    }

    [Fact]
    public void ReplaceTop_DropsFlattenAndClassifier_AndAddsTheLecturesDenseHead()
    {
        var model = SmallNet(3);
        var features = Snapshot(model.Find("features")!);
        var head = FineTuning.ReplaceTop(model, new Shape(1, 8, 8), numClasses: 1, hidden: 16, dropout: 0.5, random: new CortexRandom(2));

        Assert.Equal(["features", "flatten", "head"], model.Children.Select(c => c.Name));
        Assert.Equal(["Dense", "ReLU", "Dropout", "Dense"], head.Children.Select(c => c.Layer.Kind));
        Assert.Equal(new Shape(16, 64), ((Dense)head[0]).Weight.Shape);
        Assert.Equal(new Shape(3, 1), model.OutputShape(new Shape(3, 1, 8, 8)));
        Assert.Equal(features, Snapshot(model.Find("features")!));
    }

    [Fact]
    public void Replace_ALayerOutsideASequential_IsRefusedClearly()
    {
        var model = new Sequential("m", new Residual(new Dense(3, 3, random: new CortexRandom(1))));
        var path = model.Descendants().OfType<Dense>().Single().Path;
        var e = Assert.Throws<ArgumentException>(() => FineTuning.Replace(model, path, new Dense(3, 3)));
        Assert.Contains("not in a Sequential", e.Message, StringComparison.Ordinal);
    }

    private static (Tensor X, Tensor Labels) Batch(FeatureDataset data)
    {
        var x = new Tensor(new Shape([data.Count, .. data.SampleShape.Dimensions]));
        var labels = new int[data.Count];
        data.CopyBatch(Enumerable.Range(0, data.Count).ToArray(), x, labels);
        return (x, Tensor.FromArray(labels.Select(l => (float)l).ToArray()));
    }

    /// <summary>An identity that counts its backward calls.</summary>
    private sealed class BackwardSpy() : Layer("spy")
    {
        public int Calls { get; private set; }

        public override Shape OutputShape(Shape input) => input;

        public override Tensor Forward(Tensor input, bool training) => input;

        public override Tensor Backward(Tensor outputGradient)
        {
            Calls++;
            return outputGradient;
        }
    }
}
