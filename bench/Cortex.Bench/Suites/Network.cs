// Network.cs — the networks the train, infer and memory suites run, each defined twice with the
// same architecture: as a Cortex model and as a TorchSharp module, with the same optimizer and
// hyper-parameters. Weights are each library's own default initialization (speed does not depend
// on the values); inputs are random data of the training shape.
//
//   LeNet-5             1×28×28, batch 64, SGD momentum 0.9 (lr 0.01)   Cortex: ModelZoo "lenet5"
//   SimpleConvNet       1×28×28, batch 100, Adam (lr 0.001)            Cortex: ModelZoo "simpleconvnet"
//   Keras CIFAR net     3×32×32, batch 128, SGD momentum 0.9 (lr 0.01)  built here with Sequential:
//                       conv32 (same) – conv32 – pool – conv64 (same) – conv64 – pool – fc512 – dropout 0.5 – fc10
//                       (the Keras cifar10_cnn example's layers, its two dropout-0.25 layers left out)
//   ResNet-20           3×32×32, batch 128, SGD momentum 0.9 (lr 0.01)  Cortex: ModelZoo "resnet20"
//                       (option A shortcuts, 269,722 parameters); libtorch: TorchResNets.ResNet20
//   ResNet-18 at 32×32  3×32×32, batch 64, SGD momentum 0.9 (lr 0.01)   Cortex: CortexResNet18At32 (the
//                       zoo's BasicBlocks behind a 3×3/1 stem without max pool, option B projections,
//                       11,173,962 parameters); libtorch: TorchResNets.ResNet18At32
//   ResNet-50           3×224×224, infer suite only (batch-1 latency)  Cortex: ModelZoo "resnet50" (stride
//                       on the 1×1, option B, 25,557,032 parameters); libtorch: TorchResNets.ResNet50
//
// The memory suite runs the first three only (Network.Classic): 25 training steps of each ResNet on
// both sides would add minutes to it. Before timing, ArchitectureCheck compares every pair: the
// same parameter shapes in the same order, and the same outputs once libtorch has Cortex's weights.
//
// Momentum: Cortex keeps lr inside the velocity (v = μv − lr·g; w += v), PyTorch outside
// (b = μb + g; w −= lr·b); with a constant lr the two are the same update. The ResNets use lr 0.01
// rather than the papers' 0.1 (the speed is the same; on one random batch repeated, 0.01 keeps the
// numbers tame), without weight decay, as the other networks.
using Cortex.Layers;
using Cortex.Models;
using Cortex.Optimizers;
using TorchSharp;
using static TorchSharp.torch.nn;
using TorchModule = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace Cortex.Bench.Suites;

