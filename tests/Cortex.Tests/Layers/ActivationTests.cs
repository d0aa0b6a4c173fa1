using Cortex.Layers;
using Cortex.Tensors;
using static Cortex.Tests.Layers.LayerTesting;

namespace Cortex.Tests.Layers;

public class ActivationTests
{
    public static TheoryData<string> Names => ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "elu_0.5"];

    private static Layer Create(string name) => name switch
    {
        "sigmoid" => new Sigmoid(),
        "tanh" => new Tanh(),
        "relu" => new ReLU(),
        "leaky_relu" => new LeakyReLU(0.1f),
        "elu" => new ELU(),
        "elu_0.5" => new ELU(0.5f),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Gradients_MatchCentralDifferences(string name)
    {
        AssertGradients(Create(name), AwayFromZero(11, 0.05f, 3, 4, 5));
        AssertGradients(Create(name), AwayFromZero(12, 0.05f, 1, 7));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void KeepsShape_AndRejectsBackwardBeforeForward(string name)
    {
        var layer = Create(name);
        Assert.Equal(new Shape(2, 3, 4, 5), layer.OutputShape(new Shape(2, 3, 4, 5)));
        Assert.Throws<InvalidOperationException>(() => layer.Backward(new Tensor(2, 3)));
    }

    [Theory]
    [InlineData(-2f, 0.11920292f, -0.9640276f, 0f, -0.2f, -0.86466473f)]
    [InlineData(0f, 0.5f, 0f, 0f, 0f, 0f)]
    [InlineData(1.5f, 0.81757448f, 0.90514825f, 1.5f, 1.5f, 1.5f)]
    public void Forward_KnownValues(float x, float sigmoid, float tanh, float relu, float leaky, float elu)
    {
        var input = Tensor.FromArray(x).Reshape(1, 1);
        Assert.Equal(sigmoid, new Sigmoid().Forward(input, false).Span[0], 1e-6f);
        Assert.Equal(tanh, new Tanh().Forward(input, false).Span[0], 1e-6f);
        Assert.Equal(relu, new ReLU().Forward(input, false).Span[0], 1e-6f);
        Assert.Equal(leaky, new LeakyReLU(0.1f).Forward(input, false).Span[0], 1e-6f);
        Assert.Equal(elu, new ELU().Forward(input, false).Span[0], 1e-6f);
    }

    [Fact]
    public void ReLU_PassesGradientOnlyWherePositive()
    {
        var relu = new ReLU();
        relu.Forward(Tensor.FromArray(-1f, 2f, 0f, 3f), training: true);
        Assert.Equal([0f, 10f, 0f, 10f], relu.Backward(Tensor.Full(new Shape(4), 10f)).ToArray());
    }

    [Fact]
    public void LeakyReLU_DefaultSlopeIsPyTorchs() => Assert.Equal(0.01f, new LeakyReLU().Alpha);

    [Fact]
    public void Constructors_RejectBadAlpha()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LeakyReLU(float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ELU(-1f));
    }
}
