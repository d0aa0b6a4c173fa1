using System.Text.RegularExpressions;
using Cortex.Data;
using Cortex.Data.Images;
using Cortex.Models;
using Cortex.Tensors;
using Cortex.Training;

namespace Cortex.Cli.Tests;

/// <summary>
/// What a new user hit (issue 15, items 1, 2 and 7), each as the command they ran: eval of an image-folder model,
/// model files that record their data and class names, and options that were silently ignored or clamped.
/// </summary>
public sealed partial class UserReportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cortex-report-").FullName;
    private readonly string _digits;

    public UserReportTests()
    {
        _digits = In("digits");
        Directory.CreateDirectory(_digits);
        var digits = DataSources.Load("digits");
        DigitFiles.Write(_digits, digits.Train, 200, "train");
        DigitFiles.Write(_digits, digits.Test, 100, "t10k");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string In(string name) => Path.Combine(_folder, name);

    [GeneratedRegex(@"^accuracy: (\d+\.\d\d)% \((\d+)/(\d+)\)$")]
    private static partial Regex AccuracyLine();

    // ---- item 1 -------------------------------------------------------------------------------

    [Fact]
    public void Eval_ImageFolderOfMixedSizes_ReadsItAtTheModelsInput()
    {
        // The report: PNGs of 200×180 and 150×150; `eval` read the folder at the first image's size and failed.
        string data = In("catsdogs");
        var random = new CortexRandom(9);
        foreach (var (split, n) in new[] { ("train", 2), ("test", 3) })
        {
            for (int i = 0; i < n; i++)
            {
                foreach (var (label, h, w) in new[] { ("cats", 180, 200), ("dogs", 150, 150) })
                {
                    string path = Path.Combine(data, split, label, $"{label}.{i}.png");
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    PngFile.Save(path, Tensor.RandomUniform(new Shape(3, h + i, w), random).Span, new ImageSize(3, h + i, w));
                }
            }
        }
        var spec = ModelZoo.Spec("catsdogs", 1, new Shape(3, 150, 150));
        string model = In("cd.safetensors");
        ModelZoo.Save(ModelZoo.Create(spec), spec, model);

        var (code, output, error) = CliRunner.Run("eval", model, "--data", data);
        Assert.True(code == 0, error + output);
        var match = AccuracyLine().Match(CliRunner.LastLine(output));
        Assert.True(match.Success, output);
        Assert.Equal("6", match.Groups[3].Value);                       // all six test images, resized to 3×150×150
    }

    // ---- item 2 -------------------------------------------------------------------------------

    [Fact]
    public void Train_RecordsTheDataSourceAndClassNames_AndEvalUsesThemByDefault()
    {
        File.WriteAllLines(Path.Combine(_digits, "classes.txt"), ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]);
        var (code, _, error) = CliRunner.Run("train", "--data", _digits, "--epochs", "1", "--out", In("m.safetensors"), "--history", In("h.csv"));
        Assert.True(code == 0, error);
        var (model, spec) = ModelZoo.Load(In("m.safetensors"));
        Assert.NotNull(spec.Data);
        Assert.Equal(Path.GetFullPath(_digits), spec.Data.Source);
        Assert.Equal("zero", spec.Data.ClassNames[0]);
        Assert.Equal("nine", spec.Data.ClassNames[9]);
        Assert.Equal("pixels/255", spec.Data.Preprocessing);

        // No --data: the recorded folder, not the shipped digits (which have 2,000 test images, not 100).
        var eval = CliRunner.Run("eval", In("m.safetensors"));
        Assert.True(eval.ExitCode == 0, eval.Error);
        Assert.EndsWith("/100)", CliRunner.LastLine(eval.Output), StringComparison.Ordinal);
        Assert.DoesNotContain("warning", eval.Output, StringComparison.Ordinal);

        // Another data set with the same number of classes: evaluated, with a warning naming both.
        var other = CliRunner.Run("eval", In("m.safetensors"), "--data", "digits");
        Assert.True(other.ExitCode == 0, other.Error);
        string flat = Regex.Replace(other.Output, @"\s+", " ");
        Assert.Contains($"was trained on {Path.GetFullPath(_digits)}; evaluating on digits", flat, StringComparison.Ordinal);
        Assert.Contains("was trained on the classes [zero, one,", flat, StringComparison.Ordinal);

        // predict prints the recorded names: the name of the class the model itself predicts.
        var digits = DataSources.Load(_digits).Test;
        PngFile.Save(In("d.png"), digits.Image(0).Span, new ImageSize(1, 28, 28));
        var predict = CliRunner.Run("predict", In("m.safetensors"), In("d.png"));
        Assert.True(predict.ExitCode == 0, predict.Error);
        var decoded = ImageDecoder.Load(In("d.png"), 1);
        int expected = Trainer.Predict(model, new Tensor(decoded.Pixels, new Shape(1, 1, 28, 28)))[0];
        Assert.Equal($"d.png: {spec.Data.ClassNames[expected]} ({expected})", predict.Output.Trim());
    }

    [Fact]
    public void Eval_DataWithOtherClassCount_IsRefused()
    {
        var spec = ModelZoo.Spec("lenet5", 3, new Shape(1, 28, 28)) with { Data = new ModelDataInfo("fashion-mnist", ["a", "b", "c"], "pixels/255") };
        ModelZoo.Save(ModelZoo.Create(spec), spec, In("three.safetensors"));
        var (code, _, error) = CliRunner.Run("eval", In("three.safetensors"), "--data", _digits);
        Assert.Equal(1, code);
        Assert.Contains("the model has 3 classes but digits/test has 10", error, StringComparison.Ordinal);
    }

    // ---- item 7 -------------------------------------------------------------------------------

    // Each case names a missing data folder: the argument's own message proves it was checked before loading.
    [Theory]
    [InlineData(new[] { "train", "--init", "he" }, "--init: lenet5 takes no weight initializer")]
    [InlineData(new[] { "train", "--batch-size", "100000000" }, "--batch-size: expected 1 to 1048576, got 100000000.")]
    [InlineData(new[] { "train", "--threads", "0" }, "--threads: expected 1 to 1024, got 0.")]
    [InlineData(new[] { "train", "--plot", "x.jpg" }, "--plot: the curves are written as PNG; expected a .png path, got 'x.jpg'.")]
    [InlineData(new[] { "train", "--epochs", "0" }, "--epochs: expected 1 to 1000000, got 0.")]
    [InlineData(new[] { "train", "--lr", "-1" }, "--lr: expected a positive finite rate, got -1.")]
    [InlineData(new[] { "train", "--max-image-pixels", "0" }, "--max-image-pixels: expected a positive number, got 0.")]
    [InlineData(new[] { "search", "--trials", "0" }, "--trials: expected at least 1, got 0.")]
    [InlineData(new[] { "cv", "--folds", "1" }, "--folds: expected at least 2, got 1.")]
    public void Options_AreCheckedBeforeTheDataIsLoaded(string[] args, string expected)
    {
        var (code, output, error) = CliRunner.Run([.. args, "--data", In("missing")]);
        Assert.Equal(1, code);
        Assert.StartsWith($"error: {expected}", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.DoesNotContain("loading data", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--lr", "abc", "--lr: expected a finite number, got 'abc'.")]
    [InlineData("--epochs", "2.5", "--epochs: expected an integer, got '2.5'.")]
    [InlineData("--seed", "-1", "--seed: expected a non-negative integer, got '-1'.")]
    public void ParseErrors_ReadLikeCortexMessages(string option, string value, string expected)
    {
        var (code, _, error) = CliRunner.Run("train", option, value);
        Assert.NotEqual(0, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Cannot parse argument", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_UnknownOption_IsRefused()
    {
        var (code, _, error) = CliRunner.Run("summary", "lenet5", "-o", "bogus=1");
        Assert.Equal(1, code);
        Assert.Contains("--option: lenet5 does not read 'bogus'", error, StringComparison.Ordinal);
        Assert.Equal(0, CliRunner.Run("summary", "alexnet", "-o", "groups=2").ExitCode);   // an option it reads
    }

    [Fact]
    public void Predict_LimitZero_IsRefused()
    {
        var (code, _, error) = CliRunner.Run("predict", In("none.safetensors"), In("x.png"), "--limit", "0");
        Assert.Equal(1, code);
        Assert.Equal("error: --limit: expected at least 1 image, got 0.", error.Trim());
    }

    [Fact]
    public void Train_BatchLargerThanTheData_AndMoreThreadsThanCores_AreWarned()
    {
        int threads = Environment.ProcessorCount + 1;
        var (code, output, error) = CliRunner.Run("train", "--data", _digits, "--epochs", "1", "--batch-size", "5000", "--threads", $"{threads}",
            "--out", In("w.safetensors"), "--history", In("w.csv"));
        Kernels.Parallelism.MaxDegree = Environment.ProcessorCount;
        Assert.True(code == 0, error);
        string flat = Regex.Replace(output, @"\s+", " ");
        Assert.Contains("warning: --batch-size 5000 is more than the 180 training images: each epoch is one batch of 180.", flat, StringComparison.Ordinal);
        Assert.Contains($"warning: --threads {threads} is more than the {Environment.ProcessorCount} cores here", flat, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_StrayLabel255_IsRefusedNamingTheFile()
    {
        string data = In("stray");
        Directory.CreateDirectory(data);
        var digits = DataSources.Load(_digits);
        DigitFiles.Write(data, digits.Train, 200, "train", i => i == 17 ? (byte)255 : (byte)digits.Train.Labels[i]);
        DigitFiles.Write(data, digits.Test, 100, "t10k");
        var (code, _, error) = CliRunner.Run("train", "--data", data, "--epochs", "1");
        Assert.Equal(1, code);
        Assert.Contains("the labels run up to 255", error, StringComparison.Ordinal);
        Assert.Contains("train-labels-idx1-ubyte.gz at index 17", error, StringComparison.Ordinal);
        Assert.Contains("only 11 of the 256 classes", error, StringComparison.Ordinal);
    }
}
