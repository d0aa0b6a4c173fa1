// SafeTensors.cs — reads and writes the safetensors format (https://github.com/huggingface/safetensors):
//
//   [8 bytes: N, little-endian u64] [N bytes: JSON header] [data buffer]
//   header: { "<name>": { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] }, ...,
//             "__metadata__": { "<key>": "<string value>", ... } }
//
// Offsets are relative to the start of the data buffer; tensors must tile it exactly (no gaps, no
// overlap), as the reference implementation requires. Only F32 is written; F32, F64, F16 and BF16
// are read (converted to float). The format holds no code, so loading can never execute anything.
//
// Reading is defensive: the header size is capped, every offset is checked against the file's
// length before anything is allocated, and each refusal names the file and what is wrong.
// Writing is atomic: a temporary file in the same folder, flushed, then renamed over the target.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using Cortex.Tensors;

namespace Cortex.Serialization;

/// <summary>Named tensors and string metadata read from a safetensors file.</summary>
public sealed record SafeTensorsContent(
    IReadOnlyList<KeyValuePair<string, Tensor>> Tensors,
    IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The tensor named <paramref name="name"/>; throws naming the missing key.</summary>
    public Tensor this[string name] =>
        Tensors.FirstOrDefault(t => t.Key == name).Value
        ?? throw new KeyNotFoundException($"safetensors: no tensor named '{name}'.");
}

