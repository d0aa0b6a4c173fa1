// KnnPlot.cs — the lectures' picture of choosing k: validation accuracy against k, every fold's
// accuracy as a dot and the mean over folds as a line with ±1 std error bars, drawn with ScottPlot.
using Cortex.Data.Validation;
using ScottPlot;

namespace Cortex.Cli;

internal static class KnnPlot
{
    /// <summary>Draws <paramref name="cv"/> into a PNG at <paramref name="path"/>.</summary>
    public static void Save(NeighborCrossValidationResult cv, string title, string path)
    {
        var plot = new Plot();
        double[] ks = [.. cv.Ks.Select(k => (double)k)];
        for (int f = 0; f < cv.Folds; f++)
        {
            double[] accuracy = [.. Enumerable.Range(0, ks.Length).Select(i => cv.Accuracy[f, i])];
            var dots = plot.Add.Scatter(ks, accuracy, Colors.C0.WithAlpha(0.6));
            dots.LineWidth = 0;
            dots.MarkerSize = 7;
            if (f == 0)
                dots.LegendText = "fold";
        }
        double[] mean = [.. Enumerable.Range(0, ks.Length).Select(cv.Mean)];
        double[] std = [.. Enumerable.Range(0, ks.Length).Select(cv.Std)];
        var bars = plot.Add.ErrorBar(ks, mean, std);
        bars.Color = Colors.C1;
        bars.LineWidth = 2;
        var line = plot.Add.Scatter(ks, mean, Colors.C1);
        line.LineWidth = 2;
        line.MarkerSize = 0;
        line.LegendText = "mean ± std";
        plot.Title(title);
        plot.XLabel("k");
        plot.YLabel("cross-validation accuracy");
        plot.ShowLegend(Alignment.LowerLeft);
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        plot.SavePng(full, 900, 500);
    }
}
