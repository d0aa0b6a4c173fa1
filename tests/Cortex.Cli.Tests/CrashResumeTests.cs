using System.Diagnostics;
using System.Runtime.InteropServices;
using Cortex.Data;
using Cortex.Training;

namespace Cortex.Cli.Tests;

/// <summary>
/// `cortex train` run as a child process (the built Cortex.Cli.dll under `dotnet`), killed with SIGKILL at random
/// moments — one of them while a checkpoint is being written — or stopped with SIGTERM, then resumed with
/// `--resume`: the final model file, history and test accuracy equal those of a run that was never stopped.
/// 540 training digits, 2 epochs of 17 batches, a checkpoint after every batch, 2 threads.
/// </summary>
public sealed partial class CrashResumeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cortex-crash-").FullName;
    private readonly string _data;

    public CrashResumeTests()
    {
        _data = Path.Combine(_folder, "digits");
        Directory.CreateDirectory(_data);
        var digits = DataSources.Load("digits");
        DigitFiles.Write(_data, digits.Train, 600, "train");
        DigitFiles.Write(_data, digits.Test, 200, "t10k");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string[] TrainArguments(string run) =>
        ["train", "--data", _data, "--epochs", "2", "--batch-size", "32", "--seed", "3", "--threads", "2", "--checkpoint-every", "1b",
         "--out", Path.Combine(_folder, run, "m.safetensors"), "--history", Path.Combine(_folder, run, "h.csv")];

    [Fact]
    public void KilledAtRandomMoments_AndResumed_EndsWithTheUninterruptedWeights()
    {
        var reference = Child.Start(TrainArguments("reference"));
        Assert.True(reference.WaitForExit() == 0, reference.Output);
        string expectedAccuracy = CliRunner.LastLine(reference.Output);
        Assert.StartsWith("test accuracy: ", expectedAccuracy, StringComparison.Ordinal);
        byte[] expectedModel = File.ReadAllBytes(Path.Combine(_folder, "reference", "m.safetensors"));
        string[] expectedHistory = Figures(Path.Combine(_folder, "reference", "h.csv"));

        var random = new Random(20261204);
        var report = new List<string>();
        int duringWrite = 0;
        for (int repetition = 0; repetition < 3; repetition++)
        {
            string run = $"run{repetition}";
            string checkpoint = Path.Combine(_folder, run, "m.ckpt");
            string[] resume = ["train", "--resume", checkpoint];
            var first = Child.Start(TrainArguments(run));
            Child.WaitFor(() => File.Exists(checkpoint), first);
            string what;
            if (repetition == 0)
            {
                // Kill as soon as a checkpoint's temporary file is seen: the write is under way.
                bool seen = Child.WaitFor(() => Directory.EnumerateFiles(Path.GetDirectoryName(checkpoint)!, ".m.ckpt.*.tmp").Any(), first, spin: true);
                first.Kill();
                bool left = Directory.EnumerateFiles(Path.GetDirectoryName(checkpoint)!, ".m.ckpt.*.tmp").Any();
                duringWrite += seen && left ? 1 : 0;
                what = $"SIGKILL during a checkpoint write (temporary file seen: {seen}, left behind: {left})";
            }
            else if (repetition == 2)
            {
                Thread.Sleep(random.Next(0, 1500));
                first.Terminate();
                int code = first.WaitForExit();
                Assert.True(code is 143 or 0, first.Output);
                if (code == 143)
                    Assert.Contains($"resume with: cortex train --resume {checkpoint}", first.Output, StringComparison.Ordinal);
                what = $"SIGTERM (exit {code})";
            }
            else
            {
                int delay = random.Next(0, 1500);
                Thread.Sleep(delay);
                first.Kill();
                what = $"SIGKILL {delay} ms after the first checkpoint";
            }
            var info = TrainingCheckpoint.ReadInfo(TrainingCheckpoint.Resolve(checkpoint));
            what += $", at {info.Describe()}";

            if (repetition == 1 && !info.Finished)
            {
                // Kill the resumed run too, then resume again.
                var second = Child.Start(resume);
                var before = File.GetLastWriteTimeUtc(TrainingCheckpoint.Resolve(checkpoint));
                Child.WaitFor(() => File.Exists(checkpoint) && File.GetLastWriteTimeUtc(checkpoint) > before, second);   // it is training again
                Thread.Sleep(random.Next(0, 500));
                second.Kill();
                what += $"; resumed and SIGKILLed again at {TrainingCheckpoint.ReadInfo(TrainingCheckpoint.Resolve(checkpoint)).Describe()}";
            }
            var last = Child.Start(resume);
            Assert.True(last.WaitForExit() == 0, $"{what}\n{last.Output}");
            report.Add(what);

            Assert.True(expectedModel.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(_folder, run, "m.safetensors"))), $"weights differ after {what}");
            Assert.Equal(expectedHistory, Figures(Path.Combine(_folder, run, "h.csv")));
            if (!info.Finished)
                Assert.Equal(expectedAccuracy, CliRunner.LastLine(last.Output));
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(_folder, run), "*.tmp"));       // leftovers of the kill cleaned
        }
        report.Add($"kills that left a half-written checkpoint behind: {duringWrite}");
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join("\n", report));
    }

    // The history without its timing columns.
    private static string[] Figures(string csv) => [.. File.ReadAllLines(csv).Select(l => string.Join(",", l.Split(',')[..6]))];

    /// <summary>A `dotnet Cortex.Cli.dll ...` child whose output is collected.</summary>
    private sealed partial class Child
    {
        private readonly Process _process;
        private readonly System.Text.StringBuilder _output = new();

        private Child(Process process) => _process = process;

        public string Output
        {
            get
            {
                lock (_output)
                    return _output.ToString();
            }
        }

        public static Child Start(params string[] arguments)
        {
            var start = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Cortex.Cli.dll"));
            foreach (string a in arguments)
                start.ArgumentList.Add(a);
            var child = new Child(Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet"));
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

        /// <summary>SIGKILL (what Process.Kill sends on Unix), then waits.</summary>
        public void Kill()
        {
            try
            {
                _process.Kill();
            }
            catch (InvalidOperationException)
            {
                // already exited
            }
            _process.WaitForExit();
        }

        public void Terminate()
        {
            if (!_process.HasExited)
                _ = SendSignal(_process.Id, 15);
        }

        [LibraryImport("libc", EntryPoint = "kill")]
        private static partial int SendSignal(int pid, int signal);

        /// <summary>Waits until <paramref name="condition"/> holds or the child exits; true when it held.</summary>
        public static bool WaitFor(Func<bool> condition, Child child, bool spin = false)
        {
            var clock = Stopwatch.StartNew();
            while (!condition())
            {
                if (child._process.HasExited || clock.Elapsed > TimeSpan.FromMinutes(1))
                    return condition();
                if (!spin)
                    Thread.Sleep(5);
            }
            return true;
        }

        private static string DotnetHost()
        {
            string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host))
                return host;
            string? current = Environment.ProcessPath;
            return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
        }
    }

    // ---- in-process checks of the options and errors --------------------------------------------------

    private string In(string name) => Path.Combine(_folder, name);

    [Fact]
    public void SecondRunOnTheSameOut_IsRefusedBeforeLoadingData()
    {
        string output = In("locked/m.safetensors");
        using (OutputLock.Acquire(output))
        {
            var (code, _, error) = CliRunner.Run("train", "--data", In("no-such-data"), "--out", output);
            Assert.Equal(1, code);
            Assert.Equal($"error: --out {output}: another cortex train is writing this model (it holds {Path.Combine(In("locked"), ".m.safetensors.lock")}); wait for it to finish or choose another --out.", error.TrimEnd());
        }
        using (OutputLock.Acquire(output))
        {
            // released when the holder ends: a new holder gets it
        }
    }

    [Fact]
    public void OutInsideAFile_IsAOneLineError()
    {
        File.WriteAllText(In("file"), "x");
        var (code, _, error) = CliRunner.Run("train", "--data", _data, "--out", In("file/m.safetensors"));
        Assert.Equal(1, code);
        Assert.StartsWith($"error: --out {In("file/m.safetensors")}: cannot create the folder {In("file")}", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void AdamAtLr1e6_StopsAsDiverged_WithExitCode1()
    {
        var (code, output, error) = CliRunner.Run("train", "--data", _data, "--epochs", "5", "--lr", "1e6", "--checkpoint-every", "1b", "--out", In("d/m.safetensors"), "--history", In("d/h.csv"));
        Assert.Equal(1, code);
        Assert.Matches(@"^error: Training (diverged|stopped) at epoch 1, batch \d+ of 17: ", error);
        Assert.DoesNotContain("test accuracy", output, StringComparison.Ordinal);
        // Batch 1's loss is the yardstick; from batch 2 on it is above the limit, so no later checkpoint replaced batch 1's.
        var info = TrainingCheckpoint.ReadInfo(In("d/m.ckpt"));
        Assert.Equal((1, 1), (info.Epoch, info.BatchesDone));
        Assert.Contains("did not write the checkpoint", output, StringComparison.Ordinal);
        var bad = CliRunner.Run("train", "--data", _data, "--divergence", "1:5");
        Assert.Equal("error: --divergence: expected FACTOR[:PATIENCE] with FACTOR > 1 and PATIENCE ≥ 1 (default 1000:10), or 'off', got '1:5'.", bad.Error.TrimEnd());
    }

    [Fact]
    public void Resume_RefusesOtherOptions_AndSaysWhenThereIsNothingLeft()
    {
        var (code, _, error) = CliRunner.Run("train", "--data", _data, "--epochs", "1", "--out", In("r/m.safetensors"), "--history", In("r/h.csv"));
        Assert.True(code == 0, error);
        string checkpoint = In("r/m.ckpt");
        var conflict = CliRunner.Run("train", "--resume", checkpoint, "--lr", "0.1");
        Assert.Equal(1, conflict.ExitCode);
        Assert.Equal($"error: --resume: {checkpoint} was trained with --lr (default), not 0.1; a resumed run takes its options from the checkpoint. Leave the option out, or start a new run.", conflict.Error.TrimEnd());
        var done = CliRunner.Run("train", "--resume", checkpoint);
        Assert.Equal(0, done.ExitCode);
        Assert.Equal($"{checkpoint}: the run already finished (at the end of epoch 1); nothing to resume.", CliRunner.LastLine(done.Output));
        var model = CliRunner.Run("train", "--resume", In("r/m.safetensors"));
        Assert.Equal(1, model.ExitCode);
        Assert.Contains("not a Cortex training checkpoint", model.Error, StringComparison.Ordinal);
        var missing = CliRunner.Run("train", "--resume", In("r/none.ckpt"));
        Assert.Equal($"error: {In("r/none.ckpt")}: no such checkpoint.", missing.Error.TrimEnd());
        var unit = CliRunner.Run("train", "--data", _data, "--checkpoint-every", "3x");
        Assert.Contains("--checkpoint-every: expected N epochs ('2' or '2e'), N batches ('500b') or 0 for none, got '3x'.", unit.Error, StringComparison.Ordinal);
    }
}
