// AtomicWrite.cs — write a whole file or nothing: a temporary file in the same folder, flushed to
// disk, then renamed over the target. A crash mid-write leaves the old file as it was.
using System.Text;

namespace Cortex.Serialization;

/// <summary>Atomic file writes (temporary file, flush, rename).</summary>
public static class AtomicWrite
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>; the target changes only if it completes.</summary>
    public static void Stream(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath) ?? ".");
        string temporary = TemporaryPathFor(fullPath);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>A fresh hidden temporary path beside <paramref name="path"/> (same folder, so the rename is atomic).</summary>
    public static string TemporaryPathFor(string path)
    {
        string full = Path.GetFullPath(path);
        return Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
    }

    /// <summary>Deletes <paramref name="path"/> if it exists, ignoring failures (clean-up only).</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no BOM), atomically.</summary>
    public static void AllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Stream(path, s => s.Write(Encoding.UTF8.GetBytes(text)));
    }
}
