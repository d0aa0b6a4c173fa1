using Cortex.Data.Download;

namespace Cortex.Data.Tests.Download;

public class FileDownloaderTests
{
    private static readonly byte[] Payload = [.. Enumerable.Range(0, 3000).Select(i => (byte)(i * 31))];
    private static readonly Uri First = new("https://mirror-one.invalid/data/");
    private static readonly Uri Second = new("https://mirror-two.invalid/data/");

    private static RemoteFile File1(long? size = null, string? md5 = null) =>
        RemoteFile.AtMirrors("payload.bin", [First, Second], Checksum.Md5(md5 ?? Fixtures.Md5(Payload)), size);

    [Fact]
    public async Task Ensure_DownloadsVerifiesAndReportsProgress()
    {
        using var dir = new TempDirectory();
        var handler = new FakeHttpHandler().Serve(new Uri(First, "payload.bin"), Payload);
        var reports = new List<DownloadProgress>();
        using var downloader = new FileDownloader(handler, new SynchronousProgress<DownloadProgress>(reports.Add));
        string path = await downloader.EnsureAsync(File1(), dir.Path, TestContext.Current.CancellationToken);
        Assert.Equal(dir.File("payload.bin"), path);
        Assert.Equal(Payload, File.ReadAllBytes(path));
        Assert.Equal(0, reports[0].BytesReceived);
        Assert.Equal(3000, reports[^1].BytesReceived);
        Assert.Equal(1.0, reports[^1].Fraction);
        Assert.Equal(["payload.bin"], Directory.GetFiles(dir.Path).Select(Path.GetFileName)); // no temporary left behind
    }

    [Fact]
    public async Task Ensure_VerifiedFileAlreadyThere_IsNotFetchedAgain()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("payload.bin"), Payload);
        var handler = new FakeHttpHandler();
        using var downloader = new FileDownloader(handler);
        await downloader.EnsureAsync(File1(), dir.Path, TestContext.Current.CancellationToken);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Ensure_CorruptFileAlreadyThere_IsReplaced()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("payload.bin"), Payload[..100]);
        var handler = new FakeHttpHandler().Serve(new Uri(First, "payload.bin"), Payload);
        using var downloader = new FileDownloader(handler);
        await downloader.EnsureAsync(File1(), dir.Path, TestContext.Current.CancellationToken);
        Assert.Equal(Payload, File.ReadAllBytes(dir.File("payload.bin")));
    }

    [Fact]
    public async Task Ensure_FirstMirrorMissing_FallsBackToTheNext()
    {
        using var dir = new TempDirectory();
        var handler = new FakeHttpHandler().Serve(new Uri(Second, "payload.bin"), Payload);
        using var downloader = new FileDownloader(handler);
        await downloader.EnsureAsync(File1(), dir.Path, TestContext.Current.CancellationToken);
        Assert.Equal([new Uri(First, "payload.bin"), new Uri(Second, "payload.bin")], handler.Requests);
        Assert.Equal(Payload, File.ReadAllBytes(dir.File("payload.bin")));
    }

    [Fact]
    public async Task Ensure_ChecksumMismatch_IsRefusedAndNothingIsKept()
    {
        using var dir = new TempDirectory();
        byte[] tampered = [.. Payload];
        tampered[1234] ^= 0xFF;
        var handler = new FakeHttpHandler().Serve(new Uri(First, "payload.bin"), tampered);
        using var downloader = new FileDownloader(handler);
        var e = await Assert.ThrowsAsync<IOException>(() => downloader.EnsureAsync(File1(), dir.Path, TestContext.Current.CancellationToken));
        Assert.Contains($"FileDownloader: expected payload.bin (md5 {Fixtures.Md5(Payload)}) from one of 2 source(s), got none:", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{new Uri(First, "payload.bin")}: checksum mismatch: expected md5 {Fixtures.Md5(Payload)}, got md5 {Fixtures.Md5(tampered)} (3000 bytes)",
            e.Message, StringComparison.Ordinal);
        Assert.Contains($"{new Uri(Second, "payload.bin")}: HTTP 404 Not Found", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task Ensure_SourceSendsMoreThanTheKnownSize_IsCutOff()
    {
        using var dir = new TempDirectory();
        var handler = new FakeHttpHandler().Serve(new Uri(First, "payload.bin"), Payload);
        using var downloader = new FileDownloader(handler);
        var e = await Assert.ThrowsAsync<IOException>(() => downloader.EnsureAsync(File1(size: 2000), dir.Path, TestContext.Current.CancellationToken));
        Assert.Contains("expected 2000 bytes, the source announces 3000", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task Ensure_FileUri_CopiesALocalMirror()
    {
        using var source = new TempDirectory();
        using var target = new TempDirectory();
        File.WriteAllBytes(source.File("payload.bin"), Payload);
        var file = new RemoteFile("payload.bin", [new Uri(source.File("payload.bin"))], Checksum.Md5(Fixtures.Md5(Payload)));
        using var downloader = new FileDownloader(new FakeHttpHandler());
        string path = await downloader.EnsureAsync(file, target.Path, TestContext.Current.CancellationToken);
        Assert.Equal(Payload, File.ReadAllBytes(path));
    }

    [Fact]
    public void Checksum_BadHex_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => Checksum.Sha256("abc"));
        Assert.Contains("Checksum: expected 64 hex digits, got 'abc'", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Calls the handler on the reporting thread (System.Progress posts asynchronously).</summary>
    private sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
    {
        public void Report(T value) => handler(value);
    }
}
