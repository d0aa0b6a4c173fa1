// LayerTopology.cs — how data flows through a layer tree, for tools that walk a model without
// running it the layer's own way: the summary (shapes, MACs, receptive fields per leaf) and the
// trace (the input every leaf receives, for per-layer gradient checks).
//
//   Leaf(layer)          a layer with no children (or one the walkers treat as opaque)
//   Chain(a, b, …)       a, then b on a's output, … (Sequential)
//   Sum(a, b, …)         every branch on the same input, outputs added (Residual: body + shortcut)
//   Join(a, b, …)        every branch on the same input, outputs concatenated on axis 1 (Concat)
//   Tap(a)               a side branch that reads the current value; the main value passes on
//                        unchanged (GoogLeNet's auxiliary classifiers)
//   Identity             passes the value on (a Residual's identity shortcut)
//
// Sequential, Residual and Concat are known here; any other composite layer states its dataflow by
// implementing ILayerTopology (ResNet's BasicBlock and Bottleneck do). A composite that does neither
// is treated as one opaque leaf. Only the walkers use this: layers run through their own Forward.
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Diagnostics;

/// <summary>A composite layer that tells diagnostic tools how data flows through its children.</summary>
/// <example><code>
/// // out = relu(bn2(conv2(relu(bn1(conv1(x))))) + downsample(x))
/// public LayerTopology Topology => LayerTopology.Chain(
///     LayerTopology.Sum(LayerTopology.Chain(Conv1, Bn1, Relu1, Conv2, Bn2), Downsample is null ? LayerTopology.Identity : Downsample),
///     Relu2);
/// </code></example>
public interface ILayerTopology
{
    /// <summary>The dataflow through this layer's children. Every child should appear exactly once.</summary>
    LayerTopology Topology { get; }
}

/// <summary>A layer with no children whose output looks at a window of its input, like a convolution (for receptive fields).</summary>
public interface ISpatialWindow
{
    /// <summary>The window (kernel) height and width, the stride and the dilation, per axis.</summary>
    (int KernelHeight, int KernelWidth, int StrideHeight, int StrideWidth, int DilationHeight, int DilationWidth) Window { get; }
}

/// <summary>A node of a layer tree's dataflow; see the file header.</summary>
public abstract record LayerTopology
{
    private protected LayerTopology() { }

    /// <summary>Passes the value on unchanged.</summary>
    public static LayerTopology Identity { get; } = new IdentityNode();

    /// <summary>One layer (expanded further by <see cref="Of"/> when it is a known composite).</summary>
    public static LayerTopology Leaf(Layer layer) => new LeafNode(layer ?? throw new ArgumentNullException(nameof(layer)));

    /// <summary>The nodes one after another.</summary>
    public static LayerTopology Chain(params LayerTopology[] nodes) => new ChainNode(nodes);

    /// <summary>Every branch on the same input; their outputs are added.</summary>
    public static LayerTopology Sum(params LayerTopology[] branches) => new SumNode(branches);

    /// <summary>Every branch on the same input; their outputs are concatenated along axis 1.</summary>
    public static LayerTopology Join(params LayerTopology[] branches) => new JoinNode(branches);

    /// <summary>A side branch on the current value, whose output leaves the model; the value passes on.</summary>
    public static LayerTopology Tap(LayerTopology branch) => new TapNode(branch);

    /// <summary>A layer as a node.</summary>
    public static implicit operator LayerTopology(Layer layer) => Leaf(layer);

    /// <summary>
    /// The dataflow directly inside <paramref name="layer"/>: its children as nodes (each a <see cref="LeafNode"/>,
    /// expanded in turn by calling Of on it), or null when the layer is a leaf or an opaque composite.
    /// </summary>
    public static LayerTopology? Of(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        switch (layer)
        {
            case ILayerTopology t:
                return t.Topology;
            case Sequential s:
                return Chain(s.Children.Select(c => Leaf(c.Layer)).ToArray());
            case Residual r:
                var sum = Sum(r.Body, r.Shortcut is null ? Identity : Leaf(r.Shortcut));
                return r.Activation is null ? sum : Chain(sum, r.Activation);
            case Concat c:
                return Join(c.Children.Select(b => Leaf(b.Layer)).ToArray());
            default:
                return null;
        }
    }

