// StudioCommand.cs — `cortex studio`: the lectures' ConvNetJS demo as a local web page. Starts a
// Studio server on 127.0.0.1 (another --host prints a warning), trains LeNet-5 on the shipped digits
// (or ConvNetJS's CIFAR-10 recipe with --data cifar10), and serves until Ctrl+C. --run NAME shows a
// finished run from runs/ instead. Also used by `cortex train --studio` to watch any training run.
using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using Cortex.Data;
using Cortex.Data.Sources;
using Cortex.Studio;
using Spectre.Console;

namespace Cortex.Cli;

internal static class StudioCommand
{
    public static readonly Option<int> Port = new("--port") { Description = "The port to serve on (0: any free port).", DefaultValueFactory = _ => 5080 };
    public static readonly Option<string> Host = new("--host") { Description = "The address to listen on (default 127.0.0.1; anything else is reachable from other machines)." };
    public static readonly Option<bool> NoBrowser = new("--no-browser") { Description = "Print the URL without opening a browser." };

    public static Command Create()
    {
        var command = new Command("studio", "The live training dashboard (the lectures' ConvNetJS demo) in your browser.");
        var data = new Option<string[]>("--data", "-d") { Description = "The data to start on (digits, fashion-mnist, mnist, cifar10 or a folder); folders given here are offered on the page too.", AllowMultipleArgumentsPerToken = true };
        var model = new Option<string>("--model", "-m") { Description = "The zoo model to start with (default: lenet5, or convnetjs-cifar on CIFAR-10)." };
        var optimizer = new Option<string>("--optimizer") { Description = "The optimizer to start with (default adam; adadelta on CIFAR-10)." };
        var lr = new Option<float?>("--lr") { Description = "The learning rate to start with." };
        var batch = new Option<int?>("--batch-size", "-b") { Description = "The batch size to start with (default 32; 4 on CIFAR-10)." };
        var epochs = new Option<int?>("--epochs", "-e") { Description = "Epochs to train (default 100: pause or restart from the page at any time)." };
        var run = new Option<string>("--run") { Description = "Show a finished run from runs/ (a NAME of runs/NAME-history.csv, or that path) instead of training." };
        var runs = new Option<string>("--runs") { Description = "The folder of runs (default: runs).", DefaultValueFactory = _ => "runs" };
        var upload = new Option<int>("--max-upload-mb") { Description = "The largest model file the page may upload.", DefaultValueFactory = _ => 64 };
        foreach (Option option in new Option[] { data, model, optimizer, lr, batch, epochs, Port, Host, NoBrowser, run, runs, upload })
            command.Options.Add(option);

        command.SetAction(result => CliConsole.Guard(result, console =>
        {
            var given = result.GetValue(data) ?? [];
            var sources = OfferedSources(given);
            string first = given.Length > 0 ? NameOf(given[0]) : DataSources.Default;
            var request = StudioRunRequest.DefaultFor(first);
            request = request with
            {
                Model = result.GetValue(model) ?? request.Model,
                Optimizer = result.GetValue(optimizer) ?? request.Optimizer,
                LearningRate = result.GetValue(lr) ?? request.LearningRate,
                BatchSize = result.GetValue(batch) ?? request.BatchSize,
                Epochs = result.GetValue(epochs) ?? request.Epochs,
            };
            if (request.BatchSize < 1 || request.Epochs < 1)
                throw new ArgumentException("--batch-size and --epochs: expected whole numbers ≥ 1.");
            int limit = result.GetValue(upload);
            if (limit < 1)
                throw new ArgumentException($"--max-upload-mb: expected at least 1, got {limit}.");
            var options = new StudioOptions
            {
                Host = ParseHost(result.GetValue(Host), console),
                Port = CheckPort(result.GetValue(Port)),
                RunsDirectory = result.GetValue(runs)!,
                DataSources = sources,
                Models = [.. Cortex.Models.ModelZoo.Models.Select(m => m.Name)],
                MaxUploadBytes = (long)limit << 20,
            };
            using var session = new StudioSession(options);
            using var stop = new CancellationTokenSource();
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            var server = StudioServer.StartAsync(session).GetAwaiter().GetResult();   // the port first: nothing trains if it is taken
            try
            {
                if (result.GetValue(run) is { } name)
                    session.View(RunName(name, options.RunsDirectory), given.Length > 0 ? first : null);
                else
                    session.Start(request);
                console.MarkupLine($"[bold]Cortex Studio[/] at [link]{Markup.Escape(server.Address.ToString())}[/]  [grey](Ctrl+C to stop)[/]");
                console.MarkupLine($"[grey]data offered: {Markup.Escape(string.Join(", ", sources.Keys))}; runs kept in {Markup.Escape(options.RunsDirectory)}/[/]");
                if (!result.GetValue(NoBrowser))
                    OpenBrowser(server.Address);
                StudioServer.WaitAsync(stop.Token).GetAwaiter().GetResult();
                console.MarkupLine("[grey]stopping[/]");
            }
            finally
            {
                string? last = session.Status().Run;
                session.Dispose();                       // stops training; the model and history are saved on the way out
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
                if (last is not null && result.GetValue(run) is null)
                    ReportSaved(console, options.RunsDirectory, last);
            }
            return 0;
        }));
        return command;
    }

