using Cortex.Data;
using Cortex.Data.Idx;

namespace Cortex.Cli.Tests;

/// <summary>Writes the first images of a digits set as an IDX pair, for commands to load as a folder.</summary>
internal static class DigitFiles
{
    /// <summary>
    /// <paramref name="folder"/>/<paramref name="prefix"/>-images-idx3-ubyte.gz and -labels-idx1-ubyte.gz from the first
    /// <paramref name="count"/> images of <paramref name="set"/>; <paramref name="label"/>, when given, replaces each label.
    /// </summary>
    public static void Write(string folder, ImageDataset set, int count, string prefix, Func<int, byte>? label = null)
    {
        var pixels = new byte[count * 28 * 28];
        var x = set.Images.Span;
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = (byte)MathF.Round(x[i] * 255f);
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
            labels[i] = label?.Invoke(i) ?? (byte)set.Labels[i];
        IdxWriter.Write(Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz"), new IdxArray([count, 28, 28], pixels));
        IdxWriter.Write(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz"), new IdxArray([count], labels));
    }
}
