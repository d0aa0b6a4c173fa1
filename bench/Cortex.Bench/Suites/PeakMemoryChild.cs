// PeakMemoryChild.cs — one side's peak working set, measured in a process of its own.
//
// In one process Cortex, libtorch and the bench share one working set, so the memory suite starts
// this program again as a child per (network, side): `memory-child --side cortex|libtorch
// --network NAME`. The child builds only that side (the Cortex child never loads libtorch), runs
// warm-up plus timed training steps, and prints its peak working set (Process.PeakWorkingSet64,
// VmHWM on Linux) on one line the parent parses. Both children pay the same .NET runtime baseline.
using System.Diagnostics;
using System.Globalization;
using Cortex.Kernels;

namespace Cortex.Bench.Suites;

/// <summary>The child side of the peak-working-set measurement, and the parent's way of running it.</summary>
public static class PeakMemoryChild
{
    /// <summary>The child command's name.</summary>
    public const string Command = "memory-child";

    private const string Marker = "peak-working-set-bytes:";
    private const int Steps = 25;

    /// <summary>Runs in the child: trains <paramref name="networkName"/> on <paramref name="side"/> and prints the peak working set.</summary>
    public static int Run(string side, string networkName, int threads)
    {
        var network = Network.All.FirstOrDefault(n => n.Name == networkName);
        if (network is null || side is not ("cortex" or "libtorch"))
        {
            Console.Error.WriteLine($"{Command}: expected --side cortex|libtorch and --network one of {string.Join(", ", Network.All.Select(n => n.Name))}, got '{side}' and '{networkName}'.");
            return 2;
        }
        Parallelism.MaxDegree = threads;
        INetworkRig rig;
        if (side == "cortex")
        {
            rig = new CortexRig(network, network.TrainBatch);
        }
        else
        {
            Peers.LibTorchPeer.Load(threads);
            rig = new TorchRig(network, network.TrainBatch);
        }
        using (rig)
        {
            for (int i = 0; i < Steps; i++)
                rig.Train();
        }
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        Console.WriteLine($"{Marker} {process.PeakWorkingSet64.ToString(CultureInfo.InvariantCulture)}");
        return 0;
    }

    /// <summary>Runs in the parent: starts the child for one side and returns its peak working set in MiB.</summary>
    public static double Measure(string side, Network network, int threads)
    {
        ArgumentNullException.ThrowIfNull(network);
        var start = new ProcessStartInfo(Environment.ProcessPath ?? throw new InvalidOperationException("memory: cannot find this program to start a child"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { Command, "--side", side, "--network", network.Name, "--threads", threads.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(arg);
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"memory: could not start {start.FileName}");
        var error = child.StandardError.ReadToEndAsync();
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal));
        if (child.ExitCode != 0 || line is null)
            throw new InvalidOperationException($"memory: the {side} child for {network.Name} exited {child.ExitCode}: {error.Result.Trim()}");
        return long.Parse(line[Marker.Length..].Trim(), CultureInfo.InvariantCulture) / (1024.0 * 1024.0);
    }
}
