// ConsoleProgress.cs — shows training as it happens: on a terminal, one live progress bar per
// epoch (batch, loss, accuracy, images/s, time left) that stays on screen with the epoch's final
// figures; when output is redirected (CI, logs), one plain line per epoch.
using System.Globalization;
using Cortex.Training;
using Spectre.Console;

namespace Cortex.Cli;

internal sealed class ConsoleProgress(IAnsiConsole console, ProgressContext? live) : TrainingCallback
{
    private ProgressTask? _task;
    private long _lastUpdate;

    /// <summary>Runs <paramref name="train"/> under a live display when the console is interactive, else plainly.</summary>
    public static T Run<T>(IAnsiConsole console, Func<ConsoleProgress, T> train)
    {
        if (!console.Profile.Capabilities.Interactive || !console.Profile.Capabilities.Ansi)
            return train(new ConsoleProgress(console, null));
        T result = default!;
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 24 }, new PercentageColumn(), new RemainingTimeColumn())
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
        _task.Description = string.Create(CultureInfo.InvariantCulture,
            $"{Header(progress.Epoch, context.Epochs)}  batch {progress.Batch,4}/{progress.BatchesPerEpoch}  loss {progress.Loss:F4}  acc {progress.Accuracy * 100:F2}%  {progress.ImagesPerSecond,6:F0} img/s");
    }

    public override void OnEpochEnd(TrainingContext context, EpochRecord record)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(record);
        string line = Summary(record, context.Epochs);
        if (_task is not null)
        {
            _task.Value = _task.MaxValue;
            _task.Description = Markup.Escape(line);
            _task.StopTask();
        }
        else
        {
            console.WriteLine(line);
        }
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
