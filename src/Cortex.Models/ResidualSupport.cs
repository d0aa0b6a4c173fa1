// ResidualSupport.cs — what BasicBlock and Bottleneck share: the shape check and the two additions
// of a residual block (the sum on the way forward, the gradients meeting at x on the way back).
using System.Numerics.Tensors;
using Cortex.Kernels;
using Cortex.Layers;
using Cortex.Tensors;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Models;

internal static class ResidualSupport
{
    public static void CheckSum(Layer block, Shape body, Shape shortcut, bool identity)
    {
        if (body == shortcut)
            return;
        string hint = identity
            ? "The identity shortcut needs the block to keep the shape; give it a downsample projection."
            : "Make the downsample projection match the block's output.";
        throw new ArgumentException($"{block.Describe()}: the residual path gives {body} but the shortcut gives {shortcut}; they must match to be added. {hint}");
    }

    /// <summary>
    /// out = max(body + shortcut, 0): the sum and the ReLU after it (relu2 of BasicBlock, relu3 of
    /// Bottleneck) in one pass, into the block's reused buffer, split across threads.
    /// </summary>
    public static Tensor AddRelu(Layer block, ref Tensor? buffer, Tensor body, Tensor shortcut, bool identity, ResidualWork work)
    {
        CheckSum(block, body.Shape, shortcut.Shape, identity);
        var output = Reuse(ref buffer, body.Shape);
        work.Run(ResidualWork.Operation.AddRelu, body, shortcut, output);
        return output;
    }

    /// <summary>ds = dy where the block's output was positive, else 0: the gradient through the ReLU of <see cref="AddRelu"/>.</summary>
    public static Tensor ReluGradient(ref Tensor? buffer, Tensor output, Tensor outputGradient, ResidualWork work)
    {
        var ds = Reuse(ref buffer, output.Shape);
        work.Run(ResidualWork.Operation.ReluGradient, output, outputGradient, ds);
        return ds;
    }

    /// <summary>dx = dBody + dShortcut, into the block's reused buffer.</summary>
    public static Tensor AddGradients(ref Tensor? buffer, Tensor dBody, Tensor dShortcut, ResidualWork work)
    {
        var dx = Reuse(ref buffer, dBody.Shape);
        work.Run(ResidualWork.Operation.Add, dBody, dShortcut, dx);
        return dx;
    }

    private static Tensor Reuse(ref Tensor? buffer, Shape shape)
    {
        if (buffer is null || buffer.Shape != shape)
            buffer = new Tensor(shape);
        return buffer;
    }
}

/// <summary>
/// A residual block's element-wise passes, cut into one contiguous chunk per thread when the tensor
/// is large enough (Parallelism.ElementwiseChunks; a ResNet-20 stage-1 batch has 2·10⁶ values); one
/// per block, reused, so a step allocates nothing.
/// </summary>
internal sealed class ResidualWork : IParallelWork
{
    private const int Block = 2048;

    public enum Operation { Add, AddRelu, ReluGradient }

    private Operation _operation;
    private Tensor? _a, _b, _result;
    private int _chunks;

    public void Run(Operation operation, Tensor a, Tensor b, Tensor result)
    {
        (_operation, _a, _b, _result) = (operation, a, b, result);
        _chunks = Parallelism.ElementwiseChunks(result.Span.Length);
        try
        {
            if (_chunks == 1)
                Execute(0);
            else
                Parallelism.For(_chunks, this);
        }
        finally
        {
            (_a, _b, _result) = (null, null, null);
        }
    }

    public void Execute(int index)
    {
        var (start, length) = Parallelism.ChunkRange(index, _chunks, _result!.Span.Length);
        var a = _a!.Span.Slice(start, length);
        var b = _b!.Span.Slice(start, length);
        var result = _result.Span.Slice(start, length);
        switch (_operation)
        {
            case Operation.Add:
                TensorPrimitives.Add(a, b, result);
                break;
            case Operation.AddRelu:
                for (int at = 0; at < length; at += Block)      // the ReLU reads each block while it is in L1
                {
                    var part = result.Slice(at, Math.Min(Block, length - at));
                    TensorPrimitives.Add(a.Slice(at, part.Length), b.Slice(at, part.Length), part);
                    TensorPrimitives.Max(part, 0f, part);
                }
                break;
            default:
                ActivationKernels.ReluBackward(a, b, result);   // a: the block's output, b: dy
                break;
        }
    }
}
