using System.Diagnostics;
using System.Runtime.InteropServices;
using Cortex.Data;
using Cortex.Training;

namespace Cortex.Cli.Tests;

/// <summary>
/// A full disk, made real: `cortex train` runs as a child process under a file-size limit (RLIMIT_FSIZE, bash's
/// `ulimit -S -f`, with SIGXFSZ ignored so that a write past the limit fails with EFBIG, "File too large", instead of
/// killing the process — setrlimit(2)). A write then fails part-way through its file, as one on a full disk fails
/// with ENOSPC. The previous checkpoint and model file stay intact, each failure is one warning line, training goes
/// on in memory (the model it ends with equals an unlimited run's), and once the limit is lifted (prlimit(2) from the
/// test) the next checkpoint succeeds. LeNet-5 on 540 digits, 2 epochs of 17 batches, 2 threads.
/// </summary>
public sealed partial class DiskFullTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cortex-diskfull-").FullName;
    private readonly string _data;

    public DiskFullTests()
    {
        _data = Path.Combine(_folder, "digits");
        Directory.CreateDirectory(_data);
        var digits = DataSources.Load("digits");
        DigitFiles.Write(_data, digits.Train, 600, "train");
        DigitFiles.Write(_data, digits.Test, 200, "t10k");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string[] TrainArguments(string run, int epochs, string every) =>
        ["train", "--data", _data, "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--batch-size", "32", "--seed", "3",
         "--threads", "2", "--checkpoint-every", every, "--out", Path.Combine(_folder, run, "m.safetensors"), "--history", Path.Combine(_folder, run, "h.csv")];

    // LeNet-5's model file is 247 KB and its Adam checkpoint 0.78 MB: a 512 KiB limit lets the one through and not the other.
    [Fact]
    public void CheckpointWritesFailPartWay_TheRunGoesOnInMemory_AndTheNextCheckpointSucceedsOnceThereIsRoom()
    {
        SkipUnlessLimitsWork();
        var reference = Limited.Start(null, TrainArguments("reference", 2, "1b"));
        Assert.True(reference.WaitForExit() == 0, reference.Output);
        byte[] expectedModel = File.ReadAllBytes(Path.Combine(_folder, "reference", "m.safetensors"));
        var (previousModel, previousCheckpoint) = PreviousFiles("full");
        Assert.True(previousModel.Length < 512 * 1024 && previousCheckpoint.Length > 512 * 1024, $"model {previousModel.Length} B, checkpoint {previousCheckpoint.Length} B");

        var child = Limited.Start(512, TrainArguments("full", 2, "1b"));
        Assert.True(child.WaitForLine("could not write the checkpoint"), child.Output);
        // Still limited: the failed write left neither a changed checkpoint nor its temporary file.
        Assert.Equal(previousCheckpoint, File.ReadAllBytes(Path.Combine(_folder, "full", "m.ckpt")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_folder, "full"), "*.tmp"));
        child.LiftLimit();
        Assert.True(child.WaitForExit() == 0, child.Output);

        string[] warnings = [.. Lines(child.Output).Where(l => l.Contains("could not write the checkpoint", StringComparison.Ordinal))];
        Assert.NotEmpty(warnings);
        Assert.All(warnings, w =>
        {
            string checkpoint = Path.Combine(_folder, "full", "m.ckpt");
            Assert.StartsWith($"warning: could not write the checkpoint {checkpoint}: {checkpoint}: file too large for this file system or process limit (EFBIG) after ", w, StringComparison.Ordinal);
            Assert.EndsWith("The previous checkpoint is kept; training goes on and the next checkpoint tries again.", w, StringComparison.Ordinal);
        });
        Assert.Equal(expectedModel, File.ReadAllBytes(Path.Combine(_folder, "full", "m.safetensors")));   // nothing lost in memory
        var info = TrainingCheckpoint.ReadInfo(Path.Combine(_folder, "full", "m.ckpt"));
        Assert.True(info.Finished, info.Describe());                                                     // a later checkpoint got through
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_folder, "full"), "*.tmp"));
        TestContext.Current.TestOutputHelper?.WriteLine($"{warnings.Length} checkpoint writes failed before the limit was lifted; the first: {warnings[0]}");
    }

    // 200 KiB: neither the model (247 KB) nor the checkpoint fits, up to the end of the run.
    [Fact]
    public void ModelAndCheckpointWritesFail_ExitsWithOneLine_AndKeepsThePreviousFiles()
    {
        SkipUnlessLimitsWork();
        var seed = Limited.Start(null, TrainArguments("seed", 1, "1e"));
        Assert.True(seed.WaitForExit() == 0, seed.Output);
        Directory.CreateDirectory(Path.Combine(_folder, "reference"));
        File.Copy(Path.Combine(_folder, "seed", "m.safetensors"), Path.Combine(_folder, "reference", "m.safetensors"), overwrite: false);
        File.Copy(Path.Combine(_folder, "seed", "m.ckpt"), Path.Combine(_folder, "reference", "m.ckpt"), overwrite: false);
        var (previousModel, previousCheckpoint) = PreviousFiles("tiny");

        var child = Limited.Start(200, TrainArguments("tiny", 1, "1e"));
        int code = child.WaitForExit();
        Assert.True(code == 1, child.Output);
        string model = Path.Combine(_folder, "tiny", "m.safetensors"), checkpoint = Path.Combine(_folder, "tiny", "m.ckpt");
        string error = Lines(child.Output).Single(l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.StartsWith($"error: could not save the model to {model}: {model}: file too large", error, StringComparison.Ordinal);
        Assert.Contains($"; no checkpoint could be written either (could not write the checkpoint {checkpoint}: {checkpoint}: file too large", error, StringComparison.Ordinal);
        Assert.EndsWith("); free some space and train again.", error, StringComparison.Ordinal);
        Assert.Equal(previousModel, File.ReadAllBytes(model));
        Assert.Equal(previousCheckpoint, File.ReadAllBytes(checkpoint));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_folder, "tiny"), "*.tmp"));
        Assert.Contains(Lines(child.Output), l => l.StartsWith("warning: could not save the model to ", StringComparison.Ordinal));
    }

    // The reference run's files, copied into RUN as what an earlier run left there.
    private (byte[] Model, byte[] Checkpoint) PreviousFiles(string run)
    {
        string folder = Path.Combine(_folder, run);
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(_folder, "reference", "m.safetensors"), Path.Combine(folder, "m.safetensors"));
        File.Copy(Path.Combine(_folder, "reference", "m.ckpt"), Path.Combine(folder, "m.ckpt"));
        return (File.ReadAllBytes(Path.Combine(folder, "m.safetensors")), File.ReadAllBytes(Path.Combine(folder, "m.ckpt")));
    }

    private static string[] Lines(string text) => [.. text.Split('\n').Select(l => l.TrimEnd('\r'))];

    private static void SkipUnlessLimitsWork()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "RLIMIT_FSIZE and prlimit(2) are Linux's");
        Assert.SkipUnless(File.Exists("/bin/bash"), "needs /bin/bash for ulimit");
    }

    /// <summary>A `dotnet Cortex.Cli.dll ...` child under an optional soft file-size limit, with its output collected.</summary>
    private sealed partial class Limited
    {
        private const int RlimitFsize = 1;                  // RLIMIT_FSIZE on Linux (asm-generic/resource.h)
        private readonly Process _process;
        private readonly System.Text.StringBuilder _output = new();

        private Limited(Process process) => _process = process;

        public string Output
        {
            get
            {
                lock (_output)
                    return _output.ToString();
            }
        }

        /// <summary>Starts the CLI with a soft file-size limit of <paramref name="kib"/> KiB (null: none) and SIGXFSZ ignored.</summary>
        public static Limited Start(int? kib, params string[] arguments)
        {
            var start = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            // With W^X on, the runtime double-maps code through a memfd, which the file-size limit also caps (CoreCLR then fails to start).
            start.Environment["DOTNET_EnableWriteXorExecute"] = "0";
            // An ignored signal stays ignored across exec (signal(7)); bash's ulimit -f counts 1024-byte blocks.
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("trap '' XFSZ; ulimit -S -f \"$0\"; exec \"$@\"");
            start.ArgumentList.Add(kib?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unlimited");
            start.ArgumentList.Add(DotnetHost());
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Cortex.Cli.dll"));
            foreach (string a in arguments)
                start.ArgumentList.Add(a);
            var child = new Limited(Process.Start(start) ?? throw new InvalidOperationException("could not start bash"));
            child._process.OutputDataReceived += (_, e) => child.Append(e.Data);
            child._process.ErrorDataReceived += (_, e) => child.Append(e.Data);
            child._process.BeginOutputReadLine();
            child._process.BeginErrorReadLine();
            return child;
        }

        private void Append(string? line)
        {
            if (line is null)
                return;
            lock (_output)
                _output.AppendLine(line);
        }

        /// <summary>Waits until a line containing <paramref name="text"/> has been printed; false if the child exits first.</summary>
        public bool WaitForLine(string text)
        {
            var clock = Stopwatch.StartNew();
            while (!Output.Contains(text, StringComparison.Ordinal))
            {
                if (_process.HasExited || clock.Elapsed > TimeSpan.FromMinutes(2))
                    return Output.Contains(text, StringComparison.Ordinal);
                Thread.Sleep(5);
            }
            return true;
        }

        /// <summary>Raises the child's soft file-size limit to its hard limit (the disk has room again).</summary>
        public void LiftLimit()
        {
            Assert.Equal(0, GetLimit(_process.Id, RlimitFsize, IntPtr.Zero, out var limit));
            var lifted = new RLimit { Current = limit.Maximum, Maximum = limit.Maximum };
            Assert.Equal(0, SetLimit(_process.Id, RlimitFsize, in lifted, IntPtr.Zero));
        }

        public int WaitForExit()
        {
            if (!_process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                _process.Kill(entireProcessTree: true);
                Assert.Fail($"the child did not finish in 2 minutes:\n{Output}");
            }
            _process.WaitForExit();
            return _process.ExitCode;
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct RLimit
        {
            public ulong Current;
            public ulong Maximum;
        }

        [LibraryImport("libc", EntryPoint = "prlimit")]
        private static partial int GetLimit(int pid, int resource, IntPtr newLimit, out RLimit oldLimit);

        [LibraryImport("libc", EntryPoint = "prlimit")]
        private static partial int SetLimit(int pid, int resource, in RLimit newLimit, IntPtr oldLimit);

        private static string DotnetHost()
        {
            string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host))
                return host;
            string? current = Environment.ProcessPath;
            return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
        }
    }
}
