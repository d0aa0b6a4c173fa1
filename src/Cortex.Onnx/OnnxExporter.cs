// OnnxExporter.cs — writes a Cortex model as an ONNX file (opset 13, IR version 7) that ONNX Runtime
// and the other ONNX tools run.
//
//   input  "input"  float (N, …Input)   N symbolic: any batch size
//   output "output" float (N, …)
//   every parameter and buffer is an initializer under its state-dict key (features.0.weight,
//   bn1.running_mean), so the file and the safetensors model name the same tensors the same way.
//
// The layer tree is walked through its LayerTopology (Sequential = chain, Residual and the ResNet
// blocks = Add, Concat = Concat on axis 1; GoogLeNet's auxiliary heads are training-only and left
// out). Each leaf becomes one or a few nodes:
//
//   Conv2d            Conv (pads [top, left, bottom, right]); replicate padding: Pad(edge) first
//   Dense             Gemm(x, W, b, transB = 1)                 W is (out, in): y = x·Wᵀ + b
//   BatchNorm1d/2d    BatchNormalization (running statistics), or folded into the Conv before it
//   MaxPool2d         MaxPool          AvgPool2d  AveragePool (count_include_pad as the layer's)
//   GlobalAvgPool2d   GlobalAveragePool   Flatten  Flatten(axis = 1)   Softmax  Softmax(axis = 1)
//   LocalResponseNorm LRN (odd sizes; α·size for the paper's sum-of-squares scaling)
//   ZeroPad2d / ReplicationPad2d   Pad(constant / edge)
//   PadShortcut       Slice(steps = stride) then Pad on the channel axis
//   Dropout, Dropout2d   Dropout (an identity at inference; the ratio is kept as an input)
//   ReLU LeakyReLU ELU Sigmoid Tanh   Relu LeakyRelu Elu Sigmoid Tanh
// A model already folded by BatchNormFolding.Fold exports as it runs: folded norms and ReLUs vanish,
// a convolution with a fused ReLU is followed by a Relu node.
//
// Operator semantics: https://onnx.ai/onnx/operators/ (opset 13 versions).
using Cortex.Diagnostics;
using Cortex.Kernels;
using Cortex.Layers;
using Cortex.Models;
using Cortex.Onnx.Proto;
using Cortex.Serialization;
using Cortex.Tensors;
using Google.Protobuf;

namespace Cortex.Onnx;

/// <summary>Exports Cortex models to ONNX.</summary>
/// <example><code>
/// var model = ModelZoo.Create("resnet20");
/// OnnxExporter.Save(model, "resnet20.onnx", new OnnxExportOptions(new Shape(3, 32, 32)) { FoldBatchNorm = true });
/// </code></example>
public static class OnnxExporter
{
    /// <summary>The operator set the exporter writes (stated in the file's opset_import).</summary>
    public const int Opset = 13;

    /// <summary>The ONNX IR version that goes with opset 13.</summary>
    public const int IrVersion = 7;

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> as ONNX (atomically: a failed export leaves no partial file).</summary>
    /// <exception cref="NotSupportedException">A layer with no ONNX equivalent here (the message names it).</exception>
    public static void Save(Layer model, string path, OnnxExportOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = ToBytes(model, options);
        AtomicWrite.Stream(path, stream => stream.Write(bytes));
    }

    /// <summary>The ONNX file's bytes for <paramref name="model"/>.</summary>
    public static byte[] ToBytes(Layer model, OnnxExportOptions options) => ToModel(model, options).ToByteArray();

    internal static ModelProto ToModel(Layer model, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Input.Rank < 1)
            throw new ArgumentException("OnnxExporter: the input shape needs at least one axis (C, H, W or features), without the batch axis.", nameof(options));
        var builder = new GraphBuilder(model, options);
        var inputShape = new Shape([1, .. options.Input.Dimensions]);
        model.OutputShape(inputShape);                           // a wrong input shape fails here, in the model's words
        var (last, outputShape) = builder.Emit(LayerTopology.Leaf(model), options.InputName, inputShape);
        builder.Finish(last, outputShape);

