// OnnxImporter.cs — builds real, trainable Cortex layers from an ONNX CNN graph.
//
//   the DAG        a chain of nodes becomes a Sequential; where a value fans out, each branch is
//                  followed until they meet again: at an Add (or a two-input Sum) they become a
//                  Residual (body, shortcut; the identity when a branch is empty), at a Concat on
//                  axis 1 a Concat. Graphs that are not built of chains, sums and joins this way are
//                  refused (a branch that meets another branch's inner node).
//   the operators  Conv (2-D; groups, dilation, pads per side, auto_pad) → Conv2d; Gemm, and MatMul
//                  with an optional Add of a constant → Dense; BatchNormalization → BatchNorm1d/2d
//                  (momentum m → 1 − m); Relu LeakyRelu Sigmoid Tanh Elu Softmax(axis 1); MaxPool and
//                  AveragePool (pads per side, ceil_mode, count_include_pad) → MaxPool2d/AvgPool2d;
//                  GlobalAveragePool; Flatten(axis 1) and a Reshape that flattens → Flatten; Dropout;
//                  LRN (odd sizes); Pad (constant 0 or edge, spatial axes) → ZeroPad2d/ReplicationPad2d;
//                  Identity (nothing); Constant (folded into the constants).
//   the weights    every other input of a node must be an initializer or a Constant; they are
//                  copied into the new layer's parameters, so the model trains like any other.
//   opsets         7 to 25 of the default domain. Attribute defaults that changed between opsets
//                  are read per opset (Softmax's axis: 1 before 13, −1 from 13; Dropout's ratio: an
//                  attribute before 12, an input from 12).
//
// Refusals name the node, its operator and the opset (OnnxUnsupportedException); corrupt files
// are refused by OnnxReader before anything large is allocated (InvalidDataException).
// Operator semantics: https://onnx.ai/onnx/operators/.
using System.Globalization;
using System.Text;
using Cortex.Layers;
using Cortex.Onnx.Proto;
using Cortex.Tensors;

namespace Cortex.Onnx;

/// <summary>An ONNX graph imported as a Cortex model.</summary>
/// <param name="Model">The layers (a <see cref="Sequential"/> at the root); trainable.</param>
/// <param name="Input">The input of one example, without the batch axis ((C, H, W) for images).</param>
/// <param name="InputName">The graph input's name.</param>
/// <param name="OutputName">The graph output's name.</param>
/// <param name="Opset">The file's opset of the default domain.</param>
/// <param name="Producer">The file's producer_name and producer_version.</param>
public sealed record OnnxModel(Layer Model, Shape Input, string InputName, string OutputName, int Opset, string Producer);

/// <summary>An ONNX node the importer cannot build a Cortex layer for.</summary>
public sealed class OnnxUnsupportedException : NotSupportedException
{
    /// <summary>Creates the exception.</summary>
    public OnnxUnsupportedException(string message, string nodeName, string opType, int opset) : base(message)
    {
        NodeName = nodeName;
        OpType = opType;
        Opset = opset;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public OnnxUnsupportedException(string message) : this(message, "", "", 0) { }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public OnnxUnsupportedException(string message, Exception innerException) : base(message, innerException)
    {
        NodeName = OpType = "";
    }

    /// <summary>Creates an empty exception.</summary>
    public OnnxUnsupportedException() : this("An ONNX node is not supported.") { }

    /// <summary>The refused node's name (or its first output when it has none).</summary>
    public string NodeName { get; }

    /// <summary>The refused node's operator.</summary>
    public string OpType { get; }

    /// <summary>The file's opset.</summary>
    public int Opset { get; }
}

/// <summary>Imports ONNX CNN graphs as trainable Cortex layers.</summary>
/// <example><code>
/// var imported = OnnxImporter.Load("resnet18.onnx");
/// Layer model = imported.Model;                          // Sequential of Conv2d, BatchNorm2d, Residual, …
/// var y = model.Forward(x, training: false);            // x: (N, …imported.Input)
/// </code></example>
public static class OnnxImporter
{
    /// <summary>The lowest opset read.</summary>
    public const int MinOpset = 7;

    /// <summary>The highest opset read.</summary>
    public const int MaxOpset = 25;

    /// <summary>The largest file read (bytes): see <see cref="OnnxReader"/>'s bounds.</summary>
    public const long MaxFileBytes = OnnxReader.MaxFileBytes;

    /// <summary>The most elements one tensor may hold.</summary>
    public const long MaxTensorElements = OnnxReader.MaxElements;

    /// <summary>
    /// The ε a batch norm stored with ε = 0 (CNTK's exports) gets: Cortex's batch norm needs ε > 0, and
    /// 1e-12 changes 1/√(σ² + ε) by less than float rounding for any variance above 1e-5.
    /// </summary>
    public const float ZeroEpsilon = 1e-12f;

    /// <summary>The operators the importer builds layers from.</summary>
    public static IReadOnlyList<string> SupportedOperators { get; } =
    [
        "Conv", "Gemm", "MatMul", "Add", "Sum", "BatchNormalization", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Elu",
        "MaxPool", "AveragePool", "GlobalAveragePool", "Concat", "Flatten", "Reshape", "Dropout", "LRN", "Softmax",
        "Identity", "Pad", "Constant", "Slice",
    ];

    /// <summary>Reads the ONNX file at <paramref name="path"/> (external data from its folder) and builds its layers.</summary>
    /// <exception cref="InvalidDataException">The file is corrupt, truncated or hostile (the message says what is wrong).</exception>
    /// <exception cref="OnnxUnsupportedException">A node or graph shape Cortex cannot build (named in the message).</exception>
    public static OnnxModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = OnnxReader.ReadFile(path);
        return FromModel(file, path, Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <summary>Builds the layers of an ONNX file held in memory (external data is refused).</summary>
    public static OnnxModel Load(byte[] bytes, string source = "model.onnx")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.LongLength > MaxFileBytes)
            throw new InvalidDataException($"{source}: {bytes.LongLength:N0} bytes; at most {MaxFileBytes:N0} are read.");
        return FromModel(OnnxReader.Parse(bytes, source), source, null);
    }

