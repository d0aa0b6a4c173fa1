// StudioHost.cs — a real Studio server on a free loopback port, training LeNet-5 on the shipped
// digits through the same session and endpoints `cortex studio` uses, for the endpoint tests.
using System.Net.Http.Json;
using System.Text.Json;

namespace Cortex.Studio.Tests;

internal sealed class StudioHost : IAsyncDisposable
{
    private readonly string _runs = Directory.CreateTempSubdirectory("cortex-studio-").FullName;

    private StudioHost() { }

    public StudioSession Session { get; private set; } = null!;
    public StudioServer Server { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public string RunsDirectory => _runs;

    public static async Task<StudioHost> StartAsync(StudioRunRequest? request = null, long maxUploadBytes = 64L << 20, bool train = true)
    {
        var host = new StudioHost();
        host.Session = new StudioSession(new StudioOptions { Port = 0, RunsDirectory = host._runs, MaxUploadBytes = maxUploadBytes });
        host.Server = await StudioServer.StartAsync(host.Session);
        host.Client = new HttpClient { BaseAddress = host.Server.Address, Timeout = TimeSpan.FromSeconds(30) };
        if (train)
            host.Session.Start(request ?? new StudioRunRequest { Epochs = 50 });
        return host;
    }

    public async Task<JsonElement> StatusAsync()
    {
        using var document = JsonDocument.Parse(await Client.GetStringAsync(new Uri("api/status", UriKind.Relative)));
        return document.RootElement.Clone();
    }

    public async Task<long> ExamplesSeenAsync() => (await StatusAsync()).GetProperty("examples_seen").GetInt64();

    /// <summary>Waits until <paramref name="condition"/> holds for the status, or fails after <paramref name="seconds"/>.</summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> condition, string what, double seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        JsonElement status;
        do
        {
            status = await StatusAsync();
            if (condition(status))
                return status;
            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"timed out waiting for {what}; last status: {status}");
        return status;
    }

    public Task<HttpResponseMessage> ControlAsync(string json) =>
        Client.PostAsync(new Uri("api/control", UriKind.Relative), new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    public static async Task<string> ErrorOf(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("error").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Session.Dispose();
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(_runs, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
