// PredictCommand.cs — `cortex predict MODEL_FILE INPUT…`: the class a saved model gives each image
// of an IDX file (as in data/mnist-digits), or each PNG/JPEG file (decoded, converted to the
// model's channels and resized to its input, as `cortex train` does with image folders). Each line
// names the input and the predicted class by the name the model file records (with its index when
// the name is not the index itself: "shoe.png: Sneaker (7)").
using System.CommandLine;
using System.Globalization;
using Cortex.Data.Idx;
using Cortex.Data.Images;
using Cortex.Layers;
using Cortex.Models;
using Cortex.Tensors;
using Cortex.Training;
using Spectre.Console;

namespace Cortex.Cli;

internal static class PredictCommand
{
    public static Command Create()
    {
        var command = new Command("predict", "Classify images with a saved model: PNG/JPEG files, or an IDX image file such as t10k-images-idx3-ubyte.gz.");
        var file = new Argument<string>("model-file") { Description = "A model saved by `cortex train` (.safetensors)." };
        var input = new Argument<string[]>("input") { Description = "PNG or JPEG files, or one IDX image file (raw or .gz).", Arity = ArgumentArity.OneOrMore };
        var limit = new Option<int>("--limit") { Description = "Classify at most this many images of an IDX file.", DefaultValueFactory = _ => 20 };
        var limits = new LimitOptions();
        command.Arguments.Add(file);
        command.Arguments.Add(input);
        command.Options.Add(limit);
        limits.AddTo(command);
        command.SetAction(result => CliConsole.Guard(result, console =>
        {
            if (result.GetValue(limit) < 1)
                throw new ArgumentException($"--limit: expected at least 1 image, got {result.GetValue(limit)}.");
            var (model, spec) = ModelZoo.Load(result.GetValue(file)!, limits.Model(result));
            BatchNormFolding.Fold(model);                   // inference only: batch norms into their convolutions
            string[] paths = result.GetValue(input)!;
            bool idx = paths.Length == 1 && !ImageDecoder.Extensions.Contains(Path.GetExtension(paths[0]).ToLowerInvariant());
            var (images, names) = idx
                ? ReadIdxImages(paths[0], spec.Input, result.GetValue(limit), limits.IdxElements(result))
                : ReadPictures(paths, spec.Input, limits.ImagePixels(result));
            int[] predicted = Trainer.Predict(model, images);
            var classes = spec.Data?.ClassNames ?? [];
            for (int i = 0; i < predicted.Length; i++)
                console.WriteLine($"{names[i]}: {ClassLabel(predicted[i], classes)}");
            return 0;
        }));
        return command;
    }

    /// <summary>"Sneaker (7)", or "7" when the name is the index or no names are recorded.</summary>
    internal static string ClassLabel(int index, IReadOnlyList<string> classes)
    {
        string number = index.ToString(CultureInfo.InvariantCulture);
        return index < classes.Count && classes[index] != number ? $"{classes[index]} ({number})" : number;
    }

    private static (Tensor Images, string[] Names) ReadPictures(string[] paths, Shape input, long maxPixels)
    {
        var x = new Tensor(new Shape([paths.Length, .. input.Dimensions]));
        for (int i = 0; i < paths.Length; i++)
        {
            var image = ImageDecoder.Load(paths[i], channels: input[0], maxPixels);
            ImageResize.Bilinear(image.Pixels, image.Size, x.Span.Slice(i * input.Size, input.Size), input[1], input[2]);
        }
        return (x, [.. paths.Select(Path.GetFileName).Select(n => n ?? "")]);
    }

    private static (Tensor Images, string[] Names) ReadIdxImages(string path, Shape input, int limit, long maxElements)
    {
        var idx = IdxReader.Read(path, maxElements);
        var dims = idx.Dimensions;
        if (dims.Length != 3)
            throw new FormatException($"{path}: expected IDX images (count, rows, columns), got {dims.Length} dimensions.");
        if (input[0] != 1 || input[1] != dims[1] || input[2] != dims[2])
            throw new FormatException($"{path}: the images are {dims[1]}×{dims[2]} grey, but the model expects {input}.");
        int count = Math.Min(dims[0], limit);
        int size = dims[1] * dims[2];
        var x = new Tensor(count, 1, dims[1], dims[2]);
        var span = x.Span;
        for (int i = 0; i < count * size; i++)
            span[i] = idx.Data[i] / 255f;
        string name = Path.GetFileName(path);
        return (x, [.. Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{name}[{i}]"))]);
    }
}
