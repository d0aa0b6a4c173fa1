// ConsoleProgress.cs — shows training as it happens: on a terminal, one live progress bar per
// epoch (batch, loss, accuracy, images/s, time left) that stays on screen with the epoch's final
// figures; when output is redirected (CI, logs), one plain line per epoch.
//
// The bar fits the terminal: below 130 columns the texts are the compact ones (no images/s, no
// learning rate, accuracies to one decimal) and the bar takes what is left, so at 80 columns the
// text, a 12-character bar, the percentage and the time left share one line (they wrapped before).
using System.Globalization;
using Cortex.Training;
using Spectre.Console;

namespace Cortex.Cli;

/// <summary>How the live display is laid out for a terminal of a given width.</summary>
internal readonly record struct ProgressLayout(bool Compact, int BarWidth)
{
    /// <summary>Terminals at least this wide get the full texts and a 24-character bar.</summary>
    public const int WideFrom = 130;

    /// <summary>The longest compact text for up to 99 epochs and 9,999 batches ("epoch 99/99  loss 12.3456  acc 100.0%  val 100.0%").</summary>
    public const int CompactText = 51;

    /// <summary>What follows the text: " 100%" (5), the time left "00:00:00" (8), a space between columns (3) and one spare.</summary>
    public const int Rest = 5 + 8 + 3 + 1;

    public static ProgressLayout For(int width) =>
        width >= WideFrom ? new(false, 24) : new(true, Math.Clamp(width - CompactText - Rest, 6, 24));
}

internal sealed class ConsoleProgress(IAnsiConsole console, ProgressContext? live) : TrainingCallback
{
    private ProgressTask? _task;
    private long _lastUpdate;
    private readonly ProgressLayout _layout = ProgressLayout.For(console.Profile.Width);

    /// <summary>Runs <paramref name="train"/> under a live display when the console is interactive, else plainly.</summary>
    public static T Run<T>(IAnsiConsole console, Func<ConsoleProgress, T> train)
    {
        if (!console.Profile.Capabilities.Interactive || !console.Profile.Capabilities.Ansi)
            return train(new ConsoleProgress(console, null));
        T result = default!;
        var layout = ProgressLayout.For(console.Profile.Width);
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = layout.BarWidth }, new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx => result = train(new ConsoleProgress(console, ctx)));
        return result;
    }

    public override void OnEpochBegin(TrainingContext context, int epoch)
    {
        ArgumentNullException.ThrowIfNull(context);
        _task = live?.AddTask(Header(epoch, context.Epochs), maxValue: context.BatchesPerEpoch);
    }

    public override void OnBatchEnd(TrainingContext context, in BatchProgress progress)
    {
        if (_task is null)
            return;
        long now = Environment.TickCount64;
        if (now - _lastUpdate < 100 && progress.Batch != progress.BatchesPerEpoch)
            return;                                           // ten updates a second are plenty
        _lastUpdate = now;
        _task.Value = progress.Batch;
        _task.Description = Running(progress, context.Epochs, _layout.Compact);
    }

    public override void OnEpochEnd(TrainingContext context, EpochRecord record)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(record);
        string line = Summary(record, context.Epochs);
        if (_task is not null)
        {
            _task.Value = _task.MaxValue;
            _task.Description = Markup.Escape(_layout.Compact ? CompactSummary(record, context.Epochs) : line);
            _task.StopTask();
        }
        else
        {
            console.WriteLine(line);
        }
    }

    /// <summary>The text beside the bar while an epoch runs.</summary>
    internal static string Running(in BatchProgress p, int epochs, bool compact) => compact
        ? string.Create(CultureInfo.InvariantCulture,
            $"{Header(p.Epoch, epochs)}  {p.Batch}/{p.BatchesPerEpoch}  loss {p.Loss:F4}  acc {p.Accuracy * 100:F1}%")
        : string.Create(CultureInfo.InvariantCulture,
            $"{Header(p.Epoch, epochs)}  batch {p.Batch,4}/{p.BatchesPerEpoch}  loss {p.Loss:F4}  acc {p.Accuracy * 100:F2}%  {p.ImagesPerSecond,6:F0} img/s");

    /// <summary>An epoch's figures in at most <see cref="ProgressLayout.CompactText"/> characters (the history file has the rest).</summary>
    internal static string CompactSummary(EpochRecord r, int epochs)
    {
        string validation = double.IsNaN(r.ValidationAccuracy) ? "" :
            string.Create(CultureInfo.InvariantCulture, $"  val {r.ValidationAccuracy * 100:F1}%");
        return string.Create(CultureInfo.InvariantCulture, $"{Header(r.Epoch, epochs)}  loss {r.TrainLoss:F4}  acc {r.TrainAccuracy * 100:F1}%{validation}");
    }

    internal static string Summary(EpochRecord r, int epochs)
    {
        string validation = double.IsNaN(r.ValidationAccuracy) ? "" :
            string.Create(CultureInfo.InvariantCulture, $"  val_loss {r.ValidationLoss:F4}  val_acc {r.ValidationAccuracy * 100:F2}%");
        return string.Create(CultureInfo.InvariantCulture,
            $"{Header(r.Epoch, epochs)}  loss {r.TrainLoss:F4}  acc {r.TrainAccuracy * 100:F2}%{validation}  lr {r.LearningRate:G3}  {r.Seconds:F1}s  {r.ImagesPerSecond:F0} img/s");
    }

    private static string Header(int epoch, int epochs) => string.Create(CultureInfo.InvariantCulture, $"epoch {epoch.ToString(CultureInfo.InvariantCulture).PadLeft(epochs.ToString(CultureInfo.InvariantCulture).Length)}/{epochs}");
}
