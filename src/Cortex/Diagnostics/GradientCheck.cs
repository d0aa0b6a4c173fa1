// GradientCheck.cs — compares analytic gradients (Backward) with central differences.
//
//   For a layer f and input x: draw an upstream gradient G (fixed seed) and define the scalar
//       L(x, θ) = Σ G ⊙ f(x; θ)                    summed in double
//   so that dL/dy = G, Backward(G) gives the analytic dL/dx and dL/dθ, and for every checked element v
//       numeric = (L(v + h) − L(v − h)) / 2h        (h = Step·max(1, |v|), divided by the step float really took)
//       error   = |analytic − numeric| / max(|analytic|, |numeric|, RelativeFloor·scale, NoiseFloor·S)
//   where scale is the largest |gradient| among the tensor's checked elements and S the size of
//   the loss's rounding noise: ‖G ⊙ y‖₂ for a layer (independent roundings add in quadrature),
//   |L| for a loss.
//
// Float32 layers: the forward pass rounds at ~1e-7 relative, and every layer of a model adds its
// own rounding, so numeric gradients carry noise of about ε·|L|/h. A small h drowns in that noise;
// a large one pays truncation error O(h²·f‴) and may straddle a kink. h = 3e-3 balances the two
// for float32 (the optimum of ε/h + h² lies near ε^(1/3)). The noise is absolute, so an element
// whose gradient is a thousandth of its neighbours' cannot be checked relatively: the floors
// compare such elements against 1 % of the tensor's largest gradient, and against 1 % of S
// (a bias before batch norm has a true gradient of 0 and a numeric one of pure noise, about
// ε·S/2h ≈ 1e-5·S at h = 3e-3; the pass mark 1e-2 times this floor leaves it a factor 10). Errors of
// 1e-4..1e-3 are normal, 1e-2 is the usual pass mark, and a wrong gradient shows up near 1.
// Keep inputs away from kinks (ReLU at 0, ties in a max): there the central difference straddles
// two pieces and disagrees for a good reason.
//
// Not here: any change to how layers run. The check restores the input, the parameters and the
// buffers (running statistics) it touched; it does leave the parameters' gradients set to dL/dθ.
using System.Globalization;
using System.Text;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Diagnostics;

/// <summary>Settings of a <see cref="GradientCheck"/>.</summary>
public sealed record GradientCheckOptions
{
    /// <summary>The central-difference step h for values of magnitude ≤ 1 (scaled by |v| above that). Default 3e-3, suited to float32.</summary>
    public double Step { get; init; } = 3e-3;

    /// <summary>
    /// The relative error's denominator is at least this fraction of the tensor's largest |gradient|:
    /// elements with much smaller gradients than their neighbours are compared by absolute difference,
    /// so float noise on them does not fail the check. Default 1e-2.
    /// </summary>
    public double RelativeFloor { get; init; } = 1e-2;

    /// <summary>
    /// The relative error's denominator is at least this fraction of the loss's noise scale S (‖G ⊙ y‖₂ for
    /// a layer, |L| for a loss): float32 central differences carry noise of about 1e-5·S, so gradients near
    /// that size (a bias before batch norm: truly 0) are compared by absolute difference. Default 1e-2;
    /// set 0 for a loss computed entirely in double.
    /// </summary>
    public double NoiseFloor { get; init; } = 1e-2;

    /// <summary>Check at most this many randomly chosen elements of each tensor (null: all of them).</summary>
    public int? MaxElementsPerTensor { get; init; }

    /// <summary>Seeds the upstream gradient G and the sampled elements.</summary>
    public ulong Seed { get; init; } = 1234;

    /// <summary>Run the layer in training mode (batch statistics, dropout masks held fixed). Default true.</summary>
    public bool Training { get; init; } = true;

    /// <summary>Whether to check dL/dx as well as the parameters. Default true.</summary>
    public bool CheckInput { get; init; } = true;
}

