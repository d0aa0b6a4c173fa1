// CifarReader.cs — reads CIFAR-10 / CIFAR-100 binary files (https://www.cs.toronto.edu/~kriz/cifar.html).
//
// A file is a sequence of fixed-size records and nothing else:
//   CIFAR-10   <label> <3072 pixels>                 3073 bytes, label in [0, 10)
//   CIFAR-100  <coarse> <fine> <3072 pixels>         3074 bytes, coarse in [0, 20), fine in [0, 100)
// The 3072 pixels are the red, green and blue 32×32 planes, each row-major: exactly (C, H, W).
// A length that is not a whole number of records (a truncated file) or a label out of range is
// refused with the file's name; the size is checked against a cap before anything is allocated.
// The Python (pickle) versions of CIFAR are deliberately not read: unpickling can run code.
using Cortex.Tensors;

namespace Cortex.Data.Cifar;

/// <summary>Reads CIFAR binary record files into <see cref="CifarBatch"/>.</summary>
/// <example><code>
/// CifarBatch test = CifarReader.Read("cifar-10-batches-bin/test_batch.bin", CifarFormat.Cifar10); // 10,000 images
/// ImageDataset ds = test.ToDataset(Cifar10.ClassNames, "cifar10/test");
/// </code></example>
public static class CifarReader
{
    /// <summary>Pixel bytes per image: 3 × 32 × 32.</summary>
    public const int ImageBytes = 3 * 32 * 32;

    /// <summary>Default cap on a file's size: 1 GiB (CIFAR's largest file, CIFAR-100 train.bin, is 154 MB).</summary>
    public const long DefaultMaxBytes = 1L << 30;

    /// <summary>The shape of one image, (3, 32, 32).</summary>
    public static Shape SampleShape => new(3, 32, 32);

    /// <summary>Bytes per record in <paramref name="format"/>.</summary>
    public static int RecordBytes(CifarFormat format) => LabelBytes(format) + ImageBytes;

    /// <summary>Reads every record of the file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a whole number of records, too large, or has a label out of range.</exception>
    public static CifarBatch Read(string path, CifarFormat format, long maxBytes = DefaultMaxBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(file, file.Length, path, format, maxBytes);
    }

    /// <summary>Reads <paramref name="length"/> bytes of records from <paramref name="stream"/>; <paramref name="name"/> names it in errors.</summary>
    public static CifarBatch Read(Stream stream, long length, string name, CifarFormat format, long maxBytes = DefaultMaxBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        int record = RecordBytes(format);
        string what = format == CifarFormat.Cifar10 ? "CIFAR-10" : "CIFAR-100";
        if (length > maxBytes || length > (long)Array.MaxLength / ImageBytes * record)
            throw new InvalidDataException(
                $"CifarReader: {name}: expected at most {maxBytes} bytes, got {length}. This is not a {what} batch file (or pass a larger maxBytes).");
        if (length == 0 || length % record != 0)
            throw new InvalidDataException(
                $"CifarReader: {name}: expected a whole number of {record}-byte {what} records, got {length} bytes " +
                $"({length / record} records and {length % record} bytes over). The file is truncated or not {what}.");

        int count = (int)(length / record);
        var pixels = new byte[(long)count * ImageBytes];
        var labels = new byte[count];
        byte[]? coarse = format == CifarFormat.Cifar100 ? new byte[count] : null;
        int perChunk = Math.Max(1, (1 << 20) / record);
        var chunk = new byte[perChunk * record];
        for (int first = 0; first < count; first += perChunk)
        {
            int n = Math.Min(perChunk, count - first);
            int got = stream.ReadAtLeast(chunk.AsSpan(0, n * record), n * record, throwOnEndOfStream: false);
            if (got < n * record)
                throw new InvalidDataException(
                    $"CifarReader: {name}: expected {length} bytes, got {(long)first * record + got}. The file is truncated.");
            for (int r = 0; r < n; r++)
            {
                int i = first + r;
                var rec = chunk.AsSpan(r * record, record);
                if (coarse is null)
                {
                    labels[i] = CheckLabel(rec[0], 10, i, name, what);
                }
                else
                {
                    coarse[i] = CheckLabel(rec[0], 20, i, name, "CIFAR-100 coarse");
                    labels[i] = CheckLabel(rec[1], 100, i, name, "CIFAR-100 fine");
                }
                rec[LabelBytes(format)..].CopyTo(pixels.AsSpan(i * ImageBytes, ImageBytes));
            }
        }
        return new CifarBatch(pixels, labels, coarse);
    }

    private static int LabelBytes(CifarFormat format) => format switch
    {
        CifarFormat.Cifar10 => 1,
        CifarFormat.Cifar100 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(format), $"CifarReader: expected Cifar10 or Cifar100, got {format}."),
    };

    private static byte CheckLabel(byte label, int classes, int record, string name, string what)
    {
        if (label >= classes)
            throw new InvalidDataException(
                $"CifarReader: {name}: expected {what} labels in [0, {classes}), got {label} in record {record}. The file is corrupt or not {what}.");
        return label;
    }
}
