// QuickStart — Cortex from its NuGet packages: LeNet-5 on the 10,000 MNIST digits of the
// Cortex.Data.Digits package, trained for a few epochs, tested, saved and loaded back.
//
//   dotnet run -- [epochs]        (default 3; about 2 s an epoch on 2 cores)
using Cortex.Data;
using Cortex.Losses;
using Cortex.Models;
using Cortex.Optimizers;
using Cortex.Training;

int epochs = args.Length > 0 && int.TryParse(args[0], out int e) && e > 0 ? e : 3;

var (train, test) = DataSources.Load("digits");
Console.WriteLine($"digits: {train.Count:N0} training and {test.Count:N0} test images of {train.SampleShape}");

var spec = ModelZoo.Spec("lenet5");
var model = ModelZoo.Create(spec);
var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Adam(model.AllParameters(), 2e-3f),
                          new TrainerOptions { Epochs = epochs, BatchSize = 32, Seed = 1 });
History history = trainer.Fit(train);
Console.WriteLine($"after {history.Epochs.Count} epoch(s): training loss {history.Last?.TrainLoss:F4}");

double accuracy = trainer.Evaluate(test).Accuracy;
Console.WriteLine($"test accuracy {accuracy:P2}");

string path = Path.Combine(Path.GetTempPath(), "quickstart-lenet5.safetensors");
ModelZoo.Save(model, spec, path);
var (loaded, _) = ModelZoo.Load(path);
var check = new Trainer(loaded, new SoftmaxCrossEntropy(), new Adam(loaded.AllParameters()), new TrainerOptions());
Console.WriteLine($"saved {path}; loaded back: test accuracy {check.Evaluate(test).Accuracy:P2}");
return accuracy > 0.5 ? 0 : 1;
