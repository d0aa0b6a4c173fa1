using Cortex.Data.Sources;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Cortex.Data.Tests.Sources;

public class ShippedDigitsTests
{
    private static readonly Lazy<DatasetSplit> Digits = new(() => DataSources.Load("digits"));

    [Fact]
    public void Find_LocatesTheRepositoryFolder()
    {
        string? folder = ShippedDigits.Find();
        Assert.NotNull(folder);
        Assert.True(File.Exists(Path.Combine(folder, "SHA256SUMS")));
    }

    [Fact]
    public void Load_Has8000TrainAnd2000TestImagesOf28x28()
    {
        var (train, test) = Digits.Value;
        Assert.Equal(8000, train.Count);
        Assert.Equal(2000, test.Count);
        Assert.Equal(new Tensors.Shape(1, 28, 28), train.SampleShape);
        Assert.Equal(new Tensors.Shape(2000, 1, 28, 28), test.Images.Shape);
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], train.ClassNames);
        Assert.Equal("digits/train", train.Name);
    }

    [Fact]
    public void Load_ClassCountsMatchTheReadme()
    {
        var (train, test) = Digits.Value;
        Assert.Equal([791, 883, 806, 846, 791, 686, 811, 840, 753, 793], train.ClassCounts());
        Assert.Equal([210, 244, 185, 186, 189, 177, 203, 230, 191, 185], test.ClassCounts());
    }

    [Fact]
    public void Load_PixelsAreInUnitRangeAndUseIt()
    {
        var pixels = Digits.Value.Train.Images.Span;
        Assert.Equal(0f, TensorPrimitives.Min<float>(pixels));
        Assert.Equal(1f, TensorPrimitives.Max<float>(pixels));
        // MNIST digits are mostly background: the mean is about 0.13.
        double mean = TensorPrimitives.Sum<float>(pixels) / pixels.Length;
        Assert.InRange(mean, 0.10, 0.16);
    }

    [Fact]
    public void Load_WithDefaultSpec_IsDigits()
    {
        Assert.Equal(8000, DataSources.Load(null).Train.Count);
    }

    [Fact]
    public void Load_CorruptedCopy_IsRefusedByChecksum()
    {
        using var dir = new TempDirectory();
        foreach (string file in Directory.GetFiles(ShippedDigits.Find()!))
            File.Copy(file, dir.File(Path.GetFileName(file)));
        byte[] labels = File.ReadAllBytes(dir.File("t10k-labels-idx1-ubyte.gz"));
        labels[^8] ^= 1; // the gzip trailer's CRC: still a file, but not the shipped one
        File.WriteAllBytes(dir.File("t10k-labels-idx1-ubyte.gz"), labels);
        var e = Assert.Throws<InvalidDataException>(() => DataSources.Load("digits", new DataSourceOptions { DigitsDirectory = dir.Path }));
        Assert.Contains($"{dir.File("t10k-labels-idx1-ubyte.gz")}: expected SHA-256 b3b58e9b72ef85e8de977a76a13222510b8f6253a995c2973fe8c922a7878812, got ",
            e.Message, StringComparison.Ordinal);
    }
}
