// Program.cs — the distributed tests' worker. One command per run:
//   train OUT GLOBAL_BATCH EPOCHS BUCKET_BYTES [NORM]
//                                                alone: Trainer with batch GLOBAL_BATCH; under mpiexec -n N:
//                                                DistributedTrainer with batch GLOBAL_BATCH / N; rank 0 writes
//                                                the final parameters and buffers (raw little-endian floats) to OUT.
//                                                NORM: none (default), bn (batch norm, local statistics) or
//                                                syncbn (batch norm, synchronised: DistributedOptions.SyncBatchNorm)
//   checkpointed OUT MODE GLOBAL_BATCH EPOCHS CKPT EVERY DIE_STEP DIE_RANK RESUME
//                                                MODE plain: Trainer alone; mpi: DistributedTrainer under mpiexec -n N
//                                                (N = 1 too), batch GLOBAL_BATCH / N, Momentum and a step-decay schedule;
//                                                a checkpoint to CKPT every EVERY batches (rank 0), rank DIE_RANK killed
//                                                (SIGKILL) at its DIE_STEP-th step (0: never), resumed from RESUME ('-': new);
//                                                rank 0 writes the final parameters to OUT
//   die RANK                                     under mpiexec: RANK is killed (SIGKILL) at its 3rd step
//   throw RANK                                   under mpiexec: RANK throws at its 3rd step
//   collectives                                  under mpiexec: checks Allreduce, Iallreduce + Test/Wait, Bcast
//                                                against sums computed here; prints "collectives ok" or the mismatch
//   allreduce                                    under mpiexec: prints "bytes seconds" of MPI_Allreduce per message size
// The data: 96 random 1×8×8 images in 4 classes (seed 7); the model: a 3×3 convolution, ReLU and a dense layer,
// initialised from the seed plus the rank so that only the broadcast can make the replicas equal.
using System.Diagnostics;
using System.Globalization;
using Cortex.Distributed;
using Cortex.Layers;
using Cortex.Losses;
using Cortex.Optimizers;
using Cortex.Tensors;
using Cortex.Training;

string mode = args.Length > 0 ? args[0] : "";
bool launched = MpiEnvironment.IsLaunchedByMpi;
switch (mode)
{
    case "train":
        return Train(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture),
                     int.Parse(args[4], CultureInfo.InvariantCulture), args.Length > 5 ? args[5] : "none", launched);
    case "checkpointed":
        return Checkpointed(args[1], args[2], Int(args[3]), Int(args[4]), args[5], Int(args[6]), Int(args[7]), Int(args[8]), args[9]);
    case "die" or "throw":
        return Fault(mode, int.Parse(args[1], CultureInfo.InvariantCulture));
    case "allreduce":
        return AllreduceTimes();
    case "collectives":
        return Collectives();
    default:
        Console.Error.WriteLine("usage: Cortex.Distributed.Worker train OUT GLOBAL_BATCH EPOCHS BUCKET_BYTES | die RANK | throw RANK | allreduce");
        return 2;
}

static int Train(string output, int globalBatch, int epochs, int bucketBytes, string norm, bool distributed)
{
    var data = new RandomImages(96, seed: 7);
    var options = new TrainerOptions { Epochs = epochs, Seed = 11, BatchSize = globalBatch };
    bool batchNorm = norm is "bn" or "syncbn";
    if (!distributed)
    {
        var model = batchNorm ? NormModel(0) : Model(0);
        new Trainer(model, new SoftmaxCrossEntropy(), new Momentum(model.AllParameters(), 0.05f), options).Fit(data);
        Write(model, output);
        return 0;
    }
    using var mpi = Mpi.Initialize();
    var replica = batchNorm ? NormModel(mpi.Rank) : Model(mpi.Rank);
    var trainer = new DistributedTrainer(mpi, replica, new SoftmaxCrossEntropy(), new Momentum(replica.AllParameters(), 0.05f),
                                         options with { BatchSize = globalBatch / mpi.Size },
                                         new DistributedOptions { BucketBytes = bucketBytes, SyncBatchNorm = norm == "syncbn" });
    trainer.Fit(data);
    if (mpi.IsRoot)
    {
        Write(replica, output);
        Console.WriteLine($"ranks {mpi.Size}, buckets {trainer.Averager.BucketCount}, started during backward {trainer.Averager.OverlappedBuckets}, {mpi.Flavor} {mpi.LibraryVersion}");
    }
    return 0;
}