    /// <summary>A layer.</summary>
    public sealed record LeafNode(Layer Layer) : LayerTopology;

    /// <summary>Nodes in sequence.</summary>
    public sealed record ChainNode(IReadOnlyList<LayerTopology> Nodes) : LayerTopology;

    /// <summary>Parallel branches, added.</summary>
    public sealed record SumNode(IReadOnlyList<LayerTopology> Branches) : LayerTopology;

    /// <summary>Parallel branches, concatenated on axis 1.</summary>
    public sealed record JoinNode(IReadOnlyList<LayerTopology> Branches) : LayerTopology;

    /// <summary>A side branch.</summary>
    public sealed record TapNode(LayerTopology Branch) : LayerTopology;

    /// <summary>No-op.</summary>
    public sealed record IdentityNode : LayerTopology;
}

/// <summary>Runs a model node by node through its <see cref="LayerTopology"/> and records the input every leaf receives.</summary>
/// <example><code>
/// foreach (var (leaf, input) in LayerTrace.LeafInputs(model, x, training: true))
///     Console.WriteLine($"{leaf.Describe()} sees {input.Shape}");
/// </code></example>
public static class LayerTrace
{
    /// <summary>
    /// Every leaf of <paramref name="model"/> in dataflow order, with a copy of the input it receives when the model
    /// runs on <paramref name="input"/>. Leaves run through their own Forward; composites are replayed from their topology.
    /// </summary>
    public static IReadOnlyList<(Layer Leaf, Tensor Input)> LeafInputs(Layer model, Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        var result = new List<(Layer, Tensor)>();
        Run(LayerTopology.Leaf(model), input.Clone(), training, result);
        return result;
    }

    private static Tensor Run(LayerTopology node, Tensor x, bool training, List<(Layer, Tensor)> result)
    {
        switch (node)
        {
            case LayerTopology.LeafNode leaf:
                if (LayerTopology.Of(leaf.Layer) is { } expanded)
                    return Run(expanded, x, training, result);
                result.Add((leaf.Layer, x.Clone()));
                return leaf.Layer.Forward(x, training).Clone();      // a copy: the layer reuses its buffer
            case LayerTopology.ChainNode chain:
                foreach (var n in chain.Nodes)
                    x = Run(n, x, training, result);
                return x;
            case LayerTopology.SumNode sum:
                {
                    Tensor? total = null;
                    foreach (var b in sum.Branches)
                    {
                        var y = Run(b, x, training, result);
                        if (total is null)
                            total = y.Clone();
                        else
                            System.Numerics.Tensors.TensorPrimitives.Add(total.Span, y.Span, total.Span);
                    }
                    return total ?? x;
                }
            case LayerTopology.JoinNode join:
                {
                    var outputs = join.Branches.Select(b => Run(b, x, training, result)).ToList();
                    var first = outputs[0].Shape;
                    int channels = outputs.Sum(o => o.Shape[1]), n = first[0], inner = first.SizeFrom(2), offset = 0;
                    var joined = new Tensor(first.With(1, channels));
                    foreach (var o in outputs)
                    {
                        int block = o.Shape[1] * inner;
                        for (int i = 0; i < n; i++)
                            o.Span.Slice(i * block, block).CopyTo(joined.Span.Slice((i * channels * inner) + offset, block));
                        offset += block;
                    }
                    return joined;
                }
            case LayerTopology.TapNode tap:
                Run(tap.Branch, x, training, result);
                return x;
            default:
                return x;
        }
    }
}
