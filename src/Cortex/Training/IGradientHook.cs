// IGradientHook.cs — a seam in the training step for whoever must see the gradients between
// backward and the optimizer step. Cortex.Distributed's data-parallel trainer is the user: it
// averages each bucket of gradients across processes as soon as backward has produced it
// (Layer.BackwardCompleted) and waits for the last bucket in BeforeOptimizerStep.
//
//   zero grads → forward → loss → BeforeBackward → backward → BeforeOptimizerStep → optimizer step
using Cortex.Layers;

namespace Cortex.Training;

/// <summary>Observes the gradient phase of every training step of a <see cref="Trainer"/>.</summary>
public interface IGradientHook
{
    /// <summary>Called after the loss of a batch of <paramref name="batchSize"/> samples, before <c>model.Backward</c>.</summary>
    void BeforeBackward(Layer model, int batchSize);

    /// <summary>Called after backward, before the optimizer step: the gradients may be changed here.</summary>
    void BeforeOptimizerStep(Layer model);
}