    internal static OnnxModel FromModel(ModelProto file, string source, string? folder)
    {
        ArgumentNullException.ThrowIfNull(file);
        int opset = DefaultOpset(file, source);
        var builder = new Builder(file.Graph, source, folder, opset);
        var (model, input, inputName, outputName) = builder.Build();
        string producer = $"{file.ProducerName} {file.ProducerVersion}".Trim();
        return new OnnxModel(model, input, inputName, outputName, opset, producer);
    }

    private static int DefaultOpset(ModelProto file, string source)
    {
        var entry = file.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx");
        if (entry is null)
        {
            if (file.IrVersion >= 3 || file.OpsetImport.Count > 0)
                throw new InvalidDataException($"{source}: the file imports no opset of the default ONNX domain.");
            return 1;
        }
        if (entry.Version < MinOpset || entry.Version > MaxOpset)
        {
            var first = file.Graph?.Node.FirstOrDefault();
            string where = first is null ? "" : $" node '{(first.Name.Length > 0 ? first.Name : first.Output.FirstOrDefault())}' ({first.OpType}, opset {entry.Version}):";
            throw new OnnxUnsupportedException($"{source}:{where} opset {entry.Version}; the importer reads opsets {MinOpset} to {MaxOpset}.", first?.Name ?? "", first?.OpType ?? "", (int)entry.Version);
        }
        return (int)entry.Version;
    }

    private sealed class Builder
    {
        private readonly GraphProto _graph;
        private readonly string _source;
        private readonly string? _folder;
        private readonly int _opset;
        private readonly Dictionary<string, OnnxConstant> _constants = new(StringComparer.Ordinal);
        private readonly Dictionary<string, TensorProto> _pending = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<int>> _consumers = new(StringComparer.Ordinal);
        private readonly HashSet<int> _done = [];
        private readonly HashSet<string> _keys = new(StringComparer.Ordinal);

        public Builder(GraphProto graph, string source, string? folder, int opset)
        {
            _graph = graph;
            _source = source;
            _folder = folder;
            _opset = opset;
        }

        public (Layer Model, Shape Input, string InputName, string OutputName) Build()
        {
            foreach (var t in _graph.Initializer)
                _pending[t.Name] = t;
            for (int i = 0; i < _graph.Node.Count; i++)
            {
                var node = _graph.Node[i];
                if (node.Domain is not ("" or "ai.onnx"))
                    throw Unsupported(node, $"is in the domain '{node.Domain}'; only the default ONNX domain is read");
                if (!SupportedOperators.Contains(node.OpType, StringComparer.Ordinal))
                    throw Unsupported(node, $"is not supported; the importer builds layers from {string.Join(", ", SupportedOperators)}");
                if (node.OpType == "Constant")
                {
                    foreach (var o in node.Output)
                        _constants[o] = ConstantValue(node);
                    _done.Add(i);
                }
                else if (node.OpType == "Identity" && node.Input.Count == 1 && node.Output.Count == 1)
                {
                    // an alias of a weight (PyTorch's exporter shares equal initializers, e.g. all-zero biases, through Identity)
                    if (_pending.TryGetValue(node.Input[0], out var shared))
                    {
                        _pending[node.Output[0]] = shared;
                        _done.Add(i);
                    }
                    else if (_constants.TryGetValue(node.Input[0], out var constant))
                    {
                        _constants[node.Output[0]] = constant;
                        _done.Add(i);
                    }
                }
            }
            var inputs = _graph.Input.Where(v => !_pending.ContainsKey(v.Name) && !_constants.ContainsKey(v.Name)).ToList();
            if (inputs.Count != 1)
                throw new OnnxUnsupportedException($"{_source}: the graph has {inputs.Count} computed inputs ({string.Join(", ", inputs.Select(v => v.Name))}); a Cortex model takes exactly one.");
            if (_graph.Output.Count != 1)
                throw new OnnxUnsupportedException($"{_source}: the graph has {_graph.Output.Count} outputs ({string.Join(", ", _graph.Output.Select(v => v.Name))}); a Cortex model gives exactly one.");
            var input = inputs[0];
            var shape = InputShape(input);
            for (int i = 0; i < _graph.Node.Count; i++)
            {
                if (_done.Contains(i))
                    continue;
                foreach (var name in _graph.Node[i].Input.Where(IsComputed).Distinct(StringComparer.Ordinal))
                {
                    if (!_consumers.TryGetValue(name, out var list))
                        _consumers[name] = list = [];
                    list.Add(i);
                }
            }

            var model = new Sequential(string.IsNullOrEmpty(_graph.Name) ? "onnx" : _graph.Name);
            string output = _graph.Output[0].Name;
            var (end, _, merge) = Walk(input.Name, shape, model, output);
            if (merge >= 0)
                throw Unsupported(_graph.Node[merge], "joins values that do not fan out from one value before it; the importer builds only chains, residual sums and concatenations");
            if (end != output)
                throw new OnnxUnsupportedException($"{_source}: the graph output '{output}' is not reached from the input '{input.Name}' (the chain ends at '{end}').");
            return (model, new Shape(shape.Dimensions[1..]), input.Name, output);
        }

