// ResidualSupport.cs — what BasicBlock and Bottleneck share: the shape check and the two additions
// of a residual block (the sum on the way forward, the gradients meeting at x on the way back).
using System.Numerics.Tensors;
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

    /// <summary>sum = body + shortcut, into the block's reused buffer.</summary>
    public static Tensor Add(Layer block, ref Tensor? buffer, Tensor body, Tensor shortcut, bool identity)
    {
        CheckSum(block, body.Shape, shortcut.Shape, identity);
        if (buffer is null || buffer.Shape != body.Shape)
            buffer = new Tensor(body.Shape);
        TensorPrimitives.Add(body.Span, shortcut.Span, buffer.Span);
        return buffer;
    }

    /// <summary>dx = dBody + dShortcut, into the block's reused buffer.</summary>
    public static Tensor AddGradients(ref Tensor? buffer, Tensor dBody, Tensor dShortcut)
    {
        if (buffer is null || buffer.Shape != dBody.Shape)
            buffer = new Tensor(dBody.Shape);
        TensorPrimitives.Add(dBody.Span, dShortcut.Span, buffer.Span);
        return buffer;
    }
}
