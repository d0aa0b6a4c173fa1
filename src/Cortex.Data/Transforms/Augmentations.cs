// Augmentations.cs — named augmentation recipes from the lectures, and a small spec language to
// combine them for the command line: "keras", "cifar+pca", "flip+jitter+cutout".
//   none        no change
//   flip        horizontal flip, p = 0.5
//   keras       the cats-vs-dogs ImageDataGenerator: rotation 40°, width/height shift 0.2,
//               shear 0.2 rad (Keras 2.0 units, ≈ 11.5°), zoom 0.2, fill nearest, horizontal flip
//   cifar       pad 4 (zeros) and random crop back to the image size, horizontal flip (He et al. 2016)
//   convnetjs   random shift of up to 2 px (zero fill), horizontal flip (ConvNetJS's CIFAR demo)
//   resnet      scale augmentation scaled to the image: short side L ∈ [S·256/224, S·480/224] for
//               an S×S input, random S×S crop, horizontal flip (He et al. 2016, §3.4)
//   inception   random resized crop (area 8–100 %, ratio 3/4–4/3) to the image size, flip
//   jitter      brightness and contrast ±0.2
//   pca         AlexNet's PCA colour augmentation, σ = 0.1, fitted on the training set
//   cutout      Cutout with a square of half the image side (16 for CIFAR)
//   erasing     random erasing, p = 0.5
// Every recipe keeps the image size, so the model's input is the data's size.

namespace Cortex.Data.Transforms;

/// <summary>The lectures' augmentation recipes by name.</summary>
/// <example><code>
/// Transform augment = Augmentations.Parse("cifar+pca", ImageSize.FromShape(train.SampleShape), train);
/// using var augmented = new AugmentedDataset(train, augment, new AugmentedDatasetOptions { Seed = 1 });
/// </code></example>
public static class Augmentations
{
    /// <summary>The recipe names <see cref="Parse"/> accepts, in help order.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["none", "flip", "shift", "keras", "cifar", "convnetjs", "resnet", "inception", "jitter", "pca", "cutout", "erasing"];

    /// <summary>Keras' shear_range of 0.2 in the radians Keras 2.0 used, in degrees (≈ 11.46°).</summary>
    public const double KerasShearDegrees = 0.2 * 180 / Math.PI;

    /// <summary>The lectures' ImageDataGenerator recipe (rotation 40, shifts 0.2, shear 0.2, zoom 0.2, flip, fill nearest).</summary>
    public static Transform Keras(FillMode fill = FillMode.Nearest) => new Compose(
        new RandomAffine(rotationDegrees: 40, widthShift: 0.2, heightShift: 0.2, shearDegrees: KerasShearDegrees, zoom: 0.2, fill: fill),
        new HorizontalFlip());

    /// <summary>Pad by <paramref name="padding"/>, random crop back to <paramref name="size"/>, horizontal flip.</summary>
    public static Transform Cifar(ImageSize size, int padding = 4) =>
        new Compose(new RandomCrop(size.Height, size.Width, padding), new HorizontalFlip());

    /// <summary>A random shift of up to <paramref name="maxShift"/> pixels and a horizontal flip.</summary>
    public static Transform ConvNetJs(int maxShift = 2) => new Compose(new RandomShift(maxShift), new HorizontalFlip());

    /// <summary>ResNet's scale augmentation in the ImageNet ratios (256–480 for 224), sized to <paramref name="size"/>, and a flip.</summary>
    public static Transform ResNet(ImageSize size)
    {
        int side = Math.Min(size.Height, size.Width);
        int low = (int)Math.Round(side * 256.0 / 224), high = (int)Math.Round(side * 480.0 / 224);
        return new Compose(new ScaleAugmentation(Math.Max(low, side), Math.Max(high, side), size.Height, size.Width), new HorizontalFlip());
    }

    /// <summary>
    /// Builds the recipe named by <paramref name="spec"/>: one name or several joined by '+' (applied left to right).
    /// <paramref name="training"/> is needed by <c>pca</c> (it is fitted on it).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown name, or <c>pca</c> without training data or on non-RGB images.</exception>
    public static Transform Parse(string spec, ImageSize size, ImageDataset? training = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var steps = new List<Transform>();
        foreach (string raw in spec.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            switch (raw.ToLowerInvariant())
            {
                case "none" or "identity":
                    break;
                case "flip" or "hflip":
                    steps.Add(new HorizontalFlip());
                    break;
                case "vflip":
                    steps.Add(new VerticalFlip());
                    break;
                case "keras":
                    steps.Add(Keras());
                    break;
                case "cifar":
                    steps.Add(Cifar(size));
                    break;
                case "convnetjs":
                    steps.Add(ConvNetJs());
                    break;
                case "shift":
                    steps.Add(new RandomShift(2));       // ConvNetJS's MNIST demo: shifts, no flip (digits are not symmetric)
                    break;
                case "resnet" or "scale":
                    steps.Add(ResNet(size));
                    break;
                case "inception":
                    steps.Add(new Compose(new RandomResizedCrop(size.Height, size.Width), new HorizontalFlip()));
                    break;
                case "jitter" or "color":
                    steps.Add(new ColorJitter());
                    break;
                case "pca" or "alexnet-color":
                    if (training is null)
                        throw new ArgumentException("Augmentations: 'pca' is fitted on the training set; pass it.", nameof(training));
                    steps.Add(PcaColorAugmentation.Fit(training));
                    break;
                case "cutout":
                    steps.Add(new Cutout(Math.Max(1, Math.Min(size.Height, size.Width) / 2)));
                    break;
                case "erasing" or "random-erasing":
                    steps.Add(new RandomErasing());
                    break;
                default:
                    throw new ArgumentException(
                        $"Augmentations: unknown recipe '{raw}' in '{spec}'. Expected one of {string.Join(", ", Names)}, joined by '+'.", nameof(spec));
            }
        }
        var pipeline = steps.Count == 1 ? steps[0] : new Compose(steps);
        pipeline.OutputSize(size);   // fails now, with the transform's message, if the image does not fit
        return pipeline;
    }
}
