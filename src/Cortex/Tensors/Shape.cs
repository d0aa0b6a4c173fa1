// Shape.cs — the dimensions of a tensor, batch-first: (N, C, H, W) for images,
// (FN, C, FH, FW) for convolution filters, (N, D) for flat features.
using System.Collections;
using System.Globalization;
using System.Text;

namespace Cortex.Tensors;

/// <summary>An immutable list of non-negative dimensions, compared by value.</summary>
/// <example><code>var s = new Shape(64, 1, 28, 28); // s.Size == 50176, s[-1] == 28</code></example>
public readonly struct Shape : IEquatable<Shape>, IReadOnlyList<int>
{
    private readonly int[]? _dims;

    /// <summary>Creates a shape; every dimension must be ≥ 0 and the element count must fit in an <see cref="int"/>.</summary>
    public Shape(params ReadOnlySpan<int> dimensions)
    {
        _dims = dimensions.ToArray();
        Size = CheckedSize(_dims);
    }

    private Shape(int[] owned, int size)
    {
        _dims = owned;
        Size = size;
    }

    /// <summary>The shape of a scalar: rank 0, one element.</summary>
    public static Shape Scalar => new([], 1);

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dims?.Length ?? 0;

    /// <summary>Total number of elements (the product of the dimensions).</summary>
    public int Size { get; }

    /// <summary>Dimension <paramref name="axis"/>; negative axes count from the end (-1 is the last).</summary>
    public int this[int axis] => Dims[NormalizeAxis(axis)];

    /// <summary>The dimensions as a read-only span.</summary>
    public ReadOnlySpan<int> Dimensions => Dims;

    int IReadOnlyCollection<int>.Count => Rank;

    private int[] Dims => _dims ?? [];

    /// <summary>Maps a possibly negative axis to [0, Rank); throws with the shape when out of range.</summary>
    public int NormalizeAxis(int axis)
    {
        int normalized = axis < 0 ? axis + Rank : axis;
        if ((uint)normalized >= (uint)Rank)
            throw new ArgumentOutOfRangeException(nameof(axis), $"Shape {this}: axis {axis} is out of range for rank {Rank}.");
        return normalized;
    }

    /// <summary>Row-major strides: the distance in elements between neighbours along each axis.</summary>
    public int[] Strides()
    {
        var strides = new int[Rank];
        int stride = 1;
        for (int i = Rank - 1; i >= 0; i--)
        {
            strides[i] = stride;
            stride *= Dims[i];
        }
        return strides;
    }

    /// <summary>The product of the dimensions from <paramref name="startAxis"/> on (e.g. C·H·W for axis 1).</summary>
    public int SizeFrom(int startAxis)
    {
        int size = 1;
        for (int i = startAxis; i < Rank; i++)
            size *= Dims[i];
        return size;
    }

    /// <summary>A copy with dimension <paramref name="axis"/> replaced.</summary>
    public Shape With(int axis, int value)
    {
        var dims = Dims.ToArray();
        dims[NormalizeAxis(axis)] = value;
        return new Shape(dims);
    }

    /// <summary>
    /// Resolves a target shape for a reshape of <see cref="Size"/> elements: one dimension may be -1 and is inferred.
    /// </summary>
    public Shape Reshape(ReadOnlySpan<int> target)
    {
        var dims = target.ToArray();
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                if (inferred >= 0)
                    throw new ArgumentException($"Reshape {this} to {Format(dims)}: only one dimension may be -1.", nameof(target));
                inferred = i;
            }
            else if (dims[i] < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(target), $"Reshape {this} to {Format(dims)}: dimension {i} is {dims[i]}; dimensions must be ≥ 0 (or -1 to infer one).");
            }
            else
            {
                known *= dims[i];
            }
        }
        if (inferred >= 0)
        {
            if (known == 0 || Size % known != 0)
                throw new ArgumentException($"Reshape {this} ({Size} elements) to {Format(dims)}: the -1 dimension cannot be inferred.", nameof(target));
            dims[inferred] = (int)(Size / known);
            known *= dims[inferred];
        }
        if (known != Size)
            throw new ArgumentException($"Reshape {this} ({Size} elements) to {Format(dims)} ({known} elements): the element counts differ.", nameof(target));
        return new Shape(dims, Size);
    }

    public bool Equals(Shape other) => Dims.AsSpan().SequenceEqual(other.Dims);

    public override bool Equals(object? obj) => obj is Shape other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (int d in Dims)
            hash.Add(d);
        return hash.ToHashCode();
    }

    public static bool operator ==(Shape left, Shape right) => left.Equals(right);

    public static bool operator !=(Shape left, Shape right) => !left.Equals(right);

    /// <summary>Formats as <c>[64, 1, 28, 28]</c>.</summary>
    public override string ToString() => Format(Dims);

    /// <summary>Parses <c>3x224x224</c>, <c>3,224,224</c> or <c>[3, 224, 224]</c>.</summary>
    public static Shape Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().Trim('[', ']', '(', ')').Split(['x', 'X', ',', '×'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var dims = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]))
                throw new FormatException($"Shape.Parse: '{text}' is not a shape; expected dimensions like 3x224x224.");
        }
        return new Shape(dims);
    }

    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)Dims).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static int CheckedSize(int[] dims)
    {
        long size = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0)
                throw new ArgumentOutOfRangeException(nameof(dims), $"Shape {Format(dims)}: dimension {i} is {dims[i]}; dimensions must be ≥ 0.");
            size *= dims[i];
            if (size > Array.MaxLength)
                throw new ArgumentOutOfRangeException(nameof(dims), $"Shape {Format(dims)}: more than {Array.MaxLength} elements.");
        }
        return (int)size;
    }

    private static string Format(ReadOnlySpan<int> dims)
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < dims.Length; i++)
        {
            if (i > 0)
                sb.Append(", ");
            sb.Append(dims[i].ToString(CultureInfo.InvariantCulture));
        }
        return sb.Append(']').ToString();
    }
}
