// ConvDemoCommand.cs — `cortex conv-demo`: the lectures' convolution examples, computed by the
// library's kernels (Conv2dGeometry, Im2Col, Convolution2d) and printed as matrices.
//
// Holds no math of its own: every number shown comes from a kernel call. Rendering goes to an
// IAnsiConsole so tests can capture it (see Render and the test in tests/Cortex.Cli.Tests).
using System.CommandLine;
using System.Globalization;
using Cortex.Kernels;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Cortex.Cli;

internal static class ConvDemoCommand
{
    // The lectures' worked example: a 4×4 input and a 3×3 filter.
    private static readonly float[] Input4 = [1, 2, 3, 0, 0, 1, 2, 3, 3, 0, 1, 2, 2, 3, 0, 1];
    private static readonly float[] Filter3 = [2, 0, 1, 0, 1, 2, 1, 0, 2];

    // The lectures' 7×7 input for the stride example: the same pattern, continued.
    private static readonly float[] Input7 =
    [
        1, 2, 3, 0, 1, 2, 3,
        0, 1, 2, 3, 0, 1, 2,
        3, 0, 1, 2, 3, 0, 1,
        2, 3, 0, 1, 2, 3, 0,
        1, 2, 3, 0, 1, 2, 3,
        0, 1, 2, 3, 0, 1, 2,
        3, 0, 1, 2, 3, 0, 1,
    ];

    // The lectures' 1-D padding example ("0 덧대기" / "복사 덧대기").
    private static readonly float[] Signal = [3, 2, 4, 5, 1, 20, 2, 2];
    private static readonly float[] Smoother = [0.3f, 0.4f, 0.3f];

    public static Command Create()
    {
        var command = new Command("conv-demo",
            "Show the lectures' convolution examples (stride, padding, bias, im2col) computed by Cortex's kernels.");
        command.SetAction(parseResult =>
        {
            Render(CliConsole.For(parseResult));
            return 0;
        });
        return command;
    }

