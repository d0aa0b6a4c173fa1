// IPlannedDataset.cs — a data set that is told each epoch's batch order before the epoch starts,
// so it can prepare batches ahead of the trainer (decode, augment and copy them on other threads
// while the model trains on the current batch). The trainer calls PlanEpoch once per epoch, right
// after shuffling, and then CopyBatch for exactly those batches in that order; an implementation
// must return what it would have returned without the plan (prefetching is invisible).
namespace Cortex.Training;

/// <summary>An <see cref="IDataset"/> that wants the epoch's batch order in advance (for prefetching).</summary>
/// <example><code>
/// // The trainer does this at the start of every epoch:
/// if (train is IPlannedDataset planned)
///     planned.PlanEpoch(epoch, order, batchSize, batches);
/// // ... then calls train.CopyBatch(order[b*batchSize .. ], x, y) for b = 0, 1, …, batches − 1.
/// </code></example>
public interface IPlannedDataset : IDataset
{
    /// <summary>
    /// Announces epoch <paramref name="epoch"/> (1-based): batch b will be the indices
    /// <c>order[b·batchSize .. min((b+1)·batchSize, order.Length))</c> for b in [0, <paramref name="batchCount"/>).
    /// The implementation copies <paramref name="order"/>; a new plan replaces any unfinished one.
    /// </summary>
    void PlanEpoch(int epoch, ReadOnlySpan<int> order, int batchSize, int batchCount);

    /// <summary>
    /// Like <see cref="PlanEpoch(int, ReadOnlySpan{int}, int, int)"/> for the rest of an epoch whose first
    /// <paramref name="firstBatch"/> batches are already done (a run resumed mid-epoch, or a batch-size change):
    /// the plan's batch b is the epoch's batch <paramref name="firstBatch"/> + b. A dataset whose batches
    /// depend on their number in the epoch (random augmentation seeded by it) must implement this; the
    /// default ignores <paramref name="firstBatch"/>.
    /// </summary>
    void PlanEpoch(int epoch, ReadOnlySpan<int> order, int batchSize, int batchCount, int firstBatch) =>
        PlanEpoch(epoch, order, batchSize, batchCount);
}
