// Sequential.cs — layers applied one after another: y = fₖ(…f₂(f₁(x))).
//
//   forward   x → layer 0 → layer 1 → … → y
//   backward  dy → layer k−1 → … → layer 0 → dx    (the chain rule, in reverse order)
//
// Children are keyed "0", "1", … (PyTorch's nn.Sequential) unless given names, and the keys become
// state-dict segments: features.0.weight. Each child checks its own input, so a shape error names
// the child's full path.
//
// A batch norm followed by a ReLU runs as one pass (BatchNorm.Forward(relu: true)): the ReLU child
// is skipped forward and backward, its output and gradient never stored. A folded batch norm (at
// inference) leaves its ReLU to the convolution or to itself, as before.
using Cortex.Tensors;

namespace Cortex.Layers;

/// <summary>An ordered chain of layers.</summary>
/// <example><code>
/// var model = new Sequential(
///     new Flatten(),
///     new Dense(784, 100), new ReLU(),
///     new Dense(100, 10));
/// model.OutputShape(new Shape(64, 1, 28, 28));   // [64, 10]
/// var named = new Sequential("features").Add("fc1", new Dense(4, 3)).Add("act", new ReLU());
/// </code></example>
public sealed class Sequential : Layer, IConvolutionNormPairs
{
    private readonly List<(string Key, Layer Layer)> _layers = [];
    private bool _ran;

    /// <summary>A chain of <paramref name="layers"/>, keyed "0", "1", ….</summary>
    public Sequential(params Layer[] layers) : this("sequential", layers) { }

