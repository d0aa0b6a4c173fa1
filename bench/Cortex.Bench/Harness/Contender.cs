// Contender.cs — one side of a comparison: a name ("Cortex", "libtorch") and one call of the
// work being timed. The call must do the same work every time and leave no state behind that
// makes the next call cheaper (results may be overwritten in place).
namespace Cortex.Bench.Harness;

/// <summary>One timed side of a benchmark case.</summary>
/// <param name="Name">Who runs the work, e.g. <c>Cortex</c> or <c>libtorch</c>.</param>
/// <param name="Call">One complete call of the work being timed.</param>
public sealed record Contender(string Name, Action Call);
