// EventHub.cs — fans Studio's events out to every connected page (Server-Sent Events). Each
// subscriber has its own small bounded queue that drops its oldest event when full, so a slow or
// stalled browser loses frames instead of holding up the training thread: Publish never blocks.
// An event is serialized once, whoever listens. A new subscriber first gets the "hello" event
// (the state so far), then live events.
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;

namespace Cortex.Studio;

/// <summary>Broadcasts named JSON events to the subscribers of <c>/api/events</c>.</summary>
public sealed class EventHub
{
    private readonly Lock _gate = new();
    private readonly List<Channel<SseItem<string>>> _subscribers = [];
    private readonly int _capacity;
    private long _published;

    /// <summary>snake_case names (examples_seen); a NaN that slips through is written as "NaN" rather than failing the event.</summary>
    internal static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public EventHub(int capacity = 64) => _capacity = capacity;

    /// <summary>How many pages listen now.</summary>
    public int Subscribers
    {
        get
        {
            lock (_gate)
                return _subscribers.Count;
        }
    }

    /// <summary>Events published so far.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Sends <paramref name="payload"/> as JSON under the event name <paramref name="type"/> to every subscriber.</summary>
    public void Publish<T>(string type, T payload)
    {
        Interlocked.Increment(ref _published);
        Channel<SseItem<string>>[] targets;
        lock (_gate)
        {
            if (_subscribers.Count == 0)
                return;
            targets = [.. _subscribers];
        }
        var item = new SseItem<string>(JsonSerializer.Serialize(payload, Json), type);
        foreach (var channel in targets)
            channel.Writer.TryWrite(item);              // DropOldest: never waits
    }

    /// <summary>The stream of one subscriber: <paramref name="hello"/> first, then live events until cancelled.</summary>
    public async IAsyncEnumerable<SseItem<string>> Subscribe(Func<object> hello, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(hello);
        var channel = Channel.CreateBounded<SseItem<string>>(new BoundedChannelOptions(_capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate)
            _subscribers.Add(channel);
        try
        {
            yield return new SseItem<string>(JsonSerializer.Serialize(hello(), Json), "hello");
            while (true)
            {
                SseItem<string> item;
                try
                {
                    item = await channel.Reader.ReadAsync(cancellation).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
                yield return item;
            }
        }
        finally
        {
            lock (_gate)
                _subscribers.Remove(channel);
        }
    }
}