        // Follows the chain from value v, adding layers to seq, until the graph output, a dead end, or a
        // node that joins v with other values (returned as Merge, for the caller's fan-out to resolve).
        private (string Value, Shape Shape, int Merge) Walk(string v, Shape shape, Sequential seq, string output)
        {
            while (true)
            {
                var consumers = Consumers(v);
                if (consumers.Count == 0 || (v == output && consumers.Count == 0))
                    return (v, shape, -1);
                if (consumers.Count == 1 && !IsMerge(consumers[0]))
                {
                    (v, shape) = Convert(consumers[0], v, shape, seq);
                    continue;
                }
                if (consumers.Count == 1 && ComputedInputs(_graph.Node[consumers[0]]).Count(i => i == v) < 2)
                    return (v, shape, consumers[0]);
                (v, shape) = FanOut(v, shape, consumers, seq, output);
            }
        }

        private (string Value, Shape Shape) FanOut(string v, Shape shape, List<int> consumers, Sequential seq, string output)
        {
            var arrivals = new List<(Layer? Branch, string End, Shape Shape)>();
            int merge = -1;
            foreach (int c in consumers)
            {
                int m;
                if (IsMerge(c))
                {
                    m = c;
                    int uses = ComputedInputs(_graph.Node[c]).Count(i => i == v);
                    for (int u = 0; u < uses; u++)
                        arrivals.Add((null, v, shape));
                }
                else
                {
                    var branch = new Sequential("branch");
                    var (first, firstShape) = Convert(c, v, shape, branch);
                    var (end, endShape, reached) = Walk(first, firstShape, branch, output);
                    m = reached;
                    arrivals.Add((branch, end, endShape));
                }
                if (m < 0)
                    throw new OnnxUnsupportedException($"{_source}: the value '{v}' fans out, but one branch ends without joining the others again; a Cortex model has one output.");
                if (merge >= 0 && m != merge)
                    throw Unsupported(_graph.Node[m], $"joins a branch of '{v}' while the other branches join at node '{NodeName(_graph.Node[merge])}'; the importer builds only nested residual sums and concatenations");
                merge = m;
            }
            var node = _graph.Node[merge];
            var inputs = ComputedInputs(node);
            if (inputs.Count != arrivals.Count)
                throw Unsupported(node, $"joins {inputs.Count} values, but only {arrivals.Count} branches of '{v}' reach it; the importer builds only nested residual sums and concatenations");
            // The branches in the merge node's input order (an identity branch for each use of v itself).
            var ordered = new List<(Layer? Branch, string End, Shape Shape)>();
            var left = new List<(Layer? Branch, string End, Shape Shape)>(arrivals);
            foreach (var name in inputs)
            {
                int k = left.FindIndex(a => a.End == name);
                if (k < 0)
                    throw Unsupported(node, $"reads '{name}', which is not a branch of '{v}'");
                ordered.Add(left[k]);
                left.RemoveAt(k);
            }
            _done.Add(merge);
            string key = Key(node, "");
            Layer joined;
            if (node.OpType is "Add" or "Sum")
            {
                if (ordered.Count != 2)
                    throw Unsupported(node, $"adds {ordered.Count} values; a residual sum adds two");
                var body = ordered.FirstOrDefault(a => a.Branch is not null).Branch
                    ?? throw Unsupported(node, "adds a value to itself");
                var other = ordered.First(a => !ReferenceEquals(a.Branch, body)).Branch;
                joined = new Residual(body, other, name: key);
            }
            else
            {
                int axis = (int)Int(node, "axis", _opset >= 4 ? long.MinValue : 1);
                if (axis == int.MinValue)
                    throw Unsupported(node, "has no axis attribute");
                if (axis < 0)
                    axis += shape.Rank;
                if (axis != 1)
                    throw Unsupported(node, $"concatenates along axis {axis}; Cortex's Concat joins channels (axis 1)");
                var concat = new Concat(key);
                foreach (var a in ordered)
                    concat.Add(a.Branch ?? new Sequential("identity"));
                joined = concat;
            }
            shape = Checked(node, () => joined.OutputShape(shape));
            seq.Add(UniqueKey(key), joined);
            return (node.Output[0], shape);
        }

        // One node on the chain: zero or more layers appended to seq; returns the node's output and its shape.
        private (string Value, Shape Shape) Convert(int index, string x, Shape shape, Sequential seq)
        {
            var node = _graph.Node[index];
            _done.Add(index);
            if (node.Output.Count == 0)
                throw Unsupported(node, "has no output");
            for (int i = 0; i < node.Input.Count; i++)
            {
                if (i > 0 && IsComputed(node.Input[i]))
                    throw Unsupported(node, $"reads a computed value '{node.Input[i]}' as its input {i}; Cortex layers take one computed input, the others must be initializers or constants");
            }
            if (node.Input.Count == 0 || node.Input[0] != x)
                throw Unsupported(node, $"reads '{x}' as an input other than its first");
            for (int o = 1; o < node.Output.Count; o++)
            {
                if (node.Output[o].Length > 0 && (Consumers(node.Output[o]).Count > 0 || _graph.Output.Any(g => g.Name == node.Output[o])))
                    throw Unsupported(node, $"has its output {o} ('{node.Output[o]}') used; only the first output is imported");
            }
            string y = node.Output[0];
            Layer? layer = node.OpType switch
            {
                "Conv" => Conv(node, shape),
                "Gemm" => Gemm(node, shape),
                "MatMul" => MatMul(node, shape, ref y),
                "BatchNormalization" => BatchNorm(node, shape),
                "Relu" => new ReLU(Key(node, "")),
                "LeakyRelu" => new LeakyReLU(Float(node, "alpha", 0.01f), Key(node, "")),
                "Sigmoid" => new Sigmoid(Key(node, "")),
                "Tanh" => new Tanh(Key(node, "")),
                "Elu" => new ELU(Float(node, "alpha", 1f), Key(node, "")),
                "Softmax" => Softmax(node, shape),
                "MaxPool" => MaxPool(node, shape),
                "AveragePool" => AveragePool(node, shape),
                "GlobalAveragePool" => shape.Rank == 4 ? new GlobalAvgPool2d(Key(node, "")) : throw Unsupported(node, $"pools a rank-{shape.Rank} input; only (N, C, H, W) is imported"),
                "Flatten" => Flatten(node, shape),
                "Reshape" => Reshape(node, shape),
                "Dropout" => Dropout(node),
                "LRN" => Lrn(node),
                "Pad" => Pad(node, shape),
                "Slice" => Subsample(node, shape, ref y),
                "Identity" => null,
                "Add" or "Sum" => throw Unsupported(node, "adds a constant to a computed value outside MatMul + Add; only residual sums of two branches and MatMul biases are imported"),
                "Concat" => throw Unsupported(node, "concatenates a single computed value with constants; only joins of branches are imported"),
                _ => throw Unsupported(node, "is not supported"),
            };
            if (layer is null)
                return (y, shape);
            var result = Checked(node, () => layer.OutputShape(shape));
            seq.Add(UniqueKey(layer.Name), layer);
            return (y, result);
        }

