// DistributedSuite.cs — data-parallel scaling on this machine: N ranks × 1 thread under
// `mpiexec -n N` (Cortex.Distributed's DistributedTrainer) against 1 process × 1 thread (Trainer),
// on LeNet-5 and ResNet-20, in images per second of the whole job.
//
// Weak scaling, as Horovod reports it (Sergeev & Del Balso 2018, arXiv:1802.05799): each rank keeps
// the network's training batch, so N ranks train a global batch N times larger. Each side runs in a
// child process of its own (`distributed-child`), trains EPOCHS epochs of STEPS steps on random
// images, and reports the median images/s of the epochs after the first (the warm-up); rank 0
// speaks for the job. The goal on two cores is 2 ranks ≥ 1.8 × one process. Needs MPI
// (scripts/install-mpi.sh); without it the rows say why they are empty.
using System.Diagnostics;
using System.Globalization;
using Cortex.Bench.Harness;
using Cortex.Distributed;
using Cortex.Kernels;
using Cortex.Tensors;
using Cortex.Training;
using CortexTensor = Cortex.Tensors.Tensor;

namespace Cortex.Bench.Suites;

/// <summary>N ranks × 1 thread against 1 process × 1 thread, images/s.</summary>
public sealed class DistributedSuite : Suite
{
    /// <summary>The child command's name.</summary>
    public const string ChildCommand = "distributed-child";

    private const string Marker = "images-per-second:";
    private const int Ranks = 2;
    private const int Epochs = 4;

    public override string Name => "distributed";

    public override string Description => $"Data-parallel training: {Ranks} ranks × 1 thread under mpiexec vs 1 process × 1 thread (LeNet-5, ResNet-20), images/s of the job.";

    public override IEnumerable<ResultRow> Run(BenchContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string? launcher = Find("mpiexec.mpich") ?? Find("mpiexec");
        string? missing = !Mpi.IsAvailable(out string reason) ? reason : launcher is null ? "no mpiexec on PATH (scripts/install-mpi.sh)" : null;
        foreach (var (name, steps) in new[] { ("LeNet-5", 40), ("ResNet-20", 4) })
        {
            var network = Network.All.First(n => n.Name == name);
            string details = $"batch {network.TrainBatch} per rank, {steps} steps × {Epochs - 1} timed epochs, 1 thread per rank";
            if (missing is not null)
            {
                yield return new ResultRow(Name, name, details, "images/s", true, null, null, Note: missing) { PeerName = "1 process × 1 thread" };
                continue;
            }
            var single = Child(null, network, steps);
            var parallel = Child(launcher, network, steps);
            yield return new ResultRow(Name, $"{name}, {Ranks} ranks", details, "images/s", true, parallel, single,
                Note: $"goal ≥ 1.8× (weak scaling: global batch {Ranks} × {network.TrainBatch})")
            { PeerName = "1 process × 1 thread" };
        }
    }

    /// <summary>Runs in the child: trains <paramref name="networkName"/> (distributed when launched by MPI) and prints images/s per timed epoch.</summary>
    public static int RunChild(string networkName, int steps)
    {
        var network = Network.All.FirstOrDefault(n => n.Name == networkName);
        if (network is null || steps < 1)
        {
            Console.Error.WriteLine($"{ChildCommand}: expected --network one of {string.Join(", ", Network.All.Select(n => n.Name))} and --steps ≥ 1, got '{networkName}', {steps}.");
            return 2;
        }
        Parallelism.MaxDegree = 1;
        var model = network.CreateCortex();
        var optimizer = network.CortexOptimizer(model.AllParameters());
        var options = new TrainerOptions { Epochs = Epochs, BatchSize = network.TrainBatch, Seed = 3 };
        History history;
        int ranks = 1;
        bool root = true;
        if (MpiEnvironment.IsLaunchedByMpi)
        {
            using var mpi = Mpi.Initialize();
            ranks = mpi.Size;
            root = mpi.IsRoot;
            var data = new RandomImages(network, steps * network.TrainBatch * ranks);
            history = new DistributedTrainer(mpi, model, new Cortex.Losses.SoftmaxCrossEntropy(), optimizer, options).Fit(data);
        }
        else
        {
            history = new Trainer(model, new Cortex.Losses.SoftmaxCrossEntropy(), optimizer, options).Fit(new RandomImages(network, steps * network.TrainBatch));
        }
        if (root)
        {
            double samples = (double)steps * network.TrainBatch * ranks;
            var rates = history.Epochs.Skip(1).Select(e => (samples / e.Seconds).ToString("R", CultureInfo.InvariantCulture));
            Console.WriteLine($"{Marker} {string.Join(' ', rates)}");
        }
        return 0;
    }

    private static Statistic Child(string? launcher, Network network, int steps)
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("distributed: cannot find this program to start a child");
        var start = new ProcessStartInfo(launcher ?? self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (launcher is not null)
        {
            foreach (string arg in new[] { "-n", Ranks.ToString(CultureInfo.InvariantCulture), self })
                start.ArgumentList.Add(arg);
        }
        foreach (string arg in new[] { ChildCommand, "--network", network.Name, "--steps", steps.ToString(CultureInfo.InvariantCulture), "--threads", "1" })
            start.ArgumentList.Add(arg);
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"distributed: could not start {start.FileName}");
        var error = child.StandardError.ReadToEndAsync();
        string output = child.StandardOutput.ReadToEnd();
        if (!child.WaitForExit(TimeSpan.FromMinutes(10)))
            child.Kill(entireProcessTree: true);
        child.WaitForExit();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal));
        if (child.ExitCode != 0 || line is null)
            throw new InvalidOperationException($"distributed: the {(launcher is null ? "1-process" : $"{Ranks}-rank")} child for {network.Name} exited {child.ExitCode}: {error.Result.Trim()} {output.Trim()}");
        return Statistic.Of(line[Marker.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)));
    }

    private static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);

    /// <summary>Random normal images with labels i mod classes.</summary>
    private sealed class RandomImages : IDataset
    {
        private readonly float[] _pixels;
        private readonly int _size;

        public RandomImages(Network network, int count)
        {
            Count = count;
            NumClasses = network.Classes;
            SampleShape = new Shape(network.Channels, network.Size, network.Size);
            _size = SampleShape.Size;
            _pixels = CortexTensor.RandomNormal(new Shape(count, network.Channels, network.Size, network.Size), new CortexRandom(7)).Span.ToArray();
        }

        public int Count { get; }
        public Shape SampleShape { get; }
        public int NumClasses { get; }

        public void CopyBatch(ReadOnlySpan<int> indices, CortexTensor images, Span<int> labels)
        {
            var target = images.Span;
            for (int i = 0; i < indices.Length; i++)
            {
                _pixels.AsSpan(indices[i] * _size, _size).CopyTo(target.Slice(i * _size, _size));
                labels[i] = indices[i] % NumClasses;
            }
        }
    }
}
