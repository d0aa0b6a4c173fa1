// StudioSuite.cs — `studio`: what does watching a run in Cortex Studio cost? Cortex against itself:
// LeNet-5 training throughput (the `cortex train` recipe: Adam, batch 32) with Studio's
// TrainingMonitor attached, its server running and a browser-less SSE client reading every event
// over loopback, against the same training with nothing attached. The "peer" column is the plain
// run, so the ratio is watched/plain; the goal is ≥ 0.95.
//
// Studio's periodic work (network probe, prediction grid, test-set confusion) runs on cadences of
// seconds, so a call that started a fresh Fit would time the first-second pictures of every run
// over and over. Instead each side trains one long run on its own thread, and one call is one
// epoch of that run (2,048 digits): the call lets an epoch start and waits for it to end. The
// hand-off is two semaphore signals, microseconds beside a 0.2 s epoch.
using System.Diagnostics;
using Cortex.Bench.Harness;
using Cortex.Data;
using Cortex.Kernels;
using Cortex.Losses;
using Cortex.Models;
using Cortex.Optimizers;
using Cortex.Studio;
using Cortex.Training;

namespace Cortex.Bench.Suites;

/// <summary>LeNet-5 training images/s with Cortex Studio watching, relative to unwatched.</summary>
public sealed class StudioSuite : Suite
{
    private const int Images = 2048;
    private const int Batch = 32;

    /// <inheritdoc/>
    public override string Name => "studio";

    /// <inheritdoc/>
    public override string Description => "LeNet-5 training images/s with Cortex Studio attached and an SSE client reading, relative to none; goal ≥ 0.95.";

    /// <inheritdoc/>
    public override IEnumerable<ResultRow> Run(BenchContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Parallelism.MaxDegree = context.Threads;
        long started = Stopwatch.GetTimestamp();
        var split = DataSources.Load("digits");
        var train = split.Train.Take(Images);

        using var plain = new SteppedRun(train, watch: null);
        using var session = new StudioSession(new StudioOptions { Port = 0, RunsDirectory = Path.GetTempPath() });
        var server = StudioServer.StartAsync(session).GetAwaiter().GetResult();
        using var client = new EventReader(server.Address);
        TrainingMonitor? monitor = null;
        using var watched = new SteppedRun(train, watch: (run, trainer) =>
        {
            monitor = new TrainingMonitor(run, session.Events, restartable: false);
            session.Attach(monitor);
            trainer.Callbacks.Add(monitor);
            return monitor;
        }, test: split.Test);
        for (int i = 0; i < 3; i++)
        {
            watched.Epoch();     // the first pictures, JSON serializers and the server's first writes, untimed
            plain.Epoch();
        }
        var studioBefore = monitor!.StudioTime;
        var trainingBefore = watched.Training;
        var samples = Measure.Alternating([new Contender("studio", watched.Epoch), new Contender("plain", plain.Epoch)], context.Settings);
        var row = new ResultRow(Name, "LeNet-5 train, Studio watching vs not", $"batch {Batch}, {Images} digits per epoch, Adam, one SSE client",
            "images/s", HigherIsBetter: true, samples[0].Rate(Images), samples[1].Rate(Images),
            Note: $"Cortex vs Cortex: the peer column is training with nothing attached; Studio's own count of its share of the training thread: {(monitor.StudioTime - studioBefore) / (watched.Training - trainingBefore):P2}; the client read {client.Events:N0} events ({client.Bytes / 1024.0 / 1024.0:N1} MiB)");
        row = row with { PeerName = "unwatched" };
        NetworkSuites.Progress(context, row, started);
        server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        yield return row;
    }

    /// <summary>A long training run on its own thread that trains one epoch each time <see cref="Epoch"/> is called.</summary>
    private sealed class SteppedRun : TrainingCallback, IDisposable
    {
        private readonly SemaphoreSlim _go = new(0), _done = new(0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;
        private readonly IDisposable? _watcher;
        private Exception? _failure;

        public SteppedRun(ImageDataset train, Func<StudioRun, Trainer, IDisposable>? watch, ImageDataset? test = null)
        {
            var model = ModelZoo.Create("lenet5");
            var optimizer = new Adam(model.AllParameters(), 0.002f);
            var options = new TrainerOptions { Epochs = int.MaxValue, BatchSize = Batch, Seed = 1 };
            var trainer = new Trainer(model, new SoftmaxCrossEntropy(), optimizer, options);
            trainer.Callbacks.Add(this);
            if (watch is not null)
            {
                var run = new StudioRun
                {
                    Name = "bench-lenet5-digits",
                    ModelName = "lenet5",
                    DataName = "digits",
                    Model = model,
                    Spec = ModelZoo.Spec("lenet5"),
                    Loss = trainer.Loss,
                    Optimizer = optimizer,
                    Options = options,
                    Train = train,
                    TrainImages = train,
                    Test = test ?? train,
                };
                _watcher = watch(run, trainer);
            }
            _thread = new Thread(() =>
            {
                try
                {
                    trainer.Fit(train, cancellation: _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    _failure = e;
                    _done.Release();
                }
            })
            { IsBackground = true, Name = "bench training" };
            _thread.Start();
        }

        /// <summary>Trains one more epoch of the run and returns when it has ended (its evaluation and callbacks included).</summary>
        /// <summary>The time spent in <see cref="Epoch"/> calls so far.</summary>
        public TimeSpan Training { get; private set; }

        public void Epoch()
        {
            long start = Stopwatch.GetTimestamp();
            _go.Release();
            _done.Wait();
            Training += Stopwatch.GetElapsedTime(start);
            if (_failure is not null)
                throw new InvalidOperationException("the bench's training run failed", _failure);
        }

        public override void OnEpochBegin(TrainingContext context, int epoch)
        {
            long waiting = Stopwatch.GetTimestamp();
            _go.Wait(_stop.Token);
            context.ReportPause(Stopwatch.GetElapsedTime(waiting));   // between calls the run is idle, not training
        }

        public override void OnEpochEnd(TrainingContext context, EpochRecord record) => _done.Release();

        public void Dispose()
        {
            _stop.Cancel();
            _go.Release();
            _thread.Join(TimeSpan.FromSeconds(30));
            _watcher?.Dispose();
        }
    }

    /// <summary>A browser-less page: reads /api/events to the end, counting events and bytes.</summary>
    private sealed class EventReader : IDisposable
    {
        private readonly HttpClient _http;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _reading;
        private long _events, _bytes;

        public EventReader(Uri address)
        {
            _http = new HttpClient { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
            _reading = Task.Run(ReadAsync);
        }

        public long Events => Interlocked.Read(ref _events);
        public long Bytes => Interlocked.Read(ref _bytes);

        private async Task ReadAsync()
        {
            try
            {
                using var stream = await _http.GetStreamAsync(new Uri("api/events", UriKind.Relative), _stop.Token);
                using var reader = new StreamReader(stream);
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    Interlocked.Add(ref _bytes, line.Length + 1);
                    if (line.StartsWith("event:", StringComparison.Ordinal))
                        Interlocked.Increment(ref _events);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
            {
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _reading.Wait(TimeSpan.FromSeconds(5));
            _http.Dispose();
        }
    }
}
