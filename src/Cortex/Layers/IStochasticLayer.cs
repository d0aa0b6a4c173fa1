// IStochasticLayer.cs — layers whose training-mode output depends on random draws (dropout masks).
//
// A gradient check runs Forward many times and needs the same function each time; it sets
// FreezeRandomness so the layer repeats its last draw instead of drawing anew.
using Cortex.Tensors;

namespace Cortex.Layers;

/// <summary>A layer that draws random numbers in training mode (<see cref="Dropout"/>, <see cref="Dropout2d"/>).</summary>
public interface IStochasticLayer
{
    /// <summary>
    /// When true, training-mode Forward reuses the last random draw (if it fits the input's shape)
    /// instead of drawing anew: the layer becomes a fixed function, as a gradient check needs.
    /// </summary>
    bool FreezeRandomness { get; set; }

    /// <summary>The generator the layer draws from (a training checkpoint saves and restores its state).</summary>
    CortexRandom Random { get; }
}