    /// <summary>Writes every example to <paramref name="console"/>.</summary>
    internal static void Render(IAnsiConsole console)
    {
        console.Write(new Rule("[bold]Convolution, step by step[/] [grey](the lectures' examples, computed by Cortex)[/]").LeftJustified());
        console.WriteLine();

        var valid = new Conv2dGeometry(channels: 1, height: 4, width: 4, kernelHeight: 3, kernelWidth: 3);
        Example(console, "1. Convolution (합성곱)",
            "Slide the 3×3 filter over the 4×4 input; each output is the sum of the filter times the window under it. (4 − 3)/1 + 1 = 2.",
            Row(Matrix(Input4, 4, 4, "input 4×4"), Symbol("⊗", 4), Matrix(Filter3, 3, 3, "filter 3×3"), Symbol("=", 4),
                Matrix(Convolve(valid, Input4, Filter3, []), 2, 2, "output 2×2")));

        Example(console, "2. Bias (편향)",
            "One bias per filter is added to every output of that filter: here 3.",
            Row(Matrix(Convolve(valid, Input4, Filter3, []), 2, 2, "output 2×2"), Symbol("+", 2), Matrix([3f], 1, 1, "bias"),
                Symbol("=", 2), Matrix(Convolve(valid, Input4, Filter3, [3f]), 2, 2, "with bias")));

        var zero = new Conv2dGeometry(1, 4, 4, 3, 3, stride: 1, padding: 1, paddingMode: PaddingMode.Zero);
        Example(console, "3. Zero padding (패딩), P = 1",
            "Surround the input with zeros so the filter also fits at the edges: (4 + 2·1 − 3)/1 + 1 = 4, the size is kept.",
            Row(Padded(zero, Input4), Symbol("⊗", 6), Matrix(Filter3, 3, 3, "filter 3×3"), Symbol("=", 6),
                Matrix(Convolve(zero, Input4, Filter3, []), 4, 4, "output 4×4")));

        var replicate = new Conv2dGeometry(1, 4, 4, 3, 3, stride: 1, padding: 1, paddingMode: PaddingMode.Replicate);
        Example(console, "4. Replicate padding (복사 덧대기), P = 1",
            "Instead of zeros, repeat the nearest edge value; the border outputs no longer see artificial zeros.",
            Row(Padded(replicate, Input4), Symbol("⊗", 6), Matrix(Filter3, 3, 3, "filter 3×3"), Symbol("=", 6),
                Matrix(Convolve(replicate, Input4, Filter3, []), 4, 4, "output 4×4")));

        Example(console, "5. im2col",
            "Each 3×3 window becomes one column of col (C·FH·FW = 9 rows, OH·OW = 4 columns): the convolution is one matrix product.",
            Im2ColTable(valid, Input4),
            Row(Matrix(Filter3, 1, 9, "filter as a 1×9 row"), Symbol("· col =", 1),
                Matrix(Convolve(valid, Input4, Filter3, []), 1, 4, "output")),
            new Markup("[grey]The lectures' Python im2col builds the transpose, (N·OH·OW, C·FH·FW): one window per row.[/]"));

        var stride1 = new Conv2dGeometry(1, 7, 7, 3, 3, stride: 1);
        var stride2 = new Conv2dGeometry(1, 7, 7, 3, 3, stride: 2);
        var padded7 = new Conv2dGeometry(1, 7, 7, 3, 3, stride: 1, padding: 1);
        var sizes = new Table().Border(TableBorder.Rounded)
            .AddColumn("S").AddColumn("P").AddColumn("OH = (H + 2P − FH)/S + 1").AddColumn("output");
        foreach (var (g, s, p) in new[] { (stride1, 1, 0), (stride2, 2, 0), (padded7, 1, 1) })
            sizes.AddRow(Text(s), Text(p), new Text($"(7 + 2·{p} − 3)/{s} + 1 = {g.OutputHeight}"), new Text($"{g.OutputHeight}×{g.OutputWidth}"));
        Example(console, "6. Stride (스트라이드): a 7×7 input, the same 3×3 filter",
            "Stride is the step between windows: stride 2 keeps every other window of stride 1.",
            sizes,
            Row(Matrix(Input7, 7, 7, "input 7×7"), Matrix(Convolve(stride1, Input7, Filter3, []), 5, 5, "stride 1: 5×5"),
                Matrix(Convolve(stride2, Input7, Filter3, []), 3, 3, "stride 2: 3×3")));

        var zero1d = Conv2dGeometry.For1d(1, Signal.Length, 3, padLeft: 1, padRight: 1, paddingMode: PaddingMode.Zero);
        var copy1d = Conv2dGeometry.For1d(1, Signal.Length, 3, padLeft: 1, padRight: 1, paddingMode: PaddingMode.Replicate);
        var oneD = new Table().Border(TableBorder.Rounded).AddColumn("");
        for (int i = 0; i < Signal.Length; i++)
            oneD.AddColumn(new TableColumn(Format(i)).RightAligned());
        oneD.AddRow(Cells("input", Signal));
        oneD.AddRow(Cells("zero pad", Convolve(zero1d, Signal, Smoother, [])));
        oneD.AddRow(Cells("copy pad", Convolve(copy1d, Signal, Smoother, [])));
        Example(console, "7. Zero vs copy padding in 1-D, kernel (0.3, 0.4, 0.3)",
            "Only the two ends differ: zero padding pulls them down (1.8, 1.4), copying the edge does not (2.7, 2).",
            oneD);
    }

    private static void Example(IAnsiConsole console, string title, string explanation, params IRenderable[] bodies)
    {
        console.MarkupLine($"[bold yellow]{Markup.Escape(title)}[/]");
        console.Write(new Padder(new Text(explanation), new Padding(3, 0, 0, 0)));
        foreach (var body in bodies)
            console.Write(new Padder(body, new Padding(3, 0, 0, 0)));
        console.WriteLine();
    }

    /// <summary>y = conv(x, w) + b for one image and one filter, by im2col + GEMM.</summary>
    private static float[] Convolve(in Conv2dGeometry g, float[] x, float[] w, float[] bias)
    {
        var y = new float[g.OutputPlaneSize];
        Convolution2d.Forward(g, batch: 1, filters: 1, x, w, bias, y, new float[Convolution2d.WorkspaceSize(g)]);
        return y;
    }

