using System.Text.RegularExpressions;
using Cortex.Data;
using Cortex.Data.Images;

namespace Cortex.Cli.Tests;

/// <summary>
/// `cortex train`, `eval`, `predict` and `visualize` end to end on a small IDX folder cut from the
/// shipped digits (600 to train, 200 to test), so each run takes a second or two.
/// </summary>
public sealed partial class TrainCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cortex-cli-").FullName;
    private readonly string _data;

    public TrainCommandTests()
    {
        _data = Path.Combine(_folder, "digits");
        Directory.CreateDirectory(_data);
        var digits = DataSources.Load("digits");
        DigitFiles.Write(_data, digits.Train, 600, "train");
        DigitFiles.Write(_data, digits.Test, 200, "t10k");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string In(string name) => Path.Combine(_folder, name);

    [GeneratedRegex(@"^test accuracy: (\d+\.\d\d)% \((\d+)/200\)$")]
    private static partial Regex TestAccuracyLine();

    [Fact]
    public void Train_EndsWithTheTestAccuracyLine_AndSavesModelHistoryAndCurves()
    {
        var (code, output, error) = CliRunner.Run("train", "--data", _data, "--epochs", "2", "--batch-size", "32", "--lr", "0.003",
            "--out", In("m.safetensors"), "--history", In("h.csv"), "--plot", In("curves.png"), "--seed", "3");
        Assert.True(code == 0, error);
        var match = TestAccuracyLine().Match(CliRunner.LastLine(output));
        Assert.True(match.Success, output);
        Assert.True(double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 40, output);  // 600 digits, 2 epochs: far above the 10 % of chance
        Assert.Contains("epoch 2/2", output, StringComparison.Ordinal);
        Assert.Equal(3, File.ReadAllLines(In("h.csv")).Length);
        Assert.True(File.Exists(In("m.safetensors")));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(In("curves.png"))[..4]);

        var eval = CliRunner.Run("eval", In("m.safetensors"), "--data", _data);
        Assert.Equal(0, eval.ExitCode);
        Assert.Equal($"accuracy: {match.Groups[1].Value}% ({match.Groups[2].Value}/200)", CliRunner.LastLine(eval.Output));

        var predict = CliRunner.Run("predict", In("m.safetensors"), Path.Combine(_data, "t10k-images-idx3-ubyte.gz"), "--limit", "4");
        Assert.Equal(0, predict.ExitCode);
        Assert.Equal(4, predict.Output.TrimEnd().Split('\n').Length);

        // The same digits as PNG files get the same answers as from the IDX file.
        var digits = DataSources.Load(_data).Test;
        string[] pngs = [In("d0.png"), In("d1.png")];
        for (int i = 0; i < pngs.Length; i++)
            PngFile.Save(pngs[i], digits.Image(i).Span, new ImageSize(1, 28, 28));
        var fromPng = CliRunner.Run(["predict", In("m.safetensors"), .. pngs]);
        Assert.Equal(0, fromPng.ExitCode);
        string[] idxAnswers = [.. predict.Output.TrimEnd().Split('\n').Take(2).Select(l => l.Split(": ")[1].Trim())];
        string[] pngAnswers = [.. fromPng.Output.TrimEnd().Split('\n').Select(l => l.Split(": ")[1].Trim())];
        Assert.Equal(idxAnswers, pngAnswers);
        Assert.StartsWith("d0.png: ", fromPng.Output, StringComparison.Ordinal);

        var filters = CliRunner.Run("visualize", "filters", In("m.safetensors"), "--out", In("f.png"));
        Assert.Equal(0, filters.ExitCode);
        Assert.Contains("6 filters of features.0 (Conv2d)", filters.Output, StringComparison.Ordinal);
        Assert.Equal((byte)'P', File.ReadAllBytes(In("f.png"))[1]);
    }

    [Fact]
    public void Train_SameSeed_SameHistory()
    {
        string[] Args(string h) => ["train", "--data", _data, "--epochs", "1", "--out", In("s.safetensors"), "--history", h, "--seed", "5", "--threads", "1"];
        Assert.Equal(0, CliRunner.Run(Args(In("a.csv"))).ExitCode);
        Assert.Equal(0, CliRunner.Run(Args(In("b.csv"))).ExitCode);
        string Strip(string path) => string.Join("\n", File.ReadAllLines(path).Select(l => string.Join(",", l.Split(',')[..5])));
        Assert.Equal(Strip(In("a.csv")), Strip(In("b.csv")));       // timings differ; the numbers may not
    }

    [Fact]
    public void Train_ReadsAConfigFile_AndTheCommandLineWins()
    {
        File.WriteAllText(In("best.json"), """{"model":"simpleconvnet","epochs":3,"batch_size":50,"optimizer":"sgd","lr":0.1}""");
        var (code, output, error) = CliRunner.Run("train", "--data", _data, "--config", In("best.json"), "--epochs", "1",
            "--out", In("c.safetensors"), "--history", In("c.csv"));
        Assert.True(code == 0, error);
        Assert.Contains("simpleconvnet", output, StringComparison.Ordinal);
        Assert.Contains("Sgd lr 0.1, batch 50, 1 epochs", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_UnknownModel_ListsTheModels()
    {
        var (code, _, error) = CliRunner.Run("train", "--data", _data, "--model", "lenet7");
        Assert.Equal(1, code);
        Assert.Contains("no model named 'lenet7'", error, StringComparison.Ordinal);
        Assert.Contains("lenet5", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_BadSchedule_SaysWhatIsExpected()
    {
        var (code, _, error) = CliRunner.Run("train", "--data", _data, "--schedule", "sometimes");
        Assert.Equal(1, code);
        Assert.Contains("unknown schedule", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_MissingFile_IsAClearError()
    {
        var (code, _, error) = CliRunner.Run("eval", In("none.safetensors"), "--data", _data);
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Contains("none.safetensors", error, StringComparison.Ordinal);
    }
}
