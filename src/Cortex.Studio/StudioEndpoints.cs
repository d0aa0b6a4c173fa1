// StudioEndpoints.cs — the HTTP surface, a small stable contract for the page, scripts and tests:
//
//   GET  /                   the page (embedded)            GET  /static/{file}  its scripts and styles
//   GET  /api/status         JSON: state, examples_seen, epoch, paused, model, data, …
//   GET  /api/events         Server-Sent Events: hello, run, state, metrics, epoch, network, predictions, confusion
//   POST /api/control        JSON such as {"pause":true}, {"learning_rate":0.01}, {"model":"lenet5","data":"digits"}
//   POST /api/predict        JSON {"width":28,"height":28,"pixels":[…]}: the model's top-3 for a drawn image
//   GET  /api/model          the current model as a .safetensors download
//   POST /api/model          upload a .safetensors model (size-limited, checked) and train it further
//   GET  /api/runs           runs kept under runs/;   GET /api/runs/{name}: one run's history
//
// Every bad request gets a 400 with {"error": "<what is wrong>"}; training is never disturbed by one.
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Cortex.Models;
using Cortex.Serialization;
using Cortex.Tensors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Cortex.Studio;

/// <summary>Maps Studio's endpoints onto a web application.</summary>
public static class StudioEndpoints
{
    private const int MaxControlBytes = 64 << 10;
    private const int MaxDrawnPixels = 512 * 512;

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".txt"] = "text/plain; charset=utf-8",
        [".png"] = "image/png",
        [".svg"] = "image/svg+xml",
    };

    /// <summary>Adds the endpoints of <paramref name="session"/> to <paramref name="app"/>.</summary>
    public static void Map(IEndpointRouteBuilder app, StudioSession session)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(session);
        app.MapGet("/", () => Asset("index.html"));
        app.MapGet("/static/{**file}", (string file) => Asset(file));
        app.MapGet("/favicon.ico", () => Asset("favicon.svg", "image/svg+xml"));
        app.MapGet("/api/status", () => Results.Json(session.Status(), EventHub.Json));
        app.MapGet("/api/events", (CancellationToken cancellation) =>
            TypedResults.ServerSentEvents(session.Events.Subscribe(session.Hello, cancellation)));
        app.MapPost("/api/control", (HttpRequest request) => Control(session, request));
        app.MapPost("/api/predict", (HttpRequest request) => Predict(session, request));
        app.MapGet("/api/model", async () =>
        {
            try
            {
                var bytes = await session.SaveModelAsync().ConfigureAwait(false);
                string name = (session.Monitor?.Info.Name ?? "model") + ".safetensors";
                return Results.File(bytes, "application/octet-stream", name);
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                return Error(e.Message, StatusCodes.Status409Conflict);
            }
        });
        app.MapPost("/api/model", (HttpRequest request) => Upload(session, request));
        app.MapGet("/api/runs", () => Results.Json(
            RunFiles.List(session.Options.RunsDirectory).Select(r => new { name = r.Name, modified = r.Modified }), EventHub.Json));
        app.MapGet("/api/runs/{name}", (string name) =>
        {
            try
            {
                return Results.Json(new { name, epochs = RunFiles.ReadHistory(RunFiles.HistoryPath(session.Options.RunsDirectory, name)) }, EventHub.Json);
            }
            catch (FileNotFoundException)
            {
                return Error($"runs: no run named '{name}'.", StatusCodes.Status404NotFound);
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException)
            {
                return Error(e.Message);
            }
        });
    }

    private static IResult Error(string message, int status = StatusCodes.Status400BadRequest) =>
        Results.Json(new { error = message }, EventHub.Json, statusCode: status);

    private static IResult Asset(string file, string? contentType = null)
    {
        if (file.Contains("..", StringComparison.Ordinal) || file.Contains('\\', StringComparison.Ordinal))
            return Results.NotFound();
        var stream = typeof(StudioEndpoints).Assembly.GetManifestResourceStream("wwwroot/" + file);
        if (stream is null)
            return Results.NotFound();
        string type = contentType ?? ContentTypes.GetValueOrDefault(Path.GetExtension(file), "application/octet-stream");
        return Results.Stream(stream, type);
    }

    // ---- POST /api/control ---------------------------------------------------------------------

    private static readonly string[] ControlKeys =
        ["pause", "learning_rate", "momentum", "batch_size", "weight_decay", "restart", "model", "data", "optimizer", "epochs", "augment", "seed"];

    private static async Task<IResult> Control(StudioSession session, HttpRequest request)
    {
        JsonElement body;
        try
        {
            body = await ReadJson(request, MaxControlBytes).ConfigureAwait(false);
        }
        catch (BadRequestException e)
        {
            return Error(e.Message);
        }
        if (body.ValueKind != JsonValueKind.Object)
            return Error("control: expected a JSON object such as {\"pause\": true} or {\"learning_rate\": 0.01}.");

        // Validate everything first, apply nothing until the whole request is good.
        bool? pause = null, restart = null;
        float? rate = null, mu = null, decay = null;
        int? batch = null, epochs = null;
        ulong? seed = null;
        string? model = null, data = null, optimizer = null, augment = null;
        try
        {
            foreach (var property in body.EnumerateObject())
            {
                var v = property.Value;
                switch (property.Name)
                {
                    case "pause": pause = Bool(property); break;
                    case "restart": restart = Bool(property); break;
                    case "learning_rate": rate = Number(property, 0, 1e4); break;
                    case "momentum": mu = Number(property, 0, 0.999999); break;
                    case "weight_decay": decay = Number(property, 0, 10); break;
                    case "batch_size": batch = Integer(property, 1, 4096); break;
                    case "epochs": epochs = Integer(property, 1, 100_000); break;
                    case "seed": seed = (ulong)Integer(property, 0, int.MaxValue); break;
                    case "model": model = Text(property); break;
                    case "data": data = Text(property); break;
                    case "optimizer": optimizer = Text(property); break;
                    case "augment": augment = Text(property); break;
                    default:
                        throw new ArgumentException($"control: unknown setting '{property.Name}'. Known: {string.Join(", ", ControlKeys)}.");
                }
                _ = v;
            }
            if (rate is not null && optimizer is not null && optimizer.Trim().StartsWith("adadelta", StringComparison.OrdinalIgnoreCase) && rate == 0)
                throw new ArgumentException("learning_rate: Adadelta's rate scales its steps; 0 would stop training.");
        }
        catch (ArgumentException e)
        {
            return Error(e.Message);
        }

        var applied = new List<string>();
        try
        {
            bool restarting = restart == true || model is not null || data is not null || optimizer is not null || epochs is not null || augment is not null || seed is not null;
            if (restarting)
            {
                var current = session.Request ?? new StudioRunRequest();
                string newData = data ?? current.Data;
                var basis = data is not null && data != current.Data && model is null ? StudioRunRequest.DefaultFor(newData) : current with { Start = null };
                var next = basis with
                {
                    Model = model ?? basis.Model,
                    Data = newData,
                    Optimizer = optimizer ?? basis.Optimizer,
                    LearningRate = rate ?? (optimizer is not null ? null : basis.LearningRate),
                    BatchSize = batch ?? basis.BatchSize,
                    WeightDecay = decay ?? basis.WeightDecay,
                    Epochs = epochs ?? basis.Epochs,
                    Augment = augment ?? basis.Augment,
                    Seed = seed ?? basis.Seed,
                };
                if (optimizer is not null)
                    Optimizers.OptimizerCatalog.Create(next.Optimizer, [], 0.01f);   // a wrong name fails here, as a 400
                if (mu is not null)
                    next = next with { Optimizer = WithMomentum(next.Optimizer, mu.Value) };
                string name = session.Start(next);
                applied.Add($"restarted as {name}");
            }
            else
            {
                var monitor = session.Monitor ?? throw new InvalidOperationException("control: no run is loaded yet; try again in a moment.");
                if (monitor.Info.Restartable is false && monitor.State is "finished" or "stopped")
                    throw new InvalidOperationException("control: this run has finished.");
                if (rate is { } r)
                {
                    monitor.SetLearningRate(r);
                    applied.Add("learning_rate");
                }
                if (mu is { } m)
                {
                    monitor.SetMomentum(m);
                    applied.Add("momentum");
                }
                if (decay is { } d)
                {
                    monitor.SetWeightDecay(d);
                    applied.Add("weight_decay");
                }
                if (batch is { } b)
                {
                    monitor.SetBatchSize(b);
                    applied.Add("batch_size");
                }
            }
            if (pause is { } p && session.Monitor is { } target)
            {
                if (p)
                    target.Pause();
                else
                    target.Resume();
                applied.Add(p ? "pause" : "resume");
            }
        }
        catch (ArgumentException e)
        {
            return Error(e.Message);
        }
        catch (InvalidOperationException e)
        {
            return Error(e.Message, StatusCodes.Status409Conflict);
        }
        return Results.Json(new { applied, status = session.Status() }, EventHub.Json);
    }

    private static string WithMomentum(string optimizer, float mu)
    {
        string name = optimizer.Split(':')[0].Trim().ToLowerInvariant();
        if (name is not ("momentum" or "nesterov"))
            throw new ArgumentException($"momentum: the optimizer {name} has no momentum; choose momentum or nesterov.");
        return string.Create(CultureInfo.InvariantCulture, $"{name}:{mu}");
    }

    private static bool Bool(JsonProperty p) => p.Value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new ArgumentException($"{p.Name}: expected true or false, got {Show(p.Value)}."),
    };

    private static float Number(JsonProperty p, double min, double max)
    {
        if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetDouble(out double v) || !double.IsFinite(v))
            throw new ArgumentException($"{p.Name}: expected a number, got {Show(p.Value)}.");
        if (v < min || v > max)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{p.Name}: expected a number from {min} to {max}, got {v}."));
        return (float)v;
    }

    private static int Integer(JsonProperty p, int min, int max)
    {
        if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt64(out long v))
            throw new ArgumentException($"{p.Name}: expected a whole number, got {Show(p.Value)}.");
        if (v < min || v > max)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{p.Name}: expected a whole number from {min} to {max}, got {v}."));
        return (int)v;
    }

    private static string Text(JsonProperty p) =>
        p.Value.ValueKind == JsonValueKind.String && p.Value.GetString() is { Length: > 0 and <= 256 } s
            ? s
            : throw new ArgumentException($"{p.Name}: expected a name, got {Show(p.Value)}.");

    private static string Show(JsonElement v)
    {
        string text = v.GetRawText();
        return text.Length <= 40 ? text : text[..40] + "…";
    }

    // ---- POST /api/predict ---------------------------------------------------------------------

    private static async Task<IResult> Predict(StudioSession session, HttpRequest request)
    {
        JsonElement body;
        try
        {
            body = await ReadJson(request, 8 << 20).ConfigureAwait(false);
        }
        catch (BadRequestException e)
        {
            return Error(e.Message);
        }
        int width, height;
        float[] pixels;
        try
        {
            if (body.ValueKind != JsonValueKind.Object)
                throw new ArgumentException("predict: expected {\"width\": W, \"height\": H, \"pixels\": [W·H values in 0…1]}.");
            width = body.TryGetProperty("width", out var w) && w.TryGetInt32(out int wv) ? wv : 28;
            height = body.TryGetProperty("height", out var h) && h.TryGetInt32(out int hv) ? hv : 28;
            if (width < 1 || height < 1 || (long)width * height > MaxDrawnPixels)
                throw new ArgumentException($"predict: expected a drawing of 1 to {MaxDrawnPixels} pixels, got {width}×{height}.");
            if (!body.TryGetProperty("pixels", out var array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() != width * height)
                throw new ArgumentException($"predict: expected 'pixels', an array of {width * height} numbers in 0…1.");
            pixels = new float[width * height];
            int i = 0;
            foreach (var item in array.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Number || !item.TryGetDouble(out double v) || !double.IsFinite(v))
                    throw new ArgumentException($"predict: pixel {i} is not a number.");
                pixels[i++] = (float)Math.Clamp(v, 0, 1);
            }
        }
        catch (ArgumentException e)
        {
            return Error(e.Message);
        }

        var monitor = session.Monitor;
        if (monitor is null)
            return Error("predict: no model is loaded yet.", StatusCodes.Status409Conflict);
        var input = monitor.Run.TrainImages.SampleShape;
        var image = Resample(pixels, width, height, input);
        try
        {
            var top = await session.OnModelThread(model =>
            {
                var scores = model.Forward(image, training: false);
                return monitor.Top(scores, 0, 3);
            }).ConfigureAwait(false);
            return Results.Json(new { examples_seen = monitor.ExamplesSeen, top }, EventHub.Json);
        }
        catch (TimeoutException)
        {
            return Error("predict: the model did not answer in time.", StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>A W×H drawing in [0, 1] as a (1, C, H', W') batch of the model's input size (bilinear; channels repeated).</summary>
    internal static Tensor Resample(float[] pixels, int width, int height, Shape input)
    {
        int c = input[0], oh = input[1], ow = input[2];
        var image = new Tensor(new Shape(1, c, oh, ow));
        var y = image.Span;
        for (int r = 0; r < oh; r++)
        {
            double sy = Math.Clamp((r + 0.5) * height / oh - 0.5, 0, height - 1);
            int y0 = (int)sy, y1 = Math.Min(y0 + 1, height - 1);
            double fy = sy - y0;
            for (int q = 0; q < ow; q++)
            {
                double sx = Math.Clamp((q + 0.5) * width / ow - 0.5, 0, width - 1);
                int x0 = (int)sx, x1 = Math.Min(x0 + 1, width - 1);
                double fx = sx - x0;
                double v = (1 - fy) * ((1 - fx) * pixels[y0 * width + x0] + fx * pixels[y0 * width + x1])
                         + fy * ((1 - fx) * pixels[y1 * width + x0] + fx * pixels[y1 * width + x1]);
                for (int ch = 0; ch < c; ch++)
                    y[(ch * oh + r) * ow + q] = (float)v;
            }
        }
        return image;
    }

    // ---- POST /api/model -----------------------------------------------------------------------

    private static async Task<IResult> Upload(StudioSession session, HttpRequest request)
    {
        long limit = session.Options.MaxUploadBytes;
        if (request.ContentLength is > 0 and var length && length > limit)
            return Error($"upload: {length:N0} bytes is over the limit of {limit:N0} bytes (raise it with --max-upload-mb).", StatusCodes.Status413PayloadTooLarge);
        var feature = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
            feature.MaxRequestBodySize = limit + 1;
        byte[] bytes;
        try
        {
            using var buffer = new MemoryStream();
            await CopyBounded(request.Body, buffer, limit).ConfigureAwait(false);
            bytes = buffer.ToArray();
        }
        catch (BadRequestException e)
        {
            return Error(e.Message, StatusCodes.Status413PayloadTooLarge);
        }
        string fileName = request.Query["name"].FirstOrDefault() is { Length: > 0 and < 200 } n ? Path.GetFileName(n) : "upload.safetensors";
        string? data = request.Query["data"].FirstOrDefault();
        try
        {
            // The same checked reader as `cortex eval`: header, offsets, dtypes and shapes are validated first.
            var content = SafeTensors.Read(new MemoryStream(bytes, writable: false), fileName);
            if (!content.Metadata.TryGetValue(ModelFile.ArchitectureKey, out var json))
                throw new InvalidDataException($"{fileName}: the file holds weights but no Cortex architecture; Studio can only load models saved by Cortex.");
            var spec = ModelSpec.FromJson(json);
            var model = ModelZoo.Create(spec);
            ModelFile.LoadWeights(model, content, fileName);
            var current = session.Request ?? new StudioRunRequest();
            string source = data ?? current.Data;
            string name = session.Start(current with { Data = source, Model = spec.Model, Start = (spec, model) });
            return Results.Json(new { loaded = fileName, model = spec.Model, run = name, parameters = model.AllParameters().Sum(p => (long)p.Value.Size) }, EventHub.Json);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or FormatException or JsonException or KeyNotFoundException or EndOfStreamException or OverflowException)
        {
            return Error($"upload: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            return Error(e.Message, StatusCodes.Status409Conflict);
        }
    }

    // ---- reading bodies --------------------------------------------------------------------------

    private sealed class BadRequestException(string message) : Exception(message);

    private static async Task<JsonElement> ReadJson(HttpRequest request, int limit)
    {
        using var buffer = new MemoryStream();
        await CopyBounded(request.Body, buffer, limit).ConfigureAwait(false);
        if (buffer.Length == 0)
            throw new BadRequestException("expected a JSON body, got an empty request.");
        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new BadRequestException($"the body is not valid JSON: {e.Message}");
        }
    }

    private static async Task CopyBounded(Stream source, Stream target, long limit)
    {
        var chunk = new byte[81920];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(chunk).ConfigureAwait(false)) > 0)
        {
            total += read;
            if (total > limit)
                throw new BadRequestException($"the body is over the limit of {limit:N0} bytes.");
            await target.WriteAsync(chunk.AsMemory(0, read)).ConfigureAwait(false);
        }
    }

    internal static Assembly Assembly => typeof(StudioEndpoints).Assembly;
}
