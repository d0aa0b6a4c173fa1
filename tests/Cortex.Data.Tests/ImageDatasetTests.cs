using Cortex.Tensors;

namespace Cortex.Data.Tests;

public class ImageDatasetTests
{
    private static readonly string[] ThreeClasses = ["a", "b", "c"];

    /// <summary>5 images of (2, 2, 2); image i holds the values 10·i + k for k = 0…7; label i % 3.</summary>
    private static ImageDataset Numbered()
    {
        var values = new float[5 * 8];
        for (int i = 0; i < values.Length; i++)
            values[i] = 10 * (i / 8) + i % 8;
        return new ImageDataset(new Tensor(values, new Shape(5, 2, 2, 2)), [0, 1, 2, 0, 1], ThreeClasses, "numbered");
    }

    [Fact]
    public void FromBytes_ScalesToUnitRange()
    {
        var ds = ImageDataset.FromBytes([0, 51, 255, 128], [1, 0], new Shape(1, 1, 2), ["x", "y"], "tiny");
        Assert.Equal([0f, 51 / 255f, 1f, 128 / 255f], ds.Images.ToArray());
        Assert.Equal(new Shape(2, 1, 1, 2), ds.Images.Shape);
        Assert.Equal(new Shape(1, 1, 2), ds.SampleShape);
        Assert.Equal([1, 0], ds.Labels.ToArray());
        Assert.Equal(2, ds.Count);
        Assert.Equal(2, ds.NumClasses);
        Assert.Equal("tiny: 2 images [1, 1, 2], 2 classes", ds.ToString());
    }

    [Fact]
    public void Constructor_LabelOutOfRange_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new ImageDataset(new Tensor(2, 1, 1, 1), [0, 3], ThreeClasses, "bad"));
        Assert.Contains("ImageDataset bad: expected labels in [0, 3), got 3 at index 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_CountMismatch_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new ImageDataset(new Tensor(2, 1, 1, 1), [0], ThreeClasses, "bad"));
        Assert.Contains("ImageDataset bad: expected one label per image (2), got 1 labels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NotRank4_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new ImageDataset(new Tensor(2, 4), [0, 1], ThreeClasses, "flat"));
        Assert.Contains("ImageDataset flat: expected images of shape (N, C, H, W), got [2, 4]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromBytes_WrongPixelCount_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => ImageDataset.FromBytes(new byte[7], [0, 1], new Shape(1, 2, 2), ThreeClasses, "px"));
        Assert.Contains("ImageDataset px: expected 2 samples of [1, 2, 2] = 8 pixel bytes, got 7", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CopyBatch_CopiesTheIndexedImagesAndLabels()
    {
        var ds = Numbered();
        var x = new Tensor(3, 2, 2, 2);
        var y = new int[3];
        ds.CopyBatch([4, 0, 2], x, y);
        Assert.Equal([1, 0, 2], y);
        for (int b = 0; b < 3; b++)
        {
            int source = new[] { 4, 0, 2 }[b];
            Assert.Equal(ds.Image(source).ToArray(), x.SliceBatch(b, 1).ToArray());
            Assert.Equal(10f * source + 7, x[b, 1, 1, 1]);
        }
    }

    [Fact]
    public void CopyBatch_AllocatesNothing()
    {
        var ds = Numbered();
        var x = new Tensor(2, 2, 2, 2);
        var y = new int[2];
        int[] indices = [3, 1];
        ds.CopyBatch(indices, x, y); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
            ds.CopyBatch(indices, x, y);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void CopyBatch_WrongBatchShape_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => Numbered().CopyBatch([0, 1], new Tensor(3, 2, 2, 2), new int[2]));
        Assert.Contains("ImageDataset numbered: expected a batch tensor [2, 2, 2, 2] for 2 indices, got [3, 2, 2, 2]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CopyBatch_IndexOutOfRange_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Numbered().CopyBatch([0, 5], new Tensor(2, 2, 2, 2), new int[2]));
        Assert.Contains("ImageDataset numbered: expected indices in [0, 5), got 5 at batch position 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Subset_CopiesInOrder()
    {
        var ds = Numbered();
        var sub = ds.Subset([3, 1]);
        Assert.Equal(2, sub.Count);
        Assert.Equal([0, 1], sub.Labels.ToArray());
        Assert.Equal(30f, sub.Images[0, 0, 0, 0]);
        Assert.Equal(10f, sub.Images[1, 0, 0, 0]);
        sub.Images.Span[0] = -1f;
        Assert.Equal(30f, ds.Images[3, 0, 0, 0]); // a copy
        Assert.Equal(ThreeClasses, sub.ClassNames);
    }

    [Fact]
    public void TakeAndSkip_AreViews()
    {
        var ds = Numbered();
        var head = ds.Take(2);
        var tail = ds.Skip(2);
        Assert.Equal(2, head.Count);
        Assert.Equal(3, tail.Count);
        Assert.Equal([2, 0, 1], tail.Labels.ToArray());
        Assert.Equal(20f, tail.Images[0, 0, 0, 0]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ds.Take(6));
        Assert.Contains("expected a count in [0, 5], got 6", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_WithoutRandom_HoldsOutTheLastImages()
    {
        var (train, validation) = Numbered().Split(0.4);
        Assert.Equal(3, train.Count);
        Assert.Equal(2, validation.Count);
        Assert.Equal(30f, validation.Images[0, 0, 0, 0]);
    }

    [Fact]
    public void Split_WithRandom_IsAPartitionAndReproducible()
    {
        var ds = Numbered();
        var (a1, b1) = ds.Split(0.4, new CortexRandom(7));
        var (a2, b2) = ds.Split(0.4, new CortexRandom(7));
        Assert.Equal(a1.Images.ToArray(), a2.Images.ToArray());
        Assert.Equal(b1.Images.ToArray(), b2.Images.ToArray());
        var firstPixels = a1.Images.ToArray().Where((_, i) => i % 8 == 0).Concat(b1.Images.ToArray().Where((_, i) => i % 8 == 0));
        Assert.Equal([0f, 10, 20, 30, 40], firstPixels.Order());
    }

    [Fact]
    public void ClassCounts_CountsLabels()
    {
        Assert.Equal([2, 2, 1], Numbered().ClassCounts());
    }

    [Fact]
    public void DatasetSplit_MismatchedClasses_Throws()
    {
        var ds = Numbered();
        var other = new ImageDataset(new Tensor(1, 2, 2, 2), [0], ["z"], "other");
        var e = Assert.Throws<ArgumentException>(() => new DatasetSplit(ds, other));
        Assert.Contains("DatasetSplit: expected train and test to share class names, got [a, b, c] and [z]", e.Message, StringComparison.Ordinal);
    }
}
