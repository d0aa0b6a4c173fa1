// ModelSummary.cs — Keras's model.summary() for any layer tree, computed without running it:
// per layer its path, kind, output shape, parameters, multiply-adds and receptive field, and for
// the model the parameter totals, the multiply-adds of one forward pass and the activation memory.
//
// Definitions (all per image: the walk uses a batch of 1):
//   parameters      the Parameters of every layer (BatchNorm's γ and β count; its running mean and
//                   variance are buffers, not parameters, as in PyTorch and torchvision's counts)
//   MACs            multiply-adds of Conv2d  OH·OW·FN·(C/groups)·KH·KW  and Dense  in·out, nothing else
//                   (no bias adds, activations, pooling or normalization), as the standard tables count
//                   them: He et al. 2016's "FLOPs" (1.8G for ResNet-18 … 11.3G for ResNet-152) are MACs
//   activations     the input plus the output of every leaf layer, except element-wise activations
//                   (ReLU, tanh, …), Dropout and Flatten, which frameworks run in place or as views.
//                   This is how the lectures' VGG-16 table counts "memory" (CONV3-64 [224×224×64] once
//                   for the convolution and its ReLU): summing its rows gives 15.2M values ≈ 61 MB per
//                   image for the forward pass, which is what we report. (The table's printed total,
//                   "24M × 4 bytes ≈ 93MB", is not the sum of its own rows.)
//   receptive field the size (height × width, in input pixels) of the input window one output value of the
//                   layer depends on, and the jump (the distance in input pixels between neighbouring
//                   outputs), composed through the stack:  r ← r + (k_eff − 1)·j,  j ← j·s  with
//                   k_eff = (k − 1)·d + 1. Parallel branches take the largest; global pooling and Flatten
//                   cover the whole map. Not capped at the image size (ResNet-50's exceeds 224).
//
// Composite layers (Sequential, Residual, Concat and any ILayerTopology) get a row of their own
// before their children, with their totals; Rows holds both, Leaves only the leaves.
using System.Globalization;
using System.Text;
using System.Text.Json;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Diagnostics;

/// <summary>The receptive field of a layer's outputs: window size and jump, in input pixels.</summary>
/// <param name="Height">Rows of the input one output value depends on.</param>
/// <param name="Width">Columns of the input one output value depends on.</param>
/// <param name="JumpHeight">Input rows between vertically neighbouring outputs (the product of the strides so far).</param>
/// <param name="JumpWidth">Input columns between horizontally neighbouring outputs.</param>
public sealed record ReceptiveField(long Height, long Width, long JumpHeight, long JumpWidth)
{
    /// <summary>"7×7" (and "/2" when the jump is 2).</summary>
    public override string ToString() => JumpHeight == JumpWidth
        ? string.Create(CultureInfo.InvariantCulture, $"{Height}×{Width} /{JumpHeight}")
        : string.Create(CultureInfo.InvariantCulture, $"{Height}×{Width} /{JumpHeight}×{JumpWidth}");
}

/// <summary>One row of a <see cref="ModelSummary"/>.</summary>
/// <param name="Path">The layer's dotted path (<c>layer1.0.conv1</c>); the model's name for the root.</param>
/// <param name="Kind">The layer's kind (<c>Conv2d</c>).</param>
/// <param name="Depth">0 for the root, 1 for its children, …</param>
/// <param name="IsContainer">Whether the row sums a composite layer's children (shown before them).</param>
/// <param name="OutputShape">The output shape for a batch of 1.</param>
/// <param name="Parameters">Parameter values of this layer (for a container: of everything below it).</param>
/// <param name="TrainableParameters">The trainable part of <paramref name="Parameters"/>.</param>
/// <param name="Macs">Multiply-adds for one image (see the file header).</param>
/// <param name="ReceptiveField">The receptive field of the outputs, or null where it cannot be told (an opaque layer upstream).</param>
public sealed record SummaryRow(string Path, string Kind, int Depth, bool IsContainer, Shape OutputShape,
    long Parameters, long TrainableParameters, long Macs, ReceptiveField? ReceptiveField);

/// <summary>A Keras-style summary of a layer tree for one input shape, computed without running the model.</summary>
/// <example><code>
/// var summary = ModelSummary.Create(model, new Shape(3, 224, 224));
/// Console.WriteLine($"{summary.TotalParameters:N0} parameters, {summary.Macs / 1e9:F2} GMACs, {summary.ActivationBytes / 1e6:F0} MB");
/// foreach (var row in summary.Leaves) Console.WriteLine($"{row.Path} {row.OutputShape} {row.ReceptiveField}");
/// string json = summary.ToJson();
/// </code></example>
public sealed class ModelSummary
{
    private ModelSummary(string model, Shape input, IReadOnlyList<SummaryRow> rows, long activationValues)
    {
        Model = model;
        Input = input;
        Rows = rows;
        var root = rows[0];
        TotalParameters = root.Parameters;
        TrainableParameters = root.TrainableParameters;
        Macs = root.Macs;
        OutputShape = root.OutputShape;
        ActivationValues = activationValues;
    }

