// Tensor.cs — dense float32 storage with a shape: row-major, batch-first (N, C, H, W).
//
// A tensor is a window (offset, shape) onto a float[]; Reshape and SliceBatch return new windows
// onto the same array, so they never copy. Arithmetic that returns a tensor allocates its result;
// the *InPlace forms and the span overloads are what hot paths use.
using System.Globalization;
using System.Text;

namespace Cortex.Tensors;

/// <summary>A dense, row-major float32 tensor.</summary>
/// <example><code>
/// var x = Tensor.FromArray(new float[,] { { 1, 2 }, { 3, 4 } });
/// var y = (x * 2f + x).Reshape(4);     // [3, 6, 9, 12], same storage as the product
/// int[] best = x.ArgMax(axis: 1);      // [1, 1]
/// </code></example>
public sealed partial class Tensor
{
    private readonly float[] _data;
    private readonly int _offset;

    /// <summary>A zero-filled tensor of <paramref name="shape"/>.</summary>
    public Tensor(Shape shape) : this(new float[shape.Size], 0, shape) { }

    /// <summary>A zero-filled tensor with the given dimensions.</summary>
    public Tensor(params int[] dimensions) : this(new Shape(dimensions)) { }

    /// <summary>Wraps <paramref name="data"/> without copying; its length must equal the shape's size.</summary>
    public Tensor(float[] data, Shape shape)
        : this(data ?? throw new ArgumentNullException(nameof(data)), 0, shape)
    {
        if (data.Length != shape.Size)
            throw new ArgumentException($"Tensor: shape {shape} needs {shape.Size} values, got an array of {data.Length}.", nameof(data));
    }

    private Tensor(float[] data, int offset, Shape shape)
    {
        _data = data;
        _offset = offset;
        Shape = shape;
    }

    /// <summary>The dimensions.</summary>
    public Shape Shape { get; }

    /// <summary>Number of elements.</summary>
    public int Size => Shape.Size;

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Rank;

    /// <summary>The elements, row-major.</summary>
    public Span<float> Span => _data.AsSpan(_offset, Shape.Size);

    /// <summary>The elements as <see cref="Memory{T}"/> (for work handed to other threads).</summary>
    public Memory<float> Memory => _data.AsMemory(_offset, Shape.Size);

    // ---- creation -------------------------------------------------------------------------

    /// <summary>A zero-filled tensor.</summary>
    public static Tensor Zeros(Shape shape) => new(shape);

    /// <summary>A zero-filled tensor.</summary>
    public static Tensor Zeros(params int[] dimensions) => new(new Shape(dimensions));

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    public static Tensor Full(Shape shape, float value)
    {
        var t = new Tensor(shape);
        t.Span.Fill(value);
        return t;
    }

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(Shape shape) => Full(shape, 1f);

    /// <summary>A copy of <paramref name="values"/> with the given shape.</summary>
    public static Tensor FromArray(ReadOnlySpan<float> values, Shape shape)
    {
        if (values.Length != shape.Size)
            throw new ArgumentException($"Tensor.FromArray: shape {shape} needs {shape.Size} values, got {values.Length}.", nameof(values));
        return new Tensor(values.ToArray(), shape);
    }

    /// <summary>A 1-D copy of <paramref name="values"/>.</summary>
    public static Tensor FromArray(params float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new Tensor(values.ToArray(), new Shape(values.Length));
    }

    /// <summary>A 2-D copy of a rectangular array (rows, columns).</summary>
    public static Tensor FromArray(float[,] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var t = new Tensor(values.GetLength(0), values.GetLength(1));
        int i = 0;
        foreach (float v in values)
            t._data[i++] = v;
        return t;
    }

    /// <summary>A 3-D copy of a rectangular array.</summary>
    public static Tensor FromArray(float[,,] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var t = new Tensor(values.GetLength(0), values.GetLength(1), values.GetLength(2));
        int i = 0;
        foreach (float v in values)
            t._data[i++] = v;
        return t;
    }

    /// <summary>Normal samples N(<paramref name="mean"/>, <paramref name="std"/>²) from <paramref name="random"/> (or <see cref="CortexRandom.Global"/>).</summary>
    public static Tensor RandomNormal(Shape shape, CortexRandom? random = null, float mean = 0f, float std = 1f)
    {
        if (!(std >= 0f))
            throw new ArgumentOutOfRangeException(nameof(std), $"Tensor.RandomNormal: std must be ≥ 0, got {std}.");
        var t = new Tensor(shape);
        (random ?? CortexRandom.Global).FillNormal(t.Span, mean, std);
        return t;
    }

