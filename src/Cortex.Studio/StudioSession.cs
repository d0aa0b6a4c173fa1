// StudioSession.cs — the one run Studio shows at a time, and the thread that trains it. A run is
// either started here (`cortex studio`: the page may restart it with another model, data or
// optimizer) or attached (`cortex train --studio`: another command owns the trainer and the page
// only watches and steers it), or a finished run viewed from runs/.
//
//   Start(request) → [training thread]  build the run → Trainer.Fit(…, monitor) → serve model work
//   restart        → cancel the token → the thread leaves Fit at the next batch → a new thread
using Cortex.Layers;
using Cortex.Models;
using Cortex.Serialization;
using Cortex.Training;

namespace Cortex.Studio;

/// <summary>Studio's current run and its training thread (see the file header).</summary>
public sealed class StudioSession : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Func<StudioRunRequest, string, StudioRun> _build;
    private CancellationTokenSource? _cancel;
    private Thread? _thread;
    private TrainingMonitor? _monitor;
    private IReadOnlyList<EpochPoint> _viewedHistory = [];
    private string _state = "idle";
    private string? _message;
    private int _generation;

    /// <param name="options">The server's settings (data sources, runs folder).</param>
    /// <param name="build">Builds a run for a request and run name (default: <see cref="StudioRuns.Create"/> over the offered sources).</param>
    public StudioSession(StudioOptions options, Func<StudioRunRequest, string, StudioRun>? build = null)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        _build = build ?? ((request, name) => StudioRuns.Create(request, Options.DataSources[request.Data], name));
    }

    public StudioOptions Options { get; }
    public EventHub Events { get; } = new();

    /// <summary>The monitor of the current run, or null while none is running or shown.</summary>
    public TrainingMonitor? Monitor => Volatile.Read(ref _monitor);

    /// <summary>The request the current run was started with (null for an attached or viewed run).</summary>
    public StudioRunRequest? Request { get; private set; }

    /// <summary>Starts training <paramref name="request"/>, ending the current run first. Returns the new run's name.</summary>
    public string Start(StudioRunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Options.DataSources.ContainsKey(request.Data))
            throw new ArgumentException($"data: '{request.Data}' is not offered here; choose one of {string.Join(", ", Options.DataSources.Keys)}.");
        if (request.Start is null && !Options.Models.Contains(request.Model, StringComparer.OrdinalIgnoreCase))
            throw new ArgumentException($"model: '{request.Model}' is not offered here; choose one of {string.Join(", ", Options.Models)}.");
        lock (_gate)
        {
            if (_monitor is { Info.Restartable: false })
                throw new InvalidOperationException("This run belongs to `cortex train`; start other runs with `cortex studio`.");
            StopCurrent();
            string name = RunName(request);
            var cancel = new CancellationTokenSource();
            _cancel = cancel;
            Request = request;
            int generation = ++_generation;
            SetState("loading", $"loading {request.Data} for {request.Start?.Spec.Model ?? request.Model}");
            _thread = new Thread(() => Train(request, name, generation, cancel.Token)) { IsBackground = true, Name = "studio-training" };
            _thread.Start();
            return name;
        }
    }

    /// <summary>Shows a run trained elsewhere (<c>cortex train --studio</c>): its trainer calls <paramref name="monitor"/>.</summary>
    public void Attach(TrainingMonitor monitor)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        lock (_gate)
        {
            StopCurrent();
            Volatile.Write(ref _monitor, monitor);
            _state = "attached";
        }
    }

    /// <summary>
    /// Shows the finished run <paramref name="name"/> from the runs folder: its history, and when its model file is there
    /// and <paramref name="data"/> fits it, the model's pictures and predictions (drawing works too).
    /// </summary>
    public void View(string name, string? data = null)
    {
        var history = RunFiles.ReadHistory(RunFiles.HistoryPath(Options.RunsDirectory, name));
        string modelPath = RunFiles.ModelPath(Options.RunsDirectory, name);
        lock (_gate)
        {
            StopCurrent();
            _viewedHistory = history;
            SetState("viewing", $"run {name}: {history.Count} epochs");
            if (!File.Exists(modelPath))
                return;
            var (model, spec) = ModelZoo.Load(modelPath);
            string source = data ?? Options.DataSources.Keys.FirstOrDefault(d => d == "digits") ?? Options.DataSources.Keys.First();
            var request = new StudioRunRequest { Data = source, Start = (spec, model), Augment = "none" };
            var cancel = new CancellationTokenSource();
            _cancel = cancel;
            int generation = ++_generation;
            _thread = new Thread(() => Show(request, name, history, generation, cancel.Token)) { IsBackground = true, Name = "studio-view" };
            _thread.Start();
        }
    }

    /// <summary>GET /api/status.</summary>
    public StudioStatus Status()
    {
        var monitor = Monitor;
        return new StudioStatus
        {
            State = monitor?.State is { } s && _state is not ("loading" or "failed") ? s : _state,
            Message = monitor?.Message ?? _message,
            ExamplesSeen = monitor?.ExamplesSeen ?? 0,
            Epoch = monitor?.Epoch ?? (_viewedHistory.Count > 0 ? _viewedHistory[^1].Epoch : 0),
            Paused = monitor?.Paused ?? false,
            Model = monitor?.Info.Model ?? Request?.Model,
            Data = monitor?.Info.Data ?? Request?.Data,
            Run = monitor?.Info.Name,
            Metrics = monitor?.LastMetrics,
            Models = Options.Models,
            DataSources = [.. Options.DataSources.Keys],
            Subscribers = Events.Subscribers,
        };
    }

    /// <summary>What a page that connects now receives first.</summary>
    public object Hello()
    {
        var status = Status();
        if (Monitor is { } monitor)
            return new { status, run = monitor.Info, state = status.State, detail = monitor.Hello() };
        return new { status, run = (RunInfo?)null, state = status.State, detail = new { epochs = _viewedHistory } };
    }

    /// <summary>Runs <paramref name="work"/> on the model's thread (see <see cref="TrainingMonitor.OnModelThread"/>).</summary>
    public Task<T> OnModelThread<T>(Func<Layer, T> work)
    {
        var monitor = Monitor ?? throw new InvalidOperationException("No model is loaded yet; start a run or wait for it to load.");
        return monitor.OnModelThread(work, TimeSpan.FromSeconds(10));
    }

    /// <summary>The model of the current run as a safetensors file (weights and architecture).</summary>
    public async Task<byte[]> SaveModelAsync()
    {
        var monitor = Monitor ?? throw new InvalidOperationException("No model is loaded yet.");
        var spec = monitor.Spec ?? throw new InvalidOperationException("This model was built by hand and has no architecture to save with it.");
        return await monitor.OnModelThread(model =>
        {
            string temp = Path.Combine(Path.GetTempPath(), $"cortex-studio-{Guid.NewGuid():N}.safetensors");
            try
            {
                ModelZoo.Save(model, spec, temp);
                return File.ReadAllBytes(temp);
            }
            finally
            {
                AtomicWrite.TryDelete(temp);
            }
        }, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
    }

    public void Dispose()
    {
        lock (_gate)
            StopCurrent();
    }

    private void StopCurrent()
    {
        _cancel?.Cancel();
        var monitor = _monitor;
        monitor?.Resume();
        if (_thread is { } thread && thread != Thread.CurrentThread)
            thread.Join(TimeSpan.FromSeconds(30));
        _cancel?.Dispose();
        _cancel = null;
        _thread = null;
        Volatile.Write(ref _monitor, null);
        _viewedHistory = [];
    }

    private void Train(StudioRunRequest request, string name, int generation, CancellationToken cancellation)
    {
        StudioRun run;
        try
        {
            run = _build(request, name);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException or InvalidDataException or NotSupportedException or KeyNotFoundException)
        {
            if (generation == _generation)
                SetState("failed", e.Message);
            return;
        }
        using (run)
        {
            Directory.CreateDirectory(Options.RunsDirectory);
            using var monitor = new TrainingMonitor(run, Events,
                historyPath: Path.Combine(Options.RunsDirectory, name + RunFiles.HistorySuffix),
                modelPath: run.Spec is null ? null : Path.Combine(Options.RunsDirectory, name + ".safetensors"))
            { Cancellation = cancellation };
            Volatile.Write(ref _monitor, monitor);
            _state = "training";
            _message = null;
            var trainer = new Trainer(run.Model, run.Loss, run.Optimizer, run.Options) { Schedule = run.Schedule };
            trainer.Callbacks.Add(monitor);
            try
            {
                trainer.Fit(run.Train, run.Validation, cancellation);
            }
            catch (OperationCanceledException)
            {
                monitor.Finish("stopped", "training stopped before its last epoch");
                return;
            }
            catch (TrainingDivergedException e)
            {
                monitor.Finish("failed", e.Message);
            }
            monitor.Serve(cancellation);
        }
    }

    private void Show(StudioRunRequest request, string name, IReadOnlyList<EpochPoint> history, int generation, CancellationToken cancellation)
    {
        StudioRun run;
        try
        {
            run = _build(request, name);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException or InvalidDataException or NotSupportedException or KeyNotFoundException)
        {
            if (generation == _generation)
                _message = $"run {name}: history only ({e.Message})";
            return;
        }
        using (run)
        {
            using var monitor = new TrainingMonitor(run, Events) { Cancellation = cancellation };
            Volatile.Write(ref _monitor, monitor);
            monitor.ShowStatic(history);
            monitor.Serve(cancellation);
        }
    }

    private void SetState(string state, string? message)
    {
        _state = state;
        _message = message;
        Events.Publish("state", new { state, message });
    }

    private static string RunName(StudioRunRequest request)
    {
        string data = new([.. request.Data.Select(c => char.IsLetterOrDigit(c) ? c : '-')]);
        string model = request.Start?.Spec.Model ?? request.Model;
        return $"studio-{model}-{data.Trim('-')}-{DateTime.Now:yyyyMMdd-HHmmss}";
    }
}
