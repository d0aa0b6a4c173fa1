// ExportCommand.cs — `cortex export MODEL_FILE --onnx out.onnx [--fold-bn]`: a saved model as an
// ONNX file (opset 13, dynamic batch, the state-dict keys as initializer names) for ONNX Runtime
// and the other ONNX tools.
using System.CommandLine;
using Cortex.Models;
using Cortex.Onnx;
using Spectre.Console;

namespace Cortex.Cli;

internal static class ExportCommand
{
    public static Command Create()
    {
        var command = new Command("export", "Export a saved model to ONNX (opset 13, any batch size).");
        var file = new Argument<string>("model-file") { Description = "A model saved by `cortex train` (.safetensors)." };
        var onnx = new Option<string>("--onnx") { Description = "The ONNX file to write.", Required = true };
        var fold = new Option<bool>("--fold-bn") { Description = "Fold each batch norm into the convolution before it (inference only)." };
        command.Arguments.Add(file);
        command.Options.Add(onnx);
        command.Options.Add(fold);
        command.SetAction(result => CliConsole.Guard(result, console =>
        {
            string path = result.GetValue(file)!, output = result.GetValue(onnx)!;
            var (model, spec) = ModelZoo.Load(path);
            OnnxExporter.Save(model, output, new OnnxExportOptions(spec.Input) { FoldBatchNorm = result.GetValue(fold) });
            long parameters = model.AllParameters().Sum(p => (long)p.Value.Size);
            console.MarkupLine($"wrote [bold]{Markup.Escape(output)}[/]: {Markup.Escape(spec.Model)}, opset {OnnxExporter.Opset}, input (N, {string.Join(", ", spec.Input.Dimensions.ToArray())}), {parameters:N0} parameters{(result.GetValue(fold) ? ", batch norms folded" : "")}");
            return 0;
        }));
        return command;
    }
}