        private Conv2d Conv(NodeProto node, Shape shape)
        {
            var w = Const(node, 1, "W");
            if (w.Dims.Length != 4)
                throw Unsupported(node, $"convolves over {w.Dims.Length - 2} spatial axes; only 2-D convolutions (weights of rank 4) are imported");
            if (shape.Rank != 4)
                throw Unsupported(node, $"convolves a rank-{shape.Rank} input; expected (N, C, H, W)");
            int group = (int)Int(node, "group", 1);
            int fn = Dim(node, w, 0), cg = Dim(node, w, 1), kh = Dim(node, w, 2), kw = Dim(node, w, 3);
            var k = Ints(node, "kernel_shape");
            if (k is not null && (k.Length != 2 || k[0] != kh || k[1] != kw))
                throw Unsupported(node, $"has kernel_shape [{string.Join(", ", k)}] but weights {kh}×{kw}");
            var (sh, sw) = Pair(node, "strides", 1);
            var (dh, dw) = Pair(node, "dilations", 1);
            var (t, b, l, r) = Pads(node, shape, kh, kw, sh, sw, dh, dw);
            var bias = node.Input.Count > 2 && node.Input[2].Length > 0 ? Const(node, 2, "B") : null;
            if (group < 1 || shape[1] != cg * group)
                throw Unsupported(node, $"has {group} groups of {cg} channels but its input has {shape[1]}");
            var conv = Checked(node, () => new Conv2d(cg * group, fn, (kh, kw), (sh, sw), ConvPadding.Explicit(t, b, l, r), dilation: (dh, dw), groups: group,
                bias: bias is not null, name: Key(node, node.Input[1]), weightInit: Cortex.Initializers.Zeros.Instance));
            Copy(node, w, conv.Weight.Value);
            if (bias is not null)
                Copy(node, bias, conv.Bias!.Value);
            return conv;
        }

        private Dense Gemm(NodeProto node, Shape shape)
        {
            if (Int(node, "transA", 0) != 0)
                throw Unsupported(node, "has transA = 1; the computed input must be the left factor as it is");
            if (shape.Rank != 2)
                throw Unsupported(node, $"multiplies a rank-{shape.Rank} input; Gemm takes (N, features)");
            var bt = Const(node, 1, "B");
            if (bt.Dims.Length != 2)
                throw Unsupported(node, $"has a B of rank {bt.Dims.Length}; expected 2");
            bool transB = Int(node, "transB", 0) != 0;
            float alpha = Float(node, "alpha", 1f), beta = Float(node, "beta", 1f);
            int inF = Dim(node, bt, transB ? 1 : 0), outF = Dim(node, bt, transB ? 0 : 1);
            if (shape[1] != inF)
                throw Unsupported(node, $"expects {inF} features but its input has {shape[1]}");
            var c = node.Input.Count > 2 && node.Input[2].Length > 0 ? Const(node, 2, "C") : null;
            var dense = new Dense(inF, outF, bias: c is not null, name: Key(node, node.Input[1]), weightInit: Cortex.Initializers.Zeros.Instance);
            SetDenseWeight(node, dense, bt.AsFloats(Where(node)), transB, alpha);
            if (c is not null)
                SetBias(node, dense, c, beta);
            return dense;
        }

        // MatMul(x, W) with W (in, out), and an Add of a constant right after it taken in as the bias.
        private Dense MatMul(NodeProto node, Shape shape, ref string y)
        {
            if (shape.Rank != 2)
                throw Unsupported(node, $"multiplies a rank-{shape.Rank} input; only (N, features) · (features, out) is imported");
            var wt = Const(node, 1, "B");
            if (wt.Dims.Length != 2)
                throw Unsupported(node, $"has a right factor of rank {wt.Dims.Length}; expected 2");
            int inF = Dim(node, wt, 0), outF = Dim(node, wt, 1);
            if (shape[1] != inF)
                throw Unsupported(node, $"expects {inF} features but its input has {shape[1]}");
            OnnxConstant? bias = null;
            var next = Consumers(y);
            if (next.Count == 1 && _graph.Node[next[0]] is { OpType: "Add" } add && ComputedInputs(add).Count == 1 && add.Input.Count == 2)
            {
                string other = add.Input[0] == y ? add.Input[1] : add.Input[0];
                var candidate = Constant(add, other);
                if (candidate.Count == outF || candidate.Count == 1)
                {
                    bias = candidate;
                    _done.Add(next[0]);
                    y = add.Output[0];
                }
            }
            var dense = new Dense(inF, outF, bias: bias is not null, name: Key(node, node.Input[1]), weightInit: Cortex.Initializers.Zeros.Instance);
            SetDenseWeight(node, dense, wt.AsFloats(Where(node)), transposed: false, 1f);
            if (bias is not null)
                SetBias(node, dense, bias, 1f);
            return dense;
        }

