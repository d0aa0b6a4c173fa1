// Layer.cs — the contract every stage of a network follows (ConvNetJS's uniform interface).
//
//   y  = Forward(x, training)   caches what Backward needs
//   dx = Backward(dy)           ADDS dL/dθ into Parameters' gradients and returns dL/dx
//
// Tensors returned by Forward and Backward belong to the layer and are reused by its next call
// (so a training step allocates nothing after the first batch): copy them to keep them. An
// identity (Dropout in inference) may return its argument itself, and Flatten returns a view of
// it; no layer ever writes into the tensor it was given.
using Cortex.Tensors;

namespace Cortex.Layers;

/// <summary>One differentiable stage <c>y = f(x; θ)</c>. Forward caches what Backward needs.</summary>
public abstract class Layer(string name)
{
    /// <summary>The layer's own name (a key segment: <c>conv1</c>, <c>0</c>).</summary>
    public string Name { get; } = name;

    /// <summary>
    /// The dotted path of this layer in its model (<c>features.3</c>), from the keys its containers
    /// gave it; empty for the root. Error messages and summaries use it.
    /// </summary>
    public string Path => _parent is null ? "" : _parent.Path.Length == 0 ? _key : $"{_parent.Path}.{_key}";

    private Layer? _parent;
    private string _key = name;

    /// <summary>The kind of layer, as shown in summaries and errors (<c>Conv2d</c>).</summary>
    public virtual string Kind => GetType().Name;

    /// <summary>This layer's own parameters (not its children's).</summary>
    public virtual IEnumerable<Parameter> Parameters => [];

    /// <summary>Non-learned state saved with the model (<c>running_mean</c>, <c>running_var</c>).</summary>
    public virtual IEnumerable<(string Name, Tensor Value)> Buffers => [];

    /// <summary>Sub-layers; their names become key segments (<c>layer1.0.conv1.weight</c>).</summary>
    public virtual IEnumerable<(string Name, Layer Layer)> Children => [];

    /// <summary>The output shape for an input of <paramref name="input"/> (batch axis included), without running.</summary>
    public abstract Shape OutputShape(Shape input);

    /// <summary>
    /// Computes the output and caches what <see cref="Backward"/> needs. <paramref name="training"/>
    /// selects batch statistics and dropout masks; Backward differentiates whichever mode ran last
    /// (inference-mode gradients serve saliency maps and frozen batch norm).
    /// </summary>
    public abstract Tensor Forward(Tensor input, bool training);

    /// <summary>
    /// Given dL/dy, adds dL/dθ into <see cref="Parameters"/>' gradients and returns dL/dx (or
    /// <see cref="NoInputGradient"/> when <see cref="InputGradientRequired"/> is off and the layer skips it).
    /// </summary>
    public abstract Tensor Backward(Tensor outputGradient);

    /// <summary>
    /// Whether <see cref="Backward"/> must compute dL/dx (default true). Nothing uses the gradient of
    /// the input images, so the trainer turns this off on the model while it trains, and a
    /// <see cref="Sequential"/> passes it on to its first layer: a convolution or dense layer there
    /// then skips its input-gradient product (for LeNet-5's first convolution, about half of its
    /// backward pass) and returns <see cref="NoInputGradient"/>. Layers with cheap gradients ignore it.
    /// Leave it on for saliency maps or anything else that reads dL/dx.
    /// </summary>
    public bool InputGradientRequired
    {
        get => _inputGradientRequired;
        set
        {
            _inputGradientRequired = value;
            OnInputGradientRequiredChanged();
        }
    }

    private bool _inputGradientRequired = true;

    /// <summary>
    /// Called by the <see cref="Sequential"/> that holds this layer right after this layer's Backward has added
    /// its (and its descendants') parameter gradients. Data-parallel training uses it to start averaging those
    /// gradients across processes while the rest of backward runs; null (the default) costs nothing.
    /// </summary>
    public Action<Layer>? BackwardCompleted { get; set; }

    /// <summary>The empty tensor Backward returns in place of a gradient it was told to skip.</summary>
    public static Tensor NoInputGradient { get; } = new(new Shape(0));

    /// <summary>Called after <see cref="InputGradientRequired"/> is set; containers pass it on to the child that sees their input.</summary>
    protected virtual void OnInputGradientRequiredChanged()
    {
    }

    /// <summary>Every parameter of this layer and its descendants, keyed by dotted path (<c>features.0.weight</c>).</summary>
    public IEnumerable<(string Key, Parameter Parameter)> NamedParameters()
    {
        foreach (var p in Parameters)
            yield return (p.Name, p);
        foreach (var (childName, child) in Children)
        {
            foreach (var (key, p) in child.NamedParameters())
                yield return ($"{childName}.{key}", p);
        }
    }

    /// <summary>Every buffer of this layer and its descendants, keyed by dotted path (<c>bn1.running_mean</c>).</summary>
    public IEnumerable<(string Key, Tensor Value)> NamedBuffers()
    {
        foreach (var (name, value) in Buffers)
            yield return (name, value);
        foreach (var (childName, child) in Children)
        {
            foreach (var (key, value) in child.NamedBuffers())
                yield return ($"{childName}.{key}", value);
        }
    }