static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

static int Checkpointed(string output, string mode, int globalBatch, int epochs, string checkpoint, int every, int dieStep, int dieRank, string resume)
{
    var data = new RandomImages(96, seed: 7);
    var options = new TrainerOptions { Epochs = epochs, Seed = 11, BatchSize = globalBatch };
    var checkpoints = new CheckpointOptions(checkpoint) { Every = CheckpointInterval.Batches(every) };
    string? from = resume == "-" ? null : resume;
    if (mode == "plain")
    {
        var model = Model(0);
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Momentum(model.AllParameters(), 0.05f), options)
        {
            Schedule = new Cortex.Optimizers.Schedules.StepDecay(1, 0.5f),
            Checkpoints = checkpoints,
        };
        trainer.Callbacks.Add(new FaultAt(dieRank == 0 && dieStep > 0 ? "die" : null, dieStep));
        if (from is null)
            trainer.Fit(data);
        else
            trainer.Fit(data, null, from);
        Write(model, output);
        return 0;
    }
    using var mpi = Mpi.Initialize();
    var replica = Model(mpi.Rank);
    var parallel = new DistributedTrainer(mpi, replica, new SoftmaxCrossEntropy(), new Momentum(replica.AllParameters(), 0.05f),
                                          options with { BatchSize = globalBatch / mpi.Size }, null,
                                          new Cortex.Optimizers.Schedules.StepDecay(1, 0.5f), checkpoints);
    parallel.Trainer.Callbacks.Add(new FaultAt(mpi.Rank == dieRank && dieStep > 0 ? "die" : null, dieStep));
    if (from is null)
        parallel.Fit(data);
    else
        parallel.Fit(data, null, from);
    if (mpi.IsRoot)
        Write(replica, output);
    return 0;
}

static int Fault(string mode, int victim)
{
    using var mpi = Mpi.Initialize();
    var model = Model(mpi.Rank);
    var trainer = new DistributedTrainer(mpi, model, new SoftmaxCrossEntropy(), new Sgd(model.AllParameters(), 0.01f),
                                         new TrainerOptions { Epochs = 100_000, BatchSize = 8, Seed = 1 });
    trainer.Trainer.Callbacks.Add(new FaultAt(mpi.Rank == victim ? mode : null));
    var table = mpi.ProcessTable();
    if (mpi.IsRoot)
        Console.Out.WriteLine(string.Join(", ", table.Select((row, r) => $"rank {r} = {row}")));
    Console.Out.WriteLine($"rank {mpi.Rank} training");
    Console.Out.Flush();
    trainer.Fit(new RandomImages(96, seed: 7));
    return 0;
}

static int Collectives()
{
    using var mpi = Mpi.Initialize();
    int n = mpi.Size, r = mpi.Rank;
    var errors = new List<string>();
    var data = new float[1000];
    for (int i = 0; i < data.Length; i++)
        data[i] = (r + 1) * 1000 + i;
    mpi.AllreduceSum(data);
    for (int i = 0; i < data.Length; i++)
    {
        float expected = 1000f * n * (n + 1) / 2 + n * i;     // Σ_r ((r+1)·1000 + i)
        if (data[i] != expected)
        {
            errors.Add($"Allreduce[{i}] = {data[i]}, expected {expected}");
            break;
        }
    }
    var pending = new float[300_000];
    pending.AsSpan().Fill(r + 0.5f);
    var request = mpi.StartAllreduceSum(pending, 200_000);
    while (!request.Test())
        Thread.Yield();
    request.Wait();
    float total = n * n / 2f;                                  // Σ_r (r + 0.5)
    if (pending[0] != total || pending[199_999] != total || pending[200_000] != r + 0.5f)
        errors.Add($"Iallreduce: {pending[0]}, {pending[199_999]}, {pending[200_000]}; expected {total}, {total}, {r + 0.5f}");
    var broadcast = new float[10];
    broadcast.AsSpan().Fill(r == n - 1 ? 42f : -1f);
    mpi.Broadcast(broadcast, root: n - 1);
    if (broadcast.Any(v => v != 42f))
        errors.Add($"Bcast from rank {n - 1}: got {broadcast[0]}");
    mpi.Barrier();
    Console.WriteLine(errors.Count == 0 ? $"rank {r} of {n}: collectives ok ({mpi.Flavor}, thread level {mpi.ThreadLevel})" : $"rank {r} of {n}: " + string.Join("; ", errors));
    return errors.Count == 0 ? 0 : 1;
}

