using System.Globalization;
using System.Text.RegularExpressions;
using Cortex.Data;
using Cortex.Data.Images;

namespace Cortex.Cli.Tests;

/// <summary>
/// `cortex augment`, `cv`, `search` and `train --augment` on a generated cats-vs-dogs image folder
/// (small PNGs of two colours, of varying sizes, plus one broken file).
/// </summary>
public sealed partial class PipelineCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cortex-pipeline-").FullName;
    private readonly string _data;

    public PipelineCommandTests()
    {
        _data = Path.Combine(_folder, "cats_and_dogs_small");
        var random = new Cortex.Tensors.CortexRandom(1);
        foreach (var (split, n) in new[] { ("train", 16), ("validation", 4), ("test", 6) })
        {
            for (int i = 0; i < n; i++)
            {
                Write(Path.Combine(_data, split, "cats", $"cat.{i}.png"), 30 + i % 4, 32, [0.8f, 0.5f, 0.2f], random);
                Write(Path.Combine(_data, split, "dogs", $"dog.{i}.png"), 32, 28 + i % 3, [0.2f, 0.3f, 0.8f], random);
            }
        }
        File.WriteAllBytes(Path.Combine(_data, "train", "cats", "cat.broken.png"), [0x89, 0x50, 0x4E, 0x47, 0, 0]);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static void Write(string path, int h, int w, float[] colour, Cortex.Tensors.CortexRandom random)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var pixels = new float[3 * h * w];
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < h * w; p++)
                pixels[c * h * w + p] = Math.Clamp(colour[c] + (float)random.Normal(0, 0.1), 0, 1);
        PngFile.Save(path, pixels, new ImageSize(3, h, w));
    }

    private string In(string name) => Path.Combine(_folder, name);

    [Fact]
    public void Augment_Preview_WritesAGridOfTheOriginalAndItsVersions()
    {
        string image = Path.Combine(_data, "train", "dogs", "dog.0.png");
        var (code, output, error) = CliRunner.Run("augment", "--preview", In("keras.png"), "--image", image, "--augment", "keras", "--count", "8");
        Assert.True(code == 0, error);
        Assert.StartsWith("wrote ", CliRunner.LastLine(output), StringComparison.Ordinal);
        var grid = ImageDecoder.Load(In("keras.png"));
        // 9 tiles of 32×28 enlarged 3× (96 / 32), 3×3 with a 6-pixel gap.
        Assert.Equal(new ImageSize(3, 3 * 96 + 4 * 6, 3 * 84 + 4 * 6), grid.Size);

        var digits = CliRunner.Run("augment", "--preview", In("digits.png"), "--index", "2", "--augment", "cifar+cutout", "--count", "3");
        Assert.True(digits.ExitCode == 0, digits.Error);
        Assert.Contains("RandomCrop(28×28, pad 4) → HorizontalFlip → Cutout(14×14)", digits.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Augment_UnknownRecipe_FailsWithTheKnownNames()
    {
        var (code, _, error) = CliRunner.Run("augment", "--preview", In("x.png"), "--augment", "mixup");
        Assert.Equal(1, code);
        Assert.Contains("unknown recipe 'mixup'", error, StringComparison.Ordinal);
        Assert.False(File.Exists(In("x.png")));
    }

    [Fact]
    public void Train_OnAnImageFolder_WithKerasAugmentation_RunsAndWarnsAboutTheBrokenFile()
    {
        // The lectures' cats-vs-dogs network reads the folder at its 3×150×150 input and ends in one logit.
        var (code, output, error) = CliRunner.Run("train", "--data", _data, "--model", "catsdogs", "--augment", "keras", "--epochs", "1",
            "--batch-size", "8", "--out", In("m.safetensors"), "--history", In("h.csv"));
        Assert.True(code == 0, error + output);
        string flat = Regex.Replace(output, @"\s+", " ");                                 // the console wraps long lines
        Assert.Contains("skipped " + Path.Combine(_data, "train", "cats", "cat.broken.png"), flat, StringComparison.Ordinal);
        Assert.Contains("augmentation: RandomAffine(rot ±40°", flat, StringComparison.Ordinal);
        Assert.Contains("catsdogs (3,453,121 parameters)", flat, StringComparison.Ordinal);
        Assert.Contains("32 training, 8 validation, 12 test images [3, 150, 150]", flat, StringComparison.Ordinal);
        Assert.Matches(@"^test accuracy: \d+\.\d\d% \(\d+/12\)$", CliRunner.LastLine(output));
    }

    [GeneratedRegex(@"^cv accuracy: (\d+\.\d\d)% ± (\d+\.\d\d)% \(3 folds\)$")]
    private static partial Regex CvLine();

    [Fact]
    public void Cv_ReportsEachFold_AndMeanAndStd()
    {
        var (code, output, error) = CliRunner.Run("cv", "--data", _data, "--folds", "3", "--epochs", "1", "--batch-size", "8", "--augment", "flip");
        Assert.True(code == 0, error + output);
        Assert.Contains("fold 3/3: validation accuracy", output, StringComparison.Ordinal);
        Assert.Matches(CvLine(), CliRunner.LastLine(output));
    }

    [Fact]
    public void Search_RanksTrials_WritesCsvAndABestConfigThatTrainReads()
    {
        var (code, output, error) = CliRunner.Run("search", "--data", _data, "--trials", "3", "--epochs", "1", "--batch-size", "8",
            "--space", "lr=log:1e-4:1e-2", "--space", "optimizer=adam,sgd", "--results", In("s.csv"), "--best", In("best.json"));
        Assert.True(code == 0, error + output);
        Assert.StartsWith("best: ", CliRunner.LastLine(output), StringComparison.Ordinal);
        var rows = File.ReadAllLines(In("s.csv"));
        Assert.Equal("rank,trial,lr,optimizer,val_accuracy,val_loss,train_accuracy,train_loss,seconds,failure", rows[0]);
        Assert.Equal(4, rows.Length);
        var accuracies = rows[1..].Select(r => double.Parse(r.Split(',')[4], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(accuracies.OrderDescending(), accuracies);
        string best = File.ReadAllText(In("best.json"));
        Assert.Contains("\"_search\"", best, StringComparison.Ordinal);
        Assert.Contains("\"model\": \"lenet5\"", best, StringComparison.Ordinal);

        var train = CliRunner.Run("train", "--config", In("best.json"), "--out", In("m.safetensors"), "--history", In("h.csv"));
        Assert.True(train.ExitCode == 0, train.Error + train.Output);
        Assert.Contains("1 epochs", train.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Search_UnknownSetting_FailsBeforeTraining()
    {
        var (code, _, error) = CliRunner.Run("search", "--data", _data, "--space", "momentum=0.9,0.99");
        Assert.Equal(1, code);
        Assert.Contains("unknown setting 'momentum'", error, StringComparison.Ordinal);
    }
}