    private static void ReportSaved(IAnsiConsole console, string folder, string name)
    {
        string model = Path.Combine(folder, name + ".safetensors"), history = Path.Combine(folder, name + RunFiles.HistorySuffix);
        var saved = new[] { model, history }.Where(File.Exists).ToArray();
        if (saved.Length > 0)
            console.MarkupLine($"saved {Markup.Escape(string.Join(" and ", saved))}; see it again with [bold]cortex studio --run {Markup.Escape(name)}[/]");
    }

    /// <summary>The sources the page may choose: digits, the installed or cached sets, and the folders given.</summary>
    internal static Dictionary<string, string> OfferedSources(IEnumerable<string> given)
    {
        var sources = new Dictionary<string, string>(StringComparer.Ordinal) { [DataSources.Default] = DataSources.Default };
        if (FashionMnist.IsInstalled())
            sources["fashion-mnist"] = "fashion-mnist";
        string cache = DataSources.DefaultCacheDirectory();
        if (Directory.Exists(Path.Combine(cache, Mnist.CacheFolder)))
            sources["mnist"] = "mnist";
        if (Cifar10.Holds(Path.Combine(cache, Cifar10.CacheFolder, Cifar10.BatchesFolder)))
            sources["cifar10"] = "cifar10";
        foreach (string spec in given)
        {
            string name = NameOf(spec);
            if (DataSources.Names.Contains(name))
                sources[name] = name;
            else if (Directory.Exists(spec))
                sources[name] = Path.GetFullPath(spec);
            else
                throw new ArgumentException($"--data: '{spec}' is neither a data set ({string.Join(", ", DataSources.Names)}) nor a folder.");
        }
        return sources;
    }

    private static string NameOf(string spec)
    {
        string trimmed = spec.Trim();
        if (DataSources.Names.Contains(trimmed.ToLowerInvariant()))
            return trimmed.ToLowerInvariant();
        return Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(trimmed)));
    }

    private static string RunName(string given, string runsDirectory)
    {
        string file = Path.GetFileName(given);
        foreach (string suffix in new[] { RunFiles.HistorySuffix, ".safetensors" })
        {
            if (file.EndsWith(suffix, StringComparison.Ordinal))
                file = file[..^suffix.Length];
        }
        if (!RunFiles.IsValidName(file))
            throw new ArgumentException($"--run: '{given}' does not name a run (runs/NAME-history.csv).");
        if (!File.Exists(RunFiles.HistoryPath(runsDirectory, file)))
            throw new FileNotFoundException($"--run: no history {Path.Combine(runsDirectory, file + RunFiles.HistorySuffix)}; runs there: {string.Join(", ", RunFiles.List(runsDirectory).Select(r => r.Name).Take(10))}.");
        return file;
    }

    internal static IPAddress ParseHost(string? host, IAnsiConsole console)
    {
        if (string.IsNullOrWhiteSpace(host))
            return IPAddress.Loopback;
        if (!IPAddress.TryParse(host, out var address))
            throw new ArgumentException($"--host: expected an IP address such as 127.0.0.1 or 0.0.0.0, got '{host}'.");
        if (!IPAddress.IsLoopback(address))
            console.MarkupLine($"[yellow]warning: listening on {Markup.Escape(host)}: anyone who can reach this machine can see and steer training, and upload models.[/]");
        return address;
    }

    internal static int CheckPort(int port) =>
        port is >= 0 and <= 65535 ? port : throw new ArgumentException($"--port: expected 0 to 65535, got {port}.");

    internal static void OpenBrowser(Uri address)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("xdg-open", address.ToString()) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true });
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No desktop here: the URL printed above is enough.
        }
    }
}
