using System.Net;
using System.Text;
using System.Text.Json;
using Cortex.Models;
using Cortex.Serialization;

namespace Cortex.Studio.Tests;

public sealed class EndpointTests
{
    private static readonly Uri Status = new("api/status", UriKind.Relative);

    [Fact]
    public async Task Status_HasTheContractFields_AndExamplesSeenGrows()
    {
        await using var host = await StudioHost.StartAsync();
        var first = await host.WaitForAsync(s => s.GetProperty("examples_seen").GetInt64() > 0, "training to start");
        foreach (string field in new[] { "examples_seen", "epoch", "paused", "model", "data", "state" })
            Assert.True(first.TryGetProperty(field, out _), $"status lacks '{field}': {first}");
        Assert.Equal("lenet5", first.GetProperty("model").GetString());
        Assert.Equal("digits", first.GetProperty("data").GetString());
        Assert.False(first.GetProperty("paused").GetBoolean());
        long seen = first.GetProperty("examples_seen").GetInt64();
        await host.WaitForAsync(s => s.GetProperty("examples_seen").GetInt64() > seen, "examples_seen to grow");
    }

    [Theory]
    [InlineData("{\"learning_rate\": -1}", "learning_rate: expected a number from 0")]
    [InlineData("{\"learning_rate\": \"NaN\"}", "learning_rate: expected a number, got \"NaN\"")]
    [InlineData("{\"batch_size\": 0}", "batch_size: expected a whole number from 1 to 4096, got 0")]
    [InlineData("{\"batch_size\": 2.5}", "batch_size: expected a whole number")]
    [InlineData("{\"momentum\": 1.5}", "momentum: expected a number from 0")]
    [InlineData("{\"pause\": 1}", "pause: expected true or false")]
    [InlineData("{\"speed\": 3}", "control: unknown setting 'speed'")]
    [InlineData("[1, 2]", "control: expected a JSON object")]
    [InlineData("{not json", "the body is not valid JSON")]
    [InlineData("{\"model\": \"lenet6\"}", "model: 'lenet6' is not offered here")]
    [InlineData("{\"data\": \"/etc\"}", "data: '/etc' is not offered here")]
    [InlineData("{\"optimizer\": \"adamx\"}", "unknown optimizer 'adamx'")]
    public async Task Control_BadValues_Get400WithAMessage_AndTrainingGoesOn(string body, string expected)
    {
        await using var host = await StudioHost.StartAsync();
        await host.WaitForAsync(s => s.GetProperty("examples_seen").GetInt64() > 0, "training to start");
        using var response = await host.ControlAsync(body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await StudioHost.ErrorOf(response), StringComparison.Ordinal);
        long seen = await host.ExamplesSeenAsync();
        var after = await host.WaitForAsync(s => s.GetProperty("examples_seen").GetInt64() > seen, "training to go on");
        Assert.Equal("lenet5", after.GetProperty("model").GetString());
        Assert.Equal(0.001, after.GetProperty("metrics").GetProperty("learning_rate").GetDouble(), 6);
    }