/// <summary>The result for one tensor: its worst element.</summary>
/// <param name="Name">"input", or the parameter's key (<c>0.weight</c>), or the name given to the loss overload.</param>
/// <param name="Shape">The tensor's shape.</param>
/// <param name="Checked">How many elements were compared.</param>
/// <param name="WorstError">The largest relative error (NaN when a gradient was NaN).</param>
/// <param name="WorstIndex">The flat (row-major) index of that element, or −1 when nothing was checked.</param>
/// <param name="Analytic">The analytic gradient at that element.</param>
/// <param name="Numeric">The central-difference gradient at that element.</param>
public sealed record GradientCheckEntry(string Name, Shape Shape, int Checked, double WorstError, int WorstIndex, double Analytic, double Numeric)
{
    /// <summary>The worst element's index per axis (empty when nothing was checked).</summary>
    public int[] WorstPosition
    {
        get
        {
            if (WorstIndex < 0)
                return [];
            var strides = Shape.Strides();
            var position = new int[Shape.Rank];
            int rest = WorstIndex;
            for (int axis = 0; axis < position.Length; axis++)
            {
                position[axis] = rest / strides[axis];
                rest %= strides[axis];
            }
            return position;
        }
    }

    /// <summary>Whether the worst error is within <paramref name="tolerance"/> (a NaN never passes).</summary>
    public bool Passed(double tolerance = 1e-2) => WorstError <= tolerance;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name} {Shape}: checked {Checked}/{Shape.Size}, worst relative error {WorstError:E2} at [{string.Join(", ", WorstPosition)}] (analytic {Analytic:G6}, numeric {Numeric:G6})");
}

/// <summary>What a <see cref="GradientCheck"/> found, per tensor.</summary>
public sealed class GradientCheckReport
{
    internal GradientCheckReport(IReadOnlyList<GradientCheckEntry> entries) => Entries = entries;

    /// <summary>One entry per checked tensor: "input" first (when checked), then the parameters in model order.</summary>
    public IReadOnlyList<GradientCheckEntry> Entries { get; }

    /// <summary>The largest error over all entries (NaN if any is NaN, 0 when there are none).</summary>
    public double WorstError
    {
        get
        {
            double worst = 0;
            foreach (var e in Entries)
            {
                if (double.IsNaN(e.WorstError))
                    return double.NaN;
                worst = Math.Max(worst, e.WorstError);
            }
            return worst;
        }
    }

    /// <summary>The entry for <paramref name="name"/> ("input", "0.weight", …).</summary>
    public GradientCheckEntry this[string name] =>
        Entries.FirstOrDefault(e => e.Name == name)
        ?? throw new KeyNotFoundException($"GradientCheckReport: no entry '{name}'; the entries are {string.Join(", ", Entries.Select(e => e.Name))}.");

    /// <summary>Whether every entry's worst error is within <paramref name="tolerance"/>.</summary>
    public bool Passed(double tolerance = 1e-2) => Entries.All(e => e.Passed(tolerance));

    /// <summary>One line per tensor.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var e in Entries)
            sb.AppendLine(e.ToString());
        return sb.ToString();
    }
}