/// <summary>One network, buildable in Cortex and in libtorch with the same architecture and optimizer.</summary>
/// <param name="Name">The case, e.g. <c>LeNet-5</c>.</param>
/// <param name="Channels">Input channels.</param>
/// <param name="Size">Input height = width.</param>
/// <param name="Classes">Output classes.</param>
/// <param name="TrainBatch">Training batch size.</param>
/// <param name="OptimizerText">The optimizer, as shown, e.g. <c>SGD momentum 0.9, lr 0.01</c>.</param>
/// <param name="CreateCortex">Builds the Cortex model.</param>
/// <param name="CreateTorch">Builds the libtorch module.</param>
/// <param name="CortexOptimizer">The Cortex optimizer over the model's parameters.</param>
/// <param name="TorchOptimizer">The libtorch optimizer over the module's parameters.</param>
public sealed record Network(
    string Name, int Channels, int Size, int Classes, int TrainBatch, string OptimizerText,
    Func<Layer> CreateCortex, Func<TorchModule> CreateTorch,
    Func<IEnumerable<Parameter>, Optimizer> CortexOptimizer,
    Func<IEnumerable<TorchSharp.Modules.Parameter>, torch.optim.Optimizer> TorchOptimizer)
{
    /// <summary>"1×28×28".</summary>
    public string InputText => $"{Channels}×{Size}×{Size}";

    /// <summary>LeNet-5, SimpleConvNet and the Keras CIFAR net: the small networks (train, infer and memory suites).</summary>
    public static IReadOnlyList<Network> Classic { get; } =
    [
        new("LeNet-5", 1, 28, 10, 64, "SGD momentum 0.9",
            () => ModelZoo.Create("lenet5"), LeNet5Torch,
            p => new Momentum(p, 0.01f, 0.9f), p => torch.optim.SGD(p, 0.01, momentum: 0.9)),
        new("SimpleConvNet", 1, 28, 10, 100, "Adam",
            () => ModelZoo.Create("simpleconvnet"), SimpleConvNetTorch,
            p => new Adam(p, 1e-3f), p => torch.optim.Adam(p, 1e-3)),
        new("Keras CIFAR net", 3, 32, 10, 128, "SGD momentum 0.9",
            KerasCifarCortex, KerasCifarTorch,
            p => new Momentum(p, 0.01f, 0.9f), p => torch.optim.SGD(p, 0.01, momentum: 0.9)),
    ];

    /// <summary>ResNet-20 (CIFAR) and ResNet-18 adapted to 32×32.</summary>
    public static IReadOnlyList<Network> ResNets { get; } =
    [
        new("ResNet-20", 3, 32, 10, 128, "SGD momentum 0.9",
            () => ModelZoo.Create("resnet20"), () => TorchResNets.ResNet20(),
            p => new Momentum(p, 0.01f, 0.9f), p => torch.optim.SGD(p, 0.01, momentum: 0.9)),
        new("ResNet-18 at 32×32", 3, 32, 10, 64, "SGD momentum 0.9",
            () => CortexResNet18At32.Create(), () => TorchResNets.ResNet18At32(),
            p => new Momentum(p, 0.01f, 0.9f), p => torch.optim.SGD(p, 0.01, momentum: 0.9)),
    ];

    /// <summary>Every network the train and infer suites run: <see cref="Classic"/>, then <see cref="ResNets"/>.</summary>
    public static IReadOnlyList<Network> All { get; } = [.. Classic, .. ResNets];

    /// <summary>
    /// ResNet-50 at 224×224, for the infer suite's batch-1 latency. Its training fields (torchvision's recipe: batch 256, SGD
    /// momentum 0.9, lr 0.1) complete the definition; no suite trains it (one step would take tens of seconds here).
    /// </summary>
    public static Network ResNet50 { get; } =
        new("ResNet-50", 3, 224, 1000, 256, "SGD momentum 0.9",
            () => ModelZoo.Create("resnet50"), () => TorchResNets.ResNet50(),
            p => new Momentum(p, 0.1f, 0.9f), p => torch.optim.SGD(p, 0.1, momentum: 0.9));

    private static TorchModule LeNet5Torch() => Sequential(
        ("conv1", Conv2d(1, 6, 5, padding: 2)), ("relu1", ReLU()), ("pool1", MaxPool2d(2)),
        ("conv2", Conv2d(6, 16, 5)), ("relu2", ReLU()), ("pool2", MaxPool2d(2)),
        ("flatten", Flatten()),
        ("fc1", Linear(16 * 5 * 5, 120)), ("relu3", ReLU()),
        ("fc2", Linear(120, 84)), ("relu4", ReLU()),
        ("fc3", Linear(84, 10)));

    private static TorchModule SimpleConvNetTorch() => Sequential(
        ("conv1", Conv2d(1, 30, 5)), ("relu1", ReLU()), ("pool1", MaxPool2d(2)),
        ("flatten", Flatten()),
        ("affine1", Linear(30 * 12 * 12, 100)), ("relu2", ReLU()),
        ("affine2", Linear(100, 10)));

    private static Layers.Sequential KerasCifarCortex() => new Layers.Sequential("keras_cifar",
        new Layers.Conv2d(3, 32, 3, padding: 1), new Layers.ReLU(),
        new Layers.Conv2d(32, 32, 3), new Layers.ReLU(),
        new Layers.MaxPool2d(2),
        new Layers.Conv2d(32, 64, 3, padding: 1), new Layers.ReLU(),
        new Layers.Conv2d(64, 64, 3), new Layers.ReLU(),
        new Layers.MaxPool2d(2),
        new Layers.Flatten(),
        new Dense(64 * 6 * 6, 512), new Layers.ReLU(),
        new Layers.Dropout(0.5),
        new Dense(512, 10));

    private static TorchModule KerasCifarTorch() => Sequential(
        ("conv1", Conv2d(3, 32, 3, padding: 1)), ("relu1", ReLU()),
        ("conv2", Conv2d(32, 32, 3)), ("relu2", ReLU()),
        ("pool1", MaxPool2d(2)),
        ("conv3", Conv2d(32, 64, 3, padding: 1)), ("relu3", ReLU()),
        ("conv4", Conv2d(64, 64, 3)), ("relu4", ReLU()),
        ("pool2", MaxPool2d(2)),
        ("flatten", Flatten()),
        ("fc1", Linear(64 * 6 * 6, 512)), ("relu5", ReLU()),
        ("dropout", Dropout(0.5)),
        ("fc2", Linear(512, 10)));
}