    /// <summary>The padded input, made by im2col itself: a 1×1 window with the same padding reads xpad pixel by pixel.</summary>
    private static Table Padded(in Conv2dGeometry g, float[] x)
    {
        var pixels = new Conv2dGeometry(g.Channels, g.Height, g.Width, 1, 1, 1, 1, g.PadTop, g.PadBottom, g.PadLeft, g.PadRight,
            paddingMode: g.PaddingMode);
        var padded = new float[pixels.ColumnSize];
        Im2Col.Unfold(pixels, x, padded);
        int rows = pixels.OutputHeight, cols = pixels.OutputWidth;
        var table = MatrixFrame(cols, $"padded input {rows}×{cols}");
        for (int i = 0; i < rows; i++)
        {
            var cells = new IRenderable[cols];
            for (int j = 0; j < cols; j++)
            {
                bool pad = i < g.PadTop || i >= rows - g.PadBottom || j < g.PadLeft || j >= cols - g.PadRight;
                string value = Format(padded[i * cols + j]);
                cells[j] = pad ? new Markup($"[grey]{value}[/]") : new Text(value);
            }
            table.AddRow(cells);
        }
        return table;
    }

    private static Table Im2ColTable(in Conv2dGeometry g, float[] x)
    {
        var col = new float[g.ColumnSize];
        Im2Col.Unfold(g, x, col);
        var table = new Table().Border(TableBorder.Rounded).Caption("[grey]col (9×4)[/]").AddColumn(new TableColumn("tap"));
        for (int oh = 0; oh < g.OutputHeight; oh++)
            for (int ow = 0; ow < g.OutputWidth; ow++)
                table.AddColumn(new TableColumn($"window {oh},{ow}").RightAligned());
        for (int r = 0; r < g.PatchSize; r++)
        {
            var cells = new List<IRenderable> { new Markup($"[grey]kh={r / g.KernelWidth} kw={r % g.KernelWidth}[/]") };
            for (int p = 0; p < g.OutputPlaneSize; p++)
                cells.Add(new Text(Format(col[r * g.OutputPlaneSize + p])));
            table.AddRow(cells);
        }
        return table;
    }

    private static Table Matrix(ReadOnlySpan<float> values, int rows, int cols, string title)
    {
        var table = MatrixFrame(cols, title);
        for (int i = 0; i < rows; i++)
        {
            var cells = new IRenderable[cols];
            for (int j = 0; j < cols; j++)
                cells[j] = new Text(Format(values[i * cols + j]));
            table.AddRow(cells);
        }
        return table;
    }

    private static Table MatrixFrame(int cols, string title)
    {
        var table = new Table().Border(TableBorder.Rounded).HideHeaders().Caption($"[grey]{Markup.Escape(title)}[/]");
        for (int j = 0; j < cols; j++)
            table.AddColumn(new TableColumn("").RightAligned());
        return table;
    }

    /// <summary>Renderables side by side, tops aligned.</summary>
    private static Grid Row(params IRenderable[] items)
    {
        var grid = new Grid();
        foreach (var _ in items)
            grid.AddColumn(new GridColumn().NoWrap().PadRight(2));
        grid.AddRow(items);
        return grid;
    }

    /// <summary>An operator placed level with the middle of a matrix of <paramref name="rows"/> rows.</summary>
    private static Padder Symbol(string symbol, int rows)
        => new Padder(new Markup($"[bold]{Markup.Escape(symbol)}[/]"), new Padding(1, rows / 2 + 1, 1, 0));

    private static IRenderable[] Cells(string label, float[] values)
    {
        var cells = new IRenderable[values.Length + 1];
        cells[0] = new Markup($"[grey]{label}[/]");
        for (int i = 0; i < values.Length; i++)
            cells[i + 1] = new Text(Format(values[i]));
        return cells;
    }

    private static Text Text(int value) => new(value.ToString(CultureInfo.InvariantCulture));

    private static string Format(float value) => Math.Round(value, 4).ToString("0.##", CultureInfo.InvariantCulture);
}
