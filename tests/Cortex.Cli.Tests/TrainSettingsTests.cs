using System.Text.Json.Nodes;

namespace Cortex.Cli.Tests;

/// <summary>The learning rate a run gets when none is given: Adam's recipe rate, or the optimizer's own default.</summary>
public sealed class TrainSettingsTests
{
    [Fact]
    public void NoRateGiven_AdamGetsTheRecipeRate_OthersTheirOwnDefault()
    {
        Assert.Equal(0.002f, new TrainSettings().EffectiveLearningRate);
        // `cortex search` switches the optimizer through a config: SGD must not inherit Adam's rate.
        var sgd = new TrainSettings().WithConfig(new JsonObject { ["optimizer"] = "sgd" }, "search");
        Assert.Null(sgd.EffectiveLearningRate);
        var given = new TrainSettings().WithConfig(new JsonObject { ["optimizer"] = "momentum", ["lr"] = 0.05 }, "search");
        Assert.Equal(0.05f, given.EffectiveLearningRate);
    }
}
