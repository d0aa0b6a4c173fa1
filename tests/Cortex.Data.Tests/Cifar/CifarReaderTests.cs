using Cortex.Data.Cifar;

namespace Cortex.Data.Tests.Cifar;

public class CifarReaderTests
{
    [Fact]
    public void Read_Cifar10_SplitsLabelsAndPlanes()
    {
        using var dir = new TempDirectory();
        byte[] records = Fixtures.Cifar10Records(3);
        records[1 + 1024] = 200; // record 0: first green pixel
        File.WriteAllBytes(dir.File("b.bin"), records);
        var batch = CifarReader.Read(dir.File("b.bin"), CifarFormat.Cifar10);
        Assert.Equal(3, batch.Count);
        Assert.Equal([0, 1, 2], batch.Labels);
        Assert.Null(batch.CoarseLabels);
        var ds = batch.ToDataset(Data.Sources.Cifar10.ClassNames, "cifar");
        Assert.Equal(new Tensors.Shape(3, 3, 32, 32), ds.Images.Shape);
        Assert.Equal(200 / 255f, ds.Images[0, 1, 0, 0]); // channel 1 (green), row 0, column 0
        Assert.Equal(0f, ds.Images[0, 2, 0, 0]);
        Assert.Equal(2 / 255f, ds.Images[2, 2, 31, 31]);
        Assert.Equal("automobile", ds.ClassNames[ds.Label(1)]);
    }

    [Fact]
    public void Read_Cifar100_ReadsCoarseAndFineLabels()
    {
        var records = new byte[2 * 3074];
        records[0] = 19;
        records[1] = 99;
        records[3074] = 4;
        records[3075] = 30;
        records[3074 + 2 + 3071] = 77; // last pixel of record 1
        var batch = CifarReader.Read(new MemoryStream(records), records.Length, "train.bin", CifarFormat.Cifar100);
        Assert.Equal([99, 30], batch.Labels);
        Assert.Equal([19, 4], batch.CoarseLabels!);
        Assert.Equal(77, batch.Pixels[^1]);
    }

    [Fact]
    public void Read_TruncatedRecordFile_Throws()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("data_batch_1.bin"), Fixtures.Cifar10Records(3)[..^10]);
        var e = Assert.Throws<InvalidDataException>(() => CifarReader.Read(dir.File("data_batch_1.bin"), CifarFormat.Cifar10));
        Assert.Contains($"{dir.File("data_batch_1.bin")}: expected a whole number of 3073-byte CIFAR-10 records, got 9209 bytes (2 records and 3063 bytes over). The file is truncated",
            e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LabelOutOfRange_Throws()
    {
        byte[] records = Fixtures.Cifar10Records(3);
        records[2 * 3073] = 10;
        var e = Assert.Throws<InvalidDataException>(() => CifarReader.Read(new MemoryStream(records), records.Length, "x.bin", CifarFormat.Cifar10));
        Assert.Contains("x.bin: expected CIFAR-10 labels in [0, 10), got 10 in record 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TooLarge_RefusedBeforeAllocating()
    {
        var e = Assert.Throws<InvalidDataException>(() => CifarReader.Read(new MemoryStream(), 3073L * 1_000_000, "big.bin", CifarFormat.Cifar10));
        Assert.Contains($"big.bin: expected at most {CifarReader.DefaultMaxBytes} bytes, got 3073000000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_StreamShorterThanDeclared_Throws()
    {
        byte[] records = Fixtures.Cifar10Records(2);
        var e = Assert.Throws<InvalidDataException>(() => CifarReader.Read(new MemoryStream(records), 3 * 3073, "s.bin", CifarFormat.Cifar10));
        Assert.Contains("s.bin: expected 9219 bytes, got 6146. The file is truncated.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Concat_JoinsInOrder()
    {
        var a = CifarReader.Read(new MemoryStream(Fixtures.Cifar10Records(2)), 2 * 3073, "a", CifarFormat.Cifar10);
        var b = CifarReader.Read(new MemoryStream(Fixtures.Cifar10Records(1, first: 7)), 3073, "b", CifarFormat.Cifar10);
        var both = CifarBatch.Concat([a, b]);
        Assert.Equal([0, 1, 7], both.Labels);
        Assert.Equal(7, both.Pixels[2 * 3072]);
    }
}