    /// <summary>The model's name (the root layer's).</summary>
    public string Model { get; }

    /// <summary>The input of one image, (C, H, W).</summary>
    public Shape Input { get; }

    /// <summary>The output for a batch of one.</summary>
    public Shape OutputShape { get; }

    /// <summary>Every row, the root first, each container before its children.</summary>
    public IReadOnlyList<SummaryRow> Rows { get; }

    /// <summary>The leaf rows only: their parameters add up to <see cref="TotalParameters"/>.</summary>
    public IEnumerable<SummaryRow> Leaves => Rows.Where(r => !r.IsContainer);

    /// <summary>All parameter values.</summary>
    public long TotalParameters { get; }

    /// <summary>Parameter values an optimizer updates.</summary>
    public long TrainableParameters { get; }

    /// <summary>Frozen parameter values.</summary>
    public long NonTrainableParameters => TotalParameters - TrainableParameters;

    /// <summary>Multiply-adds of one forward pass of one image (convolutions and dense layers).</summary>
    public long Macs { get; }

    /// <summary>Activation values a forward pass of one image produces (see the file header).</summary>
    public long ActivationValues { get; }

    /// <summary><see cref="ActivationValues"/> as float32 bytes.</summary>
    public long ActivationBytes => ActivationValues * sizeof(float);

    /// <summary>Summarizes <paramref name="model"/> for one input of <paramref name="input"/> = (C, H, W) (or (C, L), (F): without the batch axis).</summary>
    /// <exception cref="ArgumentException">The model does not accept that input (the layer's own message).</exception>
    public static ModelSummary Create(Layer model, Shape input)
    {
        ArgumentNullException.ThrowIfNull(model);
        var batched = new Shape([1, .. input.Dimensions]);
        var walker = new Walker();
        var rf = batched.Rank == 4 ? new ReceptiveField(1, 1, 1, 1) : null;
        walker.Visit(model, batched, rf, depth: 0);
        return new ModelSummary(model.Name, input, walker.Rows, input.Size + walker.ActivationValues);
    }