static int AllreduceTimes()
{
    using var mpi = Mpi.Initialize();
    for (int bytes = 4; bytes <= 64 << 20; bytes *= 4)
    {
        var buffer = new float[bytes / 4];
        int repeats = Math.Clamp((16 << 20) / bytes, 3, 1000);
        mpi.AllreduceSum(buffer);     // warm-up
        mpi.Barrier();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < repeats; i++)
            mpi.AllreduceSum(buffer);
        double seconds = clock.Elapsed.TotalSeconds / repeats;
        if (mpi.IsRoot)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes} {seconds:E3}"));
    }
    return 0;
}

static Sequential Model(int rank)
{
    var random = new CortexRandom(100 + (ulong)rank);
    return new Sequential(
        new Conv2d(1, 4, 3, random: random), new ReLU(),
        new Flatten(), new Dense(4 * 6 * 6, 16, random: random), new ReLU(), new Dense(16, 4, random: random));
}

// The conv + batch norm net: 3×3 convolution, BatchNorm2d, ReLU, dense, BatchNorm1d, ReLU, dense.
static Sequential NormModel(int rank)
{
    var random = new CortexRandom(100 + (ulong)rank);
    return new Sequential(
        new Conv2d(1, 4, 3, random: random), new BatchNorm2d(4), new ReLU(),
        new Flatten(), new Dense(4 * 6 * 6, 16, random: random), new BatchNorm1d(16), new ReLU(), new Dense(16, 4, random: random));
}

static void Write(Layer model, string path)
{
    using var file = File.Create(path);
    foreach (var v in model.AllParameters().Select(p => p.Value).Concat(model.NamedBuffers().Select(b => b.Value)))
    {
        foreach (float x in v.Span)
            file.Write(BitConverter.GetBytes(x));
    }
}

/// <summary>Random images in [0, 1) with labels from the brightest quadrant (learnable, deterministic).</summary>
internal sealed class RandomImages : IDataset
{
    private readonly float[] _pixels;
    private readonly int[] _labels;

    public RandomImages(int count, ulong seed)
    {
        var random = new CortexRandom(seed);
        _pixels = new float[count * 64];
        _labels = new int[count];
        for (int i = 0; i < _pixels.Length; i++)
            _pixels[i] = random.NextFloat();
        for (int n = 0; n < count; n++)
        {
            float best = float.MinValue;
            for (int q = 0; q < 4; q++)
            {
                float sum = 0;
                for (int y = 0; y < 4; y++)
                    for (int x = 0; x < 4; x++)
                        sum += _pixels[n * 64 + ((q / 2) * 4 + y) * 8 + (q % 2) * 4 + x];
                if (sum > best)
                    (best, _labels[n]) = (sum, q);
            }
        }
    }

    public int Count => _labels.Length;
    public Shape SampleShape => new(1, 8, 8);
    public int NumClasses => 4;

    public void CopyBatch(ReadOnlySpan<int> indices, Tensor images, Span<int> labels)
    {
        var target = images.Span;
        for (int i = 0; i < indices.Length; i++)
        {
            _pixels.AsSpan(indices[i] * 64, 64).CopyTo(target.Slice(i * 64, 64));
            labels[i] = _labels[indices[i]];
        }
    }
}

/// <summary>Kills or fails this rank at its <paramref name="step"/>-th step (mode null: never).</summary>
internal sealed class FaultAt(string? mode, int step = 3) : TrainingCallback
{
    private int _steps;

    public override void OnBatchEnd(TrainingContext context, in BatchProgress progress)
    {
        if (mode is null || ++_steps < step)
            return;
        if (mode == "die")
            Process.GetCurrentProcess().Kill();
        throw new InvalidOperationException($"a deliberate failure at step {step}");
    }
}