/// <summary>Numerical gradient checking (central differences) for layers, whole models and losses.</summary>
/// <example><code>
/// var model = new Sequential(new Dense(5, 4, random: new CortexRandom(1)), new Tanh(), new Dense(4, 3));
/// var x = Tensor.RandomNormal(new Shape(2, 5), new CortexRandom(2));
/// GradientCheckReport report = GradientCheck.Check(model, x);
/// Console.Write(report);     // "input [2, 5]: checked 10/10, worst relative error 3.1E-004 at [1, 2] (analytic …, numeric …)"
/// if (!report.Passed(1e-2)) throw new InvalidOperationException("a Backward is wrong:\n" + report);
///
/// // Any scalar function, e.g. a loss: the gradients must already hold the analytic dLoss/dValue.
/// var scores = Tensor.RandomNormal(new Shape(4, 3));
/// var dScores = scores.Clone();                                    // d(½Σs²)/ds = s
/// var check = GradientCheck.Check(() => 0.5 * scores.SumOfSquares(), [("scores", scores, dScores)]);
/// </code></example>
public static class GradientCheck
{
    /// <summary>
    /// Checks <paramref name="layer"/>'s Backward at <paramref name="input"/>: dL/dx and the gradient of every
    /// trainable parameter, for L = Σ G ⊙ layer(x) with a random G. Stochastic layers are held fixed during the
    /// check; the input, parameters and buffers are restored afterwards; parameter gradients are left equal to dL/dθ.
    /// </summary>
    public static GradientCheckReport Check(Layer layer, Tensor input, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(input);
        options ??= new GradientCheckOptions();
        Validate(options);

        var x = input.Clone();                            // perturbed in place; the caller's tensor stays as it was
        var savedBuffers = layer.NamedBuffers().Select(b => (b.Value, Copy: b.Value.Clone())).ToList();
        var stochastic = layer.Descendants().OfType<IStochasticLayer>().Select(s => (Layer: s, Was: s.FreezeRandomness)).ToList();
        try
        {
            foreach (var (s, _) in stochastic)
                s.FreezeRandomness = false;
            var y = layer.Forward(x, options.Training); // draws the masks the check then holds fixed
            foreach (var (s, _) in stochastic)
                s.FreezeRandomness = true;

            var outputShape = y.Shape;
            var g = Tensor.RandomNormal(outputShape, new CortexRandom(options.Seed));
            var gs = g.ToArray();
            double lossScale = 0;                         // S = ‖G ⊙ y‖₂, the scale of L's rounding noise
            for (int i = 0; i < gs.Length; i++)
                lossScale += gs[i] * (double)y.Span[i] * gs[i] * y.Span[i];
            lossScale = Math.Sqrt(lossScale);

            layer.ZeroGradients();
            var dx = layer.Backward(g);
            if (dx.Shape != x.Shape)
                throw new InvalidOperationException($"GradientCheck: {layer.Describe()} returned an input gradient of shape {dx.Shape} for an input of shape {x.Shape}.");

            var targets = new List<(string Name, Tensor Value, Tensor Gradient)>();
            if (options.CheckInput)
                targets.Add(("input", x, dx.Clone()));
            foreach (var (key, p) in layer.NamedParameters())
            {
                if (p.Trainable)
                    targets.Add((key, p.Value, p.Gradient.Clone()));
            }

            double Loss()
            {
                var yy = layer.Forward(x, options.Training);
                if (yy.Shape != outputShape)
                    throw new InvalidOperationException($"GradientCheck: {layer.Describe()} changed its output shape from {outputShape} to {yy.Shape} between calls.");
                var ys = yy.Span;
                double sum = 0;
                for (int i = 0; i < ys.Length; i++)
                    sum += gs[i] * (double)ys[i];
                return sum;
            }

            return Run(Loss, targets, options, lossScale);
        }
        finally
        {
            foreach (var (value, copy) in savedBuffers)
                value.CopyFrom(copy);
            foreach (var (s, was) in stochastic)
                s.FreezeRandomness = was;
        }
    }

    /// <summary>
    /// Checks gradients of any scalar function (a loss, a regularizer, a whole training objective):
    /// <paramref name="loss"/> must compute the value from the current contents of the targets' Value tensors,
    /// and each Gradient must already hold the analytic dLoss/dValue at those contents. The values are perturbed
    /// one element at a time and restored.
    /// </summary>
    public static GradientCheckReport Check(Func<double> loss, IEnumerable<(string Name, Tensor Value, Tensor Gradient)> targets, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(targets);
        options ??= new GradientCheckOptions();
        Validate(options);
        var list = targets.ToList();
        foreach (var (name, value, gradient) in list)
        {
            ArgumentNullException.ThrowIfNull(value, name);
            ArgumentNullException.ThrowIfNull(gradient, name);
            if (value.Shape != gradient.Shape)
                throw new ArgumentException($"GradientCheck: '{name}' has value {value.Shape} but gradient {gradient.Shape}; they must match.", nameof(targets));
        }
        return Run(loss, list, options, Math.Abs(loss()));
    }

