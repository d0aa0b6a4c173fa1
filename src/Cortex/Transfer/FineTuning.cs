// FineTuning.cs — transfer learning on any Cortex model tree (a zoo model, a model file, an
// imported network): freeze and unfreeze parameters by key pattern or by layer, find and replace the
// classifier head, swap the whole top for a new dense head, and give the body and the head separate
// learning rates.
//
//   the lectures' recipe (Chollet, "Deep Learning with Python", §5.3.1): take a convolutional base
//   trained on a big data set, drop its top, freeze it, put a small new classifier on it and train
//   only that on the little data you have; then, optionally, unfreeze the last block and fine-tune
//   it with a small learning rate.
//
// Freezing sets Parameter.Trainable: frozen parameters get no gradient product (Dense, Conv skip
// it), a Sequential does not backpropagate through a frozen prefix, every optimizer skips them
// (weight decay included), and a batch norm with both γ and β frozen uses and keeps its running
// statistics (BatchNorm.IsFrozen).
using Cortex.Layers;
using Cortex.Optimizers;
using Cortex.Tensors;

namespace Cortex.Transfer;

/// <summary>Freezing, head replacement and body/head learning rates for transfer learning.</summary>
/// <example><code>
/// var (model, spec) = ModelZoo.Load("runs/lenet5-fashion.safetensors");
/// Dense head = FineTuning.ReplaceHead(model, numClasses: 10, random: new CortexRandom(1));
/// FineTuning.FreezeAllExcept(model, head);                  // or FineTuning.Freeze(model, "features")
/// var opt = FineTuning.CreateOptimizer("adam", model, head, headLearningRate: 1e-3f, bodyLearningRate: 1e-4f);
/// </code></example>
public static class FineTuning
{
    /// <summary>
    /// Freezes every parameter whose key (<c>features.0.weight</c>) matches <paramref name="pattern"/>
    /// (see <see cref="ParameterPattern"/>) and returns the keys it matched.
    /// </summary>
    /// <exception cref="ArgumentException">An alternative of the pattern matches no parameter; the message lists some keys.</exception>
    public static IReadOnlyList<string> Freeze(Layer model, string pattern) => SetTrainable(model, pattern, false);

    /// <summary>Unfreezes the parameters whose keys match <paramref name="pattern"/> and returns those keys.</summary>
    /// <exception cref="ArgumentException">An alternative of the pattern matches no parameter.</exception>
    public static IReadOnlyList<string> Unfreeze(Layer model, string pattern) => SetTrainable(model, pattern, true);

    /// <summary>Freezes every parameter of <paramref name="layer"/> and its descendants.</summary>
    public static void Freeze(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        layer.SetTrainable(false);
    }

    /// <summary>Unfreezes every parameter of <paramref name="layer"/> and its descendants.</summary>
    public static void Unfreeze(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        layer.SetTrainable(true);
    }

