// RunState.cs — what Trainer.Fit carries from one batch to the next: where the run is (epoch,
// batches done, samples consumed), the epoch's shuffled order and the generator that shuffles it,
// the epoch's running sums, and the divergence counter. A training checkpoint is this plus the
// weights, optimizer, schedule, random streams of the layers, history and callbacks.
using Cortex.Tensors;

namespace Cortex.Training;

internal sealed class RunState(TrainingContext context, IDataset train, CortexRandom shuffle, int[] order, float baseRate)
{
    public TrainingContext Context { get; } = context;
    public IDataset Train { get; } = train;
    public CortexRandom Shuffle { get; } = shuffle;
    public int[] Order { get; } = order;

    /// <summary>The rate the schedule scales (the optimizer's rate when the run first started).</summary>
    public float BaseRate { get; set; } = baseRate;

    /// <summary>The rate a resumed epoch continues with.</summary>
    public float LearningRate { get; set; }

    /// <summary>The current epoch (1-based); 0 before the first starts.</summary>
    public int Epoch { get; set; }

    /// <summary>Whether <see cref="Epoch"/> has ended (evaluated, recorded, seen by the callbacks).</summary>
    public bool EpochComplete { get; set; } = true;

    public int BatchesDone { get; set; }
    public int Start { get; set; }
    public double LossSum { get; set; }
    public int Correct { get; set; }
    public int Seen { get; set; }
    public double Seconds { get; set; }

    /// <summary>Batches trained over the whole run (what a checkpoint interval in batches counts).</summary>
    public long TotalBatches { get; set; }

    /// <summary>The first batch's loss, the yardstick of divergence (NaN before it).</summary>
    public double ReferenceLoss { get; set; } = double.NaN;

    /// <summary>Consecutive batches whose loss was above the divergence limit.</summary>
    public int BatchesAbove { get; set; }

    /// <summary>A checkpoint was due while the loss was above the divergence limit: it is written at the first batch back below.</summary>
    public bool CheckpointDeferred { get; set; }

    /// <summary>Where the last checkpoint was written (so the end of a run does not write the same one twice).</summary>
    public (int, int, bool)? WrittenAt { get; set; }

    public (int, int, bool)? Position => (Epoch, BatchesDone, EpochComplete);

    public void BeginEpoch(int epoch)
    {
        Epoch = epoch;
        EpochComplete = false;
        (BatchesDone, Start, LossSum, Correct, Seen, Seconds) = (0, 0, 0, 0, 0, 0);
    }
}