    [Fact]
    public async Task Control_Momentum_OnAnOptimizerWithout_Is400()
    {
        await using var host = await StudioHost.StartAsync();
        await host.WaitForAsync(s => s.GetProperty("examples_seen").GetInt64() > 0, "training to start");
        using var response = await host.ControlAsync("{\"momentum\": 0.5}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("the optimizer is Adam, which has no momentum", await StudioHost.ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Control_Pause_StopsExamplesSeen_AndResumeGoesOn()
    {
        await using var host = await StudioHost.StartAsync();
        await host.WaitForAsync(s => s.GetProperty("examples_seen").GetInt64() > 0, "training to start");
        using (var pause = await host.ControlAsync("{\"pause\": true}"))
            Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
        var paused = await host.WaitForAsync(s => s.GetProperty("paused").GetBoolean(), "the pause");
        long atPause = paused.GetProperty("examples_seen").GetInt64();
        await Task.Delay(600);
        Assert.Equal(atPause, await host.ExamplesSeenAsync());
        Assert.Equal("paused", (await host.StatusAsync()).GetProperty("state").GetString());
        using (var resume = await host.ControlAsync("{\"pause\": false}"))
            Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        await host.WaitForAsync(s => s.GetProperty("examples_seen").GetInt64() > atPause && !s.GetProperty("paused").GetBoolean(), "training to resume");
    }

    [Fact]
    public async Task Control_LearningRateWeightDecayAndBatchSize_AreAppliedAtTheNextBatch()
    {
        await using var host = await StudioHost.StartAsync();
        await host.WaitForAsync(s => s.GetProperty("examples_seen").GetInt64() > 0, "training to start");
        using var response = await host.ControlAsync("{\"learning_rate\": 0.0123, \"weight_decay\": 0.0005, \"batch_size\": 64}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var status = await host.WaitForAsync(s => s.GetProperty("metrics") is { ValueKind: JsonValueKind.Object } m
            && Math.Abs(m.GetProperty("learning_rate").GetDouble() - 0.0123) < 1e-6 && m.GetProperty("batch_size").GetInt32() == 64,
            "the new learning rate and batch size");
        var metrics = status.GetProperty("metrics");
        Assert.Equal(0.0005, metrics.GetProperty("weight_decay").GetDouble(), 6);
        await host.WaitForAsync(s => s.GetProperty("metrics").GetProperty("l2_loss").GetDouble() > 0, "an L2 part of the loss");
        // Studio counts its own share of the training thread's time: known after the first half second, and small.
        var share = (await host.WaitForAsync(s => s.GetProperty("metrics").GetProperty("studio_share").ValueKind == JsonValueKind.Number,
            "Studio's share of the time")).GetProperty("metrics").GetProperty("studio_share").GetDouble();
        Assert.InRange(share, 1e-6, 0.5);
    }

    [Fact]
    public async Task Events_StartWithHello_ThenStreamMetricsAndPictures()
    {
        await using var host = await StudioHost.StartAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await host.Client.GetAsync(new Uri("api/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
        var seen = new List<string>();
        var data = new Dictionary<string, JsonElement>();
        string? type = null;
        bool Ready() => data.TryGetValue("metrics", out var m) && m.GetProperty("examples_seen").GetInt64() > 0
                        && data.ContainsKey("network") && data.ContainsKey("predictions");
        while (!Ready())
        {
            string? line = await reader.ReadLineAsync(cancel.Token);
            Assert.NotNull(line);
            if (line.StartsWith("event: ", StringComparison.Ordinal))
                type = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && type is not null)
            {
                seen.Add(type);
                using var json = JsonDocument.Parse(line["data: ".Length..]);
                data[type] = json.RootElement.Clone();
            }
        }
        Assert.Equal("hello", seen[0]);
        Assert.True(data["metrics"].GetProperty("examples_seen").GetInt64() > 0);
        var layers = data["network"].GetProperty("layers");
        // LeNet-5's features and classifier opened up: its twelve layers, conv to the last dense, in order.
        string[] expected = [.. NetworkProbe.Flatten(ModelZoo.Create("lenet5")).Select(l => l.Path)];
        Assert.Equal(12, expected.Length);
        Assert.Equal(expected, layers.EnumerateArray().Select(l => l.GetProperty("name").GetString()!));
        var conv = layers[0];
        Assert.Equal("features.0", conv.GetProperty("name").GetString());
        Assert.Equal(6, conv.GetProperty("activations").GetProperty("count").GetInt32());
        Assert.Equal(6, conv.GetProperty("filters").GetProperty("count").GetInt32());
        Assert.Equal(40, data["predictions"].GetProperty("items").GetArrayLength());
        Assert.Equal(3, data["predictions"].GetProperty("items")[0].GetProperty("top").GetArrayLength());
    }

    [Fact]
    public async Task Predict_ADrawnImage_GetsTheTopThreeClasses()
    {
        await using var host = await StudioHost.StartAsync();
        await host.WaitForAsync(s => s.GetProperty("examples_seen").GetInt64() > 0, "training to start");
        var pixels = new float[28 * 28];
        for (int y = 4; y < 24; y++)
            pixels[y * 28 + 14] = 1f;                                      // a "1"
        var body = JsonSerializer.Serialize(new { width = 28, height = 28, pixels });
        using var response = await host.Client.PostAsync(new Uri("api/predict", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var top = json.RootElement.GetProperty("top");
        Assert.Equal(3, top.GetArrayLength());
        double p0 = top[0].GetProperty("probability").GetDouble(), p1 = top[1].GetProperty("probability").GetDouble();
        Assert.True(p0 >= p1 && p1 >= 0 && p0 <= 1, $"not ranked probabilities: {top}");

        using var wrong = await host.Client.PostAsync(new Uri("api/predict", UriKind.Relative),
            new StringContent("{\"width\":28,\"height\":28,\"pixels\":[1,2,3]}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("an array of 784 numbers", await StudioHost.ErrorOf(wrong), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Model_DownloadsAsAFileCortexLoads_AndAnUploadTrainsIt()
    {
        await using var host = await StudioHost.StartAsync();
        await host.WaitForAsync(s => s.GetProperty("examples_seen").GetInt64() > 0, "training to start");
        var bytes = await host.Client.GetByteArrayAsync(new Uri("api/model", UriKind.Relative));
        string path = Path.Combine(host.RunsDirectory, "downloaded.safetensors");
        await File.WriteAllBytesAsync(path, bytes);
        var (model, spec) = ModelZoo.Load(path);
        Assert.Equal("lenet5", spec.Model);
        Assert.Equal(61_706, model.AllParameters().Sum(p => (long)p.Value.Size));

        using var upload = await host.Client.PostAsync(new Uri("api/model?name=mine.safetensors", UriKind.Relative), new ByteArrayContent(bytes));
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        using var json = JsonDocument.Parse(await upload.Content.ReadAsStringAsync());
        Assert.Equal("lenet5", json.RootElement.GetProperty("model").GetString());
        string run = json.RootElement.GetProperty("run").GetString()!;
        await host.WaitForAsync(s => s.GetProperty("run").GetString() == run && s.GetProperty("examples_seen").GetInt64() > 0, "the uploaded model to train");
    }

    [Fact]
    public async Task Model_UploadsThatAreTooLargeOrNotModels_AreRefused()
    {
        await using var host = await StudioHost.StartAsync(maxUploadBytes: 1 << 20);
        await host.WaitForAsync(s => s.GetProperty("examples_seen").GetInt64() > 0, "training to start");
        using var big = await host.Client.PostAsync(new Uri("api/model", UriKind.Relative), new ByteArrayContent(new byte[(1 << 20) + 10]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
        Assert.Contains("over the limit of 1,048,576 bytes", await StudioHost.ErrorOf(big), StringComparison.Ordinal);

        var garbage = new byte[1000];
        BitConverter.TryWriteBytes(garbage, 1_000_000_000UL);             // a header length far past the end
        using var bad = await host.Client.PostAsync(new Uri("api/model?name=bad.safetensors", UriKind.Relative), new ByteArrayContent(garbage));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("bad.safetensors", await StudioHost.ErrorOf(bad), StringComparison.Ordinal);

        string weightsOnly = Path.Combine(host.RunsDirectory, "weights.safetensors");
        ModelFile.Save(ModelZoo.Create("lenet5"), weightsOnly);
        using var noArchitecture = await host.Client.PostAsync(new Uri("api/model?name=w.safetensors", UriKind.Relative), new ByteArrayContent(await File.ReadAllBytesAsync(weightsOnly)));
        Assert.Equal(HttpStatusCode.BadRequest, noArchitecture.StatusCode);
        Assert.Contains("no Cortex architecture", await StudioHost.ErrorOf(noArchitecture), StringComparison.Ordinal);
        Assert.Equal("lenet5", (await host.StatusAsync()).GetProperty("model").GetString());
    }

    [Fact]
    public async Task Runs_ListsHistoriesUnderRuns_AndRefusesPaths()
    {
        await using var host = await StudioHost.StartAsync(train: false);
        await File.WriteAllTextAsync(Path.Combine(host.RunsDirectory, "old-history.csv"),
            "epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds,images_per_second\n1,0.5,0.8,0.4,0.85,0.001,1.2,6000\n2,0.3,0.9,0.3,0.9,0.001,1.1,6100\n");
        using var list = JsonDocument.Parse(await host.Client.GetStringAsync(new Uri("api/runs", UriKind.Relative)));
        Assert.Equal("old", list.RootElement[0].GetProperty("name").GetString());
        using var run = JsonDocument.Parse(await host.Client.GetStringAsync(new Uri("api/runs/old", UriKind.Relative)));
        var epochs = run.RootElement.GetProperty("epochs");
        Assert.Equal(2, epochs.GetArrayLength());
        Assert.Equal(0.9, epochs[1].GetProperty("validation_accuracy").GetDouble(), 9);

        using var traversal = await host.Client.GetAsync(new Uri("api/runs/..%2F..%2Fetc%2Fpasswd", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, traversal.StatusCode);
        Assert.Contains("is not a run name", await StudioHost.ErrorOf(traversal), StringComparison.Ordinal);
        using var missing = await host.Client.GetAsync(new Uri("api/runs/nothing", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Page_IsServedWithItsScripts()
    {
        await using var host = await StudioHost.StartAsync(train: false);
        string page = await host.Client.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("Cortex Studio", page, StringComparison.Ordinal);
        foreach (string asset in new[] { "static/studio.js", "static/studio.css", "static/vendor/uplot/uPlot.iife.min.js", "static/vendor/uplot/LICENSE" })
        {
            using var response = await host.Client.GetAsync(new Uri(asset, UriKind.Relative));
            Assert.True(response.IsSuccessStatusCode, $"{asset}: {response.StatusCode}");
        }
        using var outside = await host.Client.GetAsync(new Uri("static/..%2F..%2FCortex.Studio.dll", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode);
        using var status = await host.Client.GetAsync(Status);
        Assert.True(status.IsSuccessStatusCode);
    }
}