    /// <summary>Freezes all of <paramref name="model"/> except <paramref name="head"/> (which is unfrozen): "freeze the body".</summary>
    public static void FreezeAllExcept(Layer model, Layer head)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(head);
        if (!model.Descendants().Contains(head))
            throw new ArgumentException($"FineTuning: {head.Describe()} is not part of {model.Describe()}.", nameof(head));
        model.SetTrainable(false);
        head.SetTrainable(true);
    }

    /// <summary>
    /// The classifier head: the last <see cref="Dense"/> layer of <paramref name="model"/> in
    /// depth-first order (LeNet-5's <c>classifier.4</c>, ResNet's <c>fc</c>, VGG's <c>classifier.6</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The model has no dense layer (a fully convolutional classifier such as NIN).</exception>
    public static Dense FindHead(Layer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Descendants().OfType<Dense>().LastOrDefault()
            ?? throw new ArgumentException($"FineTuning: {model.Describe()} has no Dense layer to use as its head; replace a layer by path with FineTuning.Replace instead.", nameof(model));
    }

    /// <summary>
    /// Replaces the head (<see cref="FindHead"/>) by a new <see cref="Dense"/> with the same inputs and
    /// <paramref name="numClasses"/> outputs, drawn from <paramref name="random"/> (He uniform, zero bias),
    /// under the same key; every other parameter keeps its value bit for bit. Returns the new head.
    /// </summary>
    public static Dense ReplaceHead(Layer model, int numClasses, CortexRandom? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numClasses);
        var old = FindHead(model);
        var head = new Dense(old.InFeatures, numClasses, bias: old.Bias is not null, random: random, name: old.Name);
        Replace(model, PathIn(model, old), head);
        return head;
    }

    /// <summary>
    /// Puts <paramref name="replacement"/> in place of the layer at dotted <paramref name="path"/>
    /// (<c>classifier.4</c>), which must sit in a <see cref="Sequential"/>; returns the old layer.
    /// The replacement's input must fit: run <c>model.OutputShape</c> to check before training.
    /// </summary>
    public static Layer Replace(Layer model, string path, Layer replacement)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(replacement);
        var old = model.Find(path)
            ?? throw new ArgumentException($"FineTuning: {model.Describe()} has no layer at '{path}'.", nameof(path));
        if (old.Parent is not Sequential parent)
            throw new ArgumentException($"FineTuning: {old.Describe()} sits in {old.Parent?.Describe() ?? "nothing"}, not in a Sequential; only a Sequential's layers can be replaced.", nameof(path));
        return parent.Replace(old.Key, replacement);
    }

    /// <summary>
    /// Removes <paramref name="model"/>'s top, everything from its first top-level <see cref="Flatten"/>
    /// on (Keras's <c>include_top=False</c>; a model with no top-level Flatten is kept whole), and puts a
    /// new head on the body: <c>flatten</c>, then <c>head</c> = Dense(features → <paramref name="hidden"/>),
    /// ReLU, Dropout(<paramref name="dropout"/>), Dense(<paramref name="hidden"/> → <paramref name="numClasses"/>),
    /// the lectures' "Flatten, Dense(256, relu), Dropout(0.5), Dense(1)" (Chollet §5.3.1).
    /// <paramref name="hidden"/> 0 gives a single Dense. Returns the new head (the <c>head</c> Sequential).
    /// </summary>
    /// <param name="model">A Sequential root: the body stays in it, the head is appended.</param>
    /// <param name="input">One sample's shape (C, H, W), to size the head's first layer.</param>
    /// <param name="numClasses">Outputs of the new head (1 for a binary logit).</param>
    /// <param name="hidden">Units of the hidden dense layer; 0 for none.</param>
    /// <param name="dropout">Dropout probability before the last layer; 0 for none.</param>
    /// <param name="random">The generator of the new weights (default <see cref="CortexRandom.Global"/>).</param>
    public static Sequential ReplaceTop(Sequential model, Shape input, int numClasses, int hidden = 256, double dropout = 0.5, CortexRandom? random = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numClasses);
        ArgumentOutOfRangeException.ThrowIfNegative(hidden);
        int top = -1;
        for (int i = 0; i < model.Count && top < 0; i++)
        {
            if (model[i] is Flatten)
                top = i;
        }
        if (top >= 0)
            model.RemoveFrom(top);
        if (model.Count == 0)
            throw new ArgumentException($"FineTuning: {model.Describe()} has nothing before its Flatten to keep as a body.", nameof(model));
        int features = model.OutputShape(new Shape([1, .. input.Dimensions])).SizeFrom(1);
        random ??= CortexRandom.Global;
        var head = new Sequential("head");
        if (hidden == 0)
        {
            head.Add(new Dense(features, numClasses, random: random));
        }
        else
        {
            head.Add(new Dense(features, hidden, random: random)).Add(new ReLU());
            if (dropout > 0)
                head.Add(new Dropout(dropout, random.Fork()));
            head.Add(new Dense(hidden, numClasses, random: random));
        }
        model.Add("flatten", new Flatten()).Add("head", head);
        return head;
    }

    /// <summary>
    /// An optimizer (an <see cref="OptimizerCatalog"/> name) over all of <paramref name="model"/>'s
    /// parameters whose rate is <paramref name="headLearningRate"/> for <paramref name="head"/>'s and
    /// <paramref name="bodyLearningRate"/> (default: the same) for the rest; schedules scale both alike.
    /// Frozen parameters stay in the list (unfreezing later makes them train) but are never stepped.
    /// </summary>
    public static Optimizer CreateOptimizer(string spec, Layer model, Layer head, float headLearningRate, float? bodyLearningRate = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(head);
        if (!(headLearningRate > 0f) || !float.IsFinite(headLearningRate))
            throw new ArgumentOutOfRangeException(nameof(headLearningRate), $"FineTuning: the head's learning rate must be finite and > 0, got {headLearningRate}.");
        if (bodyLearningRate is { } b && (!(b >= 0f) || !float.IsFinite(b)))
            throw new ArgumentOutOfRangeException(nameof(bodyLearningRate), $"FineTuning: the body's learning rate must be finite and ≥ 0, got {b}.");
        var optimizer = OptimizerCatalog.Create(spec, model.AllParameters(), headLearningRate);
        if (bodyLearningRate is { } body && body != headLearningRate)
        {
            var headParameters = head.AllParameters().ToHashSet(ReferenceEqualityComparer.Instance);
            optimizer.SetLearningRateScale(model.AllParameters().Where(p => !headParameters.Contains(p)), body / headLearningRate);
        }
        return optimizer;
    }

    /// <summary>The keys of the trainable parameters of <paramref name="model"/>, for reports.</summary>
    public static IReadOnlyList<string> TrainableKeys(Layer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return [.. model.NamedParameters().Where(p => p.Parameter.Trainable).Select(p => p.Key)];
    }

    private static List<string> SetTrainable(Layer model, string pattern, bool trainable)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(pattern);
        var named = model.NamedParameters().ToList();
        var matched = new List<string>();
        foreach (var alternative in ParameterPattern.Split(pattern))
        {
            int before = matched.Count;
            foreach (var (key, p) in named)
            {
                if (ParameterPattern.Matches(alternative, key))
                {
                    p.Trainable = trainable;
                    if (!matched.Contains(key))
                        matched.Add(key);
                }
            }
            if (matched.Count == before && !named.Any(n => ParameterPattern.Matches(alternative, n.Key)))
                throw new ArgumentException(
                    $"FineTuning: the pattern '{alternative}' matches no parameter of {model.Describe()}; its layers with parameters are {LayerPrefixes(named)}.", nameof(pattern));
        }
        return matched;
    }

    // "features.0, features.3, classifier.0, …": the keys without their last segment, once each.
    private static string LayerPrefixes(List<(string Key, Parameter Parameter)> named)
    {
        var prefixes = named.Select(n => n.Key.LastIndexOf('.') is int dot and > 0 ? n.Key[..dot] : n.Key).Distinct().ToList();
        return string.Join(", ", prefixes.Take(12)) + (prefixes.Count > 12 ? $", … ({prefixes.Count} in all)" : "");
    }

    private static string PathIn(Layer model, Layer layer)
    {
        var segments = new List<string>();
        for (var at = layer; !ReferenceEquals(at, model); at = at.Parent!)
            segments.Add(at.Key);
        segments.Reverse();
        return string.Join('.', segments);
    }
}
