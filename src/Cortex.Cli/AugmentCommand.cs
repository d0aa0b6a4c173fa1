// AugmentCommand.cs — `cortex augment --preview out.png`: one image run through an augmentation
// recipe N times, laid out as a contact sheet (the original first, framed by the gap), so the
// effect of a recipe can be seen before training with it.
//   cortex augment --preview keras.png --image cat.jpg --augment keras --count 15
//   cortex augment --preview cifar.png --data cifar10 --index 7 --augment cifar+pca
// Wiring only: decoding, transforms, tiling and PNG writing live in Cortex.Data.
using System.CommandLine;
using System.Globalization;
using Cortex.Data;
using Cortex.Data.Images;
using Cortex.Data.Transforms;
using Cortex.Tensors;
using Spectre.Console;

namespace Cortex.Cli;

internal static class AugmentCommand
{
    public static Command Create()
    {
        var command = new Command("augment", "Preview an augmentation recipe: write a grid of one image augmented many times.");
        var preview = new Option<string>("--preview", "-p") { Description = "The PNG to write the grid to.", Required = true };
        var image = new Option<string>("--image") { Description = "An image file (PNG, JPEG, BMP, GIF) to augment." };
        var data = new Option<string>("--data", "-d") { Description = "A data set (as for train) to take the image from; default: the shipped digits." };
        var index = new Option<int>("--index") { Description = "Which training image of --data.", DefaultValueFactory = _ => 0 };
        var augment = new Option<string>("--augment", "-a") { Description = $"The recipe: {string.Join(", ", Augmentations.Names)}, or several joined by '+'.", DefaultValueFactory = _ => "keras" };
        var count = new Option<int>("--count", "-n") { Description = "How many augmented versions to draw.", DefaultValueFactory = _ => 15 };
        var size = new Option<int?>("--size") { Description = "Resize the image so its longer side is this many pixels first (default: keep, at most 256)." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the random draws.", DefaultValueFactory = _ => 1 };
        foreach (Option option in new Option[] { preview, image, data, index, augment, count, size, seed })
            command.Options.Add(option);

        command.SetAction(result => CliConsole.Guard(result, console =>
        {
            int n = result.GetValue(count);
            if (n is < 1 or > 400)
                throw new ArgumentException($"--count: expected 1 to 400 images, got {n}.");
            var (pixels, imageSize, source) = Load(result.GetValue(image), result.GetValue(data), result.GetValue(index), result.GetValue(size));
            ImageDataset? training = null;
            string recipe = result.GetValue(augment)!;
            if (recipe.Contains("pca", StringComparison.OrdinalIgnoreCase))
                training = new ImageDataset(Tensor.FromArray(pixels, imageSize.ToBatchShape(1)), [0], ["image"], source);  // fitted on the image itself
            var transform = Augmentations.Parse(recipe, imageSize, training);
            var output = transform.OutputSize(imageSize);
            if (output != imageSize)
                throw new ArgumentException($"--augment: the preview needs a recipe that keeps the size, got {imageSize} → {output}.");

            var random = new CortexRandom(result.GetValue(seed));
            var views = new List<float[]> { pixels };
            for (int k = 0; k < n; k++)
            {
                var y = new float[output.Length];
                transform.Apply(pixels, imageSize, y, random.Fork());
                views.Add(y);
            }
            int columns = (int)Math.Ceiling(Math.Sqrt(views.Count));
            int scale = Math.Max(1, 96 / Math.Max(imageSize.Height, imageSize.Width));   // small images (28×28 digits) are enlarged
            var (grid, gridSize) = ImageGrid.Tile(views, imageSize, columns, scale, gap: 2 * scale);
            string path = result.GetValue(preview)!;
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder)
                Directory.CreateDirectory(folder);
            PngFile.Save(path, grid, gridSize);
            console.MarkupLine($"[grey]{Markup.Escape(source)} {imageSize}, {Markup.Escape(transform.Name)}[/]");
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {path}: the original and {n} augmented versions ({gridSize.Width}×{gridSize.Height})"));
            return 0;
        }));
        return command;
    }

    private static (float[] Pixels, ImageSize Size, string Source) Load(string? file, string? spec, int index, int? longSide)
    {
        float[] pixels;
        ImageSize size;
        string source;
        if (file is not null)
        {
            if (!File.Exists(file))
                throw new FileNotFoundException($"--image: no file at '{file}'.", file);
            var decoded = ImageDecoder.Load(file);
            (pixels, size, source) = (decoded.Pixels, decoded.Size, file);
            longSide ??= Math.Min(256, Math.Max(size.Height, size.Width));
        }
        else
        {
            var data = DataSources.Load(spec ?? DataSources.Default).Train;
            if ((uint)index >= (uint)data.Count)
                throw new ArgumentException($"--index: expected an index in [0, {data.Count}) of {data.Name}, got {index}.");
            (pixels, size) = (data.Image(index).ToArray(), ImageSize.FromShape(data.SampleShape));
            source = $"{data.Name}[{index}] ({data.ClassNames[data.Label(index)]})";
        }
        if (longSide is int side && side != Math.Max(size.Height, size.Width))
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(side, 1);
            double scale = (double)side / Math.Max(size.Height, size.Width);
            var resized = size with { Height = Math.Max(1, (int)Math.Round(size.Height * scale)), Width = Math.Max(1, (int)Math.Round(size.Width * scale)) };
            var y = new float[resized.Length];
            ImageResize.Bilinear(pixels, size, y, resized.Height, resized.Width);
            (pixels, size) = (y, resized);
        }
        return (pixels, size, source);
    }
}
