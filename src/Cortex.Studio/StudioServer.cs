// StudioServer.cs — the web server: Kestrel from the shared framework, minimal APIs, on loopback
// unless told otherwise. Logging is off (the command prints what matters); the page is embedded.
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cortex.Studio;

/// <summary>A running Studio server.</summary>
/// <example><code>
/// using var session = new StudioSession(new StudioOptions { Port = 0 });
/// await using var server = await StudioServer.StartAsync(session);
/// session.Start(new StudioRunRequest());              // LeNet-5 on the shipped digits
/// Console.WriteLine($"open {server.Address}");
/// </code></example>
public sealed class StudioServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StudioServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Where the page is (http://127.0.0.1:PORT/).</summary>
    public Uri Address { get; }

    /// <summary>Starts serving <paramref name="session"/> on its options' host and port.</summary>
    /// <exception cref="IOException">The port is taken; the message says which.</exception>
    public static async Task<StudioServer> StartAsync(StudioSession session, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var options = session.Options;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(options.Host, options.Port);
            kestrel.Limits.MaxRequestBodySize = Math.Max(options.MaxUploadBytes + 1, 16L << 20);
        });
        var app = builder.Build();
        StudioEndpoints.Map(app, session);
        try
        {
            await app.StartAsync(cancellation).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"studio: cannot listen on {options.Host}:{options.Port} ({e.Message}). Choose another port with --port.", e);
        }
        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? $"http://{options.Host}:{options.Port}";
        var uri = new Uri(bound.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", IPAddress.Loopback.ToString(), StringComparison.Ordinal) + "/");
        return new StudioServer(app, uri);
    }

    /// <summary>Serves until <paramref name="cancellation"/> fires.</summary>
    public static Task WaitAsync(CancellationToken cancellation) => Task.Delay(Timeout.Infinite, cancellation).ContinueWith(_ => { }, TaskScheduler.Default);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