    /// <summary>
    /// The summary as JSON: <c>model, input, output_shape, total_params, trainable_params, non_trainable_params,
    /// macs, activation_values, activation_bytes, layers</c>, each layer (leaves only) with
    /// <c>path, type, output_shape, params, macs, receptive_field</c> (<c>{size:[h,w], jump:[h,w]}</c> or null).
    /// </summary>
    public string ToJson(bool indented = true)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            json.WriteStartObject();
            json.WriteString("model", Model);
            WriteShape(json, "input", Input);
            WriteShape(json, "output_shape", OutputShape);
            json.WriteNumber("total_params", TotalParameters);
            json.WriteNumber("trainable_params", TrainableParameters);
            json.WriteNumber("non_trainable_params", NonTrainableParameters);
            json.WriteNumber("macs", Macs);
            json.WriteNumber("activation_values", ActivationValues);
            json.WriteNumber("activation_bytes", ActivationBytes);
            json.WriteStartArray("layers");
            foreach (var row in Leaves)
            {
                json.WriteStartObject();
                json.WriteString("path", row.Path);
                json.WriteString("type", row.Kind);
                WriteShape(json, "output_shape", row.OutputShape);
                json.WriteNumber("params", row.Parameters);
                json.WriteNumber("macs", row.Macs);
                if (row.ReceptiveField is { } f)
                {
                    json.WriteStartObject("receptive_field");
                    json.WriteStartArray("size");
                    json.WriteNumberValue(f.Height);
                    json.WriteNumberValue(f.Width);
                    json.WriteEndArray();
                    json.WriteStartArray("jump");
                    json.WriteNumberValue(f.JumpHeight);
                    json.WriteNumberValue(f.JumpWidth);
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                else
                {
                    json.WriteNull("receptive_field");
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteShape(Utf8JsonWriter json, string name, Shape shape)
    {
        json.WriteStartArray(name);
        foreach (int d in shape.Dimensions)
            json.WriteNumberValue(d);
        json.WriteEndArray();
    }

    private sealed class Walker
    {
        public List<SummaryRow> Rows { get; } = [];

        public long ActivationValues { get; private set; }

        /// <summary>Adds the rows of <paramref name="layer"/> (and its subtree) and returns its output shape and receptive field.</summary>
        public (Shape Output, ReceptiveField? Field) Visit(Layer layer, Shape input, ReceptiveField? field, int depth)
        {
            string path = layer.Path.Length == 0 ? layer.Name : layer.Path;
            var parameters = layer.AllParameters().ToList();
            long total = parameters.Sum(p => (long)p.Value.Size);
            long trainable = parameters.Where(p => p.Trainable).Sum(p => (long)p.Value.Size);
            if (LayerTopology.Of(layer) is { } topology)
            {
                int index = Rows.Count;
                Rows.Add(null!);                                     // the container's row comes before its children
                var (output, outField) = Walk(topology, input, field, depth + 1);
                long macs = 0;
                for (int i = index + 1; i < Rows.Count; i++)
                {
                    if (!Rows[i].IsContainer)
                        macs += Rows[i].Macs;
                }
                Rows[index] = new SummaryRow(path, layer.Kind, depth, true, output, total, trainable, macs, outField);
                return (output, outField);
            }

            var shape = layer.OutputShape(input);
            var leafField = Field(layer, input, shape, field);
            Rows.Add(new SummaryRow(path, layer.Kind, depth, false, shape, total, trainable, Macs(layer, input, shape), leafField));
            if (layer is not (Activation or Softmax or Dropout or Dropout2d or Flatten))
                ActivationValues += shape.Size;
            return (shape, leafField);
        }

        private (Shape Output, ReceptiveField? Field) Walk(LayerTopology node, Shape input, ReceptiveField? field, int depth)
        {
            switch (node)
            {
                case LayerTopology.LeafNode leaf:
                    return Visit(leaf.Layer, input, field, depth);
                case LayerTopology.ChainNode chain:
                    foreach (var n in chain.Nodes)
                        (input, field) = Walk(n, input, field, depth);
                    return (input, field);
                case LayerTopology.SumNode sum:
                    {
                        var results = sum.Branches.Select(b => Walk(b, input, field, depth)).ToList();
                        return (results.Count == 0 ? input : results[0].Output, Widest(results.Select(r => r.Field)));
                    }
                case LayerTopology.JoinNode join:
                    {
                        var results = join.Branches.Select(b => Walk(b, input, field, depth)).ToList();
                        var output = results[0].Output.With(1, results.Sum(r => r.Output[1]));
                        return (output, Widest(results.Select(r => r.Field)));
                    }
                case LayerTopology.TapNode tap:
                    Walk(tap.Branch, input, field, depth);
                    return (input, field);
                default:
                    return (input, field);
            }
        }

        private static ReceptiveField? Widest(IEnumerable<ReceptiveField?> fields)
        {
            ReceptiveField? widest = null;
            foreach (var f in fields)
            {
                if (f is null)
                    return null;
                widest = widest is null ? f : new ReceptiveField(Math.Max(widest.Height, f.Height), Math.Max(widest.Width, f.Width),
                    Math.Max(widest.JumpHeight, f.JumpHeight), Math.Max(widest.JumpWidth, f.JumpWidth));
            }
            return widest;
        }

        private static long Macs(Layer layer, Shape input, Shape output) => layer switch
        {
            // OH·OW·FN·(C/groups)·KH·KW
            Conv2d c => (long)output[2] * output[3] * c.OutChannels * (c.InChannels / c.Groups) * c.KernelHeight * c.KernelWidth,
            // in·out per image
            Dense d => (long)d.InFeatures * d.OutFeatures * (output.Size / d.OutFeatures / output[0]),
            _ => 0,
        };

        private static ReceptiveField? Field(Layer layer, Shape input, Shape output, ReceptiveField? f)
        {
            if (f is null)
                return null;
            switch (layer)
            {
                case Conv2d c:
                    return Window(f, c.KernelHeight, c.KernelWidth, c.StrideHeight, c.StrideWidth, c.DilationHeight, c.DilationWidth);
                case MaxPool2d p:
                    return Window(f, p.KernelHeight, p.KernelWidth, p.StrideHeight, p.StrideWidth, p.DilationHeight, p.DilationWidth);
                case AvgPool2d p:
                    return Window(f, p.KernelHeight, p.KernelWidth, p.StrideHeight, p.StrideWidth, 1, 1);
                case ISpatialWindow w:
                    var (kh, kw, sh, sw, dh, dw) = w.Window;
                    return Window(f, kh, kw, sh, sw, dh, dw);
                case GlobalAvgPool2d or Flatten when input.Rank == 4:
                    // one output sees the whole map: a window of H×W positions
                    return Window(f, input[2], input[3], input[2], input[3], 1, 1);
                default:
                    // shape-keeping layers (activations, normalization, dropout, padding) leave it as it is;
                    // anything else that changes the map's size is a window we do not know
                    bool sameMap = input.Rank != 4 || (output.Rank == 4 && output[2] == input[2] && output[3] == input[3]) || layer is Pad2d;
                    return sameMap ? f : null;
            }
        }

        private static ReceptiveField Window(ReceptiveField f, int kh, int kw, int sh, int sw, int dh, int dw) =>
            new(f.Height + (((long)(kh - 1) * dh) * f.JumpHeight), f.Width + (((long)(kw - 1) * dw) * f.JumpWidth),
                f.JumpHeight * sh, f.JumpWidth * sw);
    }
}
