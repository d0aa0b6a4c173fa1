using System.Text;
using Cortex.Cli.Tests.Fuzzing;
using Cortex.Data;
using Cortex.Data.Cifar;
using Cortex.Data.Idx;
using Cortex.Data.Images;
using Cortex.Models;
using Cortex.Serialization;
using Cortex.Tensors;
using StbImageWriteSharp;

namespace Cortex.Cli.Tests;

/// <summary>
/// Mutation fuzzing of every reader that takes a file from the user (issue 15): model files (safetensors plus the
/// architecture JSON), IDX (raw and gzip), CIFAR batches, PNG, JPEG and `--config` JSON. The seed corpus is built
/// here from valid files; each parser gets a fixed, seeded number of mutants. A parser may only accept an input or
/// refuse it with its documented exception type; no other exception, no input running past 5 s, and no input
/// making the parser allocate more than its bound. The counts are in the README ("Limits and malformed input").
/// </summary>
public sealed class ParserFuzzTests(ITestOutputHelper output)
{
    private const long MiB = 1 << 20;

    private void Check(FuzzReport report)
    {
        output.WriteLine(report.ToString());
        if (Environment.GetEnvironmentVariable("CORTEX_FUZZ_REPORT") is { Length: > 0 } file)
            File.AppendAllText(file, report + Environment.NewLine);           // the README's figures come from here
        Assert.True(report.Failures.Count == 0, report.ToString());
        Assert.True(report.Refused > 0, $"no mutant was refused, so the fuzzer did not reach the checks: {report}");
    }

    // The parsers see small limits, as a user's file would see the defaults: what is refused is refused early.
    private static readonly ModelLimits FuzzLimits = new() { MaxParameters = 2_000_000, MaxActivationValues = 4_000_000 };

    [Fact]
    public void ModelFile_MutantsAreAcceptedOrRefusedWithInvalidData()
    {
        var corpus = new List<byte[]>();
        foreach (var spec in new[]
        {
            ModelZoo.Spec("simpleconvnet", 3, new Shape(1, 8, 8)),
            ModelZoo.Spec("lenet5", 2, new Shape(1, 28, 28)) with { Data = new ModelDataInfo("digits", ["a", "b"], "pixels/255") },
        })
        {
            corpus.Add(SaveToBytes(path => ModelZoo.Save(ModelZoo.Create(spec), spec, path)));
        }
        // Plain safetensors without an architecture, in each dtype the reader converts.
        corpus.Add(SaveToBytes(path => SafeTensors.Save(path, [("w", Tensor.Ones(new Shape(2, 3))), ("b", new Tensor(3))], new Dictionary<string, string> { ["format"] = "pt" })));
        var report = MutationFuzzer.Run("model file", corpus, bytes =>
        {
            using var stream = new MemoryStream(bytes, writable: false);
            var content = SafeTensors.Read(stream, "fuzz.safetensors");
            if (content.Metadata.ContainsKey(ModelFile.ArchitectureKey))
                ModelZoo.Load(content, "fuzz.safetensors", FuzzLimits);
        }, [typeof(InvalidDataException)], iterations: 1000, seed: 15, maxAllocatedBytes: 64 * MiB);
        Check(report);
    }

    [Fact]
    public void Idx_MutantsAreAcceptedOrRefusedWithInvalidData()
    {
        var random = new CortexRandom(2);
        var images = new IdxArray([3, 5, 4], [.. Enumerable.Range(0, 60).Select(_ => (byte)random.NextInt(256))]);
        var labels = new IdxArray([3], [7, 1, 255]);
        var corpus = new List<byte[]>();
        foreach (var array in new[] { images, labels })
        {
            using var raw = new MemoryStream();
            IdxWriter.Write(raw, array);
            corpus.Add(raw.ToArray());
            corpus.Add(SaveToBytes(path => IdxWriter.Write(path, array, gzip: true), ".gz"));
        }
        var report = MutationFuzzer.Run("IDX", corpus, bytes =>
        {
            using var stream = new MemoryStream(bytes, writable: false);
            IdxReader.Read(stream, "fuzz-idx3-ubyte", maxElements: 1 << 20);
        }, [typeof(InvalidDataException)], iterations: 4000, seed: 15, maxAllocatedBytes: 16 * MiB);
        Check(report);
    }

