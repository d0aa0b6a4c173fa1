// Fans.cs — fan-in and fan-out of a weight, computed from its shape the PyTorch way
// (torch.nn.init._calculate_fan_in_and_fan_out):
//   (out, in)                Dense / Linear weight   fan_in = in,           fan_out = out
//   (FN, C, KH, KW)          Conv2d filters          fan_in = C·KH·KW,      fan_out = FN·KH·KW
//   (d0, d1, d2, …), rank ≥ 3                         fan_in = d1·Π(d2…),    fan_out = d0·Π(d2…)
//   (n)   rank 1 (a bias)                             fan_in = fan_out = n   (Keras's rule; PyTorch refuses)
//   ()    scalar                                      fan_in = fan_out = 1
// A layer that stores its weight in another layout (the lectures' Affine W is (in, out)) passes
// its fans explicitly to Initializer.Initialize(value, fans, random).
using Cortex.Tensors;

namespace Cortex.Initializers;

/// <summary>The number of inputs (<see cref="FanIn"/>) and outputs (<see cref="FanOut"/>) each weight connects.</summary>
/// <example><code>var fans = Fans.Of(new Shape(30, 1, 5, 5));   // FanIn 25, FanOut 750</code></example>
public readonly record struct Fans(int FanIn, int FanOut)
{
    /// <summary>The fans of a weight of <paramref name="shape"/>, PyTorch's convention (see the file header).</summary>
    public static Fans Of(Shape shape)
    {
        switch (shape.Rank)
        {
            case 0:
                return new Fans(1, 1);
            case 1:
                return new Fans(shape[0], shape[0]);
            default:
                int receptiveField = shape.SizeFrom(2);
                return new Fans(shape[1] * receptiveField, shape[0] * receptiveField);
        }
    }

    /// <summary>The fan selected by <paramref name="mode"/>.</summary>
    public int Select(FanMode mode) => mode switch
    {
        FanMode.FanIn => FanIn,
        FanMode.FanOut => FanOut,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), $"Fans.Select: expected FanIn or FanOut, got {mode}."),
    };
}

/// <summary>Which fan a variance-scaling initializer keeps the variance for.</summary>
public enum FanMode
{
    /// <summary>Preserve the variance of activations in the forward pass (He et al.'s default).</summary>
    FanIn,

    /// <summary>Preserve the variance of gradients in the backward pass (torchvision's ResNet convolutions).</summary>
    FanOut,
}
