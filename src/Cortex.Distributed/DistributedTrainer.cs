// DistributedTrainer.cs — data-parallel training: one replica of the model per rank.
//
//   start   rank 0's parameters and buffers are broadcast (MPI_Bcast), so all replicas start equal
//   epoch   every rank shuffles the same permutation and takes its shard of each global batch
//           (ShardedDataset): global batch = N × per-rank batch
//   step    forward and backward on the local shard; GradientAverager averages the gradients across
//           ranks in buckets during backward; every rank applies the same averaged step
//   failure an exception on one rank is printed with the rank and ends the job (MPI_Abort)
//   resume  only rank 0 writes training checkpoints (the state is the same on every rank); every rank
//           reads the same checkpoint: weights, optimizer, schedule, position, random streams; the
//           shard replays the epoch's permutation from the seed. The position is counted in global
//           batches, so a checkpoint resumes on another number of ranks N' with the same global batch
//           (per-rank batch = global batch / N', Trainer.ResumeAcrossSplits), and a single-process
//           Trainer's checkpoint (batch = the global batch) resumes on N' ranks too
//
// With the same global batch, N ranks compute the same steps as one process (up to float
// rounding) for models without batch normalisation, and with it under DistributedOptions.SyncBatchNorm;
// by default batch norm normalises by each rank's local statistics.
// Every rank evaluates the whole validation set (identical weights give identical results, so
// callbacks such as early stopping decide the same everywhere); only rank 0 should print or save.
using Cortex.Layers;
using Cortex.Losses;
using Cortex.Optimizers;
using Cortex.Optimizers.Schedules;
using Cortex.Training;

namespace Cortex.Distributed;

/// <summary>Trains a model on all ranks of an MPI job, gradients averaged across ranks during backward.</summary>
/// <example><code>
/// // mpiexec -n 2 dotnet MyTraining.dll
/// using var mpi = Mpi.Initialize();
/// var trainer = new DistributedTrainer(mpi, model, new SoftmaxCrossEntropy(), new Sgd(model.AllParameters(), 0.05f),
///                                      new TrainerOptions { Epochs = 5, BatchSize = 32, Seed = 1 });
/// History history = trainer.Fit(train, validation);
/// if (mpi.IsRoot) ModelFile.Save(model, "model.safetensors");
/// </code></example>
public sealed class DistributedTrainer
{
    private readonly TrainerOptions _options;

    /// <param name="mpi">The MPI world (<see cref="Mpi.Initialize"/>).</param>
    /// <param name="model">This rank's replica (built the same way on every rank; rank 0's weights win).</param>
    /// <param name="loss">The loss.</param>
    /// <param name="optimizer">The optimizer over <paramref name="model"/>'s parameters.</param>
    /// <param name="options">Training options; <see cref="TrainerOptions.BatchSize"/> is the per-rank batch.</param>
    /// <param name="distributed">Bucket size, linear lr scaling, buffer averaging, synchronised batch norm, abort on failure.</param>
    /// <param name="schedule">Optional learning-rate schedule (as <see cref="Trainer.Schedule"/>).</param>
    /// <param name="checkpoints">Training checkpoints, written by rank 0 only (the other ranks ignore this).</param>
    public DistributedTrainer(Mpi mpi, Layer model, Loss loss, Optimizer optimizer, TrainerOptions? options = null,
                              DistributedOptions? distributed = null, ILearningRateSchedule? schedule = null, CheckpointOptions? checkpoints = null)
    {
        Mpi = mpi ?? throw new ArgumentNullException(nameof(mpi));
        _options = options ?? new TrainerOptions();
        Distributed = distributed ?? new DistributedOptions();
        // The shard is shuffled here; the trainer walks it in order.
        Trainer = new Trainer(model, loss, optimizer, _options with { Shuffle = false })
        {
            Schedule = schedule,
            Checkpoints = mpi.IsRoot && checkpoints is not null ? WithLayout(checkpoints, mpi.Size, _options.BatchSize) : null,
            ResumeAcrossSplits = true,
        };
        if (Distributed.SyncBatchNorm)
            SyncBatchNorm.Apply(mpi, model);
        Averager = new GradientAverager(mpi, model, Distributed.BucketBytes, Distributed.AverageBuffers && !Distributed.SyncBatchNorm);
        Trainer.GradientHook = Averager;
    }

    /// <summary>The checkpoint metadata key of the number of ranks that wrote it.</summary>
    public const string RanksKey = "cortex.distributed.ranks";

    /// <summary>The checkpoint metadata key of the global batch (ranks × per-rank batch) it was trained with.</summary>
    public const string GlobalBatchKey = "cortex.distributed.global_batch";

