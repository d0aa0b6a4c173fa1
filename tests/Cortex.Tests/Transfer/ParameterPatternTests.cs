using Cortex.Transfer;

namespace Cortex.Tests.Transfer;

public class ParameterPatternTests
{
    [Theory]
    [InlineData("features", "features.0.weight", true)]          // a prefix at a dot
    [InlineData("features", "features", true)]
    [InlineData("features.0", "features.0.bias", true)]
    [InlineData("feat", "features.0.weight", false)]             // not a whole segment
    [InlineData("features.1", "features.10.weight", false)]
    [InlineData("features.*", "features.0.weight", true)]        // '*' spans dots
    [InlineData("*.bias", "classifier.4.bias", true)]
    [InlineData("*.bias", "classifier.4.weight", false)]
    [InlineData("layer?.0.*", "layer1.0.conv1.weight", true)]
    [InlineData("layer?.0.*", "layer10.0.conv1.weight", false)]
    [InlineData("*bn*", "layer1.0.bn2.running_var", true)]
    [InlineData("classifier,features", "features.3.weight", true)] // alternatives
    [InlineData("", "features.0.weight", false)]
    public void Matches_FollowsPrefixAndGlobRules(string pattern, string key, bool expected)
    {
        if (pattern.Length == 0)
        {
            Assert.Throws<FormatException>(() => ParameterPattern.Matches(pattern, key));
            return;
        }
        Assert.Equal(expected, ParameterPattern.Matches(pattern, key));
    }

    [Fact]
    public void Split_RefusesAnEmptyAlternative()
    {
        var e = Assert.Throws<FormatException>(() => ParameterPattern.Split("features,,classifier"));
        Assert.StartsWith("ParameterPattern: 'features,,classifier' has an empty alternative", e.Message, StringComparison.Ordinal);
    }
}
