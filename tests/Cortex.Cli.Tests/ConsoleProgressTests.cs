using Cortex.Training;

namespace Cortex.Cli.Tests;

/// <summary>The live progress line fits an 80-column terminal (issue 15, item 9: the bar shrank to 3 characters and the percentage and time left wrapped).</summary>
public sealed class ConsoleProgressTests
{
    [Theory]
    [InlineData(80)]
    [InlineData(100)]
    [InlineData(129)]
    public void NarrowTerminal_TextBarPercentageAndTimeShareOneLine(int width)
    {
        var layout = ProgressLayout.For(width);
        Assert.True(layout.Compact);
        Assert.True(layout.BarWidth >= 10, $"bar of {layout.BarWidth}");
        // The longest texts for up to 99 epochs and 9,999 batches, a loss above 10 and 100 % accuracy.
        var running = ConsoleProgress.Running(new BatchProgress(99, 9999, 9999, 1, 1, 12.3456, 1.0, 12345, TimeSpan.Zero), 99, compact: true);
        var done = ConsoleProgress.CompactSummary(new EpochRecord(99, 12.3456, 1.0, 1.0, 1.0, 0.001, 123.4, 12345), 99);
        Assert.Equal("epoch 99/99  9999/9999  loss 12.3456  acc 100.0%", running);
        Assert.Equal("epoch 99/99  loss 12.3456  acc 100.0%  val 100.0%", done);
        foreach (string text in new[] { running, done })
            Assert.True(text.Length + layout.BarWidth + ProgressLayout.Rest <= width, $"{text.Length} + {layout.BarWidth} + {ProgressLayout.Rest} > {width}");
    }

    [Fact]
    public void WideTerminal_KeepsTheFullTextAndBar()
    {
        var layout = ProgressLayout.For(160);
        Assert.False(layout.Compact);
        Assert.Equal(24, layout.BarWidth);
        string full = ConsoleProgress.Running(new BatchProgress(1, 10, 100, 1, 1, 0.5, 0.5, 900, TimeSpan.Zero), 12, compact: false);
        Assert.True(full.Length + layout.BarWidth + ProgressLayout.Rest <= 160, full);
        Assert.Contains("img/s", full, StringComparison.Ordinal);
    }
}
