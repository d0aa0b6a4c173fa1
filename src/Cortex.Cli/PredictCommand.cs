// PredictCommand.cs — `cortex predict MODEL_FILE INPUT`: the class a saved model gives each image
// of an IDX file (as in data/mnist-digits) or of a folder/file of IDX images.
using System.CommandLine;
using System.Globalization;
using Cortex.Data.Idx;
using Cortex.Models;
using Cortex.Tensors;
using Cortex.Training;
using Spectre.Console;

namespace Cortex.Cli;

internal static class PredictCommand
{
    public static Command Create()
    {
        var command = new Command("predict", "Classify images with a saved model (IDX image files such as t10k-images-idx3-ubyte.gz).");
        var file = new Argument<string>("model-file") { Description = "A model saved by `cortex train` (.safetensors)." };
        var input = new Argument<string>("input") { Description = "An IDX image file (raw or .gz)." };
        var limit = new Option<int>("--limit") { Description = "Classify at most this many images.", DefaultValueFactory = _ => 20 };
        command.Arguments.Add(file);
        command.Arguments.Add(input);
        command.Options.Add(limit);
        command.SetAction(result => CliConsole.Guard(result, console =>
        {
            var (model, spec) = ModelZoo.Load(result.GetValue(file)!);
            string path = result.GetValue(input)!;
            var images = ReadIdxImages(path, spec.Input, result.GetValue(limit));
            int[] predicted = Trainer.Predict(model, images);
            for (int i = 0; i < predicted.Length; i++)
                console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(path)}[{i}]: {predicted[i]}"));
            return 0;
        }));
        return command;
    }

    private static Tensor ReadIdxImages(string path, Shape input, int limit)
    {
        var idx = IdxReader.Read(path);
        var dims = idx.Dimensions;
        if (dims.Length != 3)
            throw new FormatException($"{path}: expected IDX images (count, rows, columns), got {dims.Length} dimensions.");
        if (input[0] != 1 || input[1] != dims[1] || input[2] != dims[2])
            throw new FormatException($"{path}: the images are {dims[1]}×{dims[2]} grey, but the model expects {input}.");
        int count = Math.Min(dims[0], Math.Max(1, limit));
        int size = dims[1] * dims[2];
        var x = new Tensor(count, 1, dims[1], dims[2]);
        var span = x.Span;
        for (int i = 0; i < count * size; i++)
            span[i] = idx.Data[i] / 255f;
        return x;
    }
}
