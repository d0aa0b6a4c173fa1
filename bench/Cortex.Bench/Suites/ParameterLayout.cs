// ParameterLayout.cs — the parameter tensors of a network, in order, as keys and shapes: how the
// bench tells that its Cortex model and its libtorch module are the same architecture.
//
// Both libraries list parameters depth-first in the order the layers were added (Cortex:
// Layer.NamedParameters; TorchSharp: Module.named_parameters), so two definitions of the same
// network give the same list of shapes, position by position: every convolution with or without
// its bias, every batch norm's γ and β, every projection shortcut, the head. Keys are shown in
// messages but not compared (the bench's simpler libtorch networks name their layers differently).
// A stride or a padding has no parameters; ArchitectureCheck compares outputs for those.
//
// This file uses Cortex only (no TorchSharp): the test project compiles it in directly.
using Cortex.Layers;

namespace Cortex.Bench.Suites;

/// <summary>One parameter tensor as a network lists it.</summary>
/// <param name="Key">Its dotted path, e.g. <c>layer1.0.conv1.weight</c>.</param>
/// <param name="Shape">Its dimensions.</param>
public sealed record ParameterEntry(string Key, IReadOnlyList<long> Shape)
{
    /// <summary>The number of values (the product of the dimensions).</summary>
    public long Size => Shape.Aggregate(1L, (product, d) => product * d);

    /// <summary>"layer1.0.conv1.weight [16, 16, 3, 3]".</summary>
    public override string ToString() => $"{Key} [{string.Join(", ", Shape)}]";
}

/// <summary>Lists and compares the parameter tensors of two definitions of one network.</summary>
public static class ParameterLayout
{
    /// <summary>The parameters of a Cortex model, in its order.</summary>
    public static IReadOnlyList<ParameterEntry> Of(Layer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return [.. model.NamedParameters().Select(p => new ParameterEntry(p.Key, [.. p.Parameter.Shape.Select(d => (long)d)]))];
    }

    /// <summary>The total number of parameter values.</summary>
    public static long Total(IEnumerable<ParameterEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return entries.Sum(e => e.Size);
    }

    /// <summary>
    /// Null when <paramref name="cortex"/> and <paramref name="torch"/> have the same shapes in the same order;
    /// otherwise one line naming the first difference.
    /// </summary>
    public static string? FirstDifference(IReadOnlyList<ParameterEntry> cortex, IReadOnlyList<ParameterEntry> torch)
    {
        ArgumentNullException.ThrowIfNull(cortex);
        ArgumentNullException.ThrowIfNull(torch);
        for (int i = 0; i < Math.Min(cortex.Count, torch.Count); i++)
        {
            if (!cortex[i].Shape.SequenceEqual(torch[i].Shape))
                return $"parameter tensor {i}: Cortex {cortex[i]}, libtorch {torch[i]}";
        }
        if (cortex.Count == torch.Count)
            return null;
        var (longer, side) = cortex.Count > torch.Count ? (cortex, "Cortex") : (torch, "libtorch");
        return $"Cortex has {cortex.Count} parameter tensors, libtorch {torch.Count}; the first extra one ({side}) is {longer[Math.Min(cortex.Count, torch.Count)]}";
    }
}
