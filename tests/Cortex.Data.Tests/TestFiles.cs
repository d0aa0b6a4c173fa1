// TestFiles.cs — helpers shared by the data tests: a temporary folder that deletes itself, an
// HTTP handler that serves in-memory bytes (so no test touches the network), and small
// generators for IDX and CIFAR content.
using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using Cortex.Data.Download;
using Cortex.Data.Idx;

namespace Cortex.Data.Tests;

internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cortex-data-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Serves fixed bytes for fixed URIs; anything else is 404. Records every request.</summary>
internal sealed class FakeHttpHandler : HttpMessageHandler
{
    private readonly Dictionary<Uri, byte[]> _content = [];

    public List<Uri> Requests { get; } = [];

    public FakeHttpHandler Serve(Uri uri, byte[] bytes)
    {
        _content[uri] = bytes;
        return this;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Add(request.RequestUri!);
        var response = _content.TryGetValue(request.RequestUri!, out var bytes)
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(bytes) }
            : new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new ByteArrayContent([]) };
        response.RequestMessage = request;
        return Task.FromResult(response);
    }
}

internal static class Fixtures
{
    public static string Md5(byte[] bytes) => Checksum.Compute(new MemoryStream(bytes), "md5");

    public static byte[] Gzip(byte[] bytes)
    {
        using var memory = new MemoryStream();
        using (var gz = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(bytes);
        return memory.ToArray();
    }

    public static byte[] IdxBytes(IdxArray array)
    {
        using var memory = new MemoryStream();
        IdxWriter.Write(memory, array);
        return memory.ToArray();
    }

    /// <summary>N images of h×w whose pixels encode (image, position), and labels i % classes.</summary>
    public static (IdxArray Images, IdxArray Labels) MnistLike(int n, int h, int w, int classes, int seed = 0)
    {
        var pixels = new byte[n * h * w];
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = (byte)((i * 7 + seed) % 256);
        var labels = new byte[n];
        for (int i = 0; i < n; i++)
            labels[i] = (byte)((i + seed) % classes);
        return (new IdxArray([n, h, w], pixels), new IdxArray([n], labels));
    }

    /// <summary>Writes an MNIST-layout folder (gzip'd, or raw) with train and test sets.</summary>
    public static void WriteIdxFolder(string directory, int train, int test, int classes, bool gzip = true, string testPrefix = "t10k")
    {
        string ext = gzip ? ".gz" : "";
        var (ti, tl) = MnistLike(train, 4, 3, classes);
        var (si, sl) = MnistLike(test, 4, 3, classes, seed: 1);
        IdxWriter.Write(Path.Combine(directory, $"train-images-idx3-ubyte{ext}"), ti);
        IdxWriter.Write(Path.Combine(directory, $"train-labels-idx1-ubyte{ext}"), tl);
        IdxWriter.Write(Path.Combine(directory, $"{testPrefix}-images-idx3-ubyte{ext}"), si);
        IdxWriter.Write(Path.Combine(directory, $"{testPrefix}-labels-idx1-ubyte{ext}"), sl);
    }

    /// <summary>CIFAR-10 records: image i has label i % 10 and every pixel equal to (i + first) % 256.</summary>
    public static byte[] Cifar10Records(int count, int first = 0)
    {
        var bytes = new byte[count * 3073];
        for (int i = 0; i < count; i++)
        {
            bytes[i * 3073] = (byte)((i + first) % 10);
            bytes.AsSpan(i * 3073 + 1, 3072).Fill((byte)((i + first) % 256));
        }
        return bytes;
    }

    /// <summary>A .tar.gz holding the given members.</summary>
    public static byte[] TarGz(params (string Name, byte[] Data)[] members)
    {
        using var memory = new MemoryStream();
        using (var gz = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gz, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, data) in members)
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
        }
        return memory.ToArray();
    }

    /// <summary>A fake CIFAR-10 binary archive: five training batches of <paramref name="perBatch"/> and a test batch.</summary>
    public static byte[] FakeCifar10Archive(int perBatch)
    {
        var members = new List<(string, byte[])> { ("cifar-10-batches-bin/batches.meta.txt", "airplane\n"u8.ToArray()) };
        for (int b = 1; b <= 5; b++)
            members.Add(($"cifar-10-batches-bin/data_batch_{b}.bin", Cifar10Records(perBatch, first: (b - 1) * perBatch)));
        members.Add(("cifar-10-batches-bin/test_batch.bin", Cifar10Records(perBatch, first: 100)));
        return TarGz([.. members]);
    }
}