    [Fact]
    public void CifarBatch_MutantsAreAcceptedOrRefusedWithInvalidData()
    {
        var random = new CortexRandom(3);
        byte[] Records(int count, CifarFormat format, int labels)
        {
            int size = CifarReader.RecordBytes(format);
            var bytes = new byte[count * size];
            Fill(random, bytes);
            for (int r = 0; r < count; r++)
            {
                for (int l = 0; l < labels; l++)
                    bytes[r * size + l] = (byte)random.NextInt(10);
            }
            return bytes;
        }
        var corpus = new List<byte[]> { Records(2, CifarFormat.Cifar10, 1), Records(2, CifarFormat.Cifar100, 2) };
        foreach (var format in new[] { CifarFormat.Cifar10, CifarFormat.Cifar100 })
        {
            var report = MutationFuzzer.Run($"CIFAR ({format})", corpus, bytes =>
            {
                using var stream = new MemoryStream(bytes, writable: false);
                CifarReader.Read(stream, bytes.Length, "fuzz_batch.bin", format, maxBytes: 1 << 20);
            }, [typeof(InvalidDataException)], iterations: 1500, seed: 15, maxAllocatedBytes: 16 * MiB);
            Check(report);
        }
    }

    [Fact]
    public void Png_MutantsAreAcceptedOrRefusedWithInvalidData()
    {
        var random = new CortexRandom(4);
        var corpus = new List<byte[]>
        {
            PngFile.Encode(Tensor.RandomUniform(new Shape(1, 7, 5), random).Span, new ImageSize(1, 7, 5)),
            PngFile.Encode(Tensor.RandomUniform(new Shape(3, 6, 9), random).Span, new ImageSize(3, 6, 9)),
            Write(w => w.WritePng(Pixels(random, 8 * 8 * 4), 8, 8, ColorComponents.RedGreenBlueAlpha, w.Stream)),
        };
        var report = MutationFuzzer.Run("PNG", corpus, bytes => ImageDecoder.Decode(bytes, channels: 3, "fuzz.png", maxPixels: 1 << 20),
            [typeof(InvalidDataException)], iterations: 3000, seed: 15, maxAllocatedBytes: 64 * MiB);
        Check(report);
    }

    [Fact]
    public void Jpeg_MutantsAreAcceptedOrRefusedWithInvalidData()
    {
        var random = new CortexRandom(5);
        var corpus = new List<byte[]>
        {
            Write(w => w.WriteJpg(Pixels(random, 16 * 12 * 3), 16, 12, ColorComponents.RedGreenBlue, w.Stream, 90)),
            Write(w => w.WriteJpg(Pixels(random, 9 * 9), 9, 9, ColorComponents.Grey, w.Stream, 50)),
        };
        var report = MutationFuzzer.Run("JPEG", corpus, bytes => ImageDecoder.Decode(bytes, channels: 1, "fuzz.jpg", maxPixels: 1 << 20),
            [typeof(InvalidDataException)], iterations: 3000, seed: 15, maxAllocatedBytes: 64 * MiB);
        Check(report);
    }

    [Fact]
    public void ConfigJson_MutantsAreAcceptedOrRefusedWithFormatOrArgumentErrors()
    {
        var corpus = new List<byte[]>
        {
            Encoding.UTF8.GetBytes("""{"model":"lenet5","epochs":3,"batch_size":50,"optimizer":"sgd","lr":0.1,"seed":"7"}"""),
            Encoding.UTF8.GetBytes(new TrainSettings().ToJson().ToJsonString()),
            Encoding.UTF8.GetBytes("""{"_search":{"score":0.9},"weight_decay":1e-4,"validation":"0.1","augment":"shift+flip"}"""),
        };
        var report = MutationFuzzer.Run("config JSON", corpus, bytes =>
        {
            var settings = new TrainSettings().WithConfig(TrainOptions.ParseConfig(Encoding.UTF8.GetString(bytes), "fuzz.json"), "fuzz.json");
            settings.Validate();
        }, [typeof(FormatException), typeof(ArgumentException)], iterations: 4000, seed: 15, maxAllocatedBytes: 16 * MiB);
        Check(report);
    }

    private static byte[] Pixels(CortexRandom random, int count)
    {
        var bytes = new byte[count];
        Fill(random, bytes);
        return bytes;
    }

    private static void Fill(CortexRandom random, byte[] bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = (byte)random.NextInt(256);
    }

    private sealed class Writer
    {
        public MemoryStream Stream { get; } = new();
        public ImageWriter Image { get; } = new();

        public void WritePng(byte[] data, int w, int h, ColorComponents c, Stream s) => Image.WritePng(data, w, h, c, s);

        public void WriteJpg(byte[] data, int w, int h, ColorComponents c, Stream s, int quality) => Image.WriteJpg(data, w, h, c, s, quality);
    }

    private static byte[] Write(Action<Writer> write)
    {
        var writer = new Writer();
        write(writer);
        return writer.Stream.ToArray();
    }

    private static byte[] SaveToBytes(Action<string> save, string extension = ".bin")
    {
        string path = Path.Combine(Path.GetTempPath(), $"cortex-fuzz-{Guid.NewGuid():N}{extension}");
        try
        {
            save(path);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
