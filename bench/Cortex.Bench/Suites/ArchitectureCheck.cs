// ArchitectureCheck.cs — before a network is timed, evidence that its Cortex model and its libtorch
// module are the same architecture; a difference stops the run with an error naming it.
//
//   1. parameters   both sides list the same parameter shapes in the same order (ParameterLayout):
//                   same convolutions, biases or not, batch norms, projections, head; so the same
//                   total, which the suites print
//   2. outputs      libtorch gets Cortex's weights (position by position), then both run the same
//                   random batch of 2 in inference mode; then, unless the network has a stochastic
//                   layer (dropout), in training mode, comparing the outputs (batch statistics) and
//                   the batch norms' running mean and variance afterwards (their momentum and the
//                   unbiased variance). This catches what a parameter count cannot: a stride on the
//                   wrong convolution, a missing ReLU, the zero channels of a shortcut in the wrong place.
//
// The difference reported is the largest max|x − y| / max|y| over those comparisons (Compare); FP32
// in a different order gives ~1e-6, a different architecture gives ~1. It fills the results'
// `check` column. The check builds its own pair of models, so the timed ones are untouched.
using Cortex.Layers;
using Cortex.Tensors;
using TorchSharp;
using CortexTensor = Cortex.Tensors.Tensor;
using TorchModule = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace Cortex.Bench.Suites;

/// <summary>What <see cref="Run"/> found: the parameter count both sides share and how closely their outputs agree.</summary>
/// <param name="Parameters">The number of parameter values, the same on both sides.</param>
/// <param name="Difference">The largest relative difference of outputs and running statistics.</param>
/// <param name="Training">Whether training mode was compared too (false when the network has dropout).</param>
public sealed record ArchitectureCheck(long Parameters, double Difference, bool Training)
{
    /// <summary>A larger relative difference than this means the two definitions are different networks.</summary>
    public const double Tolerance = 1e-3;

    private const int Batch = 2;

    /// <summary>"269,722 parameters".</summary>
    public string ParametersText => $"{Parameters:N0} parameters";

    /// <summary>Builds both sides of <paramref name="network"/> and compares them.</summary>
    /// <exception cref="InvalidOperationException">The two definitions differ; the message says where.</exception>
    public static ArchitectureCheck Run(Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var cortex = network.CreateCortex();
        using var peer = network.CreateTorch();

        var cortexLayout = ParameterLayout.Of(cortex);
        var peerLayout = peer.named_parameters().Select(p => new ParameterEntry(p.name, p.parameter.shape)).ToList();
        long cortexTotal = ParameterLayout.Total(cortexLayout), peerTotal = ParameterLayout.Total(peerLayout);
        string? difference = ParameterLayout.FirstDifference(cortexLayout, peerLayout);
        if (difference is not null || cortexTotal != peerTotal)
        {
            throw new InvalidOperationException(
                $"{network.Name}: the Cortex model ({cortexTotal:N0} parameters) and the libtorch module ({peerTotal:N0}) are not the same architecture: {difference ?? "different totals"}.");
        }

        CopyParameters(cortex, peer);
        var x = CortexTensor.RandomNormal(new Shape(Batch, network.Channels, network.Size, network.Size), new CortexRandom(11));
        using var peerX = torch.tensor(x.Span.ToArray(), [Batch, network.Channels, network.Size, network.Size]);
        double worst = CompareOutputs(cortex, peer, x, peerX, training: false);
        bool training = !cortex.Descendants().Any(layer => layer is IStochasticLayer);
        if (training)
        {
            worst = Math.Max(worst, CompareOutputs(cortex, peer, x, peerX, training: true));
            worst = Math.Max(worst, CompareRunningStatistics(cortex, peer));
        }
        if (!(worst <= Tolerance))
        {
            throw new InvalidOperationException(
                $"{network.Name}: the Cortex model and the libtorch module have the same parameters but compute different outputs (relative difference {worst:0.0e+0}, tolerance {Tolerance:0e+0}): check strides, padding, shortcuts and activations.");
        }
        return new ArchitectureCheck(cortexTotal, worst, training);
    }

    // Position by position; ParameterLayout has already checked that the shapes agree.
    private static void CopyParameters(Layer cortex, TorchModule peer)
    {
        using var noGrad = torch.no_grad();
        foreach (var (source, (_, target)) in cortex.AllParameters().Zip(peer.named_parameters()))
        {
            using var values = torch.tensor(source.Value.Span.ToArray(), target.shape);
            target.copy_(values);
        }
    }

    private static double CompareOutputs(Layer cortex, TorchModule peer, CortexTensor x, torch.Tensor peerX, bool training)
    {
        var mine = cortex.Forward(x, training);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        if (training)
            peer.train();
        else
            peer.eval();
        float[] theirs = peer.forward(peerX).data<float>().ToArray();
        if (mine.Span.Length != theirs.Length)
            throw new InvalidOperationException($"Cortex gives {mine.Span.Length} outputs for a batch of {Batch}, libtorch {theirs.Length}.");
        return Compare.RelativeDifference(mine.Span, theirs);
    }

    private static double CompareRunningStatistics(Layer cortex, TorchModule peer)
    {
        var mine = cortex.NamedBuffers().Where(b => IsRunningStatistic(b.Key)).ToList();
        var theirs = peer.named_buffers().Where(b => IsRunningStatistic(b.name)).ToList();
        if (mine.Count != theirs.Count)
            throw new InvalidOperationException($"Cortex has {mine.Count} batch-norm running statistics, libtorch {theirs.Count}.");
        double worst = 0;
        foreach (var ((_, value), (_, buffer)) in mine.Zip(theirs))
            worst = Math.Max(worst, Compare.RelativeDifference(value.Span, buffer.data<float>().ToArray()));
        return worst;
    }

    private static bool IsRunningStatistic(string key) =>
        key.EndsWith("running_mean", StringComparison.Ordinal) || key.EndsWith("running_var", StringComparison.Ordinal);
}
