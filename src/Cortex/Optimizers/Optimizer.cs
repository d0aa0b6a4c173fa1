// Optimizer.cs — the base of every update rule: which parameters, the learning rate, weight decay,
// gradient-norm clipping, and the per-parameter state (velocity, moments) each rule keeps.
//
// What one Step() does, for every trainable parameter w with gradient g:
//   (optional) clip:  g ← g · maxNorm / ‖g_all‖₂   when the global norm exceeds maxNorm (in place)
//   (optional) decay: g ← g + λ·w                   coupled L2 weight decay (the classic form)
//                     w ← w − lr·λ·w                instead, for rules that decouple it (AdamW)
//   the rule:         w ← Update(w, g, state)       SGD, Momentum, Adam, …
// Step never zeroes the gradients: call ZeroGradients() (or the model's) before the next backward.
//
// Memory: the state tensors are allocated the first time a parameter is stepped; afterwards a step
// allocates nothing. The rule runs over chunks of ChunkSize elements so that its temporaries live
// in small stack buffers that stay in L1 cache (several TensorPrimitives passes over a chunk are
// cheaper than several passes over a 100-million-element weight), and no buffer the size of the
// largest parameter is ever needed.
//
// Parameter groups: each parameter's rate is LearningRate × its scale (1 unless
// SetLearningRateScale changed it), so fine-tuning can move a pretrained body at a tenth of the
// head's rate. A schedule sets LearningRate and every group follows it in proportion, which is what
// PyTorch's schedulers do to each of an optimizer's param_groups.
//
// Not here (deliberately): learning-rate schedules (Optimizers/Schedules, separate objects that set
// LearningRate) and other per-group hyper-parameters. The state is read through State, StepCount
// and ParameterStepCounts and put back by RestoreState (training checkpoints).
using System.Numerics.Tensors;
using Cortex.Layers;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Optimizers;

/// <summary>
/// Updates a fixed list of <see cref="Parameter"/>s from their gradients. Frozen parameters
/// (<see cref="Parameter.Trainable"/> false) are skipped and their state is left as it was.
/// </summary>
/// <example><code>
/// var optimizer = new Adam(model.AllParameters(), learningRate: 1e-3f) { WeightDecay = 5e-4f, MaxGradientNorm = 5f };
/// for (...) { model.ZeroGradients(); loss.Backward(...); optimizer.Step(); }
/// </code></example>
public abstract class Optimizer
{
    /// <summary>Elements processed per call of <see cref="Update"/>; also the length of its scratch spans.</summary>
    protected const int ChunkSize = 2048;

    private readonly Parameter[] _parameters;
    private readonly Tensor[]?[] _state;
    private readonly int[] _steps;
    private readonly string[] _stateNames;
    private readonly float[] _scales;
    private float _learningRate;
    private float _weightDecay;
    private float? _maxGradientNorm;

