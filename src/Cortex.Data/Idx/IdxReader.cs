// IdxReader.cs — reads IDX files (the MNIST / Fashion-MNIST format), raw or gzip-compressed.
//
// Layout (http://yann.lecun.com/exdb/mnist/), all integers big-endian:
//   bytes 0-1  zero          byte 2  element type (0x08 = unsigned byte)   byte 3  rank r
//   r × uint32 dimension sizes, then the elements, row-major, and nothing after them.
// Compression is detected from the gzip signature 1f 8b, never from the file name.
//
// The header is untrusted: the declared size is capped (maxElements) before anything is
// allocated; for a raw file it must equal the file's length exactly; for a compressed stream the
// buffer grows as bytes actually arrive, so a lying header costs at most twice the real data.
// Truncated files, trailing bytes and corrupt gzip data are refused with the file's name and
// the byte counts. Element types other than unsigned byte are refused by name (not converted).
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace Cortex.Data.Idx;

/// <summary>Reads IDX files into <see cref="IdxArray"/>.</summary>
/// <example><code>
/// IdxArray images = IdxReader.Read("data/mnist-digits/train-images-idx3-ubyte.gz"); // [8000, 28, 28]
/// </code></example>
public static class IdxReader
{
    /// <summary>
    /// Default cap on the declared element count: 2^28 bytes (268 M; 1 GiB once converted to float). MNIST's
    /// training images are 47 M, EMNIST Letters' 98 M; a larger genuine file needs a larger maxElements.
    /// </summary>
    public const long DefaultMaxElements = 1L << 28;

    private const int FirstChunk = 1 << 24; // compressed input: grow from 16 MiB as data arrives
    private const long Saturated = (long)int.MaxValue + 1;

