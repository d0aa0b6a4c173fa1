using Cortex.Layers;

namespace Cortex.Tests.Layers;

public sealed class ParameterBudgetTests
{
    [Fact]
    public void Limit_RefusesTheLayerThatWouldPassIt_BeforeAllocatingIt()
    {
        using (ParameterBudget.Limit(1000, "test model"))
        {
            _ = new Dense(10, 90);                                  // 900 weights + 90 biases = 990
            Assert.Equal(990, ParameterBudget.Reserved);
            _ = new Dense(1, 5);                                    // 10 more: exactly the limit
            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.Throws<InvalidDataException>(() => new Dense(1000, 1000, name: "fc"));
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024);   // not the 4 MB of weights
            Assert.StartsWith("test model: the model needs more than 1,000 parameters (the limit; 1,000 so far, layer 'fc' would add 1,001,000)", e.Message, StringComparison.Ordinal);
            Assert.Throws<InvalidDataException>(() => new BatchNorm2d(1));         // 4 values: weight, bias, running mean and variance
        }
        Assert.Equal(0, ParameterBudget.Reserved);
        _ = new Dense(1000, 1000);                                  // outside a scope nothing is counted
    }

    [Fact]
    public void Limit_CountsConvolutionsByTheirShape()
    {
        using (ParameterBudget.Limit(1_000_000, "convs"))
        {
            _ = new Conv2d(3, 16, 5);                               // 16·3·5·5 + 16 = 1216
            _ = new Conv2d(16, 32, 3, groups: 2, bias: false);      // 32·8·3·3 = 2304
            Assert.Equal(1216 + 2304, ParameterBudget.Reserved);
        }
    }
}
