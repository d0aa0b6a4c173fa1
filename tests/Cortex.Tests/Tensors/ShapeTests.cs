using Cortex.Tensors;

namespace Cortex.Tests.Tensors;

public class ShapeTests
{
    [Fact]
    public void Size_IsProductOfDimensions()
    {
        var s = new Shape(64, 1, 28, 28);
        Assert.Equal(64 * 28 * 28, s.Size);
        Assert.Equal(4, s.Rank);
        Assert.Equal(28, s[-1]);
        Assert.Equal(1, s[1]);
    }

    [Fact]
    public void NegativeDimension_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Shape(2, -3));
        Assert.Contains("dimension 1 is -3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reshape_InfersMinusOne()
    {
        var s = new Shape(6, 4).Reshape([3, -1]);
        Assert.Equal(new Shape(3, 8), s);
    }

    [Fact]
    public void Reshape_WrongCount_NamesBothShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => new Shape(6, 4).Reshape([5, 5]));
        Assert.Contains("[6, 4]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[5, 5]", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3x224x224")]
    [InlineData("[3, 224, 224]")]
    [InlineData("3,224,224")]
    public void Parse_AcceptsCommonForms(string text) => Assert.Equal(new Shape(3, 224, 224), Shape.Parse(text));

    [Fact]
    public void Equality_IsByValue()
    {
        Assert.Equal(new Shape(2, 3), new Shape(2, 3));
        Assert.NotEqual(new Shape(2, 3), new Shape(3, 2));
        Assert.Equal(new Shape(2, 3).GetHashCode(), new Shape(2, 3).GetHashCode());
    }
}
