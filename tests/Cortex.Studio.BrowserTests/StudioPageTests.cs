// StudioPageTests.cs — Cortex Studio in a real browser: Debian's Chromium, driven by Playwright,
// against a real Studio server training LeNet-5 on the shipped digits. It watches the curve grow,
// pauses and sees the count stop, changes the learning rate, draws a digit and reads the answer,
// and saves screenshots (to CORTEX_SCREENSHOTS when set, which is how docs/images/ are made).
using System.Globalization;
using Cortex.Studio.Tests;
using Microsoft.Playwright;

namespace Cortex.Studio.BrowserTests;

public sealed class StudioPageTests
{
    private static string ChromiumPath =>
        Environment.GetEnvironmentVariable("CORTEX_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private static string ScreenshotFolder =>
        Environment.GetEnvironmentVariable("CORTEX_SCREENSHOTS") is { Length: > 0 } folder ? folder : Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Fact]
    public async Task ThePage_TrainsLive_PausesResumes_TakesALearningRate_AndReadsADrawnDigit()
    {
        Assert.True(File.Exists(ChromiumPath), $"no Chromium at {ChromiumPath}: run scripts/install-chromium.sh (or set CORTEX_CHROMIUM)");
        await using var host = await StudioHost.StartAsync(new StudioRunRequest { Epochs = 100 });
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 1500 } });
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync(host.Server.Address.ToString());

        // The curve grows: the loss chart's points keep coming as the count rises.
        await Expect(page, "#state", "training");
        int points = await WaitForAsync(() => LossPointsAsync(page), p => p >= 3, "three points on the loss curve");
        long seen = await ExamplesSeenAsync(page);
        await WaitForAsync(() => LossPointsAsync(page), p => p > points + 2, "the loss curve to grow");
        Assert.True(await ExamplesSeenAsync(page) > seen);
        await page.Locator("#layers .layer").First.WaitForAsync();           // the network view arrived
        await page.Locator("#prediction-grid > *").First.WaitForAsync();     // and the test predictions

        // Pause: the count stops, on the page and on the server; resume: it moves again.
        await page.ClickAsync("#pause-button");
        await Expect(page, "#state", "paused");
        await Task.Delay(600);                                               // a last metrics frame may be in flight
        long paused = await ExamplesSeenAsync(page);
        await Task.Delay(1500);
        Assert.Equal(paused, await ExamplesSeenAsync(page));
        Assert.True((await host.StatusAsync()).GetProperty("paused").GetBoolean());
        await page.ClickAsync("#pause-button");
        await Expect(page, "#state", "training");
        await WaitForAsync(() => ExamplesSeenAsync(page), s => s > paused, "training to resume");

        // A new learning rate, typed and applied, reaches the trainer and comes back on the page.
        await page.FillAsync("#lr-input", "0.001");
        await page.ClickAsync("#apply-button");
        await WaitForAsync(async () => (await host.StatusAsync()).GetProperty("metrics").GetProperty("learning_rate").GetDouble(), lr => Math.Abs(lr - 0.001) < 1e-7, "the learning rate to apply");
        await Expect(page, "#learning-rate", "1.00e-3");

        // Draw a "1": a stroke down the middle of the canvas; the model answers with its top 3.
        await WaitForAsync(() => ExamplesSeenAsync(page), s => s > 4000, "half an epoch of training");
        var box = (await page.Locator("#draw-canvas").BoundingBoxAsync())!;
        float x = box.X + box.Width / 2;
        await page.Mouse.MoveAsync(x, box.Y + box.Height * 0.15f);
        await page.Mouse.DownAsync();
        for (int step = 1; step <= 12; step++)
            await page.Mouse.MoveAsync(x + step * 0.5f, box.Y + box.Height * (0.15f + 0.7f * step / 12));
        await page.Mouse.UpAsync();
        var bars = page.Locator("#draw-top .bar");
        await WaitForAsync(() => bars.CountAsync(), n => n == 3, "the drawn digit's top 3");
        string top = (await bars.First.Locator("span").First.TextContentAsync())!;
        Assert.Equal("1", top.Trim());

        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, "studio.png") });
        await page.Locator("#layers").ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, "studio-network.png") });
        Assert.True(new FileInfo(Path.Combine(ScreenshotFolder, "studio.png")).Length > 10_000);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task AFinishedRun_ShowsItsCurves_Pictures_AndStillAnswersADrawing()
    {
        Assert.True(File.Exists(ChromiumPath), $"no Chromium at {ChromiumPath}: run scripts/install-chromium.sh (or set CORTEX_CHROMIUM)");
        await using var host = await StudioHost.StartAsync(train: false);
        const string name = "lenet5-finished";
        Cortex.Models.ModelZoo.Save(Cortex.Models.ModelZoo.Create("lenet5"), Cortex.Models.ModelZoo.Spec("lenet5"),
            Path.Combine(host.RunsDirectory, name + ".safetensors"));
        var csv = new System.Text.StringBuilder("epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds,images_per_second\n");
        for (int e = 1; e <= 6; e++)
            csv.Append(CultureInfo.InvariantCulture, $"{e},{1.0 / e},{1 - 0.5 / e},{1.2 / e},{1 - 0.6 / e},0.002,0.5,14000\n");
        await File.WriteAllTextAsync(Path.Combine(host.RunsDirectory, name + "-history.csv"), csv.ToString());
        await File.WriteAllTextAsync(Path.Combine(host.RunsDirectory, "lenet5-earlier-history.csv"), csv.ToString().Replace(",0.002,", ",0.01,", StringComparison.Ordinal));
        host.Session.View(name);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox", "--disable-dev-shm-usage"] });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 1500 } });
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync(host.Server.Address.ToString());

        await Expect(page, "#state", "viewing");
        await WaitForAsync(() => LossPointsAsync(page), p => p == 6, "the six epochs on the curve");
        await WaitForAsync(() => page.Locator("#prediction-grid > *").CountAsync(), n => n == 40, "the 40 test predictions");
        await WaitForAsync(() => page.Locator("#layers .layer[data-layer]").CountAsync(), n => n == 12, "LeNet-5's 12 layers");
        Assert.True(await page.IsDisabledAsync("#pause-button"));          // nothing to pause

        // An earlier run from runs/, overlaid on the same axes.
        await page.ClickAsync("#overlay summary");
        await page.CheckAsync("#overlay-list label:has-text('lenet5-earlier') input");
        await page.Locator("#loss-chart .u-legend:has-text('lenet5-earlier loss')").WaitForAsync();
        await page.Locator("#accuracy-chart .u-legend:has-text('lenet5-earlier val')").WaitForAsync();

        var box = (await page.Locator("#draw-canvas").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + box.Width * 0.3f, box.Y + box.Height * 0.3f);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + box.Width * 0.7f, box.Y + box.Height * 0.7f, new() { Steps = 8 });
        await page.Mouse.UpAsync();
        await WaitForAsync(() => page.Locator("#draw-top .bar").CountAsync(), n => n == 3, "the drawing's top 3");
        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, "studio-run.png") });
        Assert.Empty(errors);
    }

    private static async Task Expect(IPage page, string selector, string text) =>
        await WaitForAsync(async () => (await page.TextContentAsync(selector))?.Trim() ?? "", t => t == text, $"{selector} to read '{text}'");

    private static async Task<int> LossPointsAsync(IPage page) =>
        int.TryParse(await page.GetAttributeAsync("#loss-chart", "data-points"), out int n) ? n : 0;

    private static async Task<long> ExamplesSeenAsync(IPage page) =>
        long.Parse((await page.TextContentAsync("#examples-seen"))!.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, double seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        T value = await read();
        while (!done(value))
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out after {seconds} s waiting for {what}; last value: {value}");
            await Task.Delay(100);
            value = await read();
        }
        return value;
    }
}
