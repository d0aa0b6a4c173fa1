// StudioOptions.cs — how a Studio server is set up: where it listens, which data sources and models
// the page may choose, where runs are kept, and the upload limit.
using System.Net;

namespace Cortex.Studio;

/// <summary>Settings of a Studio server.</summary>
public sealed record StudioOptions
{
    /// <summary>The address to listen on: loopback unless the user asks otherwise.</summary>
    public IPAddress Host { get; init; } = IPAddress.Loopback;

    /// <summary>The port (0: any free port, as tests use).</summary>
    public int Port { get; init; } = 5080;

    /// <summary>Where runs' histories and models are kept, and the only folder a request may name files in.</summary>
    public string RunsDirectory { get; init; } = "runs";

    /// <summary>The data sources the page offers: name → what <c>DataSources.Load</c> takes (a name or a folder).</summary>
    public IReadOnlyDictionary<string, string> DataSources { get; init; } = new Dictionary<string, string> { ["digits"] = "digits" };

    /// <summary>The zoo models the page offers.</summary>
    public IReadOnlyList<string> Models { get; init; } = ["lenet5", "lenet5-classic", "simpleconvnet", "convnetjs-cifar"];

    /// <summary>The largest model file an upload may be (64 MiB by default).</summary>
    public long MaxUploadBytes { get; init; } = 64L << 20;
}