    /// <summary>This layer and all its descendants, depth-first, with their paths.</summary>
    public IEnumerable<Layer> Descendants()
    {
        yield return this;
        foreach (var (_, child) in Children)
        {
            foreach (var layer in child.Descendants())
                yield return layer;
        }
    }

    /// <summary>All parameters of this layer and its descendants.</summary>
    public IEnumerable<Parameter> AllParameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Clears the gradients of every parameter below this layer.</summary>
    public void ZeroGradients()
    {
        foreach (var p in AllParameters())
            p.ZeroGradient();
    }

    /// <summary>Freezes or unfreezes every parameter below this layer (transfer learning).</summary>
    public void SetTrainable(bool trainable)
    {
        foreach (var p in AllParameters())
            p.Trainable = trainable;
    }

    /// <summary>Whether any parameter of this layer or its descendants is trainable (false for a frozen or parameter-free layer).</summary>
    public bool HasTrainableParameters() => AllParameters().Any(p => p.Trainable);

    /// <summary>The layer at dotted <paramref name="path"/> below this one (<c>classifier.4</c>), or null.</summary>
    public Layer? Find(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0)
            return this;
        int dot = path.IndexOf('.', StringComparison.Ordinal);
        string head = dot < 0 ? path : path[..dot];
        foreach (var (key, child) in Children)
        {
            if (key == head)
                return dot < 0 ? child : child.Find(path[(dot + 1)..]);
        }
        return null;
    }

    /// <summary>The container that holds this layer, or null for a root (or a layer not yet placed).</summary>
    public Layer? Parent => _parent;

    /// <summary>The key this layer is listed under in its <see cref="Parent"/> (its <see cref="Name"/> before it is placed).</summary>
    public string Key => _key;

    /// <summary>
    /// Called by a container that drops <paramref name="child"/> (head replacement): the child becomes a
    /// root again and may be placed elsewhere.
    /// </summary>
    protected void Release(Layer child)
    {
        ArgumentNullException.ThrowIfNull(child);
        if (!ReferenceEquals(child._parent, this))
            throw new InvalidOperationException($"{child.Describe()}: this layer does not belong to {Describe()}.");
        child._parent = null;
        child._key = child.Name;
    }

    /// <summary>
    /// Called by a container for each child it holds, with the key it lists the child under in
    /// <see cref="Children"/>: this is what gives the child its <see cref="Path"/>.
    /// </summary>
    protected void Adopt(string key, Layer child)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(child);
        if (child._parent is not null && !ReferenceEquals(child._parent, this))
            throw new InvalidOperationException($"{child.Describe()}: this layer already belongs to {child._parent.Describe()}; a layer can sit in only one place of a model.");
        child._parent = this;
        child._key = key;
    }

    /// <summary>
    /// Returns <paramref name="buffer"/> when it already has <paramref name="shape"/>, else a new
    /// zeroed tensor stored into it: the way layers reuse output and gradient memory between batches.
    /// A reused buffer keeps its old contents: overwrite every element, or clear it first.
    /// </summary>
    protected static Tensor Reuse(ref Tensor? buffer, Shape shape)
    {
        if (buffer is null || buffer.Shape != shape)
            buffer = new Tensor(shape);
        return buffer;
    }

    /// <summary>
    /// <see cref="OutputShape"/> for <paramref name="input"/>, remembered for the last input shape. Forward
    /// calls this instead of OutputShape so that a stream of same-shaped batches builds no new
    /// <see cref="Shape"/> (each one is an array): validation runs once per new input shape.
    /// Only for layers whose output shape depends on nothing but the input shape and their constructor.
    /// </summary>
    protected Shape OutputShapeCached(Shape input)
    {
        if (!_memoValid || input != _memoInput)
        {
            _memoOutput = OutputShape(input);
            _memoInput = input;
            _memoValid = true;
        }
        return _memoOutput;
    }

    private Shape _memoInput, _memoOutput;
    private bool _memoValid;

    /// <summary>"features.3 (Conv2d)": how errors name a layer.</summary>
    public string Describe() => $"{(Path.Length == 0 ? Name : Path)} ({Kind})";

    /// <summary>The exception for Backward called with no Forward before it.</summary>
    protected InvalidOperationException BackwardBeforeForward() =>
        new($"{Describe()}: Backward was called before Forward; there is nothing cached to differentiate.");

    /// <summary>
    /// The exception for an input of the wrong shape, in the one format every layer uses:
    /// <c>"features.3 (Dense): expected input [N, 120], got [64, 84]. Check the previous layer's output size."</c>
    /// </summary>
    protected ArgumentException InputShapeError(string expected, Shape actual, string hint) =>
        new($"{Describe()}: expected input {expected}, got {actual}. {hint}");

    /// <summary>
    /// The exception for an output gradient whose shape is not the shape of the last output
    /// (Backward must receive dL/dy for the y that Forward returned).
    /// </summary>
    protected ArgumentException OutputGradientShapeError(Shape expected, Shape actual) =>
        new($"{Describe()}: expected an output gradient of shape {expected} (the shape of the last Forward output), got {actual}.");

    public override string ToString() => Describe();
}
