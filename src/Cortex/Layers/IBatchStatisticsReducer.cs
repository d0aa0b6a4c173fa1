// IBatchStatisticsReducer.cs — the seam of synchronised batch normalisation: a BatchNorm that has
// one sums its per-channel statistics over every replica of a data-parallel run, so it normalises
// by the statistics of the global batch (Cortex.Distributed implements it with MPI_Allreduce).
namespace Cortex.Layers;

/// <summary>Sums per-channel batch statistics over all replicas of a data-parallel run (see <see cref="BatchNorm.StatisticsReducer"/>).</summary>
public interface IBatchStatisticsReducer
{
    /// <summary>
    /// Replaces every value of <paramref name="values"/> by its sum over all replicas. Every replica calls it
    /// the same number of times, in the same order, with the same length (it is a collective).
    /// </summary>
    void SumInPlace(Span<double> values);
}