/// <summary>Reads and writes safetensors files (readable from Python's <c>safetensors</c> package).</summary>
/// <example><code>
/// SafeTensors.Save("model.safetensors", model.NamedParameters().Select(p => (p.Key, p.Parameter.Value)),
///                  new Dictionary&lt;string, string&gt; { ["format"] = "pt" });
/// var content = SafeTensors.Load("model.safetensors");
/// </code></example>
public static class SafeTensors
{
    /// <summary>Largest header accepted, as in the reference implementation (100 MB).</summary>
    public const int MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>Writes <paramref name="tensors"/> (F32) and <paramref name="metadata"/> to <paramref name="path"/>, atomically.</summary>
    public static void Save(string path, IEnumerable<(string Name, Tensor Value)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        byte[] header = BuildHeader(list, metadata);

        AtomicWrite.Stream(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var (_, value) in list)
                WriteLittleEndian(stream, value.Span);
        });
    }

    /// <summary>Reads a safetensors file; refuses a corrupt, truncated or foreign file with a message naming it.</summary>
    public static SafeTensorsContent Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream, path);
    }

    /// <summary>Reads safetensors content from a seekable stream; <paramref name="sourceName"/> is used in errors.</summary>
    public static SafeTensorsContent Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw Corrupt(sourceName, $"it is {fileLength} bytes long, too short to hold the 8-byte header length");

        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength == 0 || headerLength > MaxHeaderBytes || headerLength > (ulong)(fileLength - 8))
            throw Corrupt(sourceName, $"the header claims {headerLength} bytes but the file holds {fileLength - 8} after the length field (limit {MaxHeaderBytes}); this is not a safetensors file or it is truncated");

        var header = new byte[(int)headerLength];
        stream.ReadExactly(header);
        long dataLength = fileLength - 8 - (long)headerLength;
        var entries = ParseHeader(header, dataLength, sourceName, out var metadata);

        var tensors = new List<KeyValuePair<string, Tensor>>(entries.Count);
        long dataStart = 8 + (long)headerLength;
        foreach (var entry in entries)
        {
            stream.Position = dataStart + entry.Begin;
            var bytes = new byte[entry.End - entry.Begin];
            stream.ReadExactly(bytes);
            tensors.Add(new(entry.Name, Decode(bytes, entry)));
        }
        return new SafeTensorsContent(tensors, metadata);
    }

    // ---- header -----------------------------------------------------------------------------

    private sealed record Entry(string Name, string DType, Shape Shape, long Begin, long End);

    private static byte[] BuildHeader(List<(string Name, Tensor Value)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                    json.WriteString(key, value);
                json.WriteEndObject();
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            long offset = 0;
            foreach (var (name, value) in tensors)
            {
                ArgumentException.ThrowIfNullOrEmpty(name);
                ArgumentNullException.ThrowIfNull(value);
                if (name == MetadataKey || !seen.Add(name))
                    throw new ArgumentException($"SafeTensors.Save: tensor name '{name}' is {(name == MetadataKey ? "reserved" : "used twice")}.", nameof(tensors));
                long bytes = (long)value.Size * sizeof(float);
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in value.Shape.Dimensions)
                    json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        // Pad with spaces so the data buffer starts 8-byte aligned, as the reference writer does.
        int padded = (int)((buffer.Length + 8 + 7) / 8 * 8 - 8);
        while (buffer.Length < padded)
            buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    private static List<Entry> ParseHeader(byte[] header, long dataLength, string source, out Dictionary<string, string> metadata)
    {
        metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        // JsonDocument accepts invalid UTF-8 inside strings and fails only when a string is read (with an
        // InvalidOperationException), so the bytes are checked first. Found by the parser fuzz tests.
        if (!System.Text.Unicode.Utf8.IsValid(header))
            throw Corrupt(source, "its header is not valid UTF-8 text");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw Corrupt(source, $"its header is not valid JSON ({e.Message})");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw Corrupt(source, "its header is not a JSON object");
            var entries = new List<Entry>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name))
                    throw Corrupt(source, $"the header names '{property.Name}' twice");
                if (property.Name == MetadataKey)
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                        throw Corrupt(source, "__metadata__ is not an object");
                    foreach (var item in property.Value.EnumerateObject())
                    {
                        if (item.Value.ValueKind != JsonValueKind.String)
                            throw Corrupt(source, $"metadata value '{item.Name}' is not a string");
                        metadata[item.Name] = item.Value.GetString()!;
                    }
                    continue;
                }
                entries.Add(ParseEntry(property, dataLength, source));
            }

            // The tensors must tile the data buffer exactly: no gaps, no overlap, nothing after.
            entries.Sort((a, b) => a.Begin.CompareTo(b.Begin));
            long expected = 0;
            foreach (var entry in entries)
            {
                if (entry.Begin != expected)
                    throw Corrupt(source, $"tensor '{entry.Name}' starts at byte {entry.Begin} of the data, expected {expected} (gap or overlap)");
                expected = entry.End;
            }
            if (expected != dataLength)
                throw Corrupt(source, $"the tensors cover {expected} bytes of data but the file holds {dataLength}; it is truncated or has trailing bytes");
            return entries;
        }
    }

    private static Entry ParseEntry(JsonProperty property, long dataLength, string source)
    {
        string name = property.Name;
        var value = property.Value;
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array
            || offsetsElement.GetArrayLength() != 2)
            throw Corrupt(source, $"tensor '{name}' lacks a string dtype, a shape array or a two-number data_offsets");

        string dtype = dtypeElement.GetString()!;
        int elementSize = dtype switch
        {
            "F32" => 4,
            "F64" => 8,
            "F16" or "BF16" => 2,
            _ => throw Corrupt(source, $"tensor '{name}' has dtype {dtype}; Cortex reads F32, F64, F16 and BF16"),
        };
        if (shapeElement.GetArrayLength() > 8)
            throw Corrupt(source, $"tensor '{name}' has {shapeElement.GetArrayLength()} dimensions; at most 8 are supported");
        var dims = new List<int>();
        long count = 1;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (!d.TryGetInt32(out int dim) || dim < 0)
                throw Corrupt(source, $"tensor '{name}' has a dimension that is not a non-negative 32-bit integer");
            dims.Add(dim);
            if (dim != 0 && count > dataLength / dim)
                throw Corrupt(source, $"tensor '{name}' declares more elements than the file's {dataLength} data bytes can hold; the file is truncated or corrupt");
            count *= dim;
            if (count * elementSize > dataLength || count > Array.MaxLength)
                throw Corrupt(source, $"tensor '{name}' declares more elements than the file's {dataLength} data bytes can hold; the file is truncated or corrupt");
        }
        if (!offsetsElement[0].TryGetInt64(out long begin) || !offsetsElement[1].TryGetInt64(out long end)
            || begin < 0 || end < begin || end > dataLength)
            throw Corrupt(source, $"tensor '{name}' has data_offsets outside the {dataLength}-byte data buffer");
        if (end - begin != count * elementSize)
            throw Corrupt(source, $"tensor '{name}' of shape [{string.Join(", ", dims)}] and dtype {dtype} needs {count * elementSize} bytes, its offsets span {end - begin}");
        return new Entry(name, dtype, new Shape([.. dims]), begin, end);
    }

    // ---- data -------------------------------------------------------------------------------

    private static void WriteLittleEndian(Stream stream, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        Span<byte> four = stackalloc byte[4];
        foreach (float v in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(four, v);
            stream.Write(four);
        }
    }

    private static Tensor Decode(byte[] bytes, Entry entry)
    {
        var values = new float[entry.Shape.Size];
        switch (entry.DType)
        {
            case "F32" when BitConverter.IsLittleEndian:
                MemoryMarshal.Cast<byte, float>(bytes).CopyTo(values);
                break;
            case "F32":
                for (int i = 0; i < values.Length; i++)
                    values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4));
                break;
            case "F64":
                for (int i = 0; i < values.Length; i++)
                    values[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(i * 8));
                break;
            case "F16":
                for (int i = 0; i < values.Length; i++)
                    values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes.AsSpan(i * 2));
                break;
            default: // BF16: the high 16 bits of an F32
                for (int i = 0; i < values.Length; i++)
                    values[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i * 2)) << 16);
                break;
        }
        return new Tensor(values, entry.Shape);
    }

    private static InvalidDataException Corrupt(string source, string what) =>
        new($"{source}: not a readable safetensors file: {what}.");
}
