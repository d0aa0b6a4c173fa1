using System.Buffers.Binary;
using System.IO.Compression;
using Cortex.Data;
using Cortex.Data.Images;
using Cortex.Models;
using Cortex.Serialization;
using Cortex.Tensors;

namespace Cortex.Cli.Tests;

/// <summary>
/// Issue 15's allocation bombs and malformed inputs, each run through the real `cortex` commands: every one is
/// refused with one line naming the input and the fault (never an exception type or a stack trace), and the
/// memory a refusal costs is bounded — measured as the bytes this thread allocated while the command ran
/// (the commands run on the calling thread; the bombs as reported made Cortex allocate 5–8 GB).
/// </summary>
public sealed class BoundedInputTests : IDisposable
{
    private const long MiB = 1 << 20;
    private readonly string _folder = Directory.CreateTempSubdirectory("cortex-bounded-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string In(string name) => Path.Combine(_folder, name);

    // Runs `cortex args` and returns what it printed with the bytes allocated on this thread meanwhile.
    private static (int Code, string Output, string Error, long Allocated) Measure(params string[] args)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var (code, output, error) = CliRunner.Run(args);
        return (code, output, error, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void AssertOneLineError(string error)
    {
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    // A real LeNet-5 file whose architecture JSON is then edited to say `edit(json)`.
    private string ModelFileWithArchitecture(string name, Func<string, string> edit)
    {
        var spec = ModelZoo.Spec("lenet5");
        string path = In(name);
        ModelZoo.Save(ModelZoo.Create(spec), spec, path);
        var content = SafeTensors.Load(path);
        var metadata = content.Metadata.ToDictionary(p => p.Key, p => p.Value);
        metadata[ModelFile.ArchitectureKey] = edit(metadata[ModelFile.ArchitectureKey]);
        SafeTensors.Save(path, content.Tensors.Select(t => (t.Key, t.Value)), metadata);
        return path;
    }

    [Fact]
    public void Eval_ArchitectureWith20MillionClasses_IsRefusedBeforeBuilding()
    {
        string path = ModelFileWithArchitecture("bomb.safetensors", json => json.Replace("\"num_classes\":10", "\"num_classes\":20000000", StringComparison.Ordinal));
        Assert.True(new FileInfo(path).Length < 300_000);
        var (code, _, error, allocated) = Measure("eval", path, "--data", "digits");
        Assert.Equal(1, code);
        AssertOneLineError(error);
        Assert.Contains("bomb.safetensors", error, StringComparison.Ordinal);
        Assert.Contains("20,000,000 classes", error, StringComparison.Ordinal);
        Assert.Contains("--max-parameters", error, StringComparison.Ordinal);
        Assert.True(allocated < 64 * MiB, $"allocated {allocated / MiB} MiB");        // as reported: 6.45 GB
    }

    [Fact]
    public void Summary_Resnet152WithAMillionClasses_IsRefusedWithinTheLimit_AndTheLimitCanBeLowered()
    {
        var (code, _, error, allocated) = Measure("summary", "resnet152", "--classes", "1000000");
        Assert.Equal(1, code);
        Assert.Contains("resnet152 (3×224×224 → 1,000,000 classes)", error, StringComparison.Ordinal);
        Assert.Contains("more than 300,000,000 parameters", error, StringComparison.Ordinal);
        // Only the layers before the 2-billion-weight classifier were built: at most the limit's 1.2 GB, here
        // ResNet-152's 58 M convolution weights (as reported: 8.1 GB).
        Assert.True(allocated < ModelLimits.DefaultMaxParameters * sizeof(float), $"allocated {allocated / MiB} MiB");

        var low = Measure("summary", "resnet152", "--classes", "1000000", "--max-parameters", "100000");
        Assert.Equal(1, low.Code);
        Assert.Contains("limit of 100,000 parameters", low.Error, StringComparison.Ordinal);
        Assert.True(low.Allocated < 16 * MiB, $"allocated {low.Allocated / MiB} MiB");

        var raised = CliRunner.Run("summary", "lenet5", "--classes", "20", "--max-parameters", "1000000");
        Assert.Equal(0, raised.ExitCode);
    }

    [Fact]
    public void Summary_ActivationLimit_IsCheckedFromTheShapes()
    {
        // VGG-16 at 224×224 keeps 15.2 M values per image in its forward pass (Simonyan & Zisserman's
        // 3×224×224 input, 13 convolutions); a limit of 10 M refuses it, 20 M lets it through.
        var refused = CliRunner.Run("summary", "vgg16", "--max-activations", "10000000");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("activation values, above the limit of 10,000,000", refused.Error, StringComparison.Ordinal);
        var accepted = CliRunner.Run("summary", "vgg16", "--max-activations", "20000000", "--json");
        Assert.True(accepted.ExitCode == 0, accepted.Error);
        long values = System.Text.Json.JsonDocument.Parse(accepted.Output).RootElement.GetProperty("activation_values").GetInt64();
        Assert.InRange(values, 10_000_001, 20_000_000);
    }

    [Fact]
    public void Predict_GzippedIdxDeclaringAThousandCubed_IsRefusedAtItsHeader()
    {
        string path = In("bomb-images-idx3-ubyte.gz");
        var header = new byte[16];
        header[2] = 0x08;
        header[3] = 3;
        for (int i = 0; i < 3; i++)
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4 + 4 * i), 1000);
        using (var gzip = new GZipStream(File.Create(path), CompressionLevel.SmallestSize))
        {
            gzip.Write(header);
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++)
                gzip.Write(zeros);                                     // 64 MiB of zeros: a 64 KB file
        }
        string model = In("m.safetensors");
        ModelZoo.Save(ModelZoo.Create(ModelZoo.Spec("lenet5")), ModelZoo.Spec("lenet5"), model);
        var (code, _, error, allocated) = Measure("predict", model, path);
        Assert.Equal(1, code);
        AssertOneLineError(error);
        Assert.Contains("bomb-images-idx3-ubyte.gz", error, StringComparison.Ordinal);
        Assert.Contains("[1000, 1000, 1000]", error, StringComparison.Ordinal);
        Assert.Contains("--max-idx-elements", error, StringComparison.Ordinal);
        Assert.True(allocated < 16 * MiB, $"allocated {allocated / MiB} MiB");        // as reported: 5.8 GB
    }

