// DownloadProgress.cs — one progress report from FileDownloader (through IProgress<T>).
namespace Cortex.Data.Download;

/// <summary>Bytes received so far for <paramref name="FileName"/> from <paramref name="Source"/>; <paramref name="TotalBytes"/> when the size is known.</summary>
public readonly record struct DownloadProgress(string FileName, Uri Source, long BytesReceived, long? TotalBytes)
{
    /// <summary>Fraction done in [0, 1], or null when the total is unknown.</summary>
    public double? Fraction => TotalBytes is > 0 and long total ? Math.Min(1.0, (double)BytesReceived / total) : null;
}
