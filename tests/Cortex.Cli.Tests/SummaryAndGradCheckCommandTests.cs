using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Cortex.Cli.Tests;

public partial class SummaryAndGradCheckCommandTests
{
    private static (int ExitCode, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void Summary_CatsDogs_PrintsTheLecturesTotals()
    {
        var (code, output, _) = Run("summary", "catsdogs");
        Assert.Equal(0, code);
        Assert.Contains("Total params: 3,453,121", output, StringComparison.Ordinal);
        Assert.Contains("Trainable params: 3,453,121", output, StringComparison.Ordinal);
        Assert.Contains("Non-trainable params: 0", output, StringComparison.Ordinal);
        Assert.Contains("features.0 (Conv2d)", output, StringComparison.Ordinal);
        Assert.Contains("(N, 32, 148, 148)", output, StringComparison.Ordinal);      // Keras: (None, 148, 148, 32)
        Assert.Contains("classifier.0 (Dense)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_ResNet18_ShowsBlocksAndMacs()
    {
        var (code, output, _) = Run("summary", "resnet18", "-o", "init=zeros");
        Assert.Equal(0, code);
        Assert.Contains("Total params: 11,689,512", output, StringComparison.Ordinal);
        Assert.Contains("layer1.0 (BasicBlock)", output, StringComparison.Ordinal);
        Assert.Contains("layer2.0.downsample.0 (Conv2d)", output, StringComparison.Ordinal);
        Assert.Contains("(1.81 G)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_Json_HasTheDocumentedShape()
    {
        var (code, output, _) = Run("summary", "resnet20", "--json", "--input", "3x32x32", "--classes", "7");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("resnet20", root.GetProperty("model").GetString());
        Assert.Equal([3, 32, 32], root.GetProperty("input").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(269_722 - 650 + (64 * 7) + 7, root.GetProperty("total_params").GetInt64());
        Assert.Equal(root.GetProperty("total_params").GetInt64(), root.GetProperty("trainable_params").GetInt64());
        Assert.True(root.GetProperty("macs").GetInt64() > 40_000_000);
        Assert.True(root.GetProperty("activation_bytes").GetInt64() > 0);
        var layers = root.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal("conv1", layers[0].GetProperty("path").GetString());
        Assert.Equal("Conv2d", layers[0].GetProperty("type").GetString());
        Assert.Equal([1, 16, 32, 32], layers[0].GetProperty("output_shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(432, layers[0].GetProperty("params").GetInt64());
        Assert.Equal(3, layers[0].GetProperty("receptive_field").GetProperty("size")[0].GetInt64());
        Assert.Contains(layers, l => l.GetProperty("path").GetString() == "layer2.0.downsample" && l.GetProperty("type").GetString() == "PadShortcut");
        Assert.Equal([1, 7], layers[^1].GetProperty("output_shape").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void Summary_List_ShowsEveryModel()
    {
        var (code, output, _) = Run("summary", "--list");
        Assert.Equal(0, code);
        foreach (string name in (string[])["catsdogs", "alexnet", "vgg16-c", "nin", "googlenet", "resnet152", "resnet110", "plain56"])
            Assert.Contains(name, output, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_WrongName_ListsTheModelsOnStderr()
    {
        var (code, output, error) = Run("summary", "resnet51");
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Contains("no model named 'resnet51'", error, StringComparison.Ordinal);
        Assert.Contains("resnet50", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_BadInput_SaysWhatIsExpected()
    {
        var (code, _, error) = Run("summary", "lenet5", "--input", "1x28");
        Assert.Equal(1, code);
        Assert.Contains("cortex summary:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void GradCheck_DefaultNetwork_PassesAndEndsWithTheWorstError()
    {
        var (code, output, _) = Run("gradcheck");
        Assert.Equal(0, code);
        Assert.Contains("layer1.conv1 (Conv2d)", output, StringComparison.Ordinal);
        Assert.Contains("mixed.branch2.2 (Conv2d)", output, StringComparison.Ordinal);
        var last = LastLine(output);
        var match = LastLinePattern().Match(last);
        Assert.True(match.Success, $"last line: '{last}'");
        Assert.True(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) <= 1e-2);
        Assert.Equal("0.01", match.Groups[2].Value);
    }

    [Fact]
    public void GradCheck_ZooModel_ChecksEveryLayerAtASmallInput()
    {
        var (code, output, _) = Run("gradcheck", "resnet20", "--input", "3x8x8");
        Assert.Equal(0, code);
        Assert.Contains("layer3.2.conv2 (Conv2d)", output, StringComparison.Ordinal);
        Assert.Contains("layer2.0.downsample (PadShortcut)", output, StringComparison.Ordinal);
        Assert.Matches(LastLinePattern(), LastLine(output));
    }

    [Fact]
    public void GradCheck_Whole_AddsTheWholeModelRow()
    {
        // The whole-model check crosses every ReLU and max pool, so it may fail at a kink (see --whole's help);
        // only the row is asserted here.
        var (_, output, _) = Run("gradcheck", "--whole", "--samples", "2");
        Assert.Contains("testnet (whole model)", output, StringComparison.Ordinal);
        Assert.Matches(LastLinePattern(), LastLine(output));
    }

    [Fact]
    public void GradCheck_ErrorsAboveTheTolerance_ExitNonZero()
    {
        var (code, output, _) = Run("gradcheck", "--tolerance", "1e-12");
        Assert.Equal(1, code);
        Assert.Contains("FAIL", output, StringComparison.Ordinal);
        Assert.EndsWith("(tolerance 1E-12)", LastLine(output), StringComparison.Ordinal);
    }

    [Fact]
    public void GradCheck_WrongName_ExitsNonZero()
    {
        var (code, _, error) = Run("gradcheck", "vgg17");
        Assert.Equal(1, code);
        Assert.Contains("no model named 'vgg17'", error, StringComparison.Ordinal);
    }

    private static string LastLine(string output) => CliRunner.LastLine(output);

    [GeneratedRegex(@"^worst relative error: (\S+) \(tolerance (\S+)\)$")]
    private static partial Regex LastLinePattern();
}