        private void SetDenseWeight(NodeProto node, Dense dense, float[] b, bool transposed, float alpha)
        {
            var w = dense.Weight.Value.Span;                    // (out, in)
            int inF = dense.InFeatures, outF = dense.OutFeatures;
            if (b.Length != (long)inF * outF)
                throw Unsupported(node, "has weights of the wrong size");
            for (int o = 0; o < outF; o++)
            {
                for (int i = 0; i < inF; i++)
                    w[(o * inF) + i] = alpha * (transposed ? b[(o * inF) + i] : b[(i * outF) + o]);
            }
        }

        private void SetBias(NodeProto node, Dense dense, OnnxConstant c, float beta)
        {
            var values = c.AsFloats(Where(node));
            var bias = dense.Bias!.Value.Span;
            bool rowVector = c.Dims.Length <= 1 || (c.Dims.Length == 2 && c.Dims[0] == 1);
            if (!rowVector || (values.Length != 1 && values.Length != bias.Length))
                throw Unsupported(node, $"adds a bias of shape [{string.Join(", ", c.Dims)}]; only a per-output bias (or a scalar) is imported");
            for (int o = 0; o < bias.Length; o++)
                bias[o] = beta * values[values.Length == 1 ? 0 : o];
        }

        private BatchNorm BatchNorm(NodeProto node, Shape shape)
        {
            if (Int(node, "training_mode", 0) != 0)
                throw Unsupported(node, "runs in training mode; only inference batch norms (running statistics) are imported");
            if (_opset < 9 && Int(node, "spatial", 1) != 1)
                throw Unsupported(node, "has spatial = 0 (statistics per element); only per-channel batch norms are imported");
            var scale = Const(node, 1, "scale");
            var bias = Const(node, 2, "B");
            var mean = Const(node, 3, "mean");
            var variance = Const(node, 4, "var");
            float epsilon = Float(node, "epsilon", 1e-5f), momentum = Float(node, "momentum", 0.9f);
            if (epsilon == 0f)
                epsilon = ZeroEpsilon;                          // CNTK writes ε = 0; Cortex's batch norm needs ε > 0
            if (!(momentum is >= 0f and <= 1f))
                throw Unsupported(node, $"has momentum {momentum}; expected a value in [0, 1]");
            if (shape.Rank < 2)
                throw Unsupported(node, $"normalizes a rank-{shape.Rank} input");
            int c = shape[1];
            if (shape.Rank is not (2 or 3 or 4))
                throw Unsupported(node, $"normalizes a rank-{shape.Rank} input; ranks 2, 3 and 4 are imported");
            BatchNorm bn = Checked<BatchNorm>(node, () => shape.Rank == 4
                ? new BatchNorm2d(c, epsilon, 1f - momentum, Key(node, node.Input[1]))
                : new BatchNorm1d(c, epsilon, 1f - momentum, Key(node, node.Input[1])));
            Copy(node, scale, bn.Weight.Value);
            Copy(node, bias, bn.Bias.Value);
            Copy(node, mean, bn.RunningMean);
            Copy(node, variance, bn.RunningVar);
            return bn;
        }

        private Softmax Softmax(NodeProto node, Shape shape)
        {
            long axis = Int(node, "axis", _opset >= 13 ? -1 : 1);
            if (axis < 0)
                axis += shape.Rank;
            // Before opset 13 Softmax works on the input flattened to 2-D at `axis`; from 13, along `axis` alone.
            bool ok = axis == 1 && (_opset >= 13 || shape.Rank == 2);
            if (!ok)
                throw Unsupported(node, $"takes the softmax along axis {axis} of a rank-{shape.Rank} input{(_opset < 13 && shape.Rank > 2 ? " (flattened from that axis, as before opset 13)" : "")}; Cortex's softmax runs along axis 1 alone");
            return new Softmax(Key(node, ""));
        }

        private MaxPool2d MaxPool(NodeProto node, Shape shape)
        {
            var (k, s, pads, ceil) = Window(node, shape);
            if (Int(node, "storage_order", 0) != 0)
                throw Unsupported(node, "has storage_order = 1; only the pooled values (not column-major indices) are imported");
            var (dh, dw) = Pair(node, "dilations", 1);
            var p = PoolPads(node, shape, k, s, (dh, dw), pads);
            return Checked(node, () => new MaxPool2d(k, s, p, ceil, (dh, dw), Key(node, "")));
        }

        private AvgPool2d AveragePool(NodeProto node, Shape shape)
        {
            var (k, s, pads, ceil) = Window(node, shape);
            var (dh, dw) = Pair(node, "dilations", 1);
            if (dh != 1 || dw != 1)
                throw Unsupported(node, $"has dilations [{dh}, {dw}]; Cortex's average pooling is not dilated");
            bool include = Int(node, "count_include_pad", 0) != 0;
            var p = PoolPads(node, shape, k, s, (1, 1), pads);
            var pool = Checked(node, () => new AvgPool2d(k, s, p, ceil, include, Key(node, "")));
            if (ceil && include)
            {
                var floor = new AvgPool2d(k, s, p, false, include);
                if (Checked(node, () => pool.OutputShape(shape)) != Checked(node, () => floor.OutputShape(shape)))
                    throw Unsupported(node, "has ceil_mode = 1 with count_include_pad = 1 and a last window past the padding; its divisor differs from Cortex's K·K");
            }
            return pool;
        }

        private ((int, int) Kernel, (int, int) Stride, long[]? Pads, bool Ceil) Window(NodeProto node, Shape shape)
        {
            if (shape.Rank != 4)
                throw Unsupported(node, $"pools a rank-{shape.Rank} input; only 2-D pooling of (N, C, H, W) is imported");
            var k = Ints(node, "kernel_shape");
            if (k is null || k.Length != 2)
                throw Unsupported(node, $"has kernel_shape [{string.Join(", ", k ?? [])}]; only 2-D windows are imported");
            var (sh, sw) = Pair(node, "strides", 1);
            bool ceil = Int(node, "ceil_mode", 0) != 0;
            return (((int)k[0], (int)k[1]), (sh, sw), Ints(node, "pads"), ceil);
        }