    /// <summary>Uniform samples in [<paramref name="low"/>, <paramref name="high"/>) from <paramref name="random"/> (or <see cref="CortexRandom.Global"/>).</summary>
    public static Tensor RandomUniform(Shape shape, CortexRandom? random = null, float low = 0f, float high = 1f)
    {
        if (!(high >= low))
            throw new ArgumentOutOfRangeException(nameof(high), $"Tensor.RandomUniform: expected low ≤ high, got [{low}, {high}).");
        var t = new Tensor(shape);
        (random ?? CortexRandom.Global).FillUniform(t.Span, low, high);
        return t;
    }

    // ---- views -----------------------------------------------------------------------------

    /// <summary>The same storage with another shape of equal size; one dimension may be -1 (inferred). Never copies.</summary>
    public Tensor Reshape(params ReadOnlySpan<int> dimensions) => new(_data, _offset, Shape.Reshape(dimensions));

    /// <summary>The same storage with another shape of equal size. Never copies.</summary>
    public Tensor Reshape(Shape shape)
    {
        if (shape.Size != Size)
            throw new ArgumentException($"Tensor.Reshape: cannot view {Shape} ({Size} elements) as {shape} ({shape.Size} elements).", nameof(shape));
        return new Tensor(_data, _offset, shape);
    }

    /// <summary>Items [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) along the first axis, as a view.</summary>
    public Tensor SliceBatch(int start, int count)
    {
        if (Rank == 0)
            throw new InvalidOperationException("Tensor.SliceBatch: a scalar has no batch axis.");
        int n = Shape[0];
        if (start < 0 || count < 0 || start > n - count)
            throw new ArgumentOutOfRangeException(nameof(start), $"Tensor.SliceBatch: [{start}, {start + count}) is outside the first axis of {Shape}.");
        int itemSize = Shape.SizeFrom(1);
        return new Tensor(_data, _offset + start * itemSize, Shape.With(0, count));
    }

    /// <summary>A new tensor with its own copy of the elements.</summary>
    public Tensor Clone() => new(Span.ToArray(), Shape);

    /// <summary>The elements as a new array.</summary>
    public float[] ToArray() => Span.ToArray();

    // ---- indexing --------------------------------------------------------------------------

    /// <summary>The element at a full index (one value per axis; negative values are not allowed).</summary>
    public float this[params ReadOnlySpan<int> index]
    {
        get => _data[_offset + FlatIndex(index)];
        set => _data[_offset + FlatIndex(index)] = value;
    }

    /// <summary>The row-major position of <paramref name="index"/> within this tensor.</summary>
    public int FlatIndex(ReadOnlySpan<int> index)
    {
        if (index.Length != Rank)
            throw new ArgumentException($"Tensor index: a tensor of shape {Shape} needs {Rank} indices, got {index.Length}.", nameof(index));
        int flat = 0;
        for (int axis = 0; axis < index.Length; axis++)
        {
            int dim = Shape[axis];
            if ((uint)index[axis] >= (uint)dim)
                throw new IndexOutOfRangeException($"Tensor index: index {index[axis]} is out of range for axis {axis} of size {dim} (shape {Shape}).");
            flat = flat * dim + index[axis];
        }
        return flat;
    }

    // ---- formatting ------------------------------------------------------------------------

    /// <summary>A short description: shape, and the values when there are few.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("Tensor").Append(Shape.ToString());
        var span = Span;
        if (span.Length <= 32)
        {
            sb.Append(' ').Append('{');
            for (int i = 0; i < span.Length; i++)
                sb.Append(i == 0 ? "" : ", ").Append(span[i].ToString("G6", CultureInfo.InvariantCulture));
            sb.Append('}');
        }
        else
        {
            sb.Append(CultureInfo.InvariantCulture, $" mean={Mean():G6} min={Min():G6} max={Max():G6}");
        }
        return sb.ToString();
    }

    internal void RequireSameShape(Tensor other, string operation)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Shape != Shape)
            throw new ArgumentException($"Tensor.{operation}: shapes {Shape} and {other.Shape} differ.", nameof(other));
    }
}
