// NumericFaults.cs — where a NaN or infinity came from, for the trainer's error messages. Runs only
// on the error path (except LastNonFiniteGradient, one vectorised read of the gradients per step).
//
//   loss not finite     → the first parameter (model order) holding a non-finite value, else the
//                         first layer whose output is not finite (re-running the batch through a
//                         Sequential model's layers one by one, descending into nested Sequentials),
//                         else the input batch, else the scores being too large for the loss
//   gradient not finite → the deepest parameter with a non-finite gradient: backward runs from the
//                         loss towards the input, so that is where the fault first appeared
using System.Numerics.Tensors;
using Cortex.Layers;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Training;

internal static class NumericFaults
{
    /// <summary>The key of the last parameter of <paramref name="parameters"/> (model order) whose gradient holds NaN or ±∞, or null.</summary>
    public static string? LastNonFiniteGradient((string Key, Parameter Parameter)[] parameters)
    {
        for (int i = parameters.Length - 1; i >= 0; i--)
        {
            if (!IsFinite(parameters[i].Parameter.Gradient.Span))
                return parameters[i].Key;
        }
        return null;
    }

    /// <summary>"features.3" for "features.3.weight".</summary>
    public static string LayerOf(string parameterKey)
    {
        int dot = parameterKey.LastIndexOf('.');
        return dot < 0 ? "(the model itself)" : parameterKey[..dot];
    }

    /// <summary>The key of the first parameter (model order) holding NaN or ±∞, or null.</summary>
    public static string? FirstNonFiniteWeight(Layer model)
    {
        foreach (var (key, p) in model.NamedParameters())
        {
            if (!IsFinite(p.Value.Span))
                return key;
        }
        return null;
    }

    /// <summary>A phrase naming where the non-finite loss came from, for a model that just ran <paramref name="input"/>.</summary>
    public static string Locate(Layer model, Tensor input)
    {
        if (FirstNonFiniteWeight(model) is { } key)
            return $"the weights of layer '{LayerOf(key)}' are no longer finite ({key})";
        if (!IsFinite(input.Span))
            return "the input batch itself holds NaN or infinite values";
        if (model is Sequential sequential && FirstNonFiniteOutput(sequential, input) is { } layer)
            return $"it first appears in the output of layer '{layer}'";
        return "the model's scores are finite but too large for the loss";
    }

    private static string? FirstNonFiniteOutput(Sequential sequential, Tensor input)
    {
        var x = input;
        foreach (var (_, layer) in sequential.Children)
        {
            var y = layer.Forward(x, training: true);
            if (!IsFinite(y.Span))
                return layer is Sequential inner && FirstNonFiniteOutput(inner, x) is { } deeper ? deeper : layer.Describe();
            x = y;
        }
        return null;
    }

    // max |v| is NaN when any v is NaN (TensorPrimitives propagates NaN) and ∞ when any is infinite.
    private static bool IsFinite(ReadOnlySpan<float> values) => values.IsEmpty || float.IsFinite(TensorPrimitives.MaxMagnitude(values));
}