        private ConvPadding PoolPads(NodeProto node, Shape shape, (int H, int W) k, (int H, int W) s, (int H, int W) d, long[]? pads)
        {
            var (t, b, l, r) = Pads(node, shape, k.H, k.W, s.H, s.W, d.H, d.W);
            return ConvPadding.Explicit(t, b, l, r);
        }

        // pads [top, left, bottom, right], or auto_pad: SAME_UPPER puts the odd cell at the end, SAME_LOWER at the start.
        private (int Top, int Bottom, int Left, int Right) Pads(NodeProto node, Shape shape, int kh, int kw, int sh, int sw, int dh, int dw)
        {
            string auto = Str(node, "auto_pad", "NOTSET");
            switch (auto)
            {
                case "NOTSET":
                    {
                        var p = Ints(node, "pads") ?? [0, 0, 0, 0];
                        if (p.Length != 4 || p.Any(v => v < 0 || v > int.MaxValue / 4))
                            throw Unsupported(node, $"has pads [{string.Join(", ", p)}]; expected four non-negative values [top, left, bottom, right]");
                        return ((int)p[0], (int)p[2], (int)p[1], (int)p[3]);
                    }
                case "VALID":
                    return (0, 0, 0, 0);
                case "SAME_UPPER" or "SAME_LOWER":
                    {
                        var (t, b) = SameSplit(shape[2], kh, sh, dh);
                        var (l, r) = SameSplit(shape[3], kw, sw, dw);
                        return auto == "SAME_UPPER" ? (t, b, l, r) : (b, t, r, l);
                    }
                default:
                    throw Unsupported(node, $"has auto_pad '{auto}'");
            }
        }

        // The total padding that gives ⌈size / stride⌉ outputs, split with the smaller half first.
        private static (int Before, int After) SameSplit(int size, int kernel, int stride, int dilation)
        {
            long output = ((long)size + stride - 1) / stride;
            long total = Math.Max(0, ((output - 1) * stride) + ((long)(kernel - 1) * dilation) + 1 - size);
            return ((int)(total / 2), (int)(total - (total / 2)));
        }

        private Flatten Flatten(NodeProto node, Shape shape)
        {
            long axis = Int(node, "axis", 1);
            if (axis < 0)
                axis += shape.Rank;
            if (axis != 1)
                throw Unsupported(node, $"flattens at axis {axis}; Cortex's Flatten keeps axis 0 and joins the rest (axis 1)");
            return new Flatten(Key(node, ""));
        }

        private Flatten? Reshape(NodeProto node, Shape shape)
        {
            if (node.Input.Count < 2)
                throw Unsupported(node, "has no shape input");
            var target = Constant(node, node.Input[1]).AsInts(Where(node));
            bool allowZero = Int(node, "allowzero", 0) != 0;
            var dims = new long[target.Length];
            long known = 1;
            int infer = -1;
            for (int i = 0; i < target.Length; i++)
            {
                long d = target[i];
                if (d == 0 && !allowZero)
                {
                    if (i >= shape.Rank)
                        throw Unsupported(node, $"copies axis {i} of a rank-{shape.Rank} input");
                    d = shape[i];
                }
                if (d == -1)
                {
                    if (infer >= 0)
                        throw Unsupported(node, "infers more than one axis");
                    infer = i;
                    continue;
                }
                if (d < 0)
                    throw Unsupported(node, $"has a negative size {d}");
                dims[i] = d;
                known *= d;
            }
            if (infer >= 0)
                dims[infer] = known == 0 ? 0 : shape.Size / known;
            if (dims.Aggregate(1L, (a, d) => a * d) != shape.Size)
                throw Unsupported(node, $"reshapes {shape} to [{string.Join(", ", target)}], which does not hold the same number of elements");
            if (dims.Length == shape.Rank && dims.Select((d, i) => d == shape[i]).All(e => e))
                return null;                                    // no change
            if (dims.Length == 2 && dims[0] == shape[0] && shape.Rank >= 2)
                return new Flatten(Key(node, ""));
            throw Unsupported(node, $"reshapes {shape} to [{string.Join(", ", dims)}]; only a flatten to (N, features) is imported");
        }

        private Dropout Dropout(NodeProto node)
        {
            float ratio = 0.5f;
            if (_opset < 12)
            {
                ratio = Float(node, "ratio", 0.5f);
            }
            else
            {
                if (node.Input.Count > 1 && node.Input[1].Length > 0)
                    ratio = Const(node, 1, "ratio").AsFloats(Where(node))[0];
                if (node.Input.Count > 2 && node.Input[2].Length > 0 && Const(node, 2, "training_mode").AsFloats(Where(node))[0] != 0)
                    throw Unsupported(node, "has training_mode = true; an imported graph runs dropout as Cortex's training mode decides");
            }
            return Checked(node, () => new Dropout(ratio, name: Key(node, "")));
        }

        private LocalResponseNorm Lrn(NodeProto node)
        {
            int size = (int)Int(node, "size", 0);
            if (size < 1 || size % 2 == 0)
                throw Unsupported(node, $"has size {size}; only odd sizes are imported (for even sizes ONNX's window leans right, Cortex's left)");
            float alpha = Float(node, "alpha", 1e-4f), beta = Float(node, "beta", 0.75f), bias = Float(node, "bias", 1f);
            return Checked(node, () => new LocalResponseNorm(size, alpha, beta, bias, LrnScaling.AverageOfSquares, Key(node, "")));
        }

