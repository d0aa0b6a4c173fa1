// OnnxZoo.cs — imported networks as zoo entries, so that a model built on one is an ordinary Cortex
// model file: `cortex finetune` starts from it and `cortex eval`/`predict` rebuild it by name.
//
//   resnet18-imagenet   the ImageNet ResNet-18 of Microsoft.ML.DnnImageFeaturizer.ResNet18 (PretrainedModels):
//                       preprocess (ImageNetPreprocess: gray → 3 channels, resize to S×S, ×255, RGB → BGR,
//                       − mean image) then body (the imported graph, (N, 3, S, S) → (N, 512, 1, 1)).
//                       Options: size=S (default 224), weights=random (the same graph, weights redrawn: the
//                       from-scratch baseline of a transfer experiment).
//   onnx                any imported ONNX graph; option file=PATH (the .onnx, recorded as a full path).
//
// Both rebuild their layers from the ONNX file whenever the model is built (a model file then loads its
// own weights over them), so a model file made from one needs that file where it was: the NuGet package
// restored, or the .onnx at its recorded path.
using System.Globalization;
using Cortex.Initializers;
using Cortex.Layers;
using Cortex.Models;
using Cortex.Tensors;

namespace Cortex.Onnx;

/// <summary>Registers imported networks in the <see cref="ModelZoo"/>.</summary>
/// <example><code>
/// OnnxZoo.Register();
/// var model = ModelZoo.Create(OnnxZoo.ResNet18ImageNet, numClasses: 10, input: new Shape(1, 28, 28),
///                             options: new Dictionary&lt;string, string&gt; { ["head"] = "linear", ["size"] = "112" });
/// </code></example>
public static class OnnxZoo
{
    /// <summary>The zoo name of the ImageNet-pretrained ResNet-18.</summary>
    public const string ResNet18ImageNet = "resnet18-imagenet";

    /// <summary>The zoo name of an imported ONNX graph (option <c>file</c>).</summary>
    public const string Onnx = "onnx";

    /// <summary>
    /// The smallest network input side ResNet-18 takes: five stride-2 stages leave 1×1 at 32. Sides are
    /// multiples of 32: CNTK exported its strided convolutions with the asymmetric pads of even inputs
    /// ([1, 1, 0, 0] for 3×3), so every stage's input must stay even, or a block's body (⌊(n+1−3)/2⌋+1)
    /// and its 1×1 shortcut (⌊(n−1)/2⌋+1) disagree (at 112: 3×3 against 4×4 in the last stage).
    /// </summary>
    public const int MinSize = 32;

    private static readonly Lock Gate = new();
    private static bool _registered;

    /// <summary>Adds <see cref="ResNet18ImageNet"/> and <see cref="Onnx"/> to the zoo (once; later calls do nothing).</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (_registered)
                return;
            ModelZoo.Register(new ModelInfo(ResNet18ImageNet,
                "ResNet-18 pretrained on ImageNet (ML.NET's featurizer, MIT): gray/RGB → BGR − mean image at size=S (224), 512 features",
                PretrainedResNet18.Input, PretrainedResNet18.Features, BuildResNet18, SmallInput: new Shape(3, 64, 64), Pretrained: true));
            ModelZoo.Register(new ModelInfo(Onnx, "an imported ONNX graph (option file=PATH.onnx)", new Shape(3, 224, 224), 1000, BuildOnnx, Pretrained: true));
            _registered = true;
        }
    }

    /// <summary>The spec of an imported ONNX file as a base: its input, its file as a full path.</summary>
    public static ModelSpec OnnxSpec(string path, OnnxModel imported)
    {
        ArgumentNullException.ThrowIfNull(imported);
        int outputs = imported.Model.OutputShape(new Shape([1, .. imported.Input.Dimensions])).SizeFrom(1);
        return new ModelSpec(Onnx, outputs, imported.Input, new Dictionary<string, string> { ["file"] = Path.GetFullPath(path) });
    }

    private static Sequential BuildOnnx(ModelSpec spec)
    {
        string file = spec.Option("file") ?? throw new ArgumentException("ModelZoo: 'onnx' needs the option file=PATH.onnx (the graph to import).");
        if (!File.Exists(file))
            throw new FileNotFoundException($"ModelZoo: the ONNX graph this model was built from is not at '{file}'; put it back there to rebuild the model.", file);
        var imported = OnnxImporter.Load(file);
        if (imported.Input != spec.Input)
            throw new ArgumentException($"ModelZoo: {file} takes inputs {imported.Input}, not the spec's {spec.Input}.");
        return imported.Model as Sequential ?? new Sequential(Onnx, imported.Model);
    }

    private static Sequential BuildResNet18(ModelSpec spec)
    {
        int size = checked((int)spec.Number("size", 224));
        if (size < MinSize || size > 1024 || size % 32 != 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"ModelZoo: {ResNet18ImageNet} takes size={MinSize} to 1024 in steps of 32 (the network's input side; 224 by default), got {size}."));
        string weights = spec.Option("weights") ?? "imagenet";
        if (weights is not ("imagenet" or "random"))
            throw new ArgumentException($"ModelZoo: {ResNet18ImageNet} takes weights=imagenet (default) or weights=random, got '{weights}'.");
        var resnet = PretrainedModels.LoadResNet18ImageNet();
        var mean = size == 224 ? resnet.MeanImage : ImageNetPreprocess.ResizeImage(resnet.MeanImage, size);
        var body = resnet.Model as Sequential ?? new Sequential("body", resnet.Model);
        if (size != 224)
            GlobalPool(body);
        if (weights == "random")
            Redraw(body, new CortexRandom((ulong)spec.Number("seed", 0) ^ 0x5C4A7C4UL));
        var model = new Sequential(ResNet18ImageNet);
        model.Add("preprocess", new ImageNetPreprocess(spec.Input, mean)).Add("body", body);
        return model;
    }

    // The CNTK graph ends in AveragePool 7×7 over the 7×7 map of a 224 input, a global average; at another
    // size the map is S/32 and only a global pool averages all of it.
    private static void GlobalPool(Sequential body)
    {
        string last = body.Children.Last().Name;
        if (body[body.Count - 1] is not AvgPool2d { KernelHeight: 7, KernelWidth: 7 })
            throw new InvalidDataException($"{ResNet18ImageNet}: expected the graph to end in a 7×7 average pool, found {body[body.Count - 1].Describe()}.");
        body.Replace(last, new GlobalAvgPool2d(last));
    }

    // He-normal convolutions (fan-in) without bias, batch norms γ = 1, β = 0, statistics (0, 1): PyTorch's ResNet initialization.
    private static void Redraw(Layer body, CortexRandom random)
    {
        foreach (var layer in body.Descendants())
        {
            switch (layer)
            {
                case Conv2d conv:
                    Init.HeNormal.Initialize(conv.Weight, random);
                    conv.Bias?.Value.Span.Clear();
                    break;
                case BatchNorm bn:
                    bn.Weight.Value.Span.Fill(1f);
                    bn.Bias.Value.Span.Clear();
                    bn.RunningMean.Span.Clear();
                    bn.RunningVar.Span.Fill(1f);
                    break;
            }
        }
    }
}