    // A 1×1 grey PNG whose header is then edited to declare width × height (stb_image ignores the CRC).
    internal static byte[] PngDeclaring(int width, int height)
    {
        byte[] png = PngFile.Encode([0.5f], new ImageSize(1, 1, 1));
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), height);
        return png;
    }

    [Fact]
    public void Eval_ImageFolderWithA20000SquarePng_SkipsItWithAWarning()
    {
        string data = In("pictures");
        var random = new CortexRandom(3);
        foreach (string split in new[] { "train", "test" })
        {
            foreach (string label in new[] { "cats", "dogs" })
            {
                string dir = Path.Combine(data, split, label);
                Directory.CreateDirectory(dir);
                for (int i = 0; i < 2; i++)
                    PngFile.Save(Path.Combine(dir, $"{i}.png"), Tensor.RandomUniform(new Shape(3, 20, 24), random).Span, new ImageSize(3, 20, 24));
            }
        }
        File.WriteAllBytes(Path.Combine(data, "test", "cats", "huge.png"), PngDeclaring(20000, 20000));
        string model = In("cd.safetensors");
        var spec = ModelZoo.Spec("simpleconvnet", 2, new Shape(3, 20, 24));
        ModelZoo.Save(ModelZoo.Create(spec), spec, model);

        var (code, output, error, allocated) = Measure("eval", model, "--data", data);
        Assert.True(code == 0, error);
        Assert.Contains("huge.png", output, StringComparison.Ordinal);
        Assert.Contains("20000×20000", output, StringComparison.Ordinal);
        Assert.Contains("(4 test images)", output, StringComparison.Ordinal);
        Assert.True(allocated < 64 * MiB, $"allocated {allocated / MiB} MiB");        // as reported: 5.2 GB
    }

    [Theory]
    [InlineData("5000")]
    [InlineData("10000")]
    public void Visualize_HugeScale_IsRefusedBeforeDrawing(string scale)
    {
        var (code, _, error, allocated) = Measure("visualize", "filters", "lenet5", "--scale", scale, "--out", In("f.png"));
        Assert.Equal(1, code);
        AssertOneLineError(error);
        Assert.Contains($"scale {scale}", error, StringComparison.Ordinal);
        Assert.False(File.Exists(In("f.png")));
        Assert.True(allocated < 16 * MiB, $"allocated {allocated / MiB} MiB");        // as reported: 1–2 GB, then a crash
    }

    [Theory]
    [InlineData("{bad", "not valid JSON")]
    [InlineData("", "is empty")]
    [InlineData("   \n", "is empty")]
    [InlineData("""{"seed":"-1"}""", "'seed' must be an integer from 0 to 18446744073709551615, got '-1'")]
    [InlineData("""{"epochs":{"a":1}}""", "'epochs' must be a string or a number, got an object")]
    [InlineData("[1, 2]", "expected a JSON object of settings, got array")]
    [InlineData("""{"epochs":0}""", "--epochs: expected 1 to 1000000, got 0")]
    public void Train_BadConfigFile_IsOneLineNamingTheFile(string json, string expected)
    {
        File.WriteAllText(In("c.json"), json);
        var (code, output, error) = CliRunner.Run("train", "--config", In("c.json"), "--data", In("no-such-data"));
        Assert.Equal(1, code);
        AssertOneLineError(error);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("loading data", output, StringComparison.Ordinal);      // refused before any data is read
    }

    [Fact]
    public void Eval_ModelFileWithNaNWeights_IsRefused()
    {
        var spec = ModelZoo.Spec("lenet5");
        var model = ModelZoo.Create(spec);
        var weight = ModelFile.StateDict(model).First(p => p.Key.EndsWith("weight", StringComparison.Ordinal));
        weight.Value.Span[3] = float.NaN;
        string path = In("nan.safetensors");
        ModelZoo.Save(model, spec, path);
        var (code, _, error) = CliRunner.Run("eval", path, "--data", "digits");
        Assert.Equal(1, code);
        AssertOneLineError(error);
        Assert.Contains($"tensor '{weight.Key}' holds 1 non-finite value(s)", error, StringComparison.Ordinal);
        Assert.Contains("first at index 3", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"input\":[1,28,28]", "\"input\":[1,28,null]", "\"input\" sizes must be positive 32-bit integers, got null")]
    [InlineData("\"input\":[1,28,28]", "\"input\":[1,99999,99999]", "\"input\" is too large")]
    [InlineData("\"input\":[1,28,28]", "\"input\":[1,20000,20000]", "has a side above the limit of 16,384")]
    [InlineData("\"input\":[1,28,28]", "\"input\":[1,16000,16000]", "more than 300,000,000 parameters (the limit")]
    [InlineData("\"num_classes\":10", "\"num_classes\":\"ten\"", "\"num_classes\" must be a 32-bit integer")]
    [InlineData("\"num_classes\":10", "\"num_classes\":1e99", "\"num_classes\" must be a 32-bit integer")]
    [InlineData("\"model\":\"lenet5\"", "\"model\":\"lenet6\"", "no model named 'lenet6'")]
    [InlineData("{", "[", "not valid JSON")]
    [InlineData("\"options\":{}", "\"options\":{\"seed\":\"1e400\"}", "option 'seed' must be a finite number")]
    public void Eval_MalformedArchitecture_IsOneLineNamingTheFile(string find, string replace, string expected)
    {
        string path = ModelFileWithArchitecture("arch.safetensors", json => json.Replace(find, replace, StringComparison.Ordinal));
        var (code, _, error) = CliRunner.Run("eval", path, "--data", "digits");
        Assert.Equal(1, code);
        AssertOneLineError(error);
        Assert.Contains("arch.safetensors", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
