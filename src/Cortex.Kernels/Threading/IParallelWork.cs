// IParallelWork.cs — a loop body for Parallelism.For that a kernel can keep and reuse, so a
// parallel call allocates nothing (an Action<int> capturing locals is a new object per call).
namespace Cortex.Kernels;

/// <summary>A reusable loop body: <see cref="Execute"/> runs once for each index of a <see cref="Parallelism.For(int, IParallelWork)"/> call.</summary>
public interface IParallelWork
{
    /// <summary>Does the work for one index; may run on any pool thread, concurrently with other indices.</summary>
    void Execute(int index);
}
