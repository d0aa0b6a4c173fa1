using Cortex.Data.Sources;

namespace Cortex.Data.Tests.Sources;

public class FashionMnistTests
{
    [Fact]
    public void Load_InstalledDebianPackage_Has60000And10000Images()
    {
        Assert.SkipUnless(FashionMnist.IsInstalled(), $"Fashion-MNIST is not installed in {FashionMnist.DebianDirectory} (scripts/install-fashion-mnist.sh)");
        var (train, test) = DataSources.Load("fashion-mnist");
        Assert.Equal(60000, train.Count);
        Assert.Equal(10000, test.Count);
        Assert.Equal(new Tensors.Shape(1, 28, 28), train.SampleShape);
        Assert.Equal("Ankle boot", train.ClassNames[9]);
        Assert.Equal("T-shirt/top", test.ClassNames[0]);
        Assert.All(train.ClassCounts(), c => Assert.Equal(6000, c)); // Fashion-MNIST is balanced
        Assert.All(test.ClassCounts(), c => Assert.Equal(1000, c));
    }

    [Fact]
    public void Load_NotInstalled_SaysHowToInstall()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => DataSources.Load("fashion-mnist", new DataSourceOptions { FashionMnistDirectory = dir.Path }));
        Assert.Contains($"fashion-mnist: expected the Debian package dataset-fashion-mnist's files (train-images-idx3-ubyte.gz …) in {dir.Path}, got none.",
            e.Message, StringComparison.Ordinal);
        Assert.Contains("scripts/install-fashion-mnist.sh", e.Message, StringComparison.Ordinal);
    }
}
