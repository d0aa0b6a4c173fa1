// DistributedTrainer.cs — data-parallel training: one replica of the model per rank.
//
//   start   rank 0's parameters and buffers are broadcast (MPI_Bcast), so all replicas start equal
//   epoch   every rank shuffles the same permutation and takes its shard of each global batch
//           (ShardedDataset): global batch = N × per-rank batch
//   step    forward and backward on the local shard; GradientAverager averages the gradients across
//           ranks in buckets during backward; every rank applies the same averaged step
//   failure an exception on one rank is printed with the rank and ends the job (MPI_Abort)
//
// With the same global batch, N ranks compute the same steps as one process (up to float
// rounding) for models without batch normalisation; batch norm normalises by local statistics.
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
    /// <param name="distributed">Bucket size, linear lr scaling, buffer averaging, abort on failure.</param>
    /// <param name="schedule">Optional learning-rate schedule (as <see cref="Trainer.Schedule"/>).</param>
    public DistributedTrainer(Mpi mpi, Layer model, Loss loss, Optimizer optimizer, TrainerOptions? options = null,
                              DistributedOptions? distributed = null, ILearningRateSchedule? schedule = null)
    {
        Mpi = mpi ?? throw new ArgumentNullException(nameof(mpi));
        _options = options ?? new TrainerOptions();
        Distributed = distributed ?? new DistributedOptions();
        // The shard is shuffled here; the trainer walks it in order.
        Trainer = new Trainer(model, loss, optimizer, _options with { Shuffle = false }) { Schedule = schedule };
        Averager = new GradientAverager(mpi, model, Distributed.BucketBytes, Distributed.AverageBuffers);
        Trainer.GradientHook = Averager;
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

    /// <summary>Trains on this rank's shard of <paramref name="train"/> (the full set, the same on every rank) and returns this rank's history.</summary>
    public History Fit(IDataset train, IDataset? validation = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        try
        {
            var shard = new ShardedDataset(train, Mpi.Rank, Mpi.Size, _options.BatchSize,
                                           _options.Shuffle ? _options.Seed : null, _options.DropLast);
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
