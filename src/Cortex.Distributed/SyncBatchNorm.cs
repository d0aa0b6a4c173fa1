// SyncBatchNorm.cs — synchronised batch normalisation over the ranks of an MPI job: every
// BatchNorm of a model gets a reducer that sums its per-channel statistics with MPI_Allreduce
// (double precision), in forward (Σx and the count, then Σ(x − μ)²) and in backward (Σ dy, Σ dy·x̂).
// The layers run in the same order on every rank, so the reductions match across ranks as MPI
// requires of collectives. Cost: three blocking allreduces of about C doubles per batch-norm layer
// and step (ResNet-20: 19 layers of 16–64 channels), latency rather than bandwidth.
using Cortex.Layers;

namespace Cortex.Distributed;

/// <summary>Makes a model's batch-norm layers normalise by the statistics of the global batch over all ranks.</summary>
/// <example><code>
/// using var mpi = Mpi.Initialize();
/// int layers = SyncBatchNorm.Apply(mpi, model);     // or DistributedOptions { SyncBatchNorm = true }
/// </code></example>
public sealed class SyncBatchNorm : IBatchStatisticsReducer
{
    private readonly Mpi _mpi;

    private SyncBatchNorm(Mpi mpi) => _mpi = mpi;

    /// <summary>Sets an MPI reducer on every <see cref="BatchNorm"/> of <paramref name="model"/>; returns how many there are.</summary>
    public static int Apply(Mpi mpi, Layer model)
    {
        ArgumentNullException.ThrowIfNull(mpi);
        ArgumentNullException.ThrowIfNull(model);
        var reducer = new SyncBatchNorm(mpi);
        int count = 0;
        foreach (var layer in model.Descendants().OfType<BatchNorm>())
        {
            layer.StatisticsReducer = reducer;
            count++;
        }
        return count;
    }

    /// <summary>Takes the reducer off every batch-norm layer of <paramref name="model"/> (they normalise locally again).</summary>
    public static void Remove(Layer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var layer in model.Descendants().OfType<BatchNorm>())
            layer.StatisticsReducer = null;
    }

    /// <inheritdoc/>
    public void SumInPlace(Span<double> values)
    {
        if (_mpi.Size > 1)
            _mpi.AllreduceSum(values);
    }
}