        private Pad2d? Pad(NodeProto node, Shape shape)
        {
            string mode = Str(node, "mode", "constant");
            long[] pads;
            float value = 0f;
            if (_opset < 11)
            {
                pads = Ints(node, "pads") ?? throw Unsupported(node, "has no pads");
                value = Float(node, "value", 0f);
            }
            else
            {
                if (node.Input.Count < 2 || node.Input[1].Length == 0)
                    throw Unsupported(node, "has no pads input");
                pads = Constant(node, node.Input[1]).AsInts(Where(node));
                if (node.Input.Count > 2 && node.Input[2].Length > 0)
                    value = Constant(node, node.Input[2]).AsFloats(Where(node)) is { Length: > 0 } v ? v[0] : 0f;
                if (node.Input.Count > 3 && node.Input[3].Length > 0)
                {
                    var axes = Constant(node, node.Input[3]).AsInts(Where(node));
                    var full = new long[2 * shape.Rank];
                    for (int i = 0; i < axes.Length; i++)
                    {
                        long a = axes[i] < 0 ? axes[i] + shape.Rank : axes[i];
                        if (a < 0 || a >= shape.Rank || 2 * axes.Length != pads.Length)
                            throw Unsupported(node, "has axes that do not match its pads");
                        full[a] = pads[i];
                        full[a + shape.Rank] = pads[i + axes.Length];
                    }
                    pads = full;
                }
            }
            if (shape.Rank != 4 || pads.Length != 8)
                throw Unsupported(node, $"pads a rank-{shape.Rank} input; only the spatial axes of (N, C, H, W) are imported");
            if (pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0)
                throw Unsupported(node, "pads the batch or channel axis; only the spatial axes are imported");
            if (pads.Any(p => p < 0 || p > int.MaxValue / 4))
                throw Unsupported(node, $"has pads [{string.Join(", ", pads)}]; only non-negative pads are imported");
            int top = (int)pads[2], left = (int)pads[3], bottom = (int)pads[6], right = (int)pads[7];
            if (top + left + bottom + right == 0)
                return null;
            return mode switch
            {
                "constant" when value == 0f => new ZeroPad2d(left, right, top, bottom, Key(node, "")),
                "constant" => throw Unsupported(node, $"pads with the value {value}; only 0 is imported"),
                "edge" => new ReplicationPad2d(left, right, top, bottom, Key(node, "")),
                _ => throw Unsupported(node, $"pads in mode '{mode}'; constant (0) and edge are imported"),
            };
        }

        // ResNet's option-A shortcut as the exporter writes it: Slice(axes [2, 3], starts 0, steps s, to the end),
        // then optionally Pad of zero channels (before = (C' − C) / 2): a PadShortcut. Other slices are refused.
        private Models.PadShortcut Subsample(NodeProto node, Shape shape, ref string y)
        {
            long[] starts, ends, axes, steps;
            if (_opset < 10)
            {
                starts = Ints(node, "starts") ?? [];
                ends = Ints(node, "ends") ?? [];
                axes = Ints(node, "axes") ?? [.. Enumerable.Range(0, starts.Length).Select(i => (long)i)];
                steps = [.. starts.Select(_ => 1L)];
            }
            else
            {
                starts = Const(node, 1, "starts").AsInts(Where(node));
                ends = Const(node, 2, "ends").AsInts(Where(node));
                axes = node.Input.Count > 3 && node.Input[3].Length > 0 ? Const(node, 3, "axes").AsInts(Where(node)) : [.. Enumerable.Range(0, starts.Length).Select(i => (long)i)];
                steps = node.Input.Count > 4 && node.Input[4].Length > 0 ? Const(node, 4, "steps").AsInts(Where(node)) : [.. starts.Select(_ => 1L)];
            }
            bool subsample = shape.Rank == 4 && axes.Length == 2 && axes.Select(a => a < 0 ? a + 4 : a).Order().SequenceEqual([2L, 3L])
                && starts.All(v => v == 0) && steps.Length == 2 && steps[0] == steps[1] && steps[0] >= 1
                && ends.Select((e, i) => e >= shape[(int)(axes[i] < 0 ? axes[i] + 4 : axes[i])]).All(b => b);
            if (!subsample)
                throw Unsupported(node, "slices other than every s-th row and column of (N, C, H, W) (ResNet's option-A shortcut) are not imported");
            int stride = (int)steps[0], channels = shape[1], outChannels = channels;
            var next = Consumers(y);
            if (next.Count == 1 && _graph.Node[next[0]] is { OpType: "Pad" } pad && ComputedInputs(pad).Count == 1 && Str(pad, "mode", "constant") == "constant" && _opset >= 11)
            {
                var pads = Constant(pad, pad.Input[1]).AsInts(Where(pad));
                bool zero = pad.Input.Count < 3 || pad.Input[2].Length == 0 || Constant(pad, pad.Input[2]).AsFloats(Where(pad)).All(v => v == 0f);
                if (zero && pads.Length == 8 && pads.Where((_, i) => i is not (1 or 5)).All(v => v == 0) && pads[1] >= 0 && pads[5] >= 0
                    && pads[1] == (pads[1] + pads[5]) / 2)
                {
                    outChannels = channels + (int)(pads[1] + pads[5]);
                    _done.Add(next[0]);
                    y = pad.Output[0];
                }
            }
            return new Models.PadShortcut(channels, outChannels, stride, Key(node, ""));
        }

        private OnnxConstant ConstantValue(NodeProto node)
        {
            foreach (var a in node.Attribute)
            {
                switch (a.Name)
                {
                    case "value":
                        return OnnxReader.Decode(a.T ?? throw new InvalidDataException($"{Where(node)}: 'value' holds no tensor."), Where(node), _folder);
                    case "value_float":
                        return new OnnxConstant([], [a.F], null);
                    case "value_floats":
                        return new OnnxConstant([a.Floats.Count], [.. a.Floats], null);
                    case "value_int":
                        return new OnnxConstant([], null, [a.I]);
                    case "value_ints":
                        return new OnnxConstant([a.Ints.Count], null, [.. a.Ints]);
                }
            }
            throw Unsupported(node, "holds no dense value (sparse and string constants are not imported)");
        }

