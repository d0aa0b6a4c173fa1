// ConvolutionArguments.cs — the span-length checks shared by im2col, col2im, the convolution
// kernels and their reference twins, so a bad call is refused at the entry with the sizes that
// disagree, never as an IndexOutOfRange deep inside a loop.
namespace Cortex.Kernels;

internal static class ConvolutionArguments
{
    public static void CheckBatch(string who, int batch)
    {
        if (batch < 0)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"{who}: expected a batch size ≥ 0, got {batch}.");
    }

    public static void CheckCount(string who, string name, int count, string meaning)
    {
        if (count < 1)
            throw new ArgumentOutOfRangeException(name, count, $"{who}: expected {name} ≥ 1 ({meaning}), got {count}.");
    }

    /// <summary>The span must hold exactly <paramref name="expected"/> elements.</summary>
    public static void CheckExact(string who, string name, string layout, long expected, int actual)
    {
        if (actual != expected)
            throw new ArgumentException(
                $"{who}: expected {name} {layout} = {expected} elements, got {actual}. Check the geometry against the tensor's shape.", name);
    }

    /// <summary>The span must hold at least <paramref name="expected"/> elements (scratch buffers may be larger).</summary>
    public static void CheckAtLeast(string who, string name, string layout, long expected, int actual)
    {
        if (actual < expected)
            throw new ArgumentException(
                $"{who}: expected {name} {layout} of at least {expected} elements, got {actual}. Size it with Conv2dGeometry.ColumnSize.", name);
    }

    public static string Image(in Conv2dGeometry g) => $"(C={g.Channels}, H={g.Height}, W={g.Width})";

    public static string Images(in Conv2dGeometry g, int batch) => $"(N={batch}, C={g.Channels}, H={g.Height}, W={g.Width})";

    public static string Column(in Conv2dGeometry g, int batch) => batch == 1
        ? $"(C*KH*KW={g.PatchSize}, OH*OW={g.OutputPlaneSize})"
        : $"(C*KH*KW={g.PatchSize}, N*OH*OW={(long)batch * g.OutputPlaneSize})";
}
