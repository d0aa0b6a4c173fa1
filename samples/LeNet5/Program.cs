// LeNet5 — LeNet-5 (LeCun et al. 1998) on the 10,000 shipped MNIST digits, written out layer by
// layer as the lectures draw it: C1 6@5×5 (pad 2) → pool → C3 16@5×5 → pool → F5 120 → F6 84 → 10,
// with ReLU and max pooling (the modern form; the 1998 paper used tanh and average pooling).
//
//   dotnet run -- [epochs] [training images]      (default 5 epochs on all 8,000; ~1 s an epoch on 2 cores)
using Cortex.Data;
using Cortex.Layers;
using Cortex.Losses;
using Cortex.Optimizers;
using Cortex.Tensors;
using Cortex.Training;

int epochs = args.Length > 0 ? int.Parse(args[0]) : 5;
var (train, test) = DataSources.Load("digits");           // (N, 1, 28, 28), pixels / 255
if (args.Length > 1)
    train = train.Take(int.Parse(args[1]));

var random = new CortexRandom(1);
var model = new Sequential("lenet5")
    .Add("c1", new Conv2d(1, 6, kernelSize: 5, padding: 2, random: random))   // (6, 28, 28)
    .Add("relu1", new ReLU())
    .Add("s2", new MaxPool2d(2))                                             // (6, 14, 14)
    .Add("c3", new Conv2d(6, 16, kernelSize: 5, random: random))             // (16, 10, 10)
    .Add("relu3", new ReLU())
    .Add("s4", new MaxPool2d(2))                                             // (16, 5, 5)
    .Add("flatten", new Flatten())                                           // 400
    .Add("f5", new Dense(16 * 5 * 5, 120, random: random))
    .Add("relu5", new ReLU())
    .Add("f6", new Dense(120, 84, random: random))
    .Add("relu6", new ReLU())
    .Add("out", new Dense(84, 10, random: random));                          // 10 scores → softmax in the loss

var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Adam(model.AllParameters(), 2e-3f),
                          new TrainerOptions { Epochs = epochs, BatchSize = 32, Seed = 1 });
Console.WriteLine($"LeNet-5, {model.AllParameters().Sum(p => p.Value.Size):N0} parameters, {train.Count:N0} training images");
foreach (var epoch in trainer.Fit(train).Epochs)
    Console.WriteLine($"epoch {epoch.Epoch}: loss {epoch.TrainLoss:F4}, training accuracy {epoch.TrainAccuracy:P2}");

double accuracy = trainer.Evaluate(test).Accuracy;
Console.WriteLine($"test accuracy {accuracy:P2} on {test.Count:N0} digits");
return accuracy > 0.5 ? 0 : 1;                                   // a broken build fails CI, not only looks bad