        var file = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Cortex",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "",
            Graph = builder.Graph,
        };
        file.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return file;
    }

    private sealed class GraphBuilder
    {
        private readonly OnnxExportOptions _options;
        private readonly Dictionary<Parameter, string> _parameterKeys = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<Tensor, string> _bufferKeys = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);
        private readonly HashSet<Layer> _foldedNorms = new(ReferenceEqualityComparer.Instance);

        public GraphBuilder(Layer model, OnnxExportOptions options)
        {
            _options = options;
            foreach (var (key, p) in model.NamedParameters())
                _parameterKeys[p] = key;
            foreach (var (key, t) in model.NamedBuffers())
                _bufferKeys[t] = key;
            Graph = new GraphProto { Name = options.GraphName ?? model.Name };
            _names.Add(options.InputName);
            _names.Add(options.OutputName);
            Graph.Input.Add(ValueInfo(options.InputName, new Shape([1, .. options.Input.Dimensions])));
        }

        public GraphProto Graph { get; }

        public void Finish(string last, Shape shape)
        {
            if (last == _options.InputName)
                last = Node("Identity", "identity", [last]);
            // The value that leaves the graph takes the output's name, wherever it is produced or read.
            foreach (var node in Graph.Node)
            {
                for (int i = 0; i < node.Output.Count; i++)
                {
                    if (node.Output[i] == last)
                        node.Output[i] = _options.OutputName;
                }
                for (int i = 0; i < node.Input.Count; i++)
                {
                    if (node.Input[i] == last)
                        node.Input[i] = _options.OutputName;
                }
            }
            Graph.Output.Add(ValueInfo(_options.OutputName, shape));
        }

        public (string Name, Shape Shape) Emit(LayerTopology node, string x, Shape shape)
        {
            switch (node)
            {
                case LayerTopology.LeafNode leaf:
                    if (LayerTopology.Of(leaf.Layer) is { } expanded)
                        return Emit(expanded, x, shape);
                    return (EmitLeaf(leaf.Layer, x, shape), leaf.Layer.OutputShape(shape));
                case LayerTopology.ChainNode chain:
                    for (int i = 0; i < chain.Nodes.Count; i++)
                    {
                        if (_options.FoldBatchNorm && Leaf(chain.Nodes[i]) is Conv2d conv && i + 1 < chain.Nodes.Count
                            && Leaf(chain.Nodes[i + 1]) is BatchNorm2d { IsFolded: false } norm && norm.NumFeatures == conv.OutChannels)
                        {
                            _foldedNorms.Add(norm);
                            x = EmitConv(conv, x, shape, norm);
                            shape = norm.OutputShape(conv.OutputShape(shape));
                            i++;
                            continue;
                        }
                        (x, shape) = Emit(chain.Nodes[i], x, shape);
                    }
                    return (x, shape);
                case LayerTopology.SumNode sum:
                    {
                        string? total = null;
                        Shape result = shape;
                        foreach (var b in sum.Branches)
                        {
                            var (y, s) = Emit(b, x, shape);
                            result = s;
                            total = total is null ? y : Node("Add", "add", [total, y]);
                        }
                        return (total ?? x, result);
                    }
                case LayerTopology.JoinNode join:
                    {
                        var outputs = join.Branches.Select(b => Emit(b, x, shape)).ToList();
                        if (outputs.Count == 1)
                            return outputs[0];
                        string y = Node("Concat", "concat", outputs.Select(o => o.Name).ToArray(), Int("axis", 1));
                        int channels = outputs.Sum(o => o.Shape[1]);
                        return (y, outputs[0].Shape.With(1, channels));
                    }
                case LayerTopology.TapNode:
                    return (x, shape);                              // an auxiliary head: training only
                default:
                    return (x, shape);                              // Identity
            }
        }

        private static Layer? Leaf(LayerTopology node) =>
            node is LayerTopology.LeafNode leaf && LayerTopology.Of(leaf.Layer) is null ? leaf.Layer : null;

        private string EmitLeaf(Layer layer, string x, Shape shape)
        {
            string hint = layer.Path.Length == 0 ? layer.Name : layer.Path;
            switch (layer)
            {
                case Conv2d conv:
                    return EmitConv(conv, x, shape, null);
                case Dense dense:
                    {
                        string[] inputs = dense.Bias is null ? [x, Key(dense.Weight)] : [x, Key(dense.Weight), Key(dense.Bias)];
                        return Node("Gemm", hint, inputs, Int("transB", 1));
                    }
                case BatchNorm norm when norm.IsFolded || _foldedNorms.Contains(norm):
                    return x;
                case BatchNorm norm:
                    return Node("BatchNormalization", hint,
                        [x, Key(norm.Weight), Key(norm.Bias), BufferKey(norm.RunningMean, layer), BufferKey(norm.RunningVar, layer)],
                        Float("epsilon", norm.Epsilon), Float("momentum", 1f - norm.Momentum));
                case ReLU { IsFolded: true }:
                    return x;
                case ReLU:
                    return Node("Relu", hint, [x]);
                case LeakyReLU leaky:
                    return Node("LeakyRelu", hint, [x], Float("alpha", leaky.Alpha));
                case ELU elu:
                    return Node("Elu", hint, [x], Float("alpha", elu.Alpha));
                case Sigmoid:
                    return Node("Sigmoid", hint, [x]);
                case Tanh:
                    return Node("Tanh", hint, [x]);
                case Softmax:
                    return Node("Softmax", hint, [x], Int("axis", 1));
                case Flatten:
                    return Node("Flatten", hint, [x], Int("axis", 1));
                case Dropout d:
                    return Node("Dropout", hint, [x, Constant($"{hint}.ratio", OnnxTensors.Scalar("", (float)d.P))]);
                case Dropout2d d:
                    return Node("Dropout", hint, [x, Constant($"{hint}.ratio", OnnxTensors.Scalar("", (float)d.P))]);
                case GlobalAvgPool2d:
                    return Node("GlobalAveragePool", hint, [x]);
                case MaxPool2d pool:
                    return Node("MaxPool", hint, [x],
                        Ints("kernel_shape", pool.KernelHeight, pool.KernelWidth),
                        Ints("strides", pool.StrideHeight, pool.StrideWidth),
                        Ints("pads", pool.Padding.Top, pool.Padding.Left, pool.Padding.Bottom, pool.Padding.Right),
                        Ints("dilations", pool.DilationHeight, pool.DilationWidth),
                        Int("ceil_mode", pool.CeilMode ? 1 : 0));
                case AvgPool2d pool:
                    return Node("AveragePool", hint, [x],
                        Ints("kernel_shape", pool.KernelHeight, pool.KernelWidth),
                        Ints("strides", pool.StrideHeight, pool.StrideWidth),
                        Ints("pads", pool.Padding.Top, pool.Padding.Left, pool.Padding.Bottom, pool.Padding.Right),
                        Int("count_include_pad", pool.CountIncludePad ? 1 : 0),
                        Int("ceil_mode", pool.CeilMode ? 1 : 0));
                case LocalResponseNorm lrn:
                    if (lrn.Size % 2 == 0)
                        throw new NotSupportedException($"OnnxExporter: {layer.Describe()} has an even size {lrn.Size}; ONNX's LRN window leans the other way for even sizes, so only odd sizes export.");
                    return Node("LRN", hint, [x],
                        Int("size", lrn.Size),
                        Float("alpha", lrn.Scaling == LrnScaling.AverageOfSquares ? lrn.Alpha : lrn.Alpha * lrn.Size),
                        Float("beta", lrn.Beta),
                        Float("bias", lrn.K));
                case Pad2d pad:
                    {
                        string mode = pad is ReplicationPad2d ? "edge" : pad is ZeroPad2d ? "constant"
                            : throw new NotSupportedException($"OnnxExporter: {layer.Describe()} is a padding layer with no ONNX mode here (constant and edge export).");
                        return EmitPad(hint, x, mode, 0, 0, pad.Top, pad.Left, 0, 0, pad.Bottom, pad.Right);
                    }
                case PadShortcut shortcut:
                    {
                        string sliced = x;
                        if (shortcut.Stride > 1)
                        {
                            sliced = Node("Slice", $"{hint}.subsample",
                            [
                                x,
                                Constant($"{hint}.starts", OnnxTensors.Int64("", 0, 0)),
                                Constant($"{hint}.ends", OnnxTensors.Int64("", long.MaxValue, long.MaxValue)),
                                Constant($"{hint}.axes", OnnxTensors.Int64("", 2, 3)),
                                Constant($"{hint}.steps", OnnxTensors.Int64("", shortcut.Stride, shortcut.Stride)),
                            ]);
                        }
                        int before = (shortcut.OutChannels - shortcut.InChannels) / 2, after = shortcut.OutChannels - shortcut.InChannels - before;
                        return before + after == 0 ? sliced : EmitPad(hint, sliced, "constant", 0, before, 0, 0, 0, after, 0, 0);
                    }
                default:
                    throw new NotSupportedException($"OnnxExporter: {layer.Describe()} has no ONNX export; the exporter knows Conv2d, Dense, BatchNorm, pooling, LRN, padding, dropout, flatten, softmax and the activations, inside Sequential, Residual, Concat and the ResNet blocks.");
            }
        }

        private string EmitPad(string hint, string x, string mode, params long[] pads) =>
            Node("Pad", hint, [x, Constant($"{hint}.pads", OnnxTensors.Int64("", pads))], Str("mode", mode));

        // Conv, with `norm` (inference statistics) folded in when given: w' = s·w, b' = s·(b − μ) + β, s = γ / √(σ² + ε).
        private string EmitConv(Conv2d conv, string x, Shape shape, BatchNorm? norm)
        {
            string hint = conv.Path.Length == 0 ? conv.Name : conv.Path;
            var (top, bottom, left, right) = conv.Padding.Resolve(shape[2], shape[3], conv.KernelHeight, conv.KernelWidth,
                conv.StrideHeight, conv.StrideWidth, conv.DilationHeight, conv.DilationWidth);
            if (conv.PaddingMode == PaddingMode.Replicate && top + bottom + left + right > 0)
            {
                x = EmitPad($"{hint}.pad", x, "edge", 0, 0, top, left, 0, 0, bottom, right);
                top = bottom = left = right = 0;
            }
            string weight, bias;
            if (norm is null)
            {
                weight = Key(conv.Weight);
                bias = conv.Bias is null ? "" : Key(conv.Bias);
            }
            else
            {
                int f = conv.OutChannels, per = conv.Weight.Value.Size / f;
                var w = conv.Weight.Value.Span.ToArray();
                var b = new float[f];
                var gamma = norm.Weight.Value.Span;
                var beta = norm.Bias.Value.Span;
                var mean = norm.RunningMean.Span;
                var variance = norm.RunningVar.Span;
                for (int c = 0; c < f; c++)
                {
                    float s = (float)(gamma[c] / Math.Sqrt(variance[c] + (double)norm.Epsilon));
                    for (int i = 0; i < per; i++)
                        w[(c * per) + i] *= s;
                    float b0 = conv.Bias is null ? 0f : conv.Bias.Value.Span[c];
                    b[c] = (s * (b0 - mean[c])) + beta[c];
                }
                weight = Constant(KeyOf(conv.Weight), OnnxTensors.Float("", w, conv.Weight.Value.Shape.Dimensions), declared: true);
                bias = Constant(conv.Bias is null ? $"{hint}.bias" : KeyOf(conv.Bias), OnnxTensors.Float("", b, [f]), declared: true);
            }
            string[] inputs = bias.Length == 0 ? [x, weight] : [x, weight, bias];
            string y = Node("Conv", hint, inputs,
                Ints("kernel_shape", conv.KernelHeight, conv.KernelWidth),
                Ints("strides", conv.StrideHeight, conv.StrideWidth),
                Ints("pads", top, left, bottom, right),
                Ints("dilations", conv.DilationHeight, conv.DilationWidth),
                Int("group", conv.Groups));
            return conv.FusedRelu ? Node("Relu", $"{hint}.relu", [y]) : y;
        }

        // The initializer for a parameter, added on first use, under its state-dict key.
        private string Key(Parameter p)
        {
            string key = KeyOf(p);
            if (_names.Add(key))
                Graph.Initializer.Add(OnnxTensors.Float(key, p.Value.Span, p.Value.Shape.Dimensions));
            return key;
        }

        private string KeyOf(Parameter p) =>
            _parameterKeys.TryGetValue(p, out var key) ? key
            : throw new InvalidOperationException($"OnnxExporter: a parameter '{p.Name}' is not listed by the model's NamedParameters.");

        private string BufferKey(Tensor t, Layer owner)
        {
            if (!_bufferKeys.TryGetValue(t, out var key))
                throw new InvalidOperationException($"OnnxExporter: a buffer of {owner.Describe()} is not listed by the model's NamedBuffers.");
            if (_names.Add(key))
                Graph.Initializer.Add(OnnxTensors.Float(key, t.Span, t.Shape.Dimensions));
            return key;
        }

        // An initializer under a fresh name derived from `name` (or exactly `name` when declared: a folded weight keeps its key).
        private string Constant(string name, TensorProto value, bool declared = false)
        {
            string unique = declared && _names.Add(name) ? name : Fresh(name);
            value.Name = unique;
            Graph.Initializer.Add(value);
            return unique;
        }

        private string Fresh(string hint)
        {
            string name = hint;
            for (int i = 1; !_names.Add(name); i++)
                name = $"{hint}_{i}";
            return name;
        }

        private string Node(string op, string hint, string[] inputs, params AttributeProto[] attributes)
        {
            string output = Fresh(hint.Length == 0 ? op.ToLowerInvariant() : $"{hint}.{op.ToLowerInvariant()}");
            var node = new NodeProto { OpType = op, Name = output };
            node.Input.Add(inputs);
            node.Output.Add(output);
            node.Attribute.Add(attributes);
            Graph.Node.Add(node);
            return output;
        }

        private ValueInfoProto ValueInfo(string name, Shape shape)
        {
            var tensorShape = new TensorShapeProto();
            tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = _options.BatchDimension });
            for (int axis = 1; axis < shape.Rank; axis++)
                tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = shape[axis] });
            return new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = tensorShape } },
            };
        }

        private static AttributeProto Int(string name, long value) =>
            new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

        private static AttributeProto Float(string name, float value) =>
            new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

        private static AttributeProto Str(string name, string value) =>
            new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

        private static AttributeProto Ints(string name, params long[] values)
        {
            var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            a.Ints.Add(values);
            return a;
        }
    }
}
