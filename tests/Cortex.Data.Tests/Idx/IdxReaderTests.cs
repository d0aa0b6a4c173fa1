using Cortex.Data.Idx;

namespace Cortex.Data.Tests.Idx;

public class IdxReaderTests
{
    private static readonly IdxArray Images = Fixtures.MnistLike(5, 4, 3, 10).Images;

    [Theory]
    [InlineData("images-idx3-ubyte")]
    [InlineData("images-idx3-ubyte.gz")]
    public void WriteThenRead_RoundTrips(string fileName)
    {
        using var dir = new TempDirectory();
        string path = dir.File(fileName);
        IdxWriter.Write(path, Images);
        var back = IdxReader.Read(path);
        Assert.Equal([5, 4, 3], back.Dimensions.ToArray());
        Assert.Equal(Images.Data, back.Data);
        bool gz = File.ReadAllBytes(path) is [0x1f, 0x8b, ..];
        Assert.Equal(fileName.EndsWith(".gz", StringComparison.Ordinal), gz);
    }

    [Fact]
    public void Read_DetectsGzipByContentNotName()
    {
        using var dir = new TempDirectory();
        string gzNamedRaw = dir.File("labels.gz");
        string rawNamedGz = dir.File("labels-idx1-ubyte");
        var labels = new IdxArray([3], [7, 2, 1]);
        IdxWriter.Write(gzNamedRaw, labels, gzip: false);
        IdxWriter.Write(rawNamedGz, labels, gzip: true);
        Assert.Equal(labels.Data, IdxReader.Read(gzNamedRaw).Data);
        Assert.Equal(labels.Data, IdxReader.Read(rawNamedGz).Data);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_UnseekableStream_Works(bool gzip)
    {
        byte[] bytes = Fixtures.IdxBytes(Images);
        if (gzip)
            bytes = Fixtures.Gzip(bytes);
        using var stream = new ForwardOnlyStream(bytes);
        Assert.Equal(Images.Data, IdxReader.Read(stream, "pipe").Data);
    }

    [Fact]
    public void Read_BadMagic_Throws()
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad");
        File.WriteAllBytes(path, [0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0]);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("expected magic 00 00 <type> <rank>, got 504B0304", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_FloatElementType_RefusedByName()
    {
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream([0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0]), "floats"));
        Assert.Contains("floats: expected element type 0x08 (unsigned byte), got 0x0D (float32)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ZeroDimensions_Throws()
    {
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream([0, 0, 8, 0]), "flat"));
        Assert.Contains("flat: expected at least 1 dimension, got 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EmptyFile_Throws()
    {
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream([]), "empty"));
        Assert.Contains("empty: expected a 4-byte IDX header in the file, got 0 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedRaw_NamesFileAndByteCounts()
    {
        using var dir = new TempDirectory();
        string path = dir.File("train-images-idx3-ubyte");
        File.WriteAllBytes(path, Fixtures.IdxBytes(Images)[..^7]); // 16 + 60 bytes, 7 missing
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.Contains($"{path}: expected 76 bytes (16-byte header + 60 for [5, 4, 3]), got 69. The file is truncated.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedHeader_Throws()
    {
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream([0, 0, 8, 3, 0, 0, 0, 5, 0, 0]), "short"));
        Assert.Contains("short: expected a 16-byte header for 3 dimensions in the file, got 10 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedGzip_NamesDecompressedByteCounts()
    {
        byte[] gz = Fixtures.Gzip(Fixtures.IdxBytes(Images)[..^7]); // a well-formed gzip of a short file
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(gz), "t.gz"));
        Assert.Contains("t.gz: expected 76 bytes after decompression (16-byte header + 60 for [5, 4, 3]), got 69. The file is truncated.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_CutGzipStream_Throws()
    {
        byte[] gz = Fixtures.Gzip(Fixtures.IdxBytes(Images));
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(gz[..(gz.Length / 2)]), "cut.gz"));
        Assert.StartsWith("IdxReader: cut.gz: expected", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_CorruptGzip_Throws()
    {
        byte[] gz = Fixtures.Gzip(Fixtures.IdxBytes(Images));
        for (int i = 12; i < gz.Length - 8; i++)
            gz[i] ^= 0x5A;
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(gz), "garbled.gz"));
        Assert.StartsWith("IdxReader: garbled.gz: expected", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TrailingBytesRaw_Throws()
    {
        using var dir = new TempDirectory();
        string path = dir.File("long");
        File.WriteAllBytes(path, [.. Fixtures.IdxBytes(Images), 1, 2, 3]);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.Contains($"{path}: expected 76 bytes (16-byte header + 60 for [5, 4, 3]), got 79: 3 bytes of trailing data", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TrailingBytesGzip_Throws()
    {
        byte[] gz = Fixtures.Gzip([.. Fixtures.IdxBytes(Images), 9, 9]);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(gz), "long.gz"));
        Assert.Contains("long.gz: expected 76 bytes after decompression (16-byte header + 60 for [5, 4, 3]), got 78: 2 bytes of trailing data", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HugeDeclaredSize_RefusedBeforeAllocating()
    {
        // [65536, 65536, 65536] = 2^48 elements: far past any limit.
        byte[] header = [0, 0, 8, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0];
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(header), "huge"));
        Assert.Contains($"huge: expected at most {IdxReader.DefaultMaxElements} elements, got a header declaring [65536, 65536, 65536] = more than 2147483647",
            e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LargeDeclaredSizeInTinyGzip_IsTruncationNotAllocation()
    {
        // [1000000000] = 10^9 bytes declared (under a raised cap of 2^30), 3 delivered: refused as truncated;
        // the buffer grows only as data arrives, so this does not allocate a gigabyte.
        byte[] gz = Fixtures.Gzip([0, 0, 8, 1, 0x3B, 0x9A, 0xCA, 0x00, 1, 2, 3]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(gz), "liar.gz", maxElements: 1 << 30));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("liar.gz: expected 1000000008 bytes after decompression (8-byte header + 1000000000 for [1000000000]), got 11", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 64L << 20, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Read_GzipDeclaringAThousandCubed_IsRefusedByTheDefaultCap()
    {
        // Issue 15: a 1 MB gzip whose header says 1000×1000×1000 grew Cortex to 5.8 GB under the old 2^30 cap.
        byte[] gz = Fixtures.Gzip([0, 0, 8, 3, 0, 0, 0x03, 0xE8, 0, 0, 0x03, 0xE8, 0, 0, 0x03, 0xE8, 1, 2, 3]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(gz), "cube.gz"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("cube.gz: expected at most 268435456 elements, got a header declaring [1000, 1000, 1000] = 1000000000", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 1L << 20, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Read_MaxElements_IsEnforced()
    {
        byte[] bytes = Fixtures.IdxBytes(Images);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(bytes), "small", maxElements: 59));
        Assert.Contains("small: expected at most 59 elements, got a header declaring [5, 4, 3] = 60", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IdxArray_WrongDataLength_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new IdxArray([2, 2], new byte[3]));
        Assert.Contains("IdxArray: dimensions [2, 2] need 4 bytes, got 3", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A stream that can only be read forward (like a network or pipe stream).</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
        public override long Length => throw new NotSupportedException();
    }
}
