// Concat.cs — parallel branches on the same input, joined along the channel axis (Inception).
//
//   x: (N, C, …)   branch b: x → (N, C_b, …)   y: (N, Σ C_b, …), branch 0's channels first
//
//   forward   y[:, offset_b : offset_b + C_b] = branch_b(x)
//   backward  dy_b = dy[:, offset_b : offset_b + C_b]    (split, copied so each branch gets a dense tensor)
//             dx   = Σ_b branch_b'(dy_b)                 (x fans out to every branch: gradients add)
//
// Child keys: "0", "1", … or the names given (torchvision's Inception uses branch1, branch3x3…).
using System.Numerics.Tensors;
using Cortex.Tensors;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Layers;

/// <summary>Runs every branch on the same input and concatenates their outputs along axis 1.</summary>
/// <example><code>
/// var inception = new Concat(branch1x1, branch3x3, branch5x5, branchPool);   // each (N, C_b, H, W)
/// var named = new Concat("mixed").Add("branch1", a).Add("branch2", b);
/// </code></example>
public sealed class Concat : Layer
{
    private readonly List<(string Key, Layer Layer)> _branches = [];
    private Tensor?[] _branchGradients = [], _branchOutputs = [];
    private Tensor? _output, _inputGradient;
    private bool _ran;

    /// <summary>Joins <paramref name="branches"/>, keyed "0", "1", ….</summary>
    public Concat(params Layer[] branches) : this("concat", branches) { }

    /// <summary>A named join of <paramref name="branches"/>, keyed "0", "1", ….</summary>
    public Concat(string name, params Layer[] branches) : base(name)
    {
        ArgumentNullException.ThrowIfNull(branches);
        foreach (var branch in branches)
            Add(branch);
    }

    /// <summary>Number of branches.</summary>
    public int Count => _branches.Count;

    /// <summary>The branch at <paramref name="index"/>.</summary>
    public Layer this[int index] => _branches[index].Layer;

    public override IEnumerable<(string Name, Layer Layer)> Children => _branches;

    /// <summary>Adds a branch under the next index as its key.</summary>
    public Concat Add(Layer branch) => Add(_branches.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), branch);

    /// <summary>Adds a branch under <paramref name="key"/> (no dots, unique).</summary>
    public Concat Add(string key, Layer branch)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(branch);
        if (key.Contains('.', StringComparison.Ordinal))
            throw new ArgumentException($"{Describe()}: the key '{key}' contains a dot; keys are segments of dotted paths.", nameof(key));
        if (_branches.Exists(e => e.Key == key))
            throw new ArgumentException($"{Describe()}: the key '{key}' is already used.", nameof(key));
        if (_branches.Exists(e => ReferenceEquals(e.Layer, branch)))
            throw new ArgumentException($"{branch.Describe()}: this layer is already a branch of {Describe()}; use a new instance for each branch.", nameof(branch));
        Adopt(key, branch);
        _branches.Add((key, branch));
        _branchGradients = new Tensor?[_branches.Count];
        _branchOutputs = new Tensor?[_branches.Count];
        _ran = false;
        return this;
    }

    public override Shape OutputShape(Shape input)
    {
        RequireBranches();
        Shape first = default;
        int channels = 0;
        for (int b = 0; b < _branches.Count; b++)
        {
            var shape = _branches[b].Layer.OutputShape(input);
            CheckBranch(b, shape, b == 0 ? shape : first);
            if (b == 0)
                first = shape;
            channels += shape[1];
        }
        return first.With(1, channels);
    }

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        RequireBranches();
        // Run every branch first: each returns its own buffer, which stays valid until its next call.
        int channels = 0;
        for (int b = 0; b < _branches.Count; b++)
        {
            var y = _branches[b].Layer.Forward(input, training);
            CheckBranch(b, y.Shape, b == 0 ? y.Shape : _branchOutputs[0]!.Shape);
            _branchOutputs[b] = y;
            channels += y.Shape[1];
        }
        var first = _branchOutputs[0]!.Shape;
        var output = FitsOutput(first, channels) ? _output! : Reuse(ref _output, first.With(1, channels));
        int n = first[0], inner = first.SizeFrom(2), offset = 0;
        var dst = output.Span;
        for (int b = 0; b < _branches.Count; b++)
        {
            var y = _branchOutputs[b]!;
            int block = y.Shape[1] * inner;                  // one item's channels of this branch
            for (int i = 0; i < n; i++)
                y.Span.Slice(i * block, block).CopyTo(dst.Slice((i * channels * inner) + offset, block));
            offset += block;
        }
        _ran = true;
        return output;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (!_ran)
            throw BackwardBeforeForward();
        var output = _output!;
        if (outputGradient.Shape != output.Shape)
            throw OutputGradientShapeError(output.Shape, outputGradient.Shape);
        int n = output.Shape[0], channels = output.Shape[1], inner = output.Shape.SizeFrom(2), offset = 0;
        Tensor? dx = null;
        for (int b = 0; b < _branches.Count; b++)
        {
            var shape = _branchOutputs[b]!.Shape;
            int block = shape[1] * inner;
            var dyb = Reuse(ref _branchGradients[b], shape);
            for (int i = 0; i < n; i++)
                outputGradient.Span.Slice((i * channels * inner) + offset, block).CopyTo(dyb.Span.Slice(i * block, block));
            offset += block;
            var dxb = _branches[b].Layer.Backward(dyb);
            if (dx is null)
            {
                dx = Reuse(ref _inputGradient, dxb.Shape);
                dxb.Span.CopyTo(dx.Span);
            }
            else
            {
                TensorPrimitives.Add(dx.Span, dxb.Span, dx.Span);   // fan-in at x: gradients add
            }
        }
        return dx!;
    }

    // Whether the cached output already has first's shape with `channels` on axis 1 (checked without building a Shape).
    private bool FitsOutput(Shape first, int channels)
    {
        if (_output is null || _output.Rank != first.Rank || _output.Shape[1] != channels)
            return false;
        for (int axis = 0; axis < first.Rank; axis++)
        {
            if (axis != 1 && _output.Shape[axis] != first[axis])
                return false;
        }
        return true;
    }

    private void RequireBranches()
    {
        if (_branches.Count == 0)
            throw new InvalidOperationException($"{Describe()}: has no branches; add at least one.");
    }

    private void CheckBranch(int b, Shape shape, Shape first)
    {
        bool ok = shape.Rank >= 2 && shape.Rank == first.Rank;
        for (int axis = 0; ok && axis < shape.Rank; axis++)
            ok = axis == 1 || shape[axis] == first[axis];
        if (!ok)
            throw new ArgumentException($"{Describe()}: branch {_branches[b].Key} gives {shape} but branch {_branches[0].Key} gives {first}; branches must agree on every axis but 1 (channels).");
    }
}
