using Cortex.Data.Download;
using Cortex.Data.Idx;
using Cortex.Data.Sources;

namespace Cortex.Data.Tests.Sources;

/// <summary>MNIST and CIFAR-10 end to end (download → verify → extract → read), served by a fake handler: no network.</summary>
public class DownloadSourcesTests
{
    [Fact]
    public async Task Cifar10_DownloadVerifyExtractRead()
    {
        using var cache = new TempDirectory();
        byte[] archive = Fixtures.FakeCifar10Archive(perBatch: 4);
        var handler = new FakeHttpHandler().Serve(Cifar10.Archive.Sources[0], archive);
        var fake = Cifar10.Archive with { Checksum = Checksum.Md5(Fixtures.Md5(archive)), Size = null };
        using var downloader = new FileDownloader(handler);

        var (train, test) = await Cifar10.LoadAsync(cache.Path, downloader, fake, TestContext.Current.CancellationToken);

        Assert.Equal(20, train.Count);
        Assert.Equal(4, test.Count);
        Assert.Equal(new Tensors.Shape(3, 32, 32), train.SampleShape);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i % 10), train.Labels.ToArray());
        Assert.Equal(13 / 255f, train.Images[13, 2, 5, 5]); // batch 4, record 1: pixel value 13
        Assert.Equal("truck", test.ClassNames[9]);
        Assert.True(File.Exists(Path.Combine(cache.Path, "cifar10", "cifar-10-binary.tar.gz")));
        Assert.True(File.Exists(Path.Combine(cache.Path, "cifar10", "cifar-10-batches-bin", "test_batch.bin")));
        Assert.False(File.Exists(Path.Combine(cache.Path, "cifar10", "cifar-10-batches-bin", "batches.meta.txt"))); // only the six batches

        // Second load: already extracted, no request at all.
        handler.Requests.Clear();
        var again = await Cifar10.LoadAsync(cache.Path, downloader, fake, TestContext.Current.CancellationToken);
        Assert.Empty(handler.Requests);
        Assert.Equal(20, again.Train.Count);

        // Batches deleted after extraction: the archive in the cache is verified and extracted again.
        File.Delete(Path.Combine(cache.Path, "cifar10", "cifar-10-batches-bin", "data_batch_3.bin"));
        Assert.Equal(20, (await Cifar10.LoadAsync(cache.Path, downloader, fake, TestContext.Current.CancellationToken)).Train.Count);
        Assert.Empty(handler.Requests);

        // The extracted folder also loads as a path.
        Assert.Equal(4, DataSources.Load(Path.Combine(cache.Path, "cifar10", "cifar-10-batches-bin")).Test.Count);
    }

    [Fact]
    public void Cifar10_ThroughDataSources_RefusesAnArchiveWithTheWrongChecksum()
    {
        using var cache = new TempDirectory();
        var handler = new FakeHttpHandler().Serve(Cifar10.Archive.Sources[0], Fixtures.FakeCifar10Archive(perBatch: 1));
        var e = Assert.Throws<IOException>(() => DataSources.Load("cifar10", new DataSourceOptions { CacheDirectory = cache.Path, HttpHandler = handler }));
        Assert.Contains("checksum mismatch: expected md5 c32a1d4ab5d03f1284b67883e8d87530", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(cache.Path, "cifar10")));
    }

    [Fact]
    public async Task Cifar10_TruncatedBatchInArchive_IsRefused()
    {
        using var cache = new TempDirectory();
        var members = new List<(string, byte[])>();
        for (int b = 1; b <= 5; b++)
            members.Add(($"cifar-10-batches-bin/data_batch_{b}.bin", Fixtures.Cifar10Records(2)));
        members.Add(("cifar-10-batches-bin/test_batch.bin", Fixtures.Cifar10Records(2)[..^1]));
        byte[] archive = Fixtures.TarGz([.. members]);
        var handler = new FakeHttpHandler().Serve(Cifar10.Archive.Sources[0], archive);
        var fake = Cifar10.Archive with { Checksum = Checksum.Md5(Fixtures.Md5(archive)), Size = null };
        using var downloader = new FileDownloader(handler);
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => Cifar10.LoadAsync(cache.Path, downloader, fake, TestContext.Current.CancellationToken));
        Assert.Contains("test_batch.bin: expected a whole number of 3073-byte CIFAR-10 records, got 6145 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cifar10_Extract_IgnoresOtherPathsAndRequiresEveryBatch()
    {
        using var dir = new TempDirectory();
        byte[] archive = Fixtures.TarGz(
            ("../evil/data_batch_1.bin", Fixtures.Cifar10Records(1)),
            ("cifar-10-batches-bin/data_batch_1.bin", Fixtures.Cifar10Records(1)));
        File.WriteAllBytes(dir.File("a.tar.gz"), archive);
        string destination = Path.Combine(dir.Path, "out");
        var e = Assert.Throws<InvalidDataException>(() => Cifar10.Extract(dir.File("a.tar.gz"), destination));
        Assert.Contains("missing data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin", e.Message, StringComparison.Ordinal);
        Assert.Equal(["data_batch_1.bin"], Directory.GetFiles(destination).Select(Path.GetFileName));
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "evil")));
    }

    [Fact]
    public void Cifar10_Extract_CorruptArchive_Throws()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("a.tar.gz"), [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5]);
        var e = Assert.Throws<InvalidDataException>(() => Cifar10.Extract(dir.File("a.tar.gz"), Path.Combine(dir.Path, "out")));
        Assert.StartsWith($"Cifar10: {dir.File("a.tar.gz")}: expected", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mnist_DownloadVerifyRead()
    {
        using var cache = new TempDirectory();
        var (trainImages, trainLabels) = Fixtures.MnistLike(6, 28, 28, 10);
        var (testImages, testLabels) = Fixtures.MnistLike(3, 28, 28, 10, seed: 5);
        IdxArray[] arrays = [trainImages, trainLabels, testImages, testLabels];
        var handler = new FakeHttpHandler();
        var files = new List<RemoteFile>();
        for (int i = 0; i < 4; i++)
        {
            byte[] gz = Fixtures.Gzip(Fixtures.IdxBytes(arrays[i]));
            var real = Mnist.Files[i];
            handler.Serve(real.Sources[1], gz); // the first mirror answers 404: the fallback is exercised too
            files.Add(real with { Checksum = Checksum.Md5(Fixtures.Md5(gz)), Size = null });
        }
        using var downloader = new FileDownloader(handler);
        var (train, test) = await Mnist.LoadAsync(cache.Path, downloader, files, TestContext.Current.CancellationToken);
        Assert.Equal(6, train.Count);
        Assert.Equal(3, test.Count);
        Assert.Equal(new Tensors.Shape(1, 28, 28), train.SampleShape);
        Assert.Equal(10, train.NumClasses);
        Assert.Equal(8, handler.Requests.Count);
        Assert.Equal(4, Directory.GetFiles(Path.Combine(cache.Path, "mnist")).Length);
    }

    [Fact]
    public void Mnist_ThroughDataSources_RefusesFilesWithTheWrongChecksum()
    {
        using var cache = new TempDirectory();
        var handler = new FakeHttpHandler();
        foreach (var file in Mnist.Files)
            handler.Serve(file.Sources[0], Fixtures.Gzip([0, 0, 8, 1, 0, 0, 0, 0]));
        var e = Assert.Throws<IOException>(() => DataSources.Load("mnist", new DataSourceOptions { CacheDirectory = cache.Path, HttpHandler = handler }));
        Assert.Contains("FileDownloader: expected train-images-idx3-ubyte.gz (md5 f68b3c2dcbeaaa9fbdd348bbdeb94873)", e.Message, StringComparison.Ordinal);
        Assert.Contains("https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz: checksum mismatch", e.Message, StringComparison.Ordinal);
        Assert.Contains("http://yann.lecun.com/exdb/mnist/train-images-idx3-ubyte.gz: HTTP 404", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(cache.Path, "mnist")));
    }
}
