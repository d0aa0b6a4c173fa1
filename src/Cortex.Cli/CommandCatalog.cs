// CommandCatalog.cs — the list of sub-commands, in the order `cortex --help` shows them.
using System.CommandLine;

namespace Cortex.Cli;

internal static class CommandCatalog
{
    /// <summary>
    /// Every command, its number options parsed with Cortex's own messages (CliParsing). Registers the
    /// imported networks (resnet18-imagenet, onnx) in the zoo first, so every command can name them.
    /// </summary>
    public static IEnumerable<Command> All()
    {
        Cortex.Onnx.OnnxZoo.Register();
        return Commands().Select(CliParsing.Install);
    }

    private static IEnumerable<Command> Commands()
    {
        yield return TrainCommand.Create();
        yield return FinetuneCommand.Create();
        yield return CrossValidateCommand.Create();
        yield return SearchCommand.Create();
        yield return KnnCommand.Create();
        yield return LinearCommand.Create();
        yield return AugmentCommand.Create();
        yield return EvalCommand.Create();
        yield return PredictCommand.Create();
        yield return ExportCommand.Create();
        yield return ImportCommand.Create();
        yield return VisualizeCommand.Create();
        yield return ConvDemoCommand.Create();
        yield return StudioCommand.Create();
        yield return InfoCommand.Create();
        yield return SummaryCommand.Create();
        yield return GradCheckCommand.Create();
    }
}
