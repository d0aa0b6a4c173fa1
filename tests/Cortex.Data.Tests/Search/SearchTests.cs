using Cortex.Data.Search;
using Cortex.Training;

namespace Cortex.Data.Tests.Search;

public sealed class SearchTests
{
    [Fact]
    public void RandomSearch_SamplesLogUniformly_WithinRange_AndReproducibly()
    {
        var space = new SearchSpace(new LogUniform("lr", 1e-6, 1e-2), new Choice("optimizer", "adam", "sgd"));
        var trials = space.Random(400, seed: 3);
        var logs = trials.Select(t => Math.Log10(t.GetDouble("lr"))).ToArray();
        Assert.All(logs, l => Assert.InRange(l, -6, -2));
        Assert.InRange(logs.Count(l => l < -4), 160, 240);               // half the draws below the log-midpoint
        Assert.Contains(trials, t => t.GetString("optimizer") == "sgd");
        Assert.Equal(trials[7].ToString(), space.Random(400, seed: 3)[7].ToString());
    }

    [Fact]
    public void GridSearch_EnumeratesTheCartesianProduct()
    {
        var space = new SearchSpace(new LogUniform("lr", 1e-4, 1e-2, points: 3), new Choice("batch_size", 32, 64));
        var grid = space.Grid();
        Assert.Equal(6, grid.Count);
        Assert.Equal(1e-4, grid[0].GetDouble("lr"), 12);
        Assert.Equal(1e-3, grid[2].GetDouble("lr"), 12);
        Assert.Equal(64, grid[5].GetDouble("batch_size"));
    }

    [Fact]
    public void Search_RanksByValidationAccuracy_DivergedTrialsLast()
    {
        var trials = new SearchSpace(new Choice("lr", 0.1, 0.2, 0.3, 0.4)).Grid();
        var results = HyperParameterSearch.Run(trials, config => config.GetDouble("lr") switch
        {
            0.4 => throw new TrainingDivergedException("loss is NaN"),
            double lr => new TrialScore(1 - Math.Abs(lr - 0.2), 0.5),
        });
        Assert.Equal([0.2, 0.1, 0.3, 0.4], results.Trials.Select(t => t.Config.GetDouble("lr")));
        Assert.Equal(2, results.Best!.Trial);
        Assert.StartsWith("diverged", results.Trials[^1].Failure, StringComparison.Ordinal);
        string csv = results.ToCsv();
        Assert.StartsWith("rank,trial,lr,val_accuracy,val_loss,train_accuracy,train_loss,seconds,failure\n1,2,0.2,1,0.5,,,", csv, StringComparison.Ordinal);
    }

    [Fact]
    public void BestJson_RoundTrips_AndSkipsMetadata()
    {
        using var temp = new TempDirectory();
        var results = new SearchResults([
            new TrialResult(1, new HyperParameters([new("lr", 0.00123), new("weight_decay", 1e-5), new("optimizer", "adam"), new("batch_size", 64)]),
                new TrialScore(0.9, 0.3), TimeSpan.FromSeconds(2)),
        ]);
        string path = temp.File("best.json");
        results.WriteBestJson(path);
        string text = File.ReadAllText(path);
        Assert.Contains("\"batch_size\": 64,", text, StringComparison.Ordinal);
        Assert.Contains("\"lr\": 0.00123,", text, StringComparison.Ordinal);
        Assert.Contains("\"_search\": {", text, StringComparison.Ordinal);
        var config = HyperParameters.ReadJson(path);
        Assert.Equal(["batch_size", "lr", "optimizer", "weight_decay"], config.Names);
        Assert.Equal("adam", config.GetString("optimizer"));
        var e = Assert.Throws<InvalidDataException>(() => HyperParameters.ParseJson("{\"lr\": [1]}", "bad.json"));
        Assert.Contains("bad.json: expected 'lr' to be a number or a string, got a Array", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParameterRange_Parse_ReadsCommandLineRanges()
    {
        Assert.IsType<LogUniform>(ParameterRange.Parse("lr", "log:1e-6:1e-2"));
        Assert.Equal(0.5, ((Uniform)ParameterRange.Parse("dropout", "uniform:0:0.5")).High);
        var choice = (Choice)ParameterRange.Parse("optimizer", "adam,sgd");
        Assert.Equal(["adam", "sgd"], choice.Values);
        Assert.Equal(32.0, ((Choice)ParameterRange.Parse("batch_size", "32,64")).Values[0]);
    }
}