    /// <summary>Reads the IDX file at <paramref name="path"/> (raw or gzip).</summary>
    /// <exception cref="InvalidDataException">The file is not IDX, is truncated, has trailing bytes, or declares too much.</exception>
    public static IdxArray Read(string path, long maxElements = DefaultMaxElements)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(file, path, maxElements);
    }

    /// <summary>Reads an IDX array from <paramref name="stream"/> (raw or gzip) to its end; <paramref name="name"/> names it in errors.</summary>
    public static IdxArray Read(Stream stream, string name, long maxElements = DefaultMaxElements)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        if (maxElements is < 1 or > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(maxElements), $"IdxReader: maxElements must be in [1, {int.MaxValue}], got {maxElements}.");

        Span<byte> signature = stackalloc byte[2];
        int got = stream.ReadAtLeast(signature, 2, throwOnEndOfStream: false);
        bool gzip = got == 2 && signature[0] == 0x1f && signature[1] == 0x8b;
        Stream source;
        long? rawLength = null;
        if (stream.CanSeek)
        {
            stream.Seek(-got, SeekOrigin.Current);
            source = stream;
            if (!gzip)
                rawLength = stream.Length - stream.Position;
        }
        else
        {
            source = new PrefixedStream(signature[..got].ToArray(), stream);
        }

        if (!gzip)
            return ReadCore(source, name, rawLength, maxElements, compressed: false);
        try
        {
            using var inflated = new GZipStream(source, CompressionMode.Decompress, leaveOpen: true);
            return ReadCore(inflated, name, rawLength: null, maxElements, compressed: true);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("IdxReader:", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"IdxReader: {name}: expected valid gzip data, got a corrupt stream ({e.Message}). Download or restore the file again.", e);
        }
    }

    private static IdxArray ReadCore(Stream stream, string name, long? rawLength, long maxElements, bool compressed)
    {
        string where = compressed ? "after decompression" : "in the file";
        Span<byte> magic = stackalloc byte[4];
        int got = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        if (got < 4)
            throw new InvalidDataException($"IdxReader: {name}: expected a 4-byte IDX header {where}, got {got} bytes. The file is empty or truncated.");
        if (magic[0] != 0 || magic[1] != 0)
            throw new InvalidDataException(
                $"IdxReader: {name}: expected magic 00 00 <type> <rank>, got {Convert.ToHexString(magic)}. " +
                "This is not an IDX file (MNIST image files start 00 00 08 03, label files 00 00 08 01).");
        if (magic[2] != IdxArray.UnsignedByte)
            throw new InvalidDataException(
                $"IdxReader: {name}: expected element type 0x08 (unsigned byte), got 0x{magic[2]:X2} ({TypeName(magic[2])}). " +
                "Only unsigned-byte IDX files are supported.");
        int rank = magic[3];
        if (rank == 0)
            throw new InvalidDataException($"IdxReader: {name}: expected at least 1 dimension, got 0. The header is corrupt.");

        int headerBytes = 4 + 4 * rank;
        var sizes = new byte[4 * rank];
        got = stream.ReadAtLeast(sizes, sizes.Length, throwOnEndOfStream: false);
        if (got < sizes.Length)
            throw new InvalidDataException(
                $"IdxReader: {name}: expected a {headerBytes}-byte header for {rank} dimensions {where}, got {4 + got} bytes. The file is truncated.");
        var dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            uint d = BinaryPrimitives.ReadUInt32BigEndian(sizes.AsSpan(4 * i));
            if (d > int.MaxValue)
                throw new InvalidDataException($"IdxReader: {name}: expected dimension sizes < 2^31, got {d} for dimension {i}. The header is corrupt.");
            dims[i] = (int)d;
            count = Math.Min(count * d, Saturated); // count ≤ 2^31 and d < 2^31 before multiplying: no overflow
        }
        string shape = $"[{string.Join(", ", dims)}]";
        if (count > maxElements)
            throw new InvalidDataException(
                $"IdxReader: {name}: expected at most {maxElements} elements, got a header declaring {shape} = " +
                $"{(count == Saturated ? $"more than {int.MaxValue}" : count.ToString(CultureInfo.InvariantCulture))}. " +
                "The header is corrupt (or, if the file is genuine, raise the limit: --max-idx-elements on the command line, maxElements in code).");

        long expected = headerBytes + count;
        if (rawLength is long length)
        {
            // Raw file: the length is known, so check it before allocating anything.
            if (length < expected)
                throw new InvalidDataException(
                    $"IdxReader: {name}: expected {expected} bytes ({headerBytes}-byte header + {count} for {shape}), got {length}. The file is truncated.");
            if (length > expected)
                throw new InvalidDataException(
                    $"IdxReader: {name}: expected {expected} bytes ({headerBytes}-byte header + {count} for {shape}), got {length}: " +
                    $"{length - expected} bytes of trailing data. The file is corrupt or its header is wrong.");
            var exact = new byte[count];
            stream.ReadExactly(exact);
            return new IdxArray(dims, exact);
        }

        // Compressed or unseekable: grow the buffer only as data actually arrives.
        var data = new byte[Math.Min(count, FirstChunk)];
        long filled = 0;
        while (filled < count)
        {
            if (filled == data.Length)
                Array.Resize(ref data, (int)Math.Min(count, 2L * data.Length));
            int n = stream.Read(data, (int)filled, data.Length - (int)filled);
            if (n == 0)
                throw new InvalidDataException(
                    $"IdxReader: {name}: expected {expected} bytes {where} ({headerBytes}-byte header + {count} for {shape}), " +
                    $"got {headerBytes + filled}. The file is truncated.");
            filled += n;
        }
        long trailing = CountRemaining(stream);
        if (trailing > 0)
            throw new InvalidDataException(
                $"IdxReader: {name}: expected {expected} bytes {where} ({headerBytes}-byte header + {count} for {shape}), " +
                $"got {expected + trailing}: {trailing} bytes of trailing data. The file is corrupt or its header is wrong.");
        return new IdxArray(dims, data);
    }

    private static long CountRemaining(Stream stream)
    {
        var scratch = new byte[8192];
        long total = 0;
        int n;
        while ((n = stream.Read(scratch)) > 0)
            total += n;
        return total;
    }

    private static string TypeName(byte type) => type switch
    {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "not an IDX type",
    };
}
