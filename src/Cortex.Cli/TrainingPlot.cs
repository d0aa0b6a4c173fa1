// TrainingPlot.cs — the lectures' training curves: accuracy (left axis, solid) and loss (right
// axis, dashed) per epoch, train in blue and validation in orange, drawn with ScottPlot.
using Cortex.Training;
using ScottPlot;

namespace Cortex.Cli;

internal static class TrainingPlot
{
    private static readonly Color TrainColor = Colors.C0;
    private static readonly Color ValidationColor = Colors.C1;

    /// <summary>Draws <paramref name="history"/> into a PNG at <paramref name="path"/>.</summary>
    public static void Save(History history, string title, string path)
    {
        var plot = new Plot();
        double[] epochs = [.. history.Epochs.Select(e => (double)e.Epoch)];
        Line(plot, epochs, history.Epochs.Select(e => e.TrainAccuracy), "train accuracy", TrainColor, dashed: false, right: false);
        Line(plot, epochs, history.Epochs.Select(e => e.ValidationAccuracy), "validation accuracy", ValidationColor, dashed: false, right: false);
        Line(plot, epochs, history.Epochs.Select(e => e.TrainLoss), "train loss", TrainColor, dashed: true, right: true);
        Line(plot, epochs, history.Epochs.Select(e => e.ValidationLoss), "validation loss", ValidationColor, dashed: true, right: true);
        plot.Title(title);
        plot.XLabel("epoch");
        if (epochs.Length <= 30)
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);   // whole epochs
        plot.Axes.Left.Label.Text = "accuracy";
        plot.Axes.Right.Label.Text = "loss";
        plot.ShowLegend(Alignment.MiddleRight);
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        plot.SavePng(full, 900, 500);
    }

    private static void Line(Plot plot, double[] x, IEnumerable<double> values, string label, Color color, bool dashed, bool right)
    {
        double[] y = [.. values];
        if (y.All(double.IsNaN))
            return;                                   // no validation set: no validation lines
        var line = plot.Add.Scatter(x, y, color);
        line.LegendText = label;
        line.LineWidth = 2;
        if (dashed)
            line.LinePattern = LinePattern.Dashed;
        if (right)
            line.Axes.YAxis = plot.Axes.Right;
    }
}
