// LayerChain.cs — a view of consecutive stages of a model run as one chain, without taking them
// from the containers that own them (their paths, keys and state-dict names stay the model's).
// FeatureExtraction uses one for the frozen body and one for the head.
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Transfer;

/// <summary>Runs <c>stages</c> one after another, as a Sequential would, while they stay in their own model.</summary>
internal sealed class LayerChain : Layer
{
    private readonly Layer[] _stages;
    private readonly bool _firstRequired;

    public LayerChain(string name, IReadOnlyList<Layer> stages) : base(name)
    {
        ArgumentNullException.ThrowIfNull(stages);
        if (stages.Count == 0)
            throw new ArgumentException("LayerChain: expected at least one stage.", nameof(stages));
        _stages = [.. stages];
        _firstRequired = _stages[0].InputGradientRequired;
    }

    public override IEnumerable<(string Name, Layer Layer)> Children =>
        _stages.Select(s => (s.Path.Length == 0 ? s.Name : s.Path.Replace('.', '_'), s));

    public override Shape OutputShape(Shape input)
    {
        foreach (var stage in _stages)
            input = stage.OutputShape(input);
        return input;
    }

    public override Tensor Forward(Tensor input, bool training)
    {
        var x = input;
        foreach (var stage in _stages)
            x = stage.Forward(x, training);
        return x;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        var d = outputGradient;
        for (int i = _stages.Length - 1; i >= 0; i--)
            d = _stages[i].Backward(d);
        return d;
    }

    protected override void OnInputGradientRequiredChanged() => _stages[0].InputGradientRequired = InputGradientRequired;

    /// <summary>Gives the first stage back the input-gradient setting it had before the chain was made.</summary>
    public void Detach() => _stages[0].InputGradientRequired = _firstRequired;
}
