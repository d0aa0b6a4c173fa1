// Translation.cs — the integer-offset copy behind RandomCrop, RandomShift and CenterCrop:
//   y[c, i, j] = x[c, i + dy, j + dx]   for an output of outH × outW,
// reading outside x through a FillMode. Rows that lie wholly inside are block copies.
namespace Cortex.Data.Transforms;

/// <summary>Copies a window of an image at an integer offset, filling outside the image.</summary>
public static class Translation
{
    /// <summary>
    /// Writes the <paramref name="height"/>×<paramref name="width"/> window whose top-left corner is source pixel
    /// (<paramref name="top"/>, <paramref name="left"/>) (either may be negative or run past the edge) into
    /// <paramref name="destination"/>.
    /// </summary>
    public static void Copy(ReadOnlySpan<float> source, ImageSize size, Span<float> destination, int height, int width,
        int top, int left, FillMode fill = FillMode.Constant, float fillValue = 0f)
    {
        int h = size.Height, w = size.Width;
        bool columnsInside = left >= 0 && left + width <= w;
        for (int c = 0; c < size.Channels; c++)
        {
            var plane = source.Slice(c * h * w, h * w);
            for (int i = 0; i < height; i++)
            {
                var output = destination.Slice((c * height + i) * width, width);
                int si = FillModes.Map(top + i, h, fill);
                if (si < 0)
                {
                    output.Fill(fillValue);
                    continue;
                }
                var row = plane.Slice(si * w, w);
                if (columnsInside)
                {
                    row.Slice(left, width).CopyTo(output);
                    continue;
                }
                for (int j = 0; j < width; j++)
                {
                    int sj = FillModes.Map(left + j, w, fill);
                    output[j] = sj < 0 ? fillValue : row[sj];
                }
            }
        }
    }
}
