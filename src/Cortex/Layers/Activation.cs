// Activation.cs — the shared shape of element-wise activations: y = f(x), dx = f'(x) ⊙ dy.
//
// A subclass writes two span functions, the forward and its derivative side by side
// (micrograd style). This base caches x and y (both are handed to the derivative, which uses
// whichever is cheaper: σ' = y(1 − y), ReLU' = [x > 0]), reuses the output and gradient
// buffers, and checks shapes. Any input shape works; the output has the input's shape.
//
// Threads: a tensor of at least 2^16 elements is cut into one contiguous chunk per thread
// (Parallelism.For with a reused body, so nothing is allocated); the two functions see each chunk
// as ordinary spans. Element-wise functions give the same result however the tensor is cut.
using Cortex.Kernels;
using Cortex.Tensors;

namespace Cortex.Layers;

/// <summary>Base of element-wise activations (<see cref="ReLU"/>, <see cref="Sigmoid"/>, …): same shape in and out.</summary>
public abstract class Activation(string name) : Layer(name)
{
    private Tensor? _input, _output, _inputGradient;
    private Chunked? _chunked;

    /// <summary>y = f(x), element by element.</summary>
    protected abstract void Apply(ReadOnlySpan<float> x, Span<float> y);

    /// <summary>dx = f'(x) ⊙ dy, given the cached x and y = f(x).</summary>
    protected abstract void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx);

    public override Shape OutputShape(Shape input) => input;

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var y = Reuse(ref _output, input.Shape);
        if (Parallelism.ElementwiseChunks(y.Span.Length) == 1)
            Apply(input.Span, y.Span);
        else
            (_chunked ??= new Chunked(this)).Run(input, y, null, null);
        _input = input;                                   // cached for Backward
        return y;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        var x = _input ?? throw BackwardBeforeForward();
        var y = _output!;
        if (outputGradient.Shape != y.Shape)
            throw OutputGradientShapeError(y.Shape, outputGradient.Shape);
        var dx = Reuse(ref _inputGradient, x.Shape);
        if (Parallelism.ElementwiseChunks(dx.Span.Length) == 1)
            Derive(x.Span, y.Span, outputGradient.Span, dx.Span);
        else
            (_chunked ??= new Chunked(this)).Run(x, y, outputGradient, dx);
        return dx;
    }

    /// <summary>Forward (no dy) or Backward over one contiguous chunk per thread.</summary>
    private sealed class Chunked(Activation layer) : IParallelWork
    {
        private Tensor? _x, _y, _dy, _dx;
        private int _chunks;

        public void Run(Tensor x, Tensor y, Tensor? dy, Tensor? dx)
        {
            (_x, _y, _dy, _dx) = (x, y, dy, dx);
            _chunks = Parallelism.ElementwiseChunks(y.Span.Length);
            try
            {
                Parallelism.For(_chunks, this);
            }
            finally
            {
                (_x, _y, _dy, _dx) = (null, null, null, null);
            }
        }

        public void Execute(int index)
        {
            var (start, length) = Parallelism.ChunkRange(index, _chunks, _y!.Span.Length);
            if (_dy is null)
                layer.Apply(_x!.Span.Slice(start, length), _y.Span.Slice(start, length));
            else
                layer.Derive(_x!.Span.Slice(start, length), _y.Span.Slice(start, length), _dy.Span.Slice(start, length), _dx!.Span.Slice(start, length));
        }

    }
}
