// AtomicFile.cs — writes a file so that readers see either the old file or the whole new one.
//
// The bytes go to a hidden temporary file beside the target (same folder, hence same file
// system), are flushed, and only then renamed over the target. A crash or an exception leaves
// the target untouched and the temporary file deleted (or, after a hard crash, an orphaned
// ".tmp" that the next write does not read).
namespace Cortex.Data;

internal static class AtomicFile
{
    /// <summary>A fresh temporary path beside <paramref name="path"/>.</summary>
    public static string TemporaryPathFor(string path)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? ".";
        return Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
    }

    /// <summary>Calls <paramref name="write"/> on a temporary file, then renames it to <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string temporary = TemporaryPathFor(path);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            TryDelete(temporary);
        }
    }

    /// <summary>Deletes <paramref name="path"/> if it exists, ignoring failures (used for clean-up only).</summary>
    public static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path))
                File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