    /// <summary>Creates an optimizer over <paramref name="parameters"/> (enumerated once, here).</summary>
    /// <param name="parameters">The parameters to update, e.g. <c>model.AllParameters()</c>.</param>
    /// <param name="learningRate">The step size lr (≥ 0); schedules change it through <see cref="LearningRate"/>.</param>
    /// <param name="stateNames">Names of the per-parameter state tensors this rule keeps (PyTorch's: <c>momentum_buffer</c>, <c>exp_avg</c>…).</param>
    protected Optimizer(IEnumerable<Parameter> parameters, float learningRate, params string[] stateNames)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(stateNames);
        _parameters = [.. parameters];
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < _parameters.Length; i++)
        {
            if (_parameters[i] is null)
                throw new ArgumentException($"{Name}: parameter {i} of the list is null.", nameof(parameters));
            if (!seen.Add(_parameters[i]))
                throw new ArgumentException($"{Name}: parameter {i} ({_parameters[i]}) appears twice in the list; it would be updated twice per step.", nameof(parameters));
        }
        _state = new Tensor[]?[_parameters.Length];
        _scales = new float[_parameters.Length];
        Array.Fill(_scales, 1f);
        _steps = new int[_parameters.Length];
        _stateNames = stateNames;
        LearningRate = learningRate;
    }

    /// <summary>The rule's name as used in messages (<c>Adam</c>).</summary>
    public string Name => GetType().Name;

    /// <summary>The parameters this optimizer updates, in the order given.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>The step size lr. Learning-rate schedules set this between epochs.</summary>
    public float LearningRate
    {
        get => _learningRate;
        set
        {
            if (!(value >= 0f) || float.IsInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(value), $"{Name}: the learning rate must be finite and ≥ 0, got {value}.");
            _learningRate = value;
        }
    }

    /// <summary>
    /// The rate <see cref="Update"/> must use for the parameter it is updating: <see cref="LearningRate"/>
    /// times that parameter's <see cref="LearningRateScale(int)"/>.
    /// </summary>
    protected float StepLearningRate { get; private set; }

    /// <summary>
    /// Puts <paramref name="parameters"/> (all of them in this optimizer) in a group whose rate is
    /// <paramref name="scale"/> × <see cref="LearningRate"/>; schedules scale every group alike.
    /// Returns how many parameters it set.
    /// </summary>
    /// <example><code>
    /// var opt = new Adam(model.AllParameters(), learningRate: 1e-3f);      // the head's rate
    /// opt.SetLearningRateScale(body.AllParameters(), 0.1f);                 // the body moves at 1e-4
    /// </code></example>
    public int SetLearningRateScale(IEnumerable<Parameter> parameters, float scale)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(scale >= 0f) || float.IsInfinity(scale))
            throw new ArgumentOutOfRangeException(nameof(scale), $"{Name}: a learning-rate scale must be finite and ≥ 0, got {scale}.");
        var index = new Dictionary<Parameter, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < _parameters.Length; i++)
            index[_parameters[i]] = i;
        var targets = new List<int>();
        foreach (var p in parameters)
        {
            if (p is null || !index.TryGetValue(p, out int i))
                throw new ArgumentException($"{Name}: parameter {p} is not one of the {_parameters.Length} this optimizer updates; create the optimizer over the whole model.", nameof(parameters));
            targets.Add(i);
        }
        foreach (int i in targets)
            _scales[i] = scale;
        return targets.Count;
    }

    /// <summary>The learning-rate scale of parameter <paramref name="index"/> (1 unless set).</summary>
    public float LearningRateScale(int index) => _scales[index];

    /// <summary>The rate parameter <paramref name="index"/> is stepped with now: <see cref="LearningRate"/> × its scale.</summary>
    public float EffectiveLearningRate(int index) => _learningRate * _scales[index];

    /// <summary>
    /// Weight decay λ (≥ 0, default 0). Coupled L2 form: the rule sees g + λ·w, i.e. the gradient of
    /// L + ½λ‖w‖² (AlexNet used 5e-4). <see cref="AdamW"/> decouples it instead: w ← w − lr·λ·w.
    /// Applied to every trainable parameter, biases included.
    /// </summary>
    public float WeightDecay
    {
        get => _weightDecay;
        set
        {
            if (!(value >= 0f) || float.IsInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(value), $"{Name}: weight decay must be finite and ≥ 0, got {value}.");
            _weightDecay = value;
        }
    }

    /// <summary>
    /// When set, <see cref="Step"/> first rescales all trainable gradients (in place) so that their
    /// global L2 norm is at most this value; see <see cref="ClipGradientNorm(IEnumerable{Parameter}, float)"/>.
    /// Null (the default) turns clipping off.
    /// </summary>
    public float? MaxGradientNorm
    {
        get => _maxGradientNorm;
        set
        {
            if (value is { } v && (!(v > 0f) || float.IsInfinity(v)))
                throw new ArgumentOutOfRangeException(nameof(value), $"{Name}: the maximum gradient norm must be finite and > 0, got {v}.");
            _maxGradientNorm = value;
        }
    }

    /// <summary>The global gradient norm measured by the last <see cref="Step"/> before clipping (NaN when clipping is off).</summary>
    public float LastGradientNorm { get; private set; } = float.NaN;

    /// <summary>How many times <see cref="Step"/> has been called.</summary>
    public int StepCount { get; private set; }

    /// <summary>
    /// The per-parameter state tensors allocated so far, keyed <c>"{index}.{name}"</c> with the
    /// parameter's index in <see cref="Parameters"/> and PyTorch's state names (<c>0.exp_avg</c>,
    /// <c>0.exp_avg_sq</c>, <c>3.momentum_buffer</c>). The tensors are live: writing them changes the optimizer.
    /// </summary>
    public IEnumerable<(string Key, Tensor Value)> State
    {
        get
        {
            for (int i = 0; i < _state.Length; i++)
            {
                if (_state[i] is not { } tensors)
                    continue;
                for (int s = 0; s < tensors.Length; s++)
                    yield return ($"{i}.{_stateNames[s]}", tensors[s]);
            }
        }
    }

    /// <summary>How many updates parameter <paramref name="index"/> has received (Adam's bias correction uses it).</summary>
    public int ParameterStepCount(int index) => _steps[index];

    /// <summary>Every parameter's update count, in the order of <see cref="Parameters"/>.</summary>
    public IReadOnlyList<int> ParameterStepCounts => _steps;

    /// <summary>The names of the per-parameter state tensors this rule keeps (<c>exp_avg</c>, <c>exp_avg_sq</c>).</summary>
    public IReadOnlyList<string> StateNames => _stateNames;

    /// <summary>
    /// Puts the optimizer back into a state read earlier from <see cref="StepCount"/>,
    /// <see cref="ParameterStepCounts"/> and <see cref="State"/> (keys <c>"{index}.{name}"</c>), so the
    /// next <see cref="Step"/> is the one that would have followed. The tensors are copied. Nothing
    /// changes when the state does not fit these parameters (the message says what differs).
    /// </summary>
    /// <exception cref="ArgumentException">A key, count or shape does not fit this optimizer's parameters.</exception>
    public void RestoreState(int stepCount, IReadOnlyList<int> parameterSteps, IEnumerable<(string Key, Tensor Value)> state)
    {
        ArgumentNullException.ThrowIfNull(parameterSteps);
        ArgumentNullException.ThrowIfNull(state);
        if (stepCount < 0)
            throw new ArgumentOutOfRangeException(nameof(stepCount), $"{Name}.RestoreState: expected a step count ≥ 0, got {stepCount}.");
        if (parameterSteps.Count != _parameters.Length)
            throw new ArgumentException($"{Name}.RestoreState: the saved state has step counts for {parameterSteps.Count} parameters, this optimizer has {_parameters.Length}.", nameof(parameterSteps));
        var restored = new Tensor[]?[_parameters.Length];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in state)
        {
            int dot = key.IndexOf('.', StringComparison.Ordinal);
            int nameIndex = dot < 0 ? -1 : Array.IndexOf(_stateNames, key[(dot + 1)..]);
            if (dot < 0 || !int.TryParse(key.AsSpan(0, dot), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int i)
                || (uint)i >= (uint)_parameters.Length || nameIndex < 0)
                throw new ArgumentException($"{Name}.RestoreState: unexpected state key '{key}'; expected '<parameter index below {_parameters.Length}>.<{string.Join("|", _stateNames)}>'.", nameof(state));
            if (value.Shape != _parameters[i].Shape)
                throw new ArgumentException($"{Name}.RestoreState: state '{key}' has shape {value.Shape}, parameter {i} ({_parameters[i]}) has {_parameters[i].Shape}.", nameof(state));
            if (!seen.Add(key))
                throw new ArgumentException($"{Name}.RestoreState: state '{key}' is given twice.", nameof(state));
            var tensors = restored[i] ??= CreateState(_parameters[i]);
            value.Span.CopyTo(tensors[nameIndex].Span);
        }
        for (int i = 0; i < restored.Length; i++)
        {
            if (restored[i] is not null && _stateNames.Any(n => !seen.Contains($"{i}.{n}")))
                throw new ArgumentException($"{Name}.RestoreState: parameter {i} has only part of its state ({string.Join(", ", _stateNames.Where(n => seen.Contains($"{i}.{n}")))}).", nameof(state));
            if (parameterSteps[i] < 0)
                throw new ArgumentException($"{Name}.RestoreState: parameter {i} has a negative step count {parameterSteps[i]}.", nameof(parameterSteps));
        }
        for (int i = 0; i < _parameters.Length; i++)
        {
            _state[i] = restored[i];
            _steps[i] = parameterSteps[i];
        }
        StepCount = stepCount;
    }

    /// <summary>Sets every parameter's gradient to zero (frozen ones included).</summary>
    public void ZeroGradients()
    {
        foreach (var p in _parameters)
            p.ZeroGradient();
    }

    /// <summary>Updates every trainable parameter once from its current gradient. Does not zero the gradients.</summary>
    public void Step()
    {
        StepCount++;
        LastGradientNorm = _maxGradientNorm is { } maxNorm ? ClipGradientNorm(_parameters, maxNorm) : float.NaN;

        float lambda = _weightDecay;
        bool decoupled = DecouplesWeightDecay;
        Span<float> decayed = stackalloc float[ChunkSize];
        Span<float> scratch0 = stackalloc float[ChunkSize];
        Span<float> scratch1 = stackalloc float[ChunkSize];

        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            if (!p.Trainable)
                continue;
            float lr = _learningRate * _scales[i];
            StepLearningRate = lr;
            var state = _state[i] ??= CreateState(p);
            int step = ++_steps[i];
            var w = p.Value.Span;
            var g = p.Gradient.Span;
            for (int offset = 0; offset < w.Length; offset += ChunkSize)
            {
                int n = Math.Min(ChunkSize, w.Length - offset);
                var wc = w.Slice(offset, n);
                scoped ReadOnlySpan<float> gc = g.Slice(offset, n);
                if (lambda != 0f)
                {
                    if (decoupled)
                    {
                        TensorPrimitives.Multiply(wc, 1f - lr * lambda, wc);      // w ← (1 − lr·λ)·w
                    }
                    else
                    {
                        var gd = decayed[..n];
                        TensorPrimitives.MultiplyAdd(wc, lambda, gc, gd);          // g' = g + λ·w
                        gc = gd;
                    }
                }
                Update(wc, gc, state, offset, step, scratch0[..n], scratch1[..n]);
            }
        }
    }

    /// <summary>
    /// Rescales the gradients of the trainable <paramref name="parameters"/> in place so that their
    /// global L2 norm ‖g‖ = √(Σ over all parameters and elements of g²) is at most
    /// <paramref name="maxNorm"/>: when ‖g‖ &gt; maxNorm every gradient is multiplied by maxNorm/‖g‖
    /// (Pascanu et al. 2013; PyTorch's <c>clip_grad_norm_</c>). Returns ‖g‖ before clipping.
    /// A non-finite norm leaves the gradients unchanged and is returned as is, so a caller can skip the step.
    /// </summary>
    /// <example><code>float norm = Optimizer.ClipGradientNorm(model.AllParameters(), maxNorm: 1f);</code></example>
    public static float ClipGradientNorm(IEnumerable<Parameter> parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return ClipGradientNorm(parameters as Parameter[] ?? [.. parameters], maxNorm);
    }

    private static float ClipGradientNorm(Parameter[] parameters, float maxNorm)
    {
        if (!(maxNorm > 0f) || float.IsInfinity(maxNorm))
            throw new ArgumentOutOfRangeException(nameof(maxNorm), $"Optimizer.ClipGradientNorm: the maximum norm must be finite and > 0, got {maxNorm}.");
        double sumOfSquares = 0;
        foreach (var p in parameters)
        {
            if (p.Trainable)
            {
                double n = TensorPrimitives.Norm<float>(p.Gradient.Span);   // per tensor, then summed in double
                sumOfSquares += n * n;
            }
        }
        double norm = Math.Sqrt(sumOfSquares);
        if (double.IsFinite(norm) && norm > maxNorm)
        {
            float scale = (float)(maxNorm / norm);
            foreach (var p in parameters)
            {
                if (p.Trainable)
                    TensorPrimitives.Multiply(p.Gradient.Span, scale, p.Gradient.Span);
            }
        }
        return (float)norm;
    }

    /// <summary>True when weight decay is applied to the weights directly (AdamW) rather than added to the gradient.</summary>
    protected virtual bool DecouplesWeightDecay => false;

    /// <summary>
    /// Applies the rule to one chunk: <paramref name="value"/> and <paramref name="gradient"/> are
    /// elements [offset, offset + n) of the parameter; the same range of each state tensor is
    /// <c>state[k].Span.Slice(offset, value.Length)</c>. <paramref name="step"/> counts this
    /// parameter's updates from 1. The scratch spans have length n and arbitrary contents.
    /// </summary>
    protected abstract void Update(Span<float> value, ReadOnlySpan<float> gradient, Tensor[] state, int offset, int step, Span<float> scratch0, Span<float> scratch1);

    /// <summary>The zero-initialised state tensors for <paramref name="parameter"/>, one per state name.</summary>
    protected virtual Tensor[] CreateState(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        var state = new Tensor[_stateNames.Length];
        for (int s = 0; s < state.Length; s++)
            state[s] = new Tensor(parameter.Shape);
        return state;
    }

    /// <summary>Throws when a hyper-parameter is outside its range, naming the optimizer and the value.</summary>
    protected static void Require(bool condition, string optimizer, string what, float value, string paramName)
    {
        if (!condition)
            throw new ArgumentOutOfRangeException(paramName, $"{optimizer}: {what}, got {value}.");
    }

    public override string ToString() => $"{Name}(lr={LearningRate}, {_parameters.Length} parameters)";
}