    /// <summary>
    /// The global batch a training checkpoint was trained with: <see cref="GlobalBatchKey"/> when a distributed run wrote it,
    /// else its trainer's batch size (a single process).
    /// </summary>
    public static int GlobalBatchOf(CheckpointInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return info.Metadata.TryGetValue(GlobalBatchKey, out var text)
               && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int global)
            ? global : info.BatchSize;
    }

    /// <summary>The MPI world.</summary>
    public Mpi Mpi { get; }

    /// <summary>The distributed options.</summary>
    public DistributedOptions Distributed { get; }

    /// <summary>The rank-local trainer (add callbacks here; it sees this rank's shard).</summary>
    public Trainer Trainer { get; }

    /// <summary>The gradient averaging hook (bucket sizes, overlap of the last step).</summary>
    public GradientAverager Averager { get; }

    /// <summary>The samples of one global batch: ranks × per-rank batch.</summary>
    public int GlobalBatchSize => Mpi.Size * _options.BatchSize;

    /// <summary>Broadcasts rank 0's parameters and buffers to every rank.</summary>
    public void BroadcastFromRoot()
    {
        var values = Trainer.Model.AllParameters().Select(p => p.Value)
            .Concat(Trainer.Model.NamedBuffers().Select(b => b.Value)).ToArray();
        var packed = new float[values.Sum(v => v.Size)];
        int at = 0;
        foreach (var v in values)
        {
            v.Span.CopyTo(packed.AsSpan(at));
            at += v.Size;
        }
        Mpi.Broadcast(packed, root: 0);
        at = 0;
        foreach (var v in values)
        {
            packed.AsSpan(at, v.Size).CopyTo(v.Span);
            at += v.Size;
        }
    }

    // Rank 0's checkpoints say how many ranks and which global batch wrote them.
    private static CheckpointOptions WithLayout(CheckpointOptions checkpoints, int ranks, int batchSize)
    {
        var metadata = new Dictionary<string, string>(checkpoints.Metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [RanksKey] = ranks.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [GlobalBatchKey] = ((long)ranks * batchSize).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return checkpoints with { Metadata = metadata };
    }

    /// <summary>Trains on this rank's shard of <paramref name="train"/> (the full set, the same on every rank) and returns this rank's history.</summary>
    public History Fit(IDataset train, IDataset? validation = null, CancellationToken cancellation = default) =>
        Run(train, validation, null, cancellation);

    /// <summary>
    /// Resumes the run saved in the training checkpoint <paramref name="resumeFrom"/> on every rank (see <see cref="Trainer.Fit(IDataset, IDataset?, string, CancellationToken)"/>).
    /// It may come from a run on another number of ranks, or from a single-process <see cref="Training.Trainer"/>, with the same
    /// global batch: <see cref="TrainerOptions.BatchSize"/> × ranks here must equal the batch size × ranks it was written with.
    /// With the same number of ranks and threads, the result is bit for bit that of the run never stopped.
    /// </summary>
    public History Fit(IDataset train, IDataset? validation, string resumeFrom, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(resumeFrom);
        return Run(train, validation, resumeFrom, cancellation);
    }

    private History Run(IDataset train, IDataset? validation, string? resumeFrom, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(train);
        try
        {
            var shard = new ShardedDataset(train, Mpi.Rank, Mpi.Size, _options.BatchSize,
                                           _options.Shuffle ? _options.Seed : null, _options.DropLast);
            if (resumeFrom is not null)
            {
                int global = GlobalBatchOf(TrainingCheckpoint.ReadInfo(resumeFrom));
                if (global != GlobalBatchSize)
                    throw new InvalidDataException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"{resumeFrom}: trained with a global batch of {global}; here {Mpi.Size} ranks × batch {_options.BatchSize} = {GlobalBatchSize} (use batch {global} / {Mpi.Size} per rank)."));
                return Trainer.Fit(shard, validation, resumeFrom, cancellation);   // the same file on every rank: equal already
            }
            BroadcastFromRoot();
            if (Distributed.ScaleLearningRate)
                Trainer.Optimizer.LearningRate *= Mpi.Size;
            return Trainer.Fit(shard, validation, cancellation);
        }
        catch (Exception e) when (Distributed.AbortOnFailure && Mpi.Size > 1)
        {
            Console.Error.WriteLine($"error: rank {Mpi.Rank} of {Mpi.Size} failed: {e.Message} — ending all ranks (MPI_Abort).");
            Console.Error.Flush();
            Mpi.Abort(1);
            throw;
        }
    }
}
