using System.Globalization;
using System.Text.RegularExpressions;
using Cortex.Data;
using Cortex.Onnx;
using Cortex.Serialization;

namespace Cortex.Cli.Tests;

/// <summary>
/// `cortex finetune` from imported networks: the ImageNet ResNet-18 of NuGet's
/// Microsoft.ML.DnnImageFeaturizer.ResNet18 by name (gray digits replicated to 3 channels and
/// upsampled to 32×32, BGR − mean image, as a layer the model file keeps), an ONNX file, and the file
/// `cortex import` writes. Each fine-tuned file must give `cortex eval` the accuracy finetune printed.
/// </summary>
public sealed partial class ImportedBaseFinetuneTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cortex-imported-base-").FullName;
    private readonly string _digits;

    public ImportedBaseFinetuneTests()
    {
        _digits = Path.Combine(_folder, "digits");
        Directory.CreateDirectory(_digits);
        var digits = DataSources.Load("digits");
        DigitFiles.Write(_digits, digits.Train, 300, "train");
        DigitFiles.Write(_digits, digits.Test, 100, "t10k");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string In(string name) => Path.Combine(_folder, name);

    [GeneratedRegex(@"^test accuracy: (\d+\.\d\d)% \((\d+)/(\d+)\)$")]
    private static partial Regex TestAccuracyLine();

    [GeneratedRegex(@"^accuracy: (\d+\.\d\d)%")]
    private static partial Regex EvalAccuracyLine();

    private static double Accuracy(Regex line, string output)
    {
        var match = line.Match(CliRunner.LastLine(output));
        Assert.True(match.Success, output);
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [Fact]
    public void ResNet18ImageNet_FrozenBody_NewHead_AndEvalAppliesThePreprocessing()
    {
        if (PretrainedModels.ResNet18ImageNetPath() is null)
            Assert.Skip($"{PretrainedModels.ResNet18PackageId} is not restored in {PretrainedModels.GlobalPackagesFolder()}: run `dotnet restore src/Cortex.Cli`.");
        string tuned = In("resnet.safetensors");
        var (code, output, error) = CliRunner.Run("finetune", "resnet18-imagenet", "--data", _digits, "--size", "32", "--freeze", "body", "--head", "10",
            "--epochs", "3", "--lr-head", "0.01", "--seed", "1", "--out", tuned);
        Assert.True(code == 0, error + output);
        string flat = Regex.Replace(output, @"\s+", " ");
        Assert.Contains("5,130 of ", flat, StringComparison.Ordinal);                      // the new Dense(512, 10) alone trains
        Assert.Contains("frozen body's features cached", flat, StringComparison.Ordinal);
        double accuracy = Accuracy(TestAccuracyLine(), output);
        Assert.True(accuracy > 30, output);                                                  // chance is 10 %

        var saved = SafeTensors.Load(tuned);
        Assert.Equal([3, 32, 32], saved["preprocess.mean_image"].Shape.Dimensions.ToArray());
        var pretrained = PretrainedModels.LoadResNet18ImageNet().Model;
        foreach (var (key, parameter) in pretrained.NamedParameters())
            Assert.Equal(parameter.Value.ToArray(), saved["body." + key].ToArray());          // the frozen body, bit for bit

        // eval rebuilds the model from the file's spec (preprocessing layer included) and reads the same test images
        var eval = CliRunner.Run("eval", tuned, "--data", _digits);
        Assert.True(eval.ExitCode == 0, eval.Error);
        Assert.True(Math.Abs(accuracy - Accuracy(EvalAccuracyLine(), eval.Output)) <= 1.0, $"finetune {accuracy} %, eval: {eval.Output}");
    }

    [Fact]
    public void AnOnnxFileAndTheFileImportWritesAreBases()
    {
        string lenet = In("lenet.safetensors"), onnx = In("lenet.onnx"), imported = In("imported.safetensors");
        var run = CliRunner.Run("train", "--data", _digits, "--epochs", "1", "--seed", "2", "--out", lenet, "--history", In("h.csv"));
        Assert.True(run.ExitCode == 0, run.Error);
        run = CliRunner.Run("export", lenet, "--onnx", onnx);
        Assert.True(run.ExitCode == 0, run.Error);
        run = CliRunner.Run("import", onnx, "--out", imported);
        Assert.True(run.ExitCode == 0, run.Error);

        var fromOnnx = CliRunner.Run("finetune", onnx, "--data", _digits, "--freeze-body", "--lr-head", "0.01", "--epochs", "2", "--seed", "3", "--out", In("a.safetensors"));
        var fromImported = CliRunner.Run("finetune", imported, "--data", _digits, "--freeze-body", "--lr-head", "0.01", "--epochs", "2", "--seed", "3", "--out", In("b.safetensors"));
        Assert.True(fromOnnx.ExitCode == 0, fromOnnx.Error + fromOnnx.Output);
        Assert.True(fromImported.ExitCode == 0, fromImported.Error + fromImported.Output);
        Assert.Equal(CliRunner.LastLine(fromOnnx.Output), CliRunner.LastLine(fromImported.Output));   // the same base, the same run
        double accuracy = Accuracy(TestAccuracyLine(), fromOnnx.Output);
        Assert.True(accuracy > 20, fromOnnx.Output);                                          // chance is 10 %

        var eval = CliRunner.Run("eval", In("b.safetensors"), "--data", _digits);
        Assert.True(eval.ExitCode == 0, eval.Error);
        Assert.True(Math.Abs(accuracy - Accuracy(EvalAccuracyLine(), eval.Output)) <= 1.0, $"finetune {accuracy} %, eval: {eval.Output}");
    }

    [Theory]
    [InlineData("resnet18-imagenet|--size|16", "error: ModelZoo: resnet18-imagenet takes size=32 to 1024 in steps of 32")]
    [InlineData("lenet5|--size|64", "error: finetune: --size and --random-weights apply to resnet18-imagenet, not to lenet5.")]
    [InlineData("resnet18-imagenet|--head|0", "error: --head: expected at least 1 output, got 0.")]
    [InlineData("resnet18-imagenet|--head|10|--head-classes|12", "error: --head 10 and --head-classes 12 disagree; give one of them.")]
    public void BadOptions_FailWithOneLine(string args, string expected)
    {
        if (args.StartsWith("resnet18", StringComparison.Ordinal) && PretrainedModels.ResNet18ImageNetPath() is null)
            Assert.Skip($"{PretrainedModels.ResNet18PackageId} is not restored.");
        var (code, _, error) = CliRunner.Run(["finetune", .. args.Split('|'), "--data", _digits, "--epochs", "1"]);
        Assert.Equal(1, code);
        Assert.StartsWith(expected, error.Trim(), StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }
}
