// ParameterGroups.cs — picks the parameters a regularizer applies to: the weights only (the usual
// choice: biases are not penalized) or all of them.
//
// "Weights" means parameters named "weight", PyTorch's name for Dense/Conv kernels — and also for
// BatchNorm's γ. To leave normalization layers out, filter the model's layers yourself.
using Cortex.Layers;

namespace Cortex.Losses;

/// <summary>Selects groups of parameters for a <see cref="Regularizer"/>.</summary>
/// <example><code>
/// var decayed = ParameterGroups.Weights(model);   // conv and dense kernels, not biases
/// var all = ParameterGroups.All(model);
/// </code></example>
public static class ParameterGroups
{
    /// <summary>The name that marks a weight (kernel) parameter.</summary>
    public const string WeightName = "weight";

    /// <summary>The parameters named <c>weight</c> among <paramref name="parameters"/> (biases left out).</summary>
    public static IReadOnlyList<Parameter> Weights(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return [.. parameters.Where(p => p.Name == WeightName)];
    }

    /// <summary>Every parameter named <c>weight</c> in <paramref name="model"/> and its descendants.</summary>
    public static IReadOnlyList<Parameter> Weights(Layer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Weights(model.AllParameters());
    }

    /// <summary>Every parameter of <paramref name="model"/> and its descendants, biases included.</summary>
    public static IReadOnlyList<Parameter> All(Layer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return [.. model.AllParameters()];
    }
}