    /// <summary>A named chain of <paramref name="layers"/>, keyed "0", "1", ….</summary>
    public Sequential(string name, params Layer[] layers) : base(name)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (var layer in layers)
            Add(layer);
    }

    /// <summary>Number of layers.</summary>
    public int Count => _layers.Count;

    /// <summary>The layer at <paramref name="index"/>.</summary>
    public Layer this[int index] => _layers[index].Layer;

    /// <summary>The layer listed under <paramref name="key"/>.</summary>
    public Layer this[string key] =>
        _layers.Find(e => e.Key == key).Layer
        ?? throw new KeyNotFoundException($"{Describe()}: no layer under the key '{key}'; the keys are {string.Join(", ", _layers.Select(e => e.Key))}.");

    public override IEnumerable<(string Name, Layer Layer)> Children => _layers;

    /// <summary>Appends <paramref name="layer"/> under the next index as its key ("0", "1", …).</summary>
    public Sequential Add(Layer layer) => Add(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);

    /// <summary>Appends <paramref name="layer"/> under <paramref name="key"/> (a state-dict segment: no dots, unique).</summary>
    public Sequential Add(string key, Layer layer)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(layer);
        if (key.Contains('.', StringComparison.Ordinal))
            throw new ArgumentException($"{Describe()}: the key '{key}' contains a dot; keys are segments of dotted paths.", nameof(key));
        if (_layers.Exists(e => e.Key == key))
            throw new ArgumentException($"{Describe()}: the key '{key}' is already used.", nameof(key));
        if (_layers.Exists(e => ReferenceEquals(e.Layer, layer)))
            throw new ArgumentException($"{layer.Describe()}: this layer is already in {Describe()}; use a new instance for each position.", nameof(layer));
        Adopt(key, layer);
        _layers.Add((key, layer));
        Parameter.InvalidateTrainableCaches();   // a container above caches what is trainable too
        if (_layers.Count == 1 && !InputGradientRequired)
            layer.InputGradientRequired = false;
        return this;
    }

    /// <summary>
    /// Puts <paramref name="layer"/> in place of the child under <paramref name="key"/> (same key, same
    /// position) and returns the child it replaced, which becomes a root again: how a classifier head
    /// is swapped for one with a new number of classes while every other layer keeps its weights.
    /// </summary>
    /// <example><code>var old = (Dense)classifier.Replace("4", new Dense(84, 5));</code></example>
    public Layer Replace(string key, Layer layer)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(layer);
        int index = _layers.FindIndex(e => e.Key == key);
        if (index < 0)
            throw new KeyNotFoundException($"{Describe()}: no layer under the key '{key}'; the keys are {string.Join(", ", _layers.Select(e => e.Key))}.");
        var old = _layers[index].Layer;
        if (ReferenceEquals(old, layer))
            return old;
        if (_layers.Exists(e => ReferenceEquals(e.Layer, layer)))
            throw new ArgumentException($"{layer.Describe()}: this layer is already in {Describe()}; use a new instance for each position.", nameof(layer));
        Adopt(key, layer);
        Release(old);
        _layers[index] = (key, layer);
        Parameter.InvalidateTrainableCaches();   // a container above caches what is trainable too
        if (index == 0)
            layer.InputGradientRequired = InputGradientRequired;
        _fusedWithNext = [];
        _ran = false;
        return old;
    }

    /// <summary>
    /// Removes the children from <paramref name="index"/> to the end (Keras's <c>include_top=False</c>
    /// on a built model) and returns them; each becomes a root again.
    /// </summary>
    public IReadOnlyList<Layer> RemoveFrom(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, _layers.Count);
        var removed = _layers.Skip(index).Select(e => e.Layer).ToList();
        foreach (var layer in removed)
            Release(layer);
        _layers.RemoveRange(index, _layers.Count - index);
        Parameter.InvalidateTrainableCaches();   // a container above caches what is trainable too
        _fusedWithNext = [];
        _ran = false;
        return removed;
    }

    public override Shape OutputShape(Shape input)
    {
        foreach (var (_, layer) in _layers)
            input = layer.OutputShape(input);
        return input;
    }

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_fusedWithNext.Length != _layers.Count)
            _fusedWithNext = new bool[_layers.Count];
        var x = input;
        for (int i = 0; i < _layers.Count; i++)
        {
            bool fuse = _layers[i].Layer is BatchNorm { IsFolded: false } && i + 1 < _layers.Count && _layers[i + 1].Layer is ReLU { IsFolded: false };
            _fusedWithNext[i] = fuse;
            if (fuse)
                x = ((BatchNorm)_layers[i++].Layer).Forward(x, training, relu: true);   // the ReLU at i + 1 runs inside
            else
                x = _layers[i].Layer.Forward(x, training);
        }
        _ran = true;
        return x;
    }

    private bool[] _fusedWithNext = [];   // by the last Forward: child i ran the ReLU at i + 1 too

    /// <summary>Consecutive children (Conv2d, BatchNorm2d): the batch norm sees exactly the convolution's output.</summary>
    public IEnumerable<(Conv2d Convolution, BatchNorm2d Norm)> ConvolutionNormPairs
    {
        get
        {
            for (int i = 0; i + 1 < _layers.Count; i++)
            {
                if (_layers[i].Layer is Conv2d conv && _layers[i + 1].Layer is BatchNorm2d norm)
                    yield return (conv, norm);
            }
        }
    }

    /// <summary>Consecutive children (Conv2d, ReLU), or (Conv2d, folded BatchNorm2d, ReLU).</summary>
    public IEnumerable<(Conv2d Convolution, ReLU Relu)> ConvolutionReluPairs
    {
        get
        {
            for (int i = 0; i + 1 < _layers.Count; i++)
            {
                if (_layers[i].Layer is not Conv2d conv)
                    continue;
                if (_layers[i + 1].Layer is ReLU relu)
                    yield return (conv, relu);
                else if (_layers[i + 1].Layer is BatchNorm2d { IsFolded: true } && i + 2 < _layers.Count && _layers[i + 2].Layer is ReLU after)
                    yield return (conv, after);
            }
        }
    }

    /// <summary>The first layer sees this container's input, so it takes over whether dL/dx is needed.</summary>
    protected override void OnInputGradientRequiredChanged()
    {
        if (_layers.Count > 0)
            _layers[0].Layer.InputGradientRequired = InputGradientRequired;
    }

    /// <summary>
    /// Backpropagates through the children in reverse. When nothing reads dL/dx
    /// (<see cref="Layer.InputGradientRequired"/> off), the children before the first one with a
    /// trainable parameter are skipped: a frozen body costs no backward work at all, and the first
    /// trainable child is told to skip its own input gradient.
    /// </summary>
    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (!_ran)
            throw BackwardBeforeForward();
        int first = InputGradientRequired ? 0 : FirstTrainableChild();
        if (first == _layers.Count)
        {
            for (int i = first - 1; i >= 0; i--)
                _layers[i].Layer.BackwardCompleted?.Invoke(_layers[i].Layer);
            return NoInputGradient;                        // all frozen and nobody reads dx: nothing to do
        }
        var firstLayer = _layers[first].Layer;
        bool restore = first > 0 && firstLayer.InputGradientRequired;
        if (restore)
            firstLayer.InputGradientRequired = false;      // its dx would only feed frozen layers
        try
        {
            var d = outputGradient;
            for (int i = _layers.Count - 1; i >= first; i--)
            {
                if (i > 0 && i - 1 < _fusedWithNext.Length && _fusedWithNext[i - 1])
                {
                    _layers[i].Layer.BackwardCompleted?.Invoke(_layers[i].Layer);
                    i--;                                    // a ReLU run by the batch norm before it: its backward too
                }
                d = _layers[i].Layer.Backward(d);
                _layers[i].Layer.BackwardCompleted?.Invoke(_layers[i].Layer);
            }
            for (int i = first - 1; i >= 0; i--)
                _layers[i].Layer.BackwardCompleted?.Invoke(_layers[i].Layer);   // skipped (frozen): still reported, with no gradient added
            return first > 0 ? NoInputGradient : d;
        }
        finally
        {
            if (restore)
                firstLayer.InputGradientRequired = true;
        }
    }

    // Cached until a parameter is frozen or unfrozen (Parameter.TrainableVersion) or the children change,
    // so a training step walks no parameter lists and allocates nothing.
    private int FirstTrainableChild()
    {
        int version = Parameter.TrainableVersion;
        if (_firstTrainable < 0 || version != _firstTrainableVersion)
        {
            _firstTrainable = _layers.FindIndex(e => e.Layer.HasTrainableParameters());
            if (_firstTrainable < 0)
                _firstTrainable = _layers.Count;
            _firstTrainableVersion = version;
        }
        return _firstTrainable;
    }

    private int _firstTrainable = -1, _firstTrainableVersion;
}
