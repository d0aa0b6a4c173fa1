// AtomicWrite.cs — write a whole file or nothing: a temporary file in the same folder, flushed to
// disk (fsync), then renamed over the target. A crash mid-write leaves the old file as it was.
//
// The temporary file is .NAME.<32 hex digits>.tmp beside the target. A process killed mid-write
// leaves one behind; the next write of the same target deletes such leftovers, except those still
// open in a live writer (on Linux and macOS .NET holds an exclusive advisory lock, flock, on a file
// opened with FileShare.None, so a leftover that can be opened that way has no writer any more).
// A target under /dev (or /proc) on Linux and macOS — /dev/null, /dev/stdout — is a device or a
// pipe, not a file: renaming over it would replace the device with a regular file (as root it
// succeeds), so such a target is written straight through instead, the way a shell redirect does.
// .NET's FileSystemInfo does not expose the file type, hence the test by folder.
// Not here: an fsync of the folder after the rename (.NET has no portable call for it), so after a
// power cut — not a crash of the process — the rename itself may be lost, leaving the older file.
using System.Text;

namespace Cortex.Serialization;

/// <summary>Atomic file writes (temporary file, flush, rename).</summary>
public static class AtomicWrite
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>; the target changes only if it completes.</summary>
    public static void Stream(string path, Action<Stream> write) => Stream(path, write, beforeReplace: null);

    /// <summary>
    /// Like <see cref="Stream(string, Action{Stream})"/>; <paramref name="beforeReplace"/> runs once the new
    /// contents are on disk and just before they are renamed over the target (e.g. to keep the old file under another name).
    /// </summary>
    public static void Stream(string path, Action<Stream> write, Action? beforeReplace)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string fullPath = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
            throw new IOException($"{path}: expected a file to write, got a folder.");
        if (IsDevicePath(fullPath))
        {
            using var device = new FileStream(fullPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            write(device);
            device.Flush();
            return;
        }
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(fullPath) ?? ".");
        DeleteStaleTemporaries(fullPath);
        string temporary = TemporaryPathFor(fullPath);
        try
        {
            var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            bool written = false;
            try
            {
                var stream = new SizeLimitedFile(file, path);
                write(stream);
                stream.FlushToDisk();
                written = true;
            }
            finally
            {
                try
                {
                    file.Dispose();                          // after a failed write it retries the buffered bytes, and fails again
                }
                catch (Exception e) when (!written && e is IOException or ArgumentOutOfRangeException)
                {
                }
            }
            beforeReplace?.Invoke();
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>
    /// A FileStream whose "file too large" failure is an <see cref="IOException"/> like a full disk's: .NET reports
    /// EFBIG (a write past the process's RLIMIT_FSIZE, or past the file system's largest file) as an
    /// ArgumentOutOfRangeException ("Specified file length was too large for the file system"), which callers that
    /// catch I/O failures would otherwise let through.
    /// </summary>
    private sealed class SizeLimitedFile(FileStream file, string path) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => file.CanSeek;
        public override bool CanWrite => true;
        public override long Length => file.Length;

        public override long Position
        {
            get => file.Position;
            set => file.Position = value;
        }

        public override void Write(byte[] buffer, int offset, int count) => Guard(() => file.Write(buffer, offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            try
            {
                file.Write(buffer);
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw TooLarge(e);
            }
        }

        public override void WriteByte(byte value) => Guard(() => file.WriteByte(value));

        public override void Flush() => Guard(file.Flush);

        public void FlushToDisk() => Guard(() => file.Flush(flushToDisk: true));

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => file.Seek(offset, origin);

        public override void SetLength(long value) => Guard(() => file.SetLength(value));

        private void Guard(Action action)
        {
            try
            {
                action();
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw TooLarge(e);
            }
        }

        private IOException TooLarge(ArgumentOutOfRangeException e) =>
            new(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{path}: file too large for this file system or process limit (EFBIG) after {file.Length:N0} bytes."), e);
    }

    /// <summary>True for an existing target under /dev or /proc on Linux and macOS: a device or pipe, written in place.</summary>
    internal static bool IsDevicePath(string fullPath) =>
        !OperatingSystem.IsWindows() && File.Exists(fullPath) &&
        (fullPath.StartsWith("/dev/", StringComparison.Ordinal) || fullPath.StartsWith("/proc/", StringComparison.Ordinal));

    /// <summary>A fresh hidden temporary path beside <paramref name="path"/> (same folder, so the rename is atomic).</summary>
    public static string TemporaryPathFor(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        return System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full) ?? ".", $".{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
    }

    /// <summary>
    /// Deletes the temporary files that earlier, interrupted writes of <paramref name="path"/> left beside it
    /// (<c>.NAME.&lt;guid&gt;.tmp</c>), skipping any a live writer still holds. Returns how many were deleted.
    /// </summary>
    public static int DeleteStaleTemporaries(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = System.IO.Path.GetFullPath(path);
        string folder = System.IO.Path.GetDirectoryName(full) ?? ".";
        string prefix = $".{System.IO.Path.GetFileName(full)}.";
        if (!Directory.Exists(folder))
            return 0;
        int deleted = 0;
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateFiles(folder, prefix + "*.tmp").ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
        foreach (string candidate in candidates)
        {
            string name = System.IO.Path.GetFileName(candidate);
            string middle = name[prefix.Length..^".tmp".Length];
            if (middle.Length != 32 || !middle.All(char.IsAsciiHexDigitLower))
                continue;                                       // not one of ours
            try
            {
                using (new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                {
                }                                               // opened exclusively: no writer holds it
                File.Delete(candidate);
                deleted++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // held by a live writer, or not ours to delete
            }
        }
        return deleted;
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