    private static GradientCheckReport Run(Func<double> loss, List<(string Name, Tensor Value, Tensor Gradient)> targets, GradientCheckOptions options, double lossScale)
    {
        var sampler = new CortexRandom(options.Seed ^ 0x9E3779B97F4A7C15UL);
        var entries = new List<GradientCheckEntry>(targets.Count);
        foreach (var (name, value, gradient) in targets)
        {
            int size = value.Size;
            int[] indices = options.MaxElementsPerTensor is { } max && max < size
                ? sampler.Permutation(size)[..max]
                : Enumerable.Range(0, size).ToArray();
            Array.Sort(indices);

            var numerics = new double[indices.Length];
            double scale = 0;
            for (int e = 0; e < indices.Length; e++)
            {
                int i = indices[e];
                float v = value.Span[i];
                double h = options.Step * Math.Max(1.0, Math.Abs((double)v));
                float plus = (float)(v + h), minus = (float)(v - h);
                double lossPlus, lossMinus;
                try
                {
                    value.Span[i] = plus;
                    lossPlus = loss();
                    value.Span[i] = minus;
                    lossMinus = loss();
                }
                finally
                {
                    value.Span[i] = v;
                }
                numerics[e] = (lossPlus - lossMinus) / ((double)plus - minus);   // the step float really took
                scale = Math.Max(scale, Math.Max(Math.Abs(numerics[e]), Math.Abs((double)gradient.Span[i])));
            }

            double floor = Math.Max(Math.Max(options.RelativeFloor * scale, options.NoiseFloor * lossScale), TinyFloor);
            double worst = 0, worstAnalytic = 0, worstNumeric = 0;
            int worstIndex = indices.Length > 0 ? indices[0] : -1;
            for (int e = 0; e < indices.Length; e++)
            {
                double analytic = gradient.Span[indices[e]], numeric = numerics[e];
                double error = Math.Abs(analytic - numeric) / Math.Max(Math.Max(Math.Abs(analytic), Math.Abs(numeric)), floor);
                // keep the first NaN (it is the worst there is), else the largest error
                if (e == 0 || (!double.IsNaN(worst) && (double.IsNaN(error) || error > worst)))
                {
                    worst = error;
                    worstIndex = indices[e];
                    worstAnalytic = analytic;
                    worstNumeric = numeric;
                }
            }
            entries.Add(new GradientCheckEntry(name, value.Shape, indices.Length, worst, worstIndex, worstAnalytic, worstNumeric));
        }
        return new GradientCheckReport(entries);
    }

    private const double TinyFloor = 1e-30;   // only keeps 0/0 out when every gradient and the loss are 0

    private static void Validate(GradientCheckOptions options)
    {
        if (!(options.Step > 0) || !double.IsFinite(options.Step))
            throw new ArgumentOutOfRangeException(nameof(options), $"GradientCheck: Step must be positive, got {options.Step}.");
        if (!(options.RelativeFloor >= 0) || !double.IsFinite(options.RelativeFloor))
            throw new ArgumentOutOfRangeException(nameof(options), $"GradientCheck: RelativeFloor must be ≥ 0, got {options.RelativeFloor}.");
        if (!(options.NoiseFloor >= 0) || !double.IsFinite(options.NoiseFloor))
            throw new ArgumentOutOfRangeException(nameof(options), $"GradientCheck: NoiseFloor must be ≥ 0, got {options.NoiseFloor}.");
        if (options.MaxElementsPerTensor is < 1)
            throw new ArgumentOutOfRangeException(nameof(options), $"GradientCheck: MaxElementsPerTensor must be ≥ 1 (or null for all), got {options.MaxElementsPerTensor}.");
    }
}
