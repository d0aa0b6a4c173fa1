// AuxiliaryClassifier.cs — a side classifier on an intermediate feature map (GoogLeNet's two
// auxiliary heads, Szegedy et al. 2015 §5): on the main path it is the identity; in training it
// also runs its head on the map and keeps the head's scores in Output.
//
//   forward   y = x;  Output = head(x)              (training only; inference skips the head)
//   backward  dx = dy + head'(dAux)                 x fans out to the main path and the head
//
// A training loop adds the heads' losses, weighted (the paper: 0.3), to the main loss:
//     var aux = model.Descendants().OfType<AuxiliaryClassifier>().ToList();
//     float l = loss.Forward(model.Forward(x, true), t);
//     foreach (var a in aux) { l += 0.3f * auxLoss.Forward(a.Output!, t); a.SetOutputGradient(auxLoss.Backward() * 0.3f); }
//     model.Backward(loss.Backward());
// With no gradient set, the head contributes nothing to dx (and its parameters get none).
// Children: the head's layers under their own keys (aux1.conv.conv.weight, aux1.fc1.weight).
using System.Numerics.Tensors;
using Cortex.Diagnostics;
using Cortex.Layers;
using Cortex.Tensors;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Models;

/// <summary>An identity on the main path that, in training, also computes a side classifier's scores.</summary>
public sealed class AuxiliaryClassifier : Layer, ILayerTopology
{
    private readonly List<(string Key, Layer Layer)> _head = [];
    private Tensor? _pending, _inputGradient;
    private bool _headRan, _ran;

    /// <summary>Creates the tap; the head is <paramref name="layers"/> in order, under their keys.</summary>
    public AuxiliaryClassifier(string name, params (string Key, Layer Layer)[] layers) : base(name)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Length == 0)
            throw new ArgumentException("AuxiliaryClassifier: the head needs at least one layer.", nameof(layers));
        foreach (var (key, layer) in layers)
        {
            Adopt(key, layer);
            _head.Add((key, layer));
        }
    }

    /// <summary>The head's scores from the last training Forward, or null (inference runs no head).</summary>
    public Tensor? Output { get; private set; }

    public override IEnumerable<(string Name, Layer Layer)> Children => _head;

    /// <inheritdoc/>
    public LayerTopology Topology => LayerTopology.Tap(LayerTopology.Chain(_head.Select(h => LayerTopology.Leaf(h.Layer)).ToArray()));

    /// <summary>The shape of the head's scores for an input of <paramref name="input"/>.</summary>
    public Shape HeadOutputShape(Shape input)
    {
        foreach (var (_, layer) in _head)
            input = layer.OutputShape(input);
        return input;
    }

    /// <summary>Sets dLoss/dOutput for the next Backward (the weighted gradient of the head's loss).</summary>
    public void SetOutputGradient(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (Output is null)
            throw new InvalidOperationException($"{Describe()}: no head output to differentiate; run a training Forward first.");
        if (outputGradient.Shape != Output.Shape)
            throw OutputGradientShapeError(Output.Shape, outputGradient.Shape);
        _pending = outputGradient;
    }

    public override Shape OutputShape(Shape input)
    {
        HeadOutputShape(input);   // the head must accept the map
        return input;
    }

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        _ran = true;
        _pending = null;
        _headRan = training;
        Output = null;
        if (training)
        {
            var h = input;
            foreach (var (_, layer) in _head)
                h = layer.Forward(h, training);
            Output = h;
        }
        return input;                                           // the main path: identity
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (!_ran)
            throw BackwardBeforeForward();
        if (!_headRan || _pending is null)
            return outputGradient;
        var d = _pending;
        _pending = null;
        for (int i = _head.Count - 1; i >= 0; i--)
            d = _head[i].Layer.Backward(d);
        var dx = Reuse(ref _inputGradient, outputGradient.Shape);
        TensorPrimitives.Add(outputGradient.Span, d.Span, dx.Span);   // both uses of x: gradients add
        return dx;
    }
}
