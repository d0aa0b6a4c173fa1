using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Cortex.Cli.Tests;

public partial class ConvDemoCommandTests
{
    private static readonly Lazy<(int ExitCode, string[] Lines)> Run = new(() =>
    {
        var root = new RootCommand("test");
        foreach (var command in CommandCatalog.All())
            root.Subcommands.Add(command);
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        int exitCode = root.Parse(["conv-demo"]).Invoke(new InvocationConfiguration { Output = output });
        return (exitCode, output.ToString().Split('\n'));
    });

    [Fact]
    public void ConvDemo_Runs_AndExitsZero()
    {
        Assert.Equal(0, Run.Value.ExitCode);
        Assert.Contains(Run.Value.Lines, l => l.Contains("im2col", StringComparison.Ordinal));
    }

    [Fact]
    public void ConvDemo_PrintsTheLectureExample_15_16_6_15()
    {
        AssertSomeLineHas(1, 2, 3, 0, /* filter */ 2, 0, 1, /* output */ 15, 16);
        AssertSomeLineHas(0, 1, 2, 3, /* filter */ 0, 1, 2, /* output */ 6, 15);
    }

    [Fact]
    public void ConvDemo_PrintsTheBiasExample_18_19_9_18()
    {
        AssertSomeLineHas(15, 16, /* bias */ 3, 18, 19);
        AssertSomeLineHas(6, 15, 9, 18);
    }

    [Fact]
    public void ConvDemo_PrintsTheZeroPaddedOutput()
    {
        AssertSomeLineHas(0, 0, 0, 0, 0, 0, /* filter */ 2, 0, 1, 7, 12, 10, 2);
        AssertSomeLineHas(4, 15, 16, 10);
        AssertSomeLineHas(10, 6, 15, 6);
        AssertSomeLineHas(8, 10, 4, 3);
    }

    [Fact]
    public void ConvDemo_PrintsTheReplicatePaddedInputAndOutput()
    {
        AssertSomeLineHas(1, 1, 2, 3, 0, 0, /* filter */ 2, 0, 1, 11, 17, 14, 14);
        AssertSomeLineHas(9, 15, 16, 20);
        AssertSomeLineHas(12, 6, 15, 15);
        AssertSomeLineHas(22, 12, 9, 9);
    }

    [Fact]
    public void ConvDemo_PrintsTheIm2ColMatrixAndTheProduct()
    {
        Assert.Contains(Run.Value.Lines, l => l.Contains("kh=0 kw=0", StringComparison.Ordinal) && EndsWith(Numbers(l), [1, 2, 0, 1]));
        Assert.Contains(Run.Value.Lines, l => l.Contains("kh=2 kw=1", StringComparison.Ordinal) && EndsWith(Numbers(l), [0, 1, 3, 0]));
        AssertSomeLineHas(2, 0, 1, 0, 1, 2, 1, 0, 2, 15, 16, 6, 15);
    }

    [Fact]
    public void ConvDemo_PrintsTheSevenBySevenSizes()
    {
        var text = string.Join('\n', Run.Value.Lines);
        Assert.Contains("(7 + 2·0 − 3)/1 + 1 = 5", text, StringComparison.Ordinal);
        Assert.Contains("(7 + 2·0 − 3)/2 + 1 = 3", text, StringComparison.Ordinal);
        Assert.Contains("(7 + 2·1 − 3)/1 + 1 = 7", text, StringComparison.Ordinal);
        AssertSomeLineHas(15, 17, 15);                    // stride 2: the lectures' 15, 17
    }

    [Fact]
    public void ConvDemo_PrintsZeroAndCopyPaddingIn1d()
    {
        AssertSomeLineHas(1.8, 2.9, 3.7, 3.5, 7.9, 8.9, 7.4, 1.4);
        AssertSomeLineHas(2.7, 2.9, 3.7, 3.5, 7.9, 8.9, 7.4, 2);
    }

    private static void AssertSomeLineHas(params double[] run)
        => Assert.True(Run.Value.Lines.Any(l => ContainsRun(Numbers(l), run)),
            $"no line of the output holds [{string.Join(", ", run)}]:\n{string.Join('\n', Run.Value.Lines)}");

    private static double[] Numbers(string line) =>
        NumberPattern().Matches(line).Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture)).ToArray();

    private static bool ContainsRun(double[] values, double[] run)
    {
        for (int start = 0; start + run.Length <= values.Length; start++)
        {
            if (values.AsSpan(start, run.Length).SequenceEqual(run))
                return true;
        }
        return false;
    }

    private static bool EndsWith(double[] values, double[] run)
        => values.Length >= run.Length && values.AsSpan(values.Length - run.Length).SequenceEqual(run);

    [GeneratedRegex(@"-?\d+(\.\d+)?")]
    private static partial Regex NumberPattern();
}
