using System.Buffers.Binary;
using System.Text;
using Cortex.Serialization;
using Cortex.Tensors;

namespace Cortex.Tests.Serialization;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cortex-st-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    [Fact]
    public void RoundTrip_PreservesNamesShapesValuesAndMetadata()
    {
        var rng = new CortexRandom(1);
        var w = Tensor.RandomNormal(new Shape(6, 1, 5, 5), rng);
        var b = Tensor.RandomNormal(new Shape(6), rng);
        var empty = Tensor.Zeros(0, 3);
        string path = PathOf("m.safetensors");
        SafeTensors.Save(path, [("conv1.weight", w), ("conv1.bias", b), ("empty", empty)],
            new Dictionary<string, string> { ["architecture"] = "{\"model\":\"lenet5\"}" });

        var content = SafeTensors.Load(path);
        Assert.Equal(["conv1.weight", "conv1.bias", "empty"], content.Tensors.Select(t => t.Key));
        Assert.Equal(w.Shape, content["conv1.weight"].Shape);
        Assert.Equal(w.ToArray(), content["conv1.weight"].ToArray());
        Assert.Equal(b.ToArray(), content["conv1.bias"].ToArray());
        Assert.Equal(new Shape(0, 3), content["empty"].Shape);
        Assert.Equal("{\"model\":\"lenet5\"}", content.Metadata["architecture"]);
    }

    [Fact]
    public void Layout_FollowsTheSpecification()
    {
        string path = PathOf("layout.safetensors");
        SafeTensors.Save(path, [("a", Tensor.FromArray(1f, 2f)), ("b", Tensor.FromArray(3f))]);
        byte[] bytes = File.ReadAllBytes(path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, (8 + n) % 8);                     // data starts 8-byte aligned
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n).TrimEnd(' ');
        Assert.Equal(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
            header);
        Assert.Equal(8 + (int)n + 12, bytes.Length);
        Assert.Equal(3f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + (int)n + 8)));
    }

    [Fact]
    public void Reads_OtherDTypes_AsFloat()
    {
        // A file as Python would write it: F16 [1.5, -2] and BF16 [0.5].
        byte[] data = [.. Half16(1.5f), .. Half16(-2f), 0x00, 0x3F];
        string json = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},\"bf\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[4,6]}}";
        string path = Write("dtypes.safetensors", json, data);
        var content = SafeTensors.Load(path);
        Assert.Equal([1.5f, -2f], content["h"].ToArray());
        Assert.Equal([0.5f], content["bf"].ToArray());

        static byte[] Half16(float v)
        {
            var b = new byte[2];
            BinaryPrimitives.WriteHalfLittleEndian(b, (Half)v);
            return b;
        }
    }

    [Fact]
    public void Truncated_File_IsRefusedWithItsName()
    {
        string path = PathOf("t.safetensors");
        SafeTensors.Save(path, [("w", Tensor.Zeros(100))]);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains("t.safetensors", e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForeignFile_IsRefused()
    {
        string path = PathOf("image.png");
        File.WriteAllBytes(path, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains("not a safetensors file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HugeDeclaredTensor_IsRefusedBeforeAllocating()
    {
        string json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2000000000,2000000000],\"data_offsets\":[0,16]}}";
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(Write("huge.safetensors", json, new byte[16])));
        Assert.Contains("more elements than", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}}", "needs 8 bytes")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", "gap or overlap")]
    [InlineData("{\"w\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", "dtype I64")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,8]}}", "non-negative")]
    [InlineData("{\"w\":[1,2]}", "lacks a string dtype")]
    [InlineData("[1,2,3]", "not a JSON object")]
    [InlineData("{\"w\":", "not valid JSON")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "trailing bytes")]
    public void MalformedHeaders_AreRefused(string json, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(Write("bad.safetensors", json, new byte[16])));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FailedSave_LeavesThePreviousFileWhole()
    {
        string path = PathOf("keep.safetensors");
        SafeTensors.Save(path, [("w", Tensor.Full(new Shape(3), 7f))]);
        Assert.Throws<InvalidOperationException>(() => SafeTensors.Save(path, Failing()));
        Assert.Equal([7f, 7f, 7f], SafeTensors.Load(path)["w"].ToArray());
        Assert.Single(Directory.GetFiles(_folder));       // no temporary file left behind

        static IEnumerable<(string, Tensor)> Failing()
        {
            yield return ("w", Tensor.Zeros(3));
            throw new InvalidOperationException("crash while collecting tensors");
        }
    }

    [Fact]
    public void DuplicateNames_AreRefusedOnSave()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            SafeTensors.Save(PathOf("d.safetensors"), [("w", Tensor.Zeros(1)), ("w", Tensor.Zeros(1))]));
        Assert.Contains("used twice", e.Message, StringComparison.Ordinal);
    }

    private string Write(string name, string json, byte[] data)
    {
        string path = PathOf(name);
        byte[] header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
