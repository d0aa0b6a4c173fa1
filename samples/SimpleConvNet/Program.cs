// SimpleConvNet — the lectures' experiment (斎藤康毅, "Deep Learning from Scratch", ch. 7:
// simple_convnet.py and train_convnet.py), on the 10,000 shipped MNIST digits instead of the 70,000:
//
//   conv 30@5×5 (stride 1, pad 0) – ReLU – max pool 2×2 – affine 100 – ReLU – affine 10 – softmax
//   weights ~ N(0, 0.01²) (weight_init_std = 0.01), biases 0; Adam, lr 0.001; mini-batches of 100;
//   after every epoch the accuracy on 1,000 training and 1,000 test images
//   (evaluate_sample_num_per_epoch = 1000), and at the end on the whole test set.
//
//   dotnet run -- [epochs] [training images]      (default 20 epochs on all 8,000; ~2 s an epoch on 2 cores)
using Cortex.Data;
using Cortex.Initializers;
using Cortex.Layers;
using Cortex.Losses;
using Cortex.Optimizers;
using Cortex.Tensors;
using Cortex.Training;

int maxEpochs = args.Length > 0 ? int.Parse(args[0]) : 20;
var (train, test) = DataSources.Load("digits");
if (args.Length > 1)
    train = train.Take(int.Parse(args[1]));

var random = new CortexRandom(1);
var init = Init.Normal(0.01f);                                  // weight_init_std = 0.01
var network = new Sequential("simpleconvnet")
    .Add("Conv1", new Conv2d(1, 30, kernelSize: 5, random: random, weightInit: init))   // (30, 24, 24)
    .Add("Relu1", new ReLU())
    .Add("Pool1", new MaxPool2d(2))                                                      // (30, 12, 12)
    .Add("flatten", new Flatten())                                                       // 4,320
    .Add("Affine1", new Dense(30 * 12 * 12, 100, random: random, weightInit: init))
    .Add("Relu2", new ReLU())
    .Add("Affine2", new Dense(100, 10, random: random, weightInit: init));             // SoftmaxWithLoss is the loss

var trainer = new Trainer(network, new SoftmaxCrossEntropy(), new Adam(network.AllParameters(), 0.001f),
                          new TrainerOptions { Epochs = maxEpochs, BatchSize = 100, Seed = 1 });
var accuracies = new AccuracyPerEpoch(trainer, train, test, sample: 1000);
trainer.Callbacks.Add(accuracies);
Console.WriteLine($"SimpleConvNet, {network.AllParameters().Sum(p => p.Value.Size):N0} parameters, {train.Count:N0} training images");
accuracies.Report(0);                                           // before training: about 1 in 10
trainer.Fit(train);

double final = trainer.Evaluate(test).Accuracy;
Console.WriteLine("=============== Final Test Accuracy ===============");
Console.WriteLine($"test acc:{final:F4}");
return final > 0.5 ? 0 : 1;

/// <summary>train_convnet.py's per-epoch line: accuracy on the first <c>sample</c> training and test images.</summary>
sealed class AccuracyPerEpoch(Trainer trainer, IDataset train, IDataset test, int sample) : TrainingCallback
{
    private readonly int[] _trainSample = Enumerable.Range(0, Math.Min(sample, train.Count)).ToArray();
    private readonly int[] _testSample = Enumerable.Range(0, Math.Min(sample, test.Count)).ToArray();

    public override void OnEpochEnd(TrainingContext context, EpochRecord record) => Report(record.Epoch);

    public void Report(int epoch)
    {
        double trainAccuracy = trainer.Evaluate(train, _trainSample).Accuracy;
        double testAccuracy = trainer.Evaluate(test, _testSample).Accuracy;
        Console.WriteLine($"=== epoch:{epoch}, train acc:{trainAccuracy:F4}, test acc:{testAccuracy:F4} ===");
    }
}
