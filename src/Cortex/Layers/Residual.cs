// Residual.cs — a residual block (He et al. 2016): y = act(body(x) + shortcut(x)).
//
//   shortcut = identity when none is given (then body must keep the shape), or a projection
//   (a 1×1 convolution with stride, or here a Dense) when the shape changes.
//
//   forward   s = body(x) + shortcut(x),  y = act(s)
//   backward  ds = act'(dy)
//             dx = body'(ds) + shortcut'(ds)     x fans out to both paths, so their gradients add
//
// Child keys: "body", "shortcut", "activation".
using System.Numerics.Tensors;
using Cortex.Tensors;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Layers;

/// <summary>A residual block <c>y = act(body(x) + shortcut(x))</c>; the shortcut is the identity when null.</summary>
/// <example><code>
/// var block = new Residual(
///     new Sequential(new Dense(16, 16), new ReLU(), new Dense(16, 16)),
///     activation: new ReLU());                                    // identity shortcut
/// var down = new Residual(new Dense(16, 8), shortcut: new Dense(16, 8, bias: false));   // projection
/// </code></example>
public sealed class Residual : Layer
{
    private Tensor? _sum, _inputGradient;
    private bool _ran;

    /// <summary>Creates the block. <paramref name="shortcut"/> null means identity; <paramref name="activation"/> null means none.</summary>
    public Residual(Layer body, Layer? shortcut = null, Layer? activation = null, string name = "residual") : base(name)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (ReferenceEquals(body, shortcut) || ReferenceEquals(body, activation) || (shortcut is not null && ReferenceEquals(shortcut, activation)))
            throw new ArgumentException("Residual: body, shortcut and activation must be different layer instances.");
        Body = body;
        Shortcut = shortcut;
        Activation = activation;
        Adopt("body", body);
        if (shortcut is not null)
            Adopt("shortcut", shortcut);
        if (activation is not null)
            Adopt("activation", activation);
    }

    /// <summary>The residual path F(x).</summary>
    public Layer Body { get; }

    /// <summary>The projection on the shortcut path, or null for the identity.</summary>
    public Layer? Shortcut { get; }

    /// <summary>Applied after the sum, or null.</summary>
    public Layer? Activation { get; }

    public override IEnumerable<(string Name, Layer Layer)> Children
    {
        get
        {
            yield return ("body", Body);
            if (Shortcut is not null)
                yield return ("shortcut", Shortcut);
            if (Activation is not null)
                yield return ("activation", Activation);
        }
    }

    public override Shape OutputShape(Shape input)
    {
        var body = Body.OutputShape(input);
        var shortcut = Shortcut?.OutputShape(input) ?? input;
        CheckSum(body, shortcut);
        return Activation?.OutputShape(body) ?? body;
    }

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var body = Body.Forward(input, training);
        var shortcut = Shortcut?.Forward(input, training) ?? input;
        CheckSum(body.Shape, shortcut.Shape);
        var sum = Reuse(ref _sum, body.Shape);
        TensorPrimitives.Add(body.Span, shortcut.Span, sum.Span);      // s = F(x) + shortcut(x)
        _ran = true;
        return Activation?.Forward(sum, training) ?? sum;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (!_ran)
            throw BackwardBeforeForward();
        var dSum = Activation?.Backward(outputGradient) ?? outputGradient;   // '+' sends ds to both paths
        var dBody = Body.Backward(dSum);
        var dShortcut = Shortcut?.Backward(dSum) ?? dSum;
        var dx = Reuse(ref _inputGradient, dBody.Shape);
        TensorPrimitives.Add(dBody.Span, dShortcut.Span, dx.Span);   // both paths meet at x: gradients add
        return dx;
    }

    private void CheckSum(Shape body, Shape shortcut)
    {
        if (body == shortcut)
            return;
        string hint = Shortcut is null
            ? "The identity shortcut needs the body to keep the shape; give a projection shortcut."
            : "Make the shortcut's projection match the body's output.";
        throw new ArgumentException($"{Describe()}: the body gives {body} but the shortcut gives {shortcut}; they must match to be added. {hint}");
    }
}
