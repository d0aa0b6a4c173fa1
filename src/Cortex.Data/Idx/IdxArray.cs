// IdxArray.cs — the contents of one IDX file: its dimensions and its unsigned bytes, row-major.
//
// IDX (the MNIST format, http://yann.lecun.com/exdb/mnist/) stores an n-dimensional array:
// MNIST images are (N, 28, 28), labels (N). Only the unsigned-byte element type (0x08) is held
// here; that is what every MNIST-family file uses. IdxReader fills it, IdxWriter writes it.
namespace Cortex.Data.Idx;

/// <summary>An n-dimensional array of unsigned bytes, as stored in an IDX file.</summary>
/// <example><code>
/// var labels = new IdxArray([3], [7, 2, 1]);
/// IdxWriter.Write("labels-idx1-ubyte.gz", labels);
/// var back = IdxReader.Read("labels-idx1-ubyte.gz");   // Dimensions [3], Data [7, 2, 1]
/// </code></example>
public sealed class IdxArray
{
    /// <summary>The IDX element-type code for unsigned bytes.</summary>
    public const byte UnsignedByte = 0x08;

    /// <summary>The largest number of dimensions the format can declare (one header byte).</summary>
    public const int MaxRank = byte.MaxValue;

    private readonly int[] _dimensions;

    /// <summary>Wraps <paramref name="data"/> (not copied); its length must be the product of <paramref name="dimensions"/>.</summary>
    public IdxArray(ReadOnlySpan<int> dimensions, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (dimensions.Length is 0 or > MaxRank)
            throw new ArgumentException($"IdxArray: expected 1 to {MaxRank} dimensions, got {dimensions.Length}.", nameof(dimensions));
        long size = 1;
        foreach (int d in dimensions)
        {
            if (d < 0)
                throw new ArgumentException($"IdxArray: expected dimensions ≥ 0, got [{string.Join(", ", dimensions.ToArray())}].", nameof(dimensions));
            size = Math.Min(size * d, (long)int.MaxValue + 1); // size ≤ 2^31, d < 2^31: no overflow
        }
        if (size != data.Length)
            throw new ArgumentException(
                $"IdxArray: dimensions [{string.Join(", ", dimensions.ToArray())}] need {size} bytes, got {data.Length}.", nameof(data));
        _dimensions = dimensions.ToArray();
        Data = data;
    }

    /// <summary>The dimension sizes, outermost first (for MNIST images: N, rows, columns).</summary>
    public ReadOnlySpan<int> Dimensions => _dimensions;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dimensions.Length;

    /// <summary>Number of items along the first dimension (images or labels).</summary>
    public int Count => _dimensions[0];

    /// <summary>The elements, row-major.</summary>
    public byte[] Data { get; }

    /// <summary>The dimensions as text, e.g. <c>[60000, 28, 28]</c>.</summary>
    public override string ToString() => $"[{string.Join(", ", _dimensions)}]";
}
