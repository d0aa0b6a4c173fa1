// PretrainedModels.cs — the ImageNet-pretrained ResNet-18 of NuGet's Microsoft.ML.DnnImageFeaturizer.ResNet18
// (MIT licence; Microsoft's ML.NET featurizer), found where NuGet restored it and imported as Cortex layers.
//
// What the package holds (read from its files; version 0.24.0):
//   tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx          CNTK 2.6 export, opset 8, 63.7 MB: input
//       "Input247" (1, 3, 224, 224), output "Pooling395_Output_0" (1, 512, 1, 1) — the 512 features
//       after the global 7×7 average pool; there is no classifier layer
//   tools/DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx   the preprocessing, as ML.NET runs it
//       before the network: Split the RGB planes, Concat them as B, G, R, Sub "MeanImage" (1, 3, 224, 224)
//
// So the network expects 224×224 planar BGR pixels on the 0–255 scale minus a per-pixel mean image
// (ML.NET's ExtractPixels default: no scaling). Preprocess reproduces it from (N, 3, 224, 224) RGB 0–255.
//
// The package is restored by a PackageReference with ExcludeAssets="all" (nothing compiled in; the
// files land in the NuGet global packages folder): tests/Cortex.Onnx.Tests/Cortex.Onnx.Tests.csproj has one.
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Onnx;

/// <summary>The ImageNet-pretrained ResNet-18 body, imported, with its preprocessing.</summary>
/// <param name="Model">The imported layers: (N, 3, 224, 224) preprocessed BGR → (N, 512, 1, 1) features.</param>
/// <param name="MeanImage">The mean image subtracted by the preprocessing, (3, 224, 224) in B, G, R order, 0–255 scale.</param>
/// <param name="Path">The ONNX file it was imported from.</param>
public sealed record PretrainedResNet18(Layer Model, Tensor MeanImage, string Path)
{
    /// <summary>The input the network takes: (3, 224, 224).</summary>
    public static Shape Input { get; } = new(3, 224, 224);

    /// <summary>The features per image: 512.</summary>
    public const int Features = 512;

    /// <summary>
    /// ML.NET's preprocessing: <paramref name="rgb"/> (N, 3, 224, 224), RGB planes on the 0–255 scale, to BGR planes minus
    /// <see cref="MeanImage"/>: y[n, c] = x[n, 2 − c] − mean[c].
    /// </summary>
    public Tensor Preprocess(Tensor rgb)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        if (rgb.Rank != 4 || rgb.Shape[1] != 3 || rgb.Shape[2] != 224 || rgb.Shape[3] != 224)
            throw new ArgumentException($"PretrainedResNet18: expected RGB images (N, 3, 224, 224) on the 0–255 scale, got {rgb.Shape}.", nameof(rgb));
        var y = new Tensor(rgb.Shape);
        int plane = 224 * 224, n = rgb.Shape[0];
        var x = rgb.Span;
        var mean = MeanImage.Span;
        var ys = y.Span;
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                var src = x.Slice(((i * 3) + (2 - c)) * plane, plane);
                var dst = ys.Slice(((i * 3) + c) * plane, plane);
                var m = mean.Slice(c * plane, plane);
                for (int p = 0; p < plane; p++)
                    dst[p] = src[p] - m[p];
            }
        }
        return y;
    }
}

/// <summary>Finds and loads pretrained networks restored by NuGet.</summary>
/// <example><code>
/// var resnet = PretrainedModels.LoadResNet18ImageNet();          // needs the package restored (see PackageId)
/// var features = resnet.Model.Forward(resnet.Preprocess(rgb), training: false);   // (N, 512, 1, 1)
/// </code></example>
public static class PretrainedModels
{
    /// <summary>The NuGet package that holds the ResNet-18.</summary>
    public const string ResNet18PackageId = "Microsoft.ML.DnnImageFeaturizer.ResNet18";

    /// <summary>
    /// The NuGet global packages folder: $NUGET_PACKAGES when set, else ~/.nuget/packages (NuGet's default on every OS).
    /// </summary>
    public static string GlobalPackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>The restored ResNet18.onnx (the highest version present), or null when the package is not restored.</summary>
    public static string? ResNet18ImageNetPath() => PackageFile(System.IO.Path.Combine("tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx"));

    /// <summary>The restored ResNetPreprocess.onnx (its MeanImage), or null.</summary>
    public static string? ResNet18PreprocessPath() => PackageFile(System.IO.Path.Combine("tools", "DnnImageModels", "ResNetPrepOnnx", "ResNetPreprocess.onnx"));

    /// <summary>Imports the pretrained ResNet-18 and its mean image from the restored package (or from <paramref name="folder"/>, which holds both files).</summary>
    /// <exception cref="FileNotFoundException">The package is not restored; the message says how to restore it.</exception>
    public static PretrainedResNet18 LoadResNet18ImageNet(string? folder = null)
    {
        string? model = folder is null ? ResNet18ImageNetPath() : System.IO.Path.Combine(folder, "ResNet18.onnx");
        string? prep = folder is null ? ResNet18PreprocessPath() : System.IO.Path.Combine(folder, "ResNetPreprocess.onnx");
        if (model is null || prep is null || !File.Exists(model) || !File.Exists(prep))
            throw new FileNotFoundException(
                $"The pretrained ResNet-18 is not restored: expected NuGet's {ResNet18PackageId} in {GlobalPackagesFolder()}. " +
                $"Restore a project that references it (<PackageReference Include=\"{ResNet18PackageId}\" ExcludeAssets=\"all\" />), e.g. `dotnet restore tests/Cortex.Onnx.Tests`.");
        var imported = OnnxImporter.Load(model);
        var mean = MeanImage(prep);
        return new PretrainedResNet18(imported.Model, mean, model);
    }

    // The preprocessing graph's one initializer, "MeanImage" (1, 3, 224, 224), BGR.
    private static Tensor MeanImage(string path)
    {
        var file = OnnxReader.ReadFile(path);
        var t = file.Graph.Initializer.FirstOrDefault(i => i.Name == "MeanImage")
            ?? throw new InvalidDataException($"{path}: no initializer 'MeanImage'; not the ResNet preprocessing of {ResNet18PackageId}.");
        var c = OnnxReader.Decode(t, $"{path}: MeanImage", null);
        if (c.Count != 3 * 224 * 224)
            throw new InvalidDataException($"{path}: MeanImage holds {c.Count:N0} values, expected 3·224·224.");
        return new Tensor(c.AsFloats(path), PretrainedResNet18.Input);
    }

    private static string? PackageFile(string relative)
    {
        string root = System.IO.Path.Combine(GlobalPackagesFolder(), ResNet18PackageId.ToLowerInvariant());
        if (!Directory.Exists(root))
            return null;
        foreach (var dir in Directory.GetDirectories(root).OrderByDescending(d => Version.TryParse(System.IO.Path.GetFileName(d), out var v) ? v : new Version(0, 0)))
        {
            string file = System.IO.Path.Combine(dir, relative);
            if (File.Exists(file))
                return file;
        }
        return null;
    }
}
