// NetworkProbe.cs — what the page's network view shows, measured by running one probe batch
// through the model's layers one at a time (ConvNetJS's per-layer view):
//
//   forward   x → layer 0 → layer 1 → … → scores      (inference mode; each output kept, each layer timed)
//   backward  dL/dscores → … → layer 0                 (each layer's output gradient kept and timed)
//
// Nested Sequentials are flattened into their children, so LeNet-5's features/classifier show as
// their ten layers; any other container (a residual block, an inception module) is one row. The
// probe runs on the training thread between two batches, after the optimizer's step and before the
// next batch zeroes the gradients: the layers' caches and gradients it touches are overwritten by
// the next batch, so training itself is unchanged. The weight gradients shown are the last batch's,
// read before the probe's own backward adds to them.
using System.Diagnostics;
using System.Text.Json.Serialization;
using Cortex.Layers;
using Cortex.Losses;
using Cortex.Tensors;

namespace Cortex.Studio;

/// <summary>One row of the network view.</summary>
public sealed record LayerView(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("output_shape")] int[] OutputShape,
    [property: JsonPropertyName("parameters")] long Parameters,
    [property: JsonPropertyName("forward_ms")] double ForwardMs,
    [property: JsonPropertyName("backward_ms")] double BackwardMs,
    [property: JsonPropertyName("activations")] TileSet? Activations,
    [property: JsonPropertyName("activation_gradients")] TileSet? ActivationGradients,
    [property: JsonPropertyName("filters")] TileSet? Filters,
    [property: JsonPropertyName("filter_gradients")] TileSet? FilterGradients,
    [property: JsonPropertyName("weights")] Histogram? Weights,
    [property: JsonPropertyName("gradients")] Histogram? Gradients);

/// <summary>The network view of one probe: the input example, each layer's row, and the totals.</summary>
public sealed record NetworkView(
    [property: JsonPropertyName("examples_seen")] long ExamplesSeen,
    [property: JsonPropertyName("probe_batch")] int ProbeBatch,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("input")] TileSet Input,
    [property: JsonPropertyName("layers")] IReadOnlyList<LayerView> Layers,
    [property: JsonPropertyName("forward_ms_per_example")] double ForwardMsPerExample,
    [property: JsonPropertyName("backward_ms_per_example")] double BackwardMsPerExample);

/// <summary>Runs probe batches through a model layer by layer (see the file header).</summary>
public sealed class NetworkProbe
{
    private readonly Layer[] _chain;
    private readonly Loss _loss;

    public NetworkProbe(Layer model, int numClasses)
    {
        ArgumentNullException.ThrowIfNull(model);
        _chain = [.. Flatten(model)];
        _loss = numClasses == 1 ? new BinaryCrossEntropy(fromLogits: true) : new SoftmaxCrossEntropy();
    }

    /// <summary>The layers the view shows, in order.</summary>
    public IReadOnlyList<Layer> Layers => _chain;

