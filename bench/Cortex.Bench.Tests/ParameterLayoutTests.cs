// ParameterLayoutTests.cs — ParameterLayout, which the bench's architecture check uses to compare a
// network's Cortex model with its libtorch module: the same shapes in the same order, keys aside.
using Cortex.Bench.Suites;

namespace Cortex.Bench.Tests;

public sealed class ParameterLayoutTests
{
    [Fact]
    public void FirstDifference_IsNullForTheSameShapesUnderOtherKeys()
    {
        ParameterEntry[] cortex = [new("features.0.weight", [6, 1, 5, 5]), new("features.0.bias", [6])];
        ParameterEntry[] torch = [new("conv1.weight", [6, 1, 5, 5]), new("conv1.bias", [6])];

        Assert.Null(ParameterLayout.FirstDifference(cortex, torch));
        Assert.Equal(156, ParameterLayout.Total(cortex));
    }

    [Fact]
    public void FirstDifference_NamesTheFirstShapeThatDiffers()
    {
        ParameterEntry[] cortex = [new("conv1.weight", [16, 3, 3, 3]), new("bn1.weight", [16])];
        ParameterEntry[] torch = [new("conv1.weight", [16, 3, 3, 3]), new("conv1.bias", [16]), new("bn1.weight", [16])];

        string? difference = ParameterLayout.FirstDifference(cortex, torch);

        Assert.NotNull(difference);
        Assert.Contains("Cortex has 2 parameter tensors, libtorch 3", difference, StringComparison.Ordinal);

        ParameterEntry[] transposed = [new("conv1.weight", [3, 16, 3, 3]), new("bn1.weight", [16])];
        Assert.Equal("parameter tensor 0: Cortex conv1.weight [16, 3, 3, 3], libtorch conv1.weight [3, 16, 3, 3]",
            ParameterLayout.FirstDifference(cortex, transposed));
    }
}
