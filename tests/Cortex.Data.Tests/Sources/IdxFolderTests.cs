namespace Cortex.Data.Tests.Sources;

public class IdxFolderTests
{
    [Theory]
    [InlineData(true, "t10k")]
    [InlineData(false, "test")]
    public void Load_PathToFolder_ReadsTrainAndTest(bool gzip, string testPrefix)
    {
        using var dir = new TempDirectory();
        Fixtures.WriteIdxFolder(dir.Path, train: 6, test: 4, classes: 3, gzip, testPrefix);
        var data = DataSources.Load(dir.Path);
        Assert.Equal(6, data.Train.Count);
        Assert.Equal(4, data.Test.Count);
        Assert.Equal(new Tensors.Shape(1, 4, 3), data.Train.SampleShape);
        Assert.Equal(["0", "1", "2"], data.ClassNames);   // numbered from the largest label
        Assert.Equal(7 / 255f, data.Train.Images[0, 0, 0, 1]); // pixel i is (7·i) mod 256
        Assert.Equal(Path.GetFullPath(dir.Path), data.Source);
    }

    [Fact]
    public void Load_ClassesTxt_NamesTheClasses()
    {
        using var dir = new TempDirectory();
        Fixtures.WriteIdxFolder(dir.Path, 6, 4, 3);
        File.WriteAllLines(dir.File("classes.txt"), ["cat", "dog", "", "emu"]);
        Assert.Equal(["cat", "dog", "emu"], DataSources.Load(dir.Path).ClassNames);
    }

    [Fact]
    public void Load_MissingFiles_ListsWhatWasExpected()
    {
        using var dir = new TempDirectory();
        Fixtures.WriteIdxFolder(dir.Path, 6, 4, 3);
        File.Delete(dir.File("t10k-labels-idx1-ubyte.gz"));
        var e = Assert.Throws<FileNotFoundException>(() => DataSources.Load(dir.Path));
        Assert.Contains("missing t10k-labels-idx1-ubyte[.gz] (or test-…).", e.Message, StringComparison.Ordinal);
        Assert.Contains("The folder holds: t10k-images-idx3-ubyte.gz, train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LabelCountDisagrees_Throws()
    {
        using var dir = new TempDirectory();
        Fixtures.WriteIdxFolder(dir.Path, 6, 4, 3);
        Data.Idx.IdxWriter.Write(dir.File("train-labels-idx1-ubyte.gz"), new Data.Idx.IdxArray([5], [0, 1, 2, 0, 1]));
        var e = Assert.Throws<InvalidDataException>(() => DataSources.Load(dir.Path));
        Assert.Contains("IdxFolder: expected as many labels as images, got 6 images in", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LabelBeyondTheClassNames_NamesTheLabelsFile()
    {
        using var dir = new TempDirectory();
        Fixtures.WriteIdxFolder(dir.Path, 6, 4, 3);
        File.WriteAllLines(dir.File("classes.txt"), ["cat", "dog"]);
        var e = Assert.Throws<InvalidDataException>(() => DataSources.Load(dir.Path));
        Assert.Contains($"IdxFolder: {dir.File("train-labels-idx1-ubyte.gz")}: expected labels in [0, 2) for the classes [cat, dog], got 2 at index 2.",
            e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownName_ListsTheBuiltIns()
    {
        var e = Assert.Throws<ArgumentException>(() => DataSources.Load("imagenet-1k"));
        Assert.Contains("DataSources: expected a data set name (digits, fashion-mnist, mnist, cifar10) or an existing folder (IDX files, CIFAR batches, or train/ and test/ image folders), got 'imagenet-1k'.",
            e.Message, StringComparison.Ordinal);
    }
}
