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
        string directory = Path.GetDirectoryName(fullPath) ?? ".";
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
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
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no BOM), atomically.</summary>
    public static void AllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Stream(path, s => s.Write(Encoding.UTF8.GetBytes(text)));
    }
}
