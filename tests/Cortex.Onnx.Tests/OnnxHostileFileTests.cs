// OnnxHostileFileTests.cs — corrupt and hostile files are refused with one clear message, before
// any allocation their claimed sizes would need: truncated files, garbage, lengths that run past the
// end, raw data of the wrong size, absurd dimensions, external data outside the model's folder.
using Cortex.Onnx.Proto;
using Google.Protobuf;

namespace Cortex.Onnx.Tests;

public sealed class OnnxHostileFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cortex-onnx-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static byte[] LeNet()
    {
        var (model, input) = OnnxTestSupport.Build("lenet5", "");
        return OnnxExporter.ToBytes(model, new OnnxExportOptions(input));
    }

    [Fact]
    public void TruncatedFileIsRefused()
    {
        var bytes = LeNet();
        foreach (int keep in new[] { bytes.Length / 2, bytes.Length - 3, 10 })
        {
            var e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Load(bytes[..keep], "cut.onnx"));
            Assert.StartsWith("cut.onnx: ", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void GarbageIsRefused()
    {
        var bytes = new byte[4096];
        new Random(1).NextBytes(bytes);
        Assert.ThrowsAny<Exception>(() => OnnxImporter.Load(bytes, "noise.onnx"));
        var e = Record.Exception(() => OnnxImporter.Load(bytes, "noise.onnx"));
        Assert.True(e is InvalidDataException or OnnxUnsupportedException, e.GetType().Name + ": " + e.Message);
    }

    [Fact]
    public void LengthPastTheEndIsRefusedWithoutAllocatingIt()
    {
        // field 7 (graph), wire type 2, claimed length 2,000,000,000 bytes; 3 bytes follow.
        byte[] bytes = [0x08, 0x07, 0x3A, 0x80, 0xA8, 0xD6, 0xB9, 0x07, 0x01, 0x02, 0x03];
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Load(bytes, "long.onnx"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000, "a claimed length must not be allocated");
        Assert.Contains("not a valid ONNX file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RawDataOfTheWrongSizeIsRefused()
    {
        var file = ModelProto.Parser.ParseFrom(LeNet());
        var w = file.Graph.Initializer.First(t => t.Name == "features.0.weight");
        w.RawData = ByteString.CopyFrom(w.RawData.Span[..^4]);
        var e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Load(file.ToByteArray(), "short.onnx"));
        Assert.Contains("features.0.weight", e.Message, StringComparison.Ordinal);
        Assert.Contains("raw_data holds", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AbsurdDimensionsAreRefusedBeforeAllocation()
    {
        var file = ModelProto.Parser.ParseFrom(LeNet());
        var w = file.Graph.Initializer.First(t => t.Name == "features.0.weight");
        w.Dims.Clear();
        w.Dims.Add([1L << 40, 1L << 40, 6, 5]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Load(file.ToByteArray(), "huge.onnx"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 50_000_000);
        Assert.Contains("refused", e.Message, StringComparison.Ordinal);
        w.Dims.Clear();
        w.Dims.Add([6, -1, 5, 5]);
        Assert.Contains("negative", Assert.Throws<InvalidDataException>(() => OnnxImporter.Load(file.ToByteArray(), "neg.onnx")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExternalDataIsReadOnlyFromInsideTheModelsFolder()
    {
        var file = ModelProto.Parser.ParseFrom(LeNet());
        var w = file.Graph.Initializer.First(t => t.Name == "features.0.weight");
        var raw = w.RawData.ToByteArray();
        w.RawData = ByteString.Empty;
        w.DataLocation = TensorProto.Types.DataLocation.External;
        string model = Path.Combine(_folder, "inner", "m.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(model)!);

        // Inside the folder: read, and the model matches the one with inline weights.
        File.WriteAllBytes(Path.Combine(_folder, "inner", "w.bin"), [0, 0, 0, 0, .. raw]);
        SetLocation(w, "w.bin", 4, raw.Length);
        File.WriteAllBytes(model, file.ToByteArray());
        var loaded = OnnxImporter.Load(model).Model;
        Assert.Equal(raw.Length / 4, loaded.NamedParameters().First().Parameter.Value.Size);

        // Outside: ../ and an absolute path are refused, and so is a range past the end.
        File.WriteAllBytes(Path.Combine(_folder, "secret.bin"), raw);
        foreach (var (location, fault) in new[] { ("../secret.bin", "outside the model's folder"), (Path.Combine(_folder, "secret.bin"), "absolute path") })
        {
            SetLocation(w, location, 0, raw.Length);
            File.WriteAllBytes(model, file.ToByteArray());
            Assert.Contains(fault, Assert.Throws<InvalidDataException>(() => OnnxImporter.Load(model)).Message, StringComparison.Ordinal);
        }
        SetLocation(w, "w.bin", 8, raw.Length);
        File.WriteAllBytes(model, file.ToByteArray());
        Assert.Contains("runs past the end", Assert.Throws<InvalidDataException>(() => OnnxImporter.Load(model)).Message, StringComparison.Ordinal);
        // From bytes there is no folder: external data is refused.
        Assert.Throws<InvalidDataException>(() => OnnxImporter.Load(file.ToByteArray()));
    }

    private static void SetLocation(TensorProto t, string location, long offset, long length)
    {
        t.ExternalData.Clear();
        t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }
}