        private Shape InputShape(ValueInfoProto input)
        {
            var type = input.Type?.TensorType;
            if (type is null || type.Shape is null)
                throw new OnnxUnsupportedException($"{_source}: the input '{input.Name}' has no tensor shape; the importer needs the size of every axis but the batch.");
            if (type.ElemType != (int)TensorProto.Types.DataType.Float)
                throw new OnnxUnsupportedException($"{_source}: the input '{input.Name}' is of type {(TensorProto.Types.DataType)type.ElemType}; Cortex models take float32.");
            var dims = new int[type.Shape.Dim.Count];
            if (dims.Length == 0)
                throw new OnnxUnsupportedException($"{_source}: the input '{input.Name}' is a scalar; a Cortex model takes a batch (N, …).");
            long size = 1;
            for (int i = 0; i < dims.Length; i++)
            {
                var d = type.Shape.Dim[i];
                bool known = d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue > 0;
                if (!known && i > 0)
                    throw new OnnxUnsupportedException($"{_source}: axis {i} of the input '{input.Name}' has no fixed size; only the batch axis may be symbolic.");
                long v = known ? d.DimValue : 1;                // the batch axis: shapes are followed for one example
                if (v > OnnxReader.MaxElements || (size *= v) > OnnxReader.MaxElements)
                    throw new InvalidDataException($"{_source}: the input '{input.Name}' has more than {OnnxReader.MaxElements:N0} elements.");
                dims[i] = (int)v;
            }
            dims[0] = 1;
            return new Shape(dims);
        }

        private List<int> Consumers(string value) => _consumers.TryGetValue(value, out var list) ? list.Where(i => !_done.Contains(i)).ToList() : [];

        private bool IsComputed(string name) => name.Length > 0 && !_pending.ContainsKey(name) && !_constants.ContainsKey(name);

        private List<string> ComputedInputs(NodeProto node) => node.Input.Where(IsComputed).ToList();

        private bool IsMerge(int index)
        {
            var node = _graph.Node[index];
            return node.OpType is "Add" or "Sum" or "Concat" && ComputedInputs(node).Count >= 2;
        }

        private OnnxConstant Const(NodeProto node, int input, string role)
        {
            if (node.Input.Count <= input || node.Input[input].Length == 0)
                throw Unsupported(node, $"has no {role} input");
            return Constant(node, node.Input[input]);
        }

        private OnnxConstant Constant(NodeProto node, string name)
        {
            if (_constants.TryGetValue(name, out var c))
                return c;
            if (!_pending.TryGetValue(name, out var t))
                throw Unsupported(node, $"reads '{name}', which is neither an initializer nor a constant");
            c = OnnxReader.Decode(t, $"{_source}: initializer '{name}'", _folder);
            _constants[name] = c;
            return c;
        }

        private int Dim(NodeProto node, OnnxConstant c, int axis)
        {
            long d = c.Dims[axis];
            if (d < 1 || d > int.MaxValue)
                throw Unsupported(node, $"has a weight dimension {d}");
            return (int)d;
        }

        private void Copy(NodeProto node, OnnxConstant c, Tensor target)
        {
            var values = c.AsFloats(Where(node));
            if (values.Length != target.Size)
                throw Unsupported(node, $"has a tensor of {values.Length:N0} values where {target.Shape} ({target.Size:N0}) is needed");
            values.CopyTo(target.Span);
        }

        private T Checked<T>(NodeProto node, Func<T> make)
        {
            try
            {
                return make();
            }
            catch (ArgumentException e)
            {
                throw Unsupported(node, $"cannot be built as a Cortex layer: {e.Message}");
            }
        }

        private (int, int) Pair(NodeProto node, string name, int fallback)
        {
            var v = Ints(node, name);
            if (v is null)
                return (fallback, fallback);
            if (v.Length != 2 || v.Any(x => x < 1 || x > int.MaxValue / 4))
                throw Unsupported(node, $"has {name} [{string.Join(", ", v)}]; expected two positive values");
            return ((int)v[0], (int)v[1]);
        }

        private static AttributeProto? Attribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

        private static long Int(NodeProto node, string name, long fallback) => Attribute(node, name) is { } a ? a.I : fallback;

        private static float Float(NodeProto node, string name, float fallback) => Attribute(node, name) is { } a ? a.F : fallback;

        private static string Str(NodeProto node, string name, string fallback) => Attribute(node, name) is { } a ? Encoding.UTF8.GetString(a.S.Span) : fallback;

        private static long[]? Ints(NodeProto node, string name) => Attribute(node, name) is { } a ? [.. a.Ints] : null;

        private static string NodeName(NodeProto node) => node.Name.Length > 0 ? node.Name : node.Output.FirstOrDefault() ?? "";

        private string Where(NodeProto node) => $"{_source}: node '{NodeName(node)}' ({node.OpType}, opset {_opset.ToString(CultureInfo.InvariantCulture)})";

        private OnnxUnsupportedException Unsupported(NodeProto node, string what) =>
            new($"{Where(node)} {what}.", NodeName(node), node.OpType, _opset);

        // A layer's name: the weight's initializer name without ".weight" (features.0.weight → features_0), else the node's; dots become '_'.
        private static string Key(NodeProto node, string weight)
        {
            string name = weight.EndsWith(".weight", StringComparison.Ordinal) ? weight[..^".weight".Length] : NodeName(node);
            if (name.Length == 0)
                name = node.OpType.ToLowerInvariant();
            return name.Replace('.', '_');
        }

        private string UniqueKey(string name)
        {
            string key = name.Length == 0 ? "layer" : name;
            for (int i = 1; !_keys.Add(key); i++)
                key = $"{name}_{i}";
            return key;
        }
    }
}