    /// <summary>A model's layers for the view: Sequentials opened up, everything else whole.</summary>
    public static IEnumerable<Layer> Flatten(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer is Sequential sequential)
        {
            foreach (var (_, child) in sequential.Children)
            {
                foreach (var leaf in Flatten(child))
                    yield return leaf;
            }
        }
        else
        {
            yield return layer;
        }
    }

    /// <summary>
    /// Probes with <paramref name="images"/> (N, C, H, W) and their <paramref name="labels"/>; tiles show sample 0.
    /// <paramref name="withGradients"/> off skips the backward pass (a model that only infers).
    /// </summary>
    public NetworkView Run(Tensor images, ReadOnlySpan<int> labels, string labelName, long examplesSeen, bool withGradients = true, int maxTiles = 64)
    {
        ArgumentNullException.ThrowIfNull(images);
        int n = images.Shape[0];
        var rows = new (Tensor Output, double ForwardMs, double BackwardMs, TileSet? OutputGradient)[_chain.Length];
        // The last batch's weight gradients, before this probe's backward adds its own.
        var weightViews = new (TileSet? Filters, TileSet? FilterGradients, Histogram? Weights, Histogram? Gradients)[_chain.Length];
        for (int i = 0; i < _chain.Length; i++)
            weightViews[i] = WeightView(_chain[i], maxTiles);

        var clock = new Stopwatch();
        var x = images;
        for (int i = 0; i < _chain.Length; i++)
        {
            clock.Restart();
            x = _chain[i].Forward(x, training: false);
            rows[i] = (x, clock.Elapsed.TotalMilliseconds, 0, ActivationTiles(x, maxTiles));
        }
        // rows[i].OutputGradient holds the activation tiles until the backward pass fills in gradients.
        var activations = rows.Select(r => r.OutputGradient).ToArray();
        var gradients = new TileSet?[_chain.Length];
        double backwardTotal = 0;
        if (withGradients)
        {
            var targets = new Tensor(n);
            for (int s = 0; s < n; s++)
                targets.Span[s] = labels[s];
            _loss.Forward(x, targets);
            var d = _loss.Backward();
            for (int i = _chain.Length - 1; i >= 0; i--)
            {
                gradients[i] = ActivationTiles(d, maxTiles);      // dL/d(output of layer i)
                clock.Restart();
                d = _chain[i].Backward(d);
                rows[i].BackwardMs = clock.Elapsed.TotalMilliseconds;
                backwardTotal += rows[i].BackwardMs;
                if (d.Size == 0)
                    break;                                     // the first layer skipped dL/dx: nothing reads it
            }
        }

        var layers = new LayerView[_chain.Length];
        double forwardTotal = 0;
        for (int i = 0; i < _chain.Length; i++)
        {
            var layer = _chain[i];
            forwardTotal += rows[i].ForwardMs;
            var (filters, filterGradients, weights, grads) = weightViews[i];
            layers[i] = new LayerView(
                layer.Path.Length == 0 ? layer.Name : layer.Path, layer.Kind, [.. rows[i].Output.Shape.Dimensions[1..]],
                layer.AllParameters().Sum(p => (long)p.Value.Size), rows[i].ForwardMs, rows[i].BackwardMs,
                activations[i], gradients[i], filters, filterGradients, weights, grads);
        }
        var input = images.Shape.Rank == 4
            ? Pictures.Tiles(images.Span, 1, images.Shape[1], images.Shape[2], images.Shape[3])
            : Pictures.Tiles(images.Span, 1, 1, 1, images.Shape.SizeFrom(1));
        return new NetworkView(examplesSeen, n, labelName, input, layers, forwardTotal / n, backwardTotal / n);
    }

    /// <summary>Sample 0 of a layer's output (N, C, H, W) as one tile per channel; (N, D) as one strip.</summary>
    private static TileSet ActivationTiles(Tensor t, int maxTiles)
    {
        var shape = t.Shape;
        int per = shape.SizeFrom(1);
        var sample = t.Span[..per];
        return shape.Rank == 4
            ? Pictures.Tiles(sample, shape[1], 1, shape[2], shape[3], maxTiles)
            : Pictures.Tiles(sample, 1, 1, 1, per, maxTiles);
    }

    /// <summary>A layer's own filters (a 4-D weight, as one tile per output and input channel, RGB for 3 inputs) and histograms.</summary>
    private static (TileSet?, TileSet?, Histogram?, Histogram?) WeightView(Layer layer, int maxTiles)
    {
        var parameters = layer.AllParameters().ToArray();
        if (parameters.Length == 0)
            return (null, null, null, null);
        var weight = parameters[0];
        TileSet? filters = null, filterGradients = null;
        if (weight.Shape.Rank == 4)
        {
            int o = weight.Shape[0], c = weight.Shape[1], kh = weight.Shape[2], kw = weight.Shape[3];
            bool rgb = c == 3;
            int count = rgb ? o : o * c, channels = rgb ? 3 : 1;
            filters = Pictures.Tiles(weight.Value.Span, count, channels, kh, kw, maxTiles * 2);
            filterGradients = Pictures.Tiles(weight.Gradient.Span, count, channels, kh, kw, maxTiles * 2);
        }
        return (filters, filterGradients, Histogram(parameters, p => p.Value), Histogram(parameters, p => p.Gradient));
    }

    private static Histogram Histogram(Parameter[] parameters, Func<Parameter, Tensor> pick)
    {
        if (parameters.Length == 1)
            return Pictures.Histogram(pick(parameters[0]).Span);
        var all = new float[parameters.Sum(p => p.Value.Size)];
        int at = 0;
        foreach (var p in parameters)
        {
            pick(p).Span.CopyTo(all.AsSpan(at));
            at += p.Value.Size;
        }
        return Pictures.Histogram(all);
    }
}
