using System.Globalization;
using System.Text.RegularExpressions;
using Cortex.Data;
using Cortex.Data.Images;
using Cortex.Models;
using Cortex.Serialization;

namespace Cortex.Cli.Tests;

/// <summary>
/// `cortex finetune` end to end: a LeNet-5 base trained for one epoch on 600 of the shipped digits,
/// fine-tuned on the same small IDX folder; and the lectures' VGG16 cats-vs-dogs recipe on a
/// generated folder of small PNGs at a 3×32×32 input.
/// </summary>
public sealed partial class FinetuneCommandTests(FinetuneCommandTests.BaseModel shared) : IClassFixture<FinetuneCommandTests.BaseModel>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cortex-finetune-").FullName;
    private readonly string _digits = shared.Digits;
    private readonly string _base = shared.File;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The small digits folder and the LeNet-5 trained on it, made once for the class.</summary>
    public sealed class BaseModel : IDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("cortex-finetune-base-").FullName;

        public BaseModel()
        {
            Digits = Path.Combine(_root, "digits");
            Directory.CreateDirectory(Digits);
            var digits = DataSources.Load("digits");
            DigitFiles.Write(Digits, digits.Train, 600, "train");
            DigitFiles.Write(Digits, digits.Test, 200, "t10k");
            File = Path.Combine(_root, "base.safetensors");
            var (code, _, error) = CliRunner.Run("train", "--data", Digits, "--epochs", "1", "--out", File, "--history", Path.Combine(_root, "base.csv"), "--seed", "2");
            Assert.True(code == 0, error);
        }

        public string Digits { get; }

        public string File { get; }

        public void Dispose() => Directory.Delete(_root, recursive: true);
    }

    private string In(string name) => Path.Combine(_folder, name);

    [GeneratedRegex(@"^test accuracy: (\d+\.\d\d)% \((\d+)/(\d+)\)$")]
    private static partial Regex TestAccuracyLine();

    private static double Accuracy(string output)
    {
        var match = TestAccuracyLine().Match(CliRunner.LastLine(output));
        Assert.True(match.Success, output);
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private (int Code, string Output, string Error) Finetune(params string[] args) =>
        CliRunner.Run(["finetune", _base, "--data", _digits, "--epochs", "2", "--seed", "3", "--history", In("ft.csv"), .. args]);

    [Fact]
    public void FreezeBody_TrainsOnlyTheNewHead_AndEvalReadsTheSavedModel()
    {
        var (code, output, error) = Finetune("--freeze-body", "--lr-head", "0.01", "--out", In("ft.safetensors"));
        Assert.True(code == 0, error + output);
        string flat = Regex.Replace(output, @"\s+", " ");
        Assert.Contains("850 of 61,706 parameters trainable", flat, StringComparison.Ordinal);   // classifier.4: 84·10 + 10
        Assert.Contains("frozen body's features cached", flat, StringComparison.Ordinal);
        Assert.True(Accuracy(output) > 40, output);                                             // chance is 10 %

        var before = SafeTensors.Load(_base);
        var after = SafeTensors.Load(In("ft.safetensors"));
        Assert.Equal(before.Tensors.Select(t => t.Key), after.Tensors.Select(t => t.Key));
        foreach (var (key, value) in before.Tensors)
        {
            if (key.StartsWith("classifier.4.", StringComparison.Ordinal))
                Assert.NotEqual(value.ToArray(), after[key].ToArray());
            else
                Assert.Equal(value.ToArray(), after[key].ToArray());                             // the body, bit for bit
        }

        var eval = CliRunner.Run("eval", In("ft.safetensors"), "--data", _digits);
        Assert.True(eval.ExitCode == 0, eval.Error);
        Assert.StartsWith("accuracy: ", CliRunner.LastLine(eval.Output), StringComparison.Ordinal);
    }

    [Fact]
    public void CachedAndUncachedRuns_GiveTheSameModel()
    {
        var cached = Finetune("--freeze", "features", "--out", In("a.safetensors"));
        var uncached = Finetune("--freeze", "features", "--no-cache", "--out", In("b.safetensors"));
        Assert.True(cached.Code == 0 && uncached.Code == 0, cached.Error + uncached.Error);
        Assert.Contains("features cached", Regex.Replace(cached.Output, @"\s+", " "), StringComparison.Ordinal);
        Assert.DoesNotContain("features cached", Regex.Replace(uncached.Output, @"\s+", " "), StringComparison.Ordinal);
        Assert.Equal(CliRunner.LastLine(cached.Output), CliRunner.LastLine(uncached.Output));
        var a = SafeTensors.Load(In("a.safetensors"));
        var b = SafeTensors.Load(In("b.safetensors"));
        foreach (var (key, value) in a.Tensors)
        {
            var x = value.ToArray();
            var y = b[key].ToArray();
            for (int i = 0; i < x.Length; i++)
                Assert.True(Math.Abs(x[i] - y[i]) <= 1e-4f, $"{key}[{i}]: cached {x[i]}, uncached {y[i]}");
        }
    }

    [Fact]
    public void BodyLearningRate_ZeroHoldsAnUnfrozenLayer_WhileTheHeadMoves()
    {
        var (code, _, error) = Finetune("--freeze-body", "--unfreeze", "classifier.2", "--lr-body", "0", "--out", In("zero.safetensors"));
        Assert.True(code == 0, error);
        var moving = Finetune("--freeze-body", "--unfreeze", "classifier.2", "--lr-body", "0.001", "--out", In("moving.safetensors"));
        Assert.True(moving.Code == 0, moving.Error);
        var before = SafeTensors.Load(_base)["classifier.2.weight"].ToArray();
        Assert.Equal(before, SafeTensors.Load(In("zero.safetensors"))["classifier.2.weight"].ToArray());
        Assert.NotEqual(before, SafeTensors.Load(In("moving.safetensors"))["classifier.2.weight"].ToArray());
    }

    [Theory]
    [InlineData("--freeze|featurs", "error: --freeze: the pattern 'featurs' matches no parameter of lenet5 (Sequential); its layers with parameters are features.0, features.3, classifier.0, classifier.2, classifier.4.")]
    [InlineData("--unfreeze|*.bn1.*", "error: --unfreeze: the pattern '*.bn1.*' matches no parameter of lenet5 (Sequential)")]
    [InlineData("--head|mlp:lots", "error: head: expected 'linear' or 'mlp:HIDDEN[,DROPOUT]' (e.g. mlp:256,0.5), got 'mlp:lots'.")]
    [InlineData("--head-classes|3", "error: --head-classes: 3 outputs cannot score the 10 classes of")]
    [InlineData("--freeze-body|--freeze|features", "error: finetune: give --freeze PATTERN or --freeze-body, not both.")]
    [InlineData("--input|3x32x32", "error: --input: ")]
    public void BadOptions_FailWithOneLineNamingTheFault(string args, string expected)
    {
        var (code, _, error) = Finetune(args.Split('|'));
        Assert.Equal(1, code);
        Assert.StartsWith(expected, error.Trim(), StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void MissingBase_IsNamed()
    {
        var (code, _, error) = CliRunner.Run("finetune", In("nope.safetensors"), "--data", _digits);
        Assert.Equal(1, code);
        Assert.Equal($"error: finetune: no model file at '{In("nope.safetensors")}'.", error.Trim());
    }

    [Fact]
    public void Vgg16CatsDogsRecipe_FreezesTheConvolutionalBase_AndTrainsTheNewDenseHead()
    {
        string data = Path.Combine(_folder, "cats_and_dogs_small");
        var random = new Cortex.Tensors.CortexRandom(1);
        foreach (var (split, n) in new[] { ("train", 16), ("validation", 4), ("test", 6) })
        {
            for (int i = 0; i < n; i++)
            {
                WritePng(Path.Combine(data, split, "cats", $"cat.{i}.png"), 36, [0.8f, 0.5f, 0.2f], random);
                WritePng(Path.Combine(data, split, "dogs", $"dog.{i}.png"), 36, [0.2f, 0.3f, 0.8f], random);
            }
        }
        var (code, output, error) = CliRunner.Run("finetune", "--recipe", "vgg16-catsdogs", "--input", "3x32x32", "--data", data,
            "--epochs", "5", "--lr-head", "0.001", "--out", In("vgg.safetensors"));
        Assert.True(code == 0, error + output);
        string flat = Regex.Replace(output, @"\s+", " ");
        Assert.Contains("vgg16: a zoo architecture with random weights", flat, StringComparison.Ordinal);
        // the head: Dense(512 → 256) + Dense(256 → 1) = 131,585; the base: VGG16 without its top, 14,714,688 (Keras's summary)
        Assert.Contains("131,585 of 14,846,273 parameters trainable", flat, StringComparison.Ordinal);
        Assert.Contains("RmsProp lr 0.001 (head), 0.001 (body), batch 20", flat, StringComparison.Ordinal);   // the recipe's optimizer and batch
        Assert.True(Accuracy(output) >= 75, output);                 // orange cats, blue dogs: the random features separate them

        var (model, spec) = ModelZoo.Load(In("vgg.safetensors"));    // the file rebuilds through the zoo's head option
        Assert.Equal("mlp:256,0.5", spec.Option("head"));
        Assert.Equal("false", spec.Option("include_top"));
        Assert.Equal(1, spec.NumClasses);
        Assert.Equal(["cats", "dogs"], spec.Data!.ClassNames);        // recorded from the fine-tuning data, not the base
        Assert.Equal(["features", "flatten", "head"], model.Children.Select(c => c.Name));
        Assert.Equal(new Cortex.Tensors.Shape(256, 512), SafeTensors.Load(In("vgg.safetensors"))["head.0.weight"].Shape);
    }

    private static void WritePng(string path, int size, float[] colour, Cortex.Tensors.CortexRandom random)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var pixels = new float[3 * size * size];
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < size * size; p++)
                pixels[c * size * size + p] = Math.Clamp(colour[c] + (float)random.Normal(0, 0.1), 0, 1);
        PngFile.Save(path, pixels, new ImageSize(3, size, size));
    }
}
