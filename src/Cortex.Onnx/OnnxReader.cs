// OnnxReader.cs — reads an ONNX file into its protobuf classes and decodes its tensors, refusing a
// corrupt or hostile file with one clear message before any large allocation.
//
// The bounds, in the order they are checked:
//   file      at most MaxFileBytes (2 GiB − 1, protobuf's own limit for one message) and read whole;
//             protobuf then never reads a length past the bytes that are there (a truncated file or
//             a field whose length runs past the end is "truncated", before anything is allocated
//             for it), and nesting deeper than 100 messages is refused
//   tensor    every dimension ≥ 0, their product ≤ 2³¹ − 1 elements (checked without overflow), and
//             the stored bytes (raw_data, the typed field, or the external file's range) must hold
//             exactly that many elements before the Cortex tensor is allocated
//   external  the location is relative, resolves (after "..", links not followed) inside the model
//             file's folder, names an existing file, and offset + length lie inside it
//
// TensorProto's storage (onnx.proto3): raw_data little-endian row-major bytes, or one of
// float_data / int32_data / int64_data / double_data, or data_location = EXTERNAL with
// external_data keys location, offset, length.
using System.Buffers.Binary;
using System.Globalization;
using Cortex.Onnx.Proto;
using Google.Protobuf;

namespace Cortex.Onnx;

/// <summary>A decoded ONNX constant: its dimensions and its values as floats or as integers.</summary>
internal sealed record OnnxConstant(long[] Dims, float[]? Floats, long[]? Ints)
{
    public long Count => Floats?.Length ?? Ints!.Length;

    public float[] AsFloats(string where) => Floats ?? Ints?.Select(v => (float)v).ToArray()
        ?? throw new InvalidDataException($"{where}: expected a float tensor.");

    public long[] AsInts(string where) => Ints
        ?? throw new InvalidDataException($"{where}: expected an integer tensor, got floats.");
}

internal static class OnnxReader
{
    /// <summary>The largest file read (2,147,483,647 bytes: one protobuf message cannot be larger).</summary>
    public const long MaxFileBytes = int.MaxValue;

    /// <summary>The most elements one tensor may hold (2³¹ − 1: a Cortex tensor is one float array).</summary>
    public const long MaxElements = int.MaxValue;

