// FileDownloader.cs — fetches a RemoteFile into a folder, verified, without ever leaving a bad file.
//
// The bytes stream into a temporary file beside the target while being hashed; only when the
// digest matches the published checksum is the temporary file renamed onto the target (an
// atomic rename on one file system). An interrupted or corrupt download leaves no target, so
// the next run simply starts again; a target already present is re-verified and kept if whole.
// Mirrors are tried in order; when all fail, the error lists what each one did.
// Sources may be http(s) (through HttpClient; tests inject an HttpMessageHandler that serves
// local bytes) or file:// (a local mirror). Nothing is held in memory but a 64 KiB buffer.
using System.Net.Http.Headers;
using Cortex.Serialization;

namespace Cortex.Data.Download;

/// <summary>Downloads files from mirrors, verifies their checksums and stores them atomically.</summary>
/// <example><code>
/// using var downloader = new FileDownloader(progress: new Progress&lt;DownloadProgress&gt;(p => Console.Write($"\r{p.Fraction:P0}")));
/// string path = await downloader.EnsureAsync(Cifar10.Archive, "/home/me/.cache/cortex/cifar10");
/// </code></example>
public sealed class FileDownloader : IDisposable
{
    /// <summary>Largest download accepted when a file's size is not known in advance: 4 GiB.</summary>
    public const long DefaultMaxBytes = 4L << 30;

    private const int ReportEvery = 1 << 20;

    private readonly HttpClient _http;
    private readonly IProgress<DownloadProgress>? _progress;

    /// <summary>
    /// A downloader sending requests through <paramref name="handler"/> (not disposed here; by default a new
    /// <see cref="SocketsHttpHandler"/>), reporting to <paramref name="progress"/>.
    /// </summary>
    public FileDownloader(HttpMessageHandler? handler = null, IProgress<DownloadProgress>? progress = null, TimeSpan? timeout = null)
    {
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = timeout ?? TimeSpan.FromMinutes(30);
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Cortex", "1.0"));
        _progress = progress;
    }

    /// <summary>
    /// Makes sure <paramref name="directory"/> holds <paramref name="file"/> with the right checksum, downloading it
    /// if it is missing or corrupt, and returns its path.
    /// </summary>
    /// <exception cref="IOException">No source delivered the file with the right checksum; the message lists each attempt.</exception>
    public async Task<string> EnsureAsync(RemoteFile file, string directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (file.FileName.Length == 0 || Path.GetFileName(file.FileName) != file.FileName)
            throw new ArgumentException($"FileDownloader: expected a plain file name, got '{file.FileName}'.", nameof(file));
        Directory.CreateDirectory(directory);
        string target = Path.Combine(directory, file.FileName);
        if (File.Exists(target))
        {
            if (file.Checksum.Matches(Checksum.Compute(target, file.Checksum.Algorithm)))
                return target;
            File.Delete(target); // corrupt (a different version, or damaged on disk): fetch it again
        }

        var failures = new List<string>();
        foreach (var source in file.Sources)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string temporary = AtomicWrite.TemporaryPathFor(target);
            try
            {
                string? problem = await DownloadToAsync(file, source, temporary, cancellationToken).ConfigureAwait(false);
                if (problem is null)
                {
                    File.Move(temporary, target, overwrite: true);
                    return target;
                }
                failures.Add($"{source}: {problem}");
            }
            catch (Exception e) when (e is HttpRequestException or IOException or UnauthorizedAccessException
                                       || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                failures.Add($"{source}: {(e is TaskCanceledException ? "timed out" : e.Message)}");
            }
            finally
            {
                AtomicWrite.TryDelete(temporary);
            }
        }
        throw new IOException(
            $"FileDownloader: expected {file.FileName} ({file.Checksum}) from one of {file.Sources.Count} source(s), got none:" +
            string.Concat(failures.Select(f => $"{Environment.NewLine}  {f}")) + Environment.NewLine +
            $"Check the network, or put a verified copy of {file.FileName} in {Path.GetFullPath(directory)} yourself.");
    }

    /// <summary>Streams <paramref name="source"/> into <paramref name="temporary"/>; returns null when the checksum matches, else what was wrong.</summary>
    private async Task<string?> DownloadToAsync(RemoteFile file, Uri source, string temporary, CancellationToken cancellationToken)
    {
        long limit = file.Size ?? DefaultMaxBytes;
        HttpResponseMessage? response = null;
        Stream input;
        long? total;
        if (source.IsFile)
        {
            var local = new FileStream(source.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            input = local;
            total = local.Length;
        }
        else
        {
            response = await _http.GetAsync(source, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                string status = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
                response.Dispose();
                return status;
            }
            total = response.Content.Headers.ContentLength;
            input = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            if (total > limit)
                return $"expected {limit} bytes, the source announces {total}";
            using var hash = file.Checksum.CreateHash();
            long received = 0, reported = 0;
            _progress?.Report(new DownloadProgress(file.FileName, source, 0, total ?? file.Size));
            await using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                int n;
                while ((n = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    received += n;
                    if (received > limit)
                        return $"expected {limit} bytes, the source sent more";
                    hash.AppendData(buffer, 0, n);
                    await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                    if (received - reported >= ReportEvery)
                    {
                        _progress?.Report(new DownloadProgress(file.FileName, source, received, total ?? file.Size));
                        reported = received;
                    }
                }
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                output.Flush(flushToDisk: true);
            }
            _progress?.Report(new DownloadProgress(file.FileName, source, received, total ?? file.Size));
            string digest = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (!file.Checksum.Matches(digest))
                return $"checksum mismatch: expected {file.Checksum}, got {file.Checksum.Algorithm} {digest} ({received} bytes). " +
                       "The download is corrupt or the mirror serves another file; it was discarded";
            return null;
        }
        finally
        {
            await input.DisposeAsync().ConfigureAwait(false);
            response?.Dispose();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();
}
