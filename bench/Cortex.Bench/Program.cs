// Program.cs — the bench program: one command per suite (SuiteCatalog), `all` for every suite,
// and `peak` for the machine's FP32 peak alone. Options common to all commands:
//   --threads N            threads for Cortex and the peer alike (default: all cores)
//   --json FILE            also write the result rows as JSON
//   --max-call-seconds S   skip a side for a case when one call is predicted to take longer
//   --case-seconds S       time budget of the timed rounds of one case
using System.CommandLine;
using Cortex.Bench.Harness;
using Cortex.Bench.Machine;
using Cortex.Bench.Suites;
using Spectre.Console;

var threads = new Option<int>("--threads")
{
    Description = "Threads for Cortex and libtorch alike.",
    HelpName = "N",
    DefaultValueFactory = _ => Environment.ProcessorCount,
    Recursive = true,
};
threads.Validators.Add(r =>
{
    if (r.GetValueOrDefault<int>() < 1)
        r.AddError($"--threads must be at least 1, got {r.GetValueOrDefault<int>()}.");
});
var json = new Option<FileInfo?>("--json") { Description = "Also write the result rows to this JSON file.", HelpName = "FILE", Recursive = true };
var maxCall = new Option<double>("--max-call-seconds")
{
    Description = "Skip a side for a case when one call is predicted to take longer than this.",
    HelpName = "SECONDS",
    DefaultValueFactory = _ => 2.0,
    Recursive = true,
};
var caseSeconds = new Option<double>("--case-seconds")
{
    Description = "Time budget of the timed rounds of one case (more means steadier medians).",
    HelpName = "SECONDS",
    DefaultValueFactory = _ => MeasureSettings.Default.CaseBudget.TotalSeconds,
    Recursive = true,
};
foreach (var seconds in new[] { maxCall, caseSeconds })
{
    seconds.Validators.Add(r =>
    {
        if (!(r.GetValueOrDefault<double>() > 0))
            r.AddError($"{seconds.Name} must be a positive number of seconds, got {r.GetValueOrDefault<double>()}.");
    });
}

var root = new RootCommand("Cortex side-by-side benchmarks against libtorch (TorchSharp-cpu), in one process.");
root.Options.Add(threads);
root.Options.Add(json);
root.Options.Add(maxCall);
root.Options.Add(caseSeconds);

foreach (var suite in SuiteCatalog.All)
{
    var command = new Command(suite.Name, suite.Description);
    command.SetAction(result => Run(result, [suite]));
    root.Subcommands.Add(command);
}
var all = new Command("all", "Run every suite.");
all.SetAction(result => Run(result, SuiteCatalog.All));
root.Subcommands.Add(all);
var side = new Option<string>("--side") { Description = "cortex or libtorch.", Required = true };
var networkName = new Option<string>("--network") { Description = "The network's case name, e.g. LeNet-5.", Required = true };
var memoryChild = new Command(PeakMemoryChild.Command, "Internal: train one side of one network and print its peak working set (the memory suite runs this).")
{
    Hidden = true,
};
memoryChild.Options.Add(side);
memoryChild.Options.Add(networkName);
memoryChild.SetAction(result => PeakMemoryChild.Run(result.GetValue(side)!, result.GetValue(networkName)!, result.GetValue(threads)));
root.Subcommands.Add(memoryChild);
var steps = new Option<int>("--steps") { Description = "Training steps per epoch.", Required = true };
var distributedChild = new Command(DistributedSuite.ChildCommand, "Internal: train one network alone or as one rank under mpiexec and print images/s (the distributed suite runs this).")
{
    Hidden = true,
};
distributedChild.Options.Add(networkName);
distributedChild.Options.Add(steps);
distributedChild.SetAction(result => DistributedSuite.RunChild(result.GetValue(networkName)!, result.GetValue(steps)));
root.Subcommands.Add(distributedChild);
var peakCommand = new Command("peak", "Measure only the machine's FP32 FMA peak.");
peakCommand.SetAction(result => Run(result, []));
root.Subcommands.Add(peakCommand);

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);

int Run(ParseResult result, IReadOnlyList<Suite> suites)
{
    var console = AnsiConsole.Console;
    var unoptimized = OptimizedBuild.Unoptimized();
    if (unoptimized.Count > 0)
    {
        console.MarkupLineInterpolated(
            $"[red]error:[/] {string.Join(", ", unoptimized)} built without optimizations (Debug); timing it would be meaningless. Build with -c Release: dotnet run -c Release --project bench/Cortex.Bench -- ...");
        return 2;
    }
    if (Console.IsOutputRedirected)
        console.Profile.Width = 200;                // a log file: keep table rows on one line
    var settings = MeasureSettings.Default with { CaseBudget = TimeSpan.FromSeconds(result.GetValue(caseSeconds)) };
    var context = new BenchContext(console, result.GetValue(threads), settings, result.GetValue(maxCall));
    console.MarkupLineInterpolated(
        $"[bold]Cortex.Bench[/]  {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} logical cores, {context.Threads} threads per side");
    WarnIfBusy(console);
    _ = context.Peak;

    var rows = new List<ResultRow>();
    try
    {
        foreach (var suite in suites)
        {
            console.MarkupLineInterpolated($"[bold]{suite.Name}[/]: {suite.Description}");
            rows.AddRange(suite.Run(context).Select(row => row with { LoadAverage = LoadAverage.OneMinute() }));
        }
        // One table per run of rows with the same peer, so each column says who it is.
        for (int start = 0; start < rows.Count;)
        {
            int end = start;
            while (end < rows.Count && rows[end].PeerName == rows[start].PeerName)
                end++;
            ResultsTable.Write(console, rows[start..end], rows[start].PeerName);
            start = end;
        }
        WarnIfBusy(console);
        if (result.GetValue(json) is { } file)
        {
            ResultsJson.Write(file.FullName, rows, context.Threads);
            console.MarkupLineInterpolated($"wrote {rows.Count} rows to {file.FullName}");
        }
    }
    catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
    {
        console.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
        return 1;
    }
    return 0;
}

// On a shared machine other processes take turns on the cores we time; say so, with the number.
static void WarnIfBusy(IAnsiConsole console)
{
    if (LoadAverage.OneMinute() is { } load && load > 0.5 * Environment.ProcessorCount)
        console.MarkupLineInterpolated(
            $"[yellow]note:[/] load average {load:0.0} on {Environment.ProcessorCount} cores: other work competes for the CPU, so expect wide min–max ranges and a low measured peak.");
}