    public static ModelProto ReadFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new FileNotFoundException($"{path}: no such file.", path);
        if (info.Length > MaxFileBytes)
            throw new InvalidDataException($"{path}: the file is {info.Length:N0} bytes; an ONNX file (one protobuf message) is at most {MaxFileBytes:N0} bytes. Large models keep their weights in external data files.");
        return Parse(File.ReadAllBytes(path), path);
    }

    public static ModelProto Parse(byte[] bytes, string source)
    {
        try
        {
            var model = ModelProto.Parser.ParseFrom(bytes);
            if (model.Graph is null)
                throw new InvalidDataException($"{source}: not an ONNX model: the file has no graph.");
            return model;
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{source}: not a valid ONNX file ({e.Message.TrimEnd('.')}).", e);
        }
    }

    /// <summary>Decodes <paramref name="t"/>, reading external data from <paramref name="folder"/> (null: external data refused).</summary>
    public static OnnxConstant Decode(TensorProto t, string where, string? folder)
    {
        long count = 1;
        var dims = new long[t.Dims.Count];
        for (int i = 0; i < dims.Length; i++)
        {
            long d = t.Dims[i];
            if (d < 0)
                throw new InvalidDataException($"{where}: dimension {i} is {d}; dimensions cannot be negative.");
            dims[i] = d;
            if (d != 0 && count > MaxElements / d)
                throw new InvalidDataException($"{where}: the dimensions [{string.Join(", ", dims.Take(i + 1))}…] hold more than {MaxElements:N0} elements; refused.");
            count *= d;
        }
        if (count > MaxElements)
            throw new InvalidDataException($"{where}: {count:N0} elements; at most {MaxElements:N0} are read.");
        int n = (int)count;
        var type = (TensorProto.Types.DataType)t.DataType;
        int size = type switch
        {
            TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 => 4,
            TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Double => 8,
            TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Bool => 1,
            _ => throw new NotSupportedException($"{where}: tensors of type {type} are not read; Cortex reads float, double, int8/uint8/bool, int32 and int64 tensors."),
        };

        ReadOnlySpan<byte> raw;
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
        {
            raw = ReadExternal(t, where, folder, (long)n * size);
        }
        else if (!t.RawData.IsEmpty)
        {
            if (t.RawData.Length != (long)n * size)
                throw new InvalidDataException($"{where}: raw_data holds {t.RawData.Length:N0} bytes, but [{string.Join(", ", dims)}] {type} needs {(long)n * size:N0}.");
            raw = t.RawData.Span;
        }
        else
        {
            return FromTypedField(t, type, dims, n, where);
        }

        switch (type)
        {
            case TensorProto.Types.DataType.Float:
                {
                    var v = new float[n];
                    for (int i = 0; i < n; i++)
                        v[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * 4));
                    return new OnnxConstant(dims, v, null);
                }
            case TensorProto.Types.DataType.Double:
                {
                    var v = new float[n];
                    for (int i = 0; i < n; i++)
                        v[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(raw.Slice(i * 8));
                    return new OnnxConstant(dims, v, null);
                }
            default:
                {
                    var v = new long[n];
                    for (int i = 0; i < n; i++)
                    {
                        v[i] = type switch
                        {
                            TensorProto.Types.DataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(raw.Slice(i * 8)),
                            TensorProto.Types.DataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(raw.Slice(i * 4)),
                            TensorProto.Types.DataType.Int8 => (sbyte)raw[i],
                            _ => raw[i],
                        };
                    }
                    return new OnnxConstant(dims, null, v);
                }
        }
    }

    private static OnnxConstant FromTypedField(TensorProto t, TensorProto.Types.DataType type, long[] dims, int n, string where)
    {
        int stored = type switch
        {
            TensorProto.Types.DataType.Float => t.FloatData.Count,
            TensorProto.Types.DataType.Double => t.DoubleData.Count,
            TensorProto.Types.DataType.Int64 => t.Int64Data.Count,
            _ => t.Int32Data.Count,      // int32, int8, uint8 and bool are stored in int32_data
        };
        if (stored != n)
            throw new InvalidDataException($"{where}: holds {stored:N0} values, but [{string.Join(", ", dims)}] needs {n:N0}.");
        return type switch
        {
            TensorProto.Types.DataType.Float => new OnnxConstant(dims, [.. t.FloatData], null),
            TensorProto.Types.DataType.Double => new OnnxConstant(dims, t.DoubleData.Select(v => (float)v).ToArray(), null),
            TensorProto.Types.DataType.Int64 => new OnnxConstant(dims, null, [.. t.Int64Data]),
            _ => new OnnxConstant(dims, null, t.Int32Data.Select(v => (long)v).ToArray()),
        };
    }

    private static byte[] ReadExternal(TensorProto t, string where, string? folder, long expected)
    {
        if (folder is null)
            throw new InvalidDataException($"{where}: the tensor's data is in an external file, which is only read when the model is loaded from a file path.");
        string? location = null;
        long offset = 0, length = -1;
        foreach (var entry in t.ExternalData)
        {
            switch (entry.Key)
            {
                case "location":
                    location = entry.Value;
                    break;
                case "offset":
                    if (!long.TryParse(entry.Value, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
                        throw new InvalidDataException($"{where}: external data offset '{entry.Value}' is not a non-negative integer.");
                    break;
                case "length":
                    if (!long.TryParse(entry.Value, NumberStyles.None, CultureInfo.InvariantCulture, out length))
                        throw new InvalidDataException($"{where}: external data length '{entry.Value}' is not a non-negative integer.");
                    break;
            }
        }
        if (string.IsNullOrEmpty(location))
            throw new InvalidDataException($"{where}: external data without a location.");
        if (Path.IsPathRooted(location))
            throw new InvalidDataException($"{where}: external data location '{location}' is an absolute path; ONNX external data lives beside the model, so only relative paths are read.");
        string root = Path.GetFullPath(folder);
        string full = Path.GetFullPath(Path.Combine(root, location));
        string prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        if (!full.StartsWith(prefix, StringComparison.Ordinal))
            throw new InvalidDataException($"{where}: external data location '{location}' points outside the model's folder {root}; refused.");
        var info = new FileInfo(full);
        if (info.LinkTarget is not null)
            throw new InvalidDataException($"{where}: external data location '{location}' is a symbolic link; refused.");
        if (!info.Exists)
            throw new InvalidDataException($"{where}: external data file '{location}' does not exist in {root}.");
        if (length < 0)
            length = expected;
        if (length != expected)
            throw new InvalidDataException($"{where}: external data length {length:N0} bytes, but the tensor needs {expected:N0}.");
        if (offset > info.Length || length > info.Length - offset)
            throw new InvalidDataException($"{where}: external data range {offset:N0} + {length:N0} runs past the end of '{location}' ({info.Length:N0} bytes).");
        var bytes = new byte[length];
        using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read);
        stream.Seek(offset, SeekOrigin.Begin);
        stream.ReadExactly(bytes);
        return bytes;
    }
}
