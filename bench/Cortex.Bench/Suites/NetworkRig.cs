// NetworkRig.cs — one network ready to run on one side: the model, its optimizer and loss, and a
// batch of random inputs and labels of the right shape. Train() is one complete training step
// (zero grads, forward, loss, backward, optimizer step); Infer() one forward pass in inference
// mode. The train, infer and memory suites time these calls.
//
// libtorch: every step runs inside a dispose scope, so the tensors it makes are freed at once
// (what a careful TorchSharp user writes); inference also runs under no_grad with the module in
// eval mode. Cortex: its layers reuse their buffers, so nothing is freed per step.
using Cortex.Layers;
using Cortex.Losses;
using Cortex.Optimizers;
using Cortex.Tensors;
using TorchSharp;
using CortexTensor = Cortex.Tensors.Tensor;
using TorchModule = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace Cortex.Bench.Suites;

/// <summary>One side of a network comparison: something that trains one step and infers one batch.</summary>
public interface INetworkRig : IDisposable
{
    /// <summary>One training step on the rig's batch.</summary>
    void Train();

    /// <summary>One forward pass in inference mode on the rig's batch.</summary>
    void Infer();
}

/// <summary>Cortex's side: model, optimizer, softmax cross-entropy, random batch.</summary>
public sealed class CortexRig : INetworkRig
{
    private readonly Layer _model;
    private readonly Optimizer _optimizer;
    private readonly SoftmaxCrossEntropy _loss = new();
    private readonly CortexTensor _x, _t;

    /// <summary>
    /// Builds <paramref name="network"/> for batches of <paramref name="batch"/>. <paramref name="inference"/>
    /// folds its batch norms into the convolutions before them (BatchNormFolding, what a deployed Cortex
    /// model and `cortex eval`/`predict` run); such a rig can only Infer.
    /// </summary>
    public CortexRig(Network network, int batch, bool inference = false)
    {
        ArgumentNullException.ThrowIfNull(network);
        _model = network.CreateCortex();
        _model.InputGradientRequired = false;   // as the trainer does, and as libtorch's input (no requires_grad)
        if (inference)
            BatchNormFolding.Fold(_model);
        _optimizer = network.CortexOptimizer(_model.AllParameters());
        var random = new CortexRandom(7);
        _x = CortexTensor.RandomNormal(new Shape(batch, network.Channels, network.Size, network.Size), random);
        _t = new CortexTensor(batch);
        var labels = _t.Span;
        for (int i = 0; i < batch; i++)
            labels[i] = i % network.Classes;
    }

    /// <inheritdoc/>
    public void Train()
    {
        _optimizer.ZeroGradients();
        var y = _model.Forward(_x, true);
        _loss.Forward(y, _t);
        _model.Backward(_loss.Backward());
        _optimizer.Step();
    }

    /// <inheritdoc/>
    public void Infer() => _model.Forward(_x, false);

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}

/// <summary>libtorch's side: the same architecture as a TorchSharp module, its optimizer, cross-entropy, random batch.</summary>
public sealed class TorchRig : INetworkRig
{
    private readonly TorchModule _model;
    private readonly torch.optim.Optimizer _optimizer;
    private readonly torch.Tensor _x, _t;
    private bool? _training;                  // the module's mode, switched only when it changes

    /// <summary>Builds <paramref name="network"/> for batches of <paramref name="batch"/>.</summary>
    public TorchRig(Network network, int batch)
    {
        ArgumentNullException.ThrowIfNull(network);
        _model = network.CreateTorch();
        _optimizer = network.TorchOptimizer(_model.parameters());
        _x = torch.randn(batch, network.Channels, network.Size, network.Size);
        _t = torch.arange(batch, dtype: torch.int64).remainder(network.Classes);
    }

    /// <inheritdoc/>
    public void Train()
    {
        using var scope = torch.NewDisposeScope();
        SetMode(true);
        _optimizer.zero_grad();
        var y = _model.forward(_x);
        var loss = torch.nn.functional.cross_entropy(y, _t);
        loss.backward();
        _optimizer.step();
    }

    /// <inheritdoc/>
    public void Infer()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        SetMode(false);
        _model.forward(_x);
    }

    private void SetMode(bool training)
    {
        if (_training == training)
            return;
        if (training)
            _model.train();
        else
            _model.eval();
        _training = training;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _x.Dispose();
        _t.Dispose();
        _optimizer.Dispose();
        _model.Dispose();
    }
}
