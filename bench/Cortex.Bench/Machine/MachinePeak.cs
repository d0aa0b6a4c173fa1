// MachinePeak.cs — the measured single-precision floating-point peak of this machine.
namespace Cortex.Bench.Machine;

/// <summary>FP32 FMA throughput in GFLOP/s on one thread and on <paramref name="Threads"/> threads at once.</summary>
/// <param name="Instruction">The vector FMA that was timed, e.g. <c>Vector512 FMA</c>.</param>
/// <param name="PerThread">GFLOP/s of one thread alone.</param>
/// <param name="Total">GFLOP/s of <paramref name="Threads"/> threads running together.</param>
/// <param name="Threads">How many threads ran together for <paramref name="Total"/>.</param>
public sealed record MachinePeak(string Instruction, double PerThread, double Total, int Threads);
