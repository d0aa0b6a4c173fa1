// MpiRun.cs — starts the worker program (tests/Cortex.Distributed.Worker) alone or under
// `mpiexec -n N` (MPICH's mpiexec.mpich when present, as scripts/install-mpi.sh installs it),
// with a timeout after which the whole process tree is killed, so no test can hang.
using System.Diagnostics;

namespace Cortex.Distributed.Tests;

internal sealed record RunResult(int ExitCode, string Output, TimeSpan Elapsed, bool TimedOut);

internal static class MpiRun
{
    /// <summary>Why the MPI tests cannot run here, or null when they can.</summary>
    public static string? SkipReason
    {
        get
        {
            if (!Mpi.IsAvailable(out string reason))
                return $"{reason} (the distributed tests need MPI)";
            if (Launcher is null)
                return "no mpiexec on PATH: run scripts/install-mpi.sh (the distributed tests need MPI)";
            return null;
        }
    }

    /// <summary>mpiexec.mpich, else mpiexec, as found on PATH.</summary>
    public static string? Launcher { get; } = Find("mpiexec.mpich") ?? Find("mpiexec");

    /// <summary>The worker program, built next to these tests.</summary>
    public static string WorkerPath => Sibling(Path.Combine("tests", "Cortex.Distributed.Worker"), "Cortex.Distributed.Worker.dll");

    /// <summary>The cortex command's dll (src/Cortex.Cli), built with these tests.</summary>
    public static string CliPath => Sibling(Path.Combine("src", "Cortex.Cli"), "Cortex.Cli.dll");

    /// <summary>Runs the worker with <paramref name="arguments"/> under <c>mpiexec -n ranks</c> (ranks 0: alone).</summary>
    public static RunResult Worker(int ranks, TimeSpan timeout, params string[] arguments) => Dotnet(WorkerPath, ranks, timeout, null, arguments);

    /// <summary>Runs <c>dotnet DLL arguments</c> under <c>mpiexec -n ranks</c> (ranks 0: alone), with extra environment variables.</summary>
    public static RunResult Dotnet(string dll, int ranks, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(ranks == 0 ? "dotnet" : Launcher!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (ranks > 0)
        {
            start.ArgumentList.Add("-n");
            start.ArgumentList.Add(ranks.ToString(System.Globalization.CultureInfo.InvariantCulture));
            start.ArgumentList.Add("dotnet");
        }
        start.ArgumentList.Add(dll);
        foreach (var a in arguments)
            start.ArgumentList.Add(a);
        foreach (var name in new[] { "PMI_RANK", "PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "SLURM_NTASKS", "SLURM_PROCID" })
            start.Environment.Remove(name);
        start.Environment["CORTEX_THREADS"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool finished = process.WaitForExit(timeout);
        if (!finished)
            process.Kill(entireProcessTree: true);
        process.WaitForExit();
        lock (output)
            return new RunResult(finished ? process.ExitCode : -1, output.ToString(), clock.Elapsed, !finished);
    }

    // tests/Cortex.Distributed.Tests/bin/<Configuration>/net10.0 → <project>/bin/<Configuration>/net10.0/<dll>
    private static string Sibling(string project, string dll)
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = here.Name, configuration = here.Parent!.Name;
        string repository = here.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        return Path.Combine(repository, project, "bin", configuration, framework, dll);
    }

    private static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
}
