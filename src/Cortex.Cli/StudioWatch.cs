// StudioWatch.cs — `cortex train --studio`: the same page as `cortex studio`, attached to this
// command's own trainer. The page shows and steers the run (pause, learning rate, batch size, …)
// but cannot restart it with another model: this command owns the run and saves it as usual.
using System.Runtime.InteropServices;
using Cortex.Data;
using Cortex.Studio;
using Cortex.Training;
using Spectre.Console;

namespace Cortex.Cli;

internal sealed class StudioWatch : IDisposable
{
    private readonly StudioSession _session;
    private readonly StudioServer _server;
    private readonly TrainingMonitor _monitor;

    private StudioWatch(StudioSession session, StudioServer server, TrainingMonitor monitor) =>
        (_session, _server, _monitor) = (session, server, monitor);

    public static StudioWatch Start(TrainingJob job, IDataset trainSet, ImageDataset test, Trainer trainer, int port, bool openBrowser, IAnsiConsole console)
    {
        var run = new StudioRun
        {
            Name = $"{job.Spec.Model}-{job.Settings.Data}",
            ModelName = job.Spec.Model,
            DataName = job.Settings.Data,
            Model = job.Model,
            Spec = job.Spec,
            Loss = job.Loss,
            Optimizer = job.Optimizer,
            Schedule = job.Schedule,
            Options = trainer.Options,
            Train = trainSet,
            TrainImages = job.Train,
            Validation = job.Validation,
            Test = test,
            Augmentation = (trainSet as Cortex.Data.Loading.AugmentedDataset)?.Transform.Name,
        };
        var session = new StudioSession(new StudioOptions { Port = port, DataSources = new Dictionary<string, string> { [job.Settings.Data] = job.Settings.Data }, Models = [job.Spec.Model] });
        var monitor = new TrainingMonitor(run, session.Events, restartable: false);
        session.Attach(monitor);
        trainer.Callbacks.Add(monitor);
        var server = StudioServer.StartAsync(session).GetAwaiter().GetResult();
        console.MarkupLine($"[bold]Cortex Studio[/] watching this run at [link]{Markup.Escape(server.Address.ToString())}[/]");
        if (openBrowser)
            StudioCommand.OpenBrowser(server.Address);
        return new StudioWatch(session, server, monitor);
    }

    /// <summary>
    /// After training, when a person is at the terminal: keeps the page up with the finished run (a drawn digit is
    /// still answered) until Ctrl+C. In a script or CI the command returns at once, as without --studio.
    /// </summary>
    public void ServeUntilInterrupted(IAnsiConsole console)
    {
        if (Console.IsInputRedirected || Console.IsOutputRedirected || Environment.GetEnvironmentVariable("CI") == "true")
            return;
        console.MarkupLine($"[grey]the page at {Markup.Escape(_server.Address.ToString())} shows the finished run; Ctrl+C to exit[/]");
        using var stop = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        _monitor.Serve(stop.Token);
    }

    public void Dispose()
    {
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _session.Dispose();
        _monitor.Dispose();
    }
}
