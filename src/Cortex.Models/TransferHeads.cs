// TransferHeads.cs — the "head" option of a model spec: what a fine-tuned model file records so
// that the zoo rebuilds it exactly (ModelZoo.Create applies it after the builder), whatever base it
// came from.
//
//   head=linear        the last Dense gets NumClasses outputs (a no-op for the zoo's own builders,
//                      which already build NumClasses; a model without a Dense gets Flatten + Dense)
//   head=mlp:H[,P]     the top (from the first top-level Flatten on) is replaced by Flatten,
//                      Dense(features → H), ReLU, Dropout(P, default 0.5), Dense(H → NumClasses):
//                      the lectures' "Flatten, Dense(256, relu), Dense(1)" on a frozen VGG16
//                      base (Chollet, "Deep Learning with Python", §5.3.1); mlp:0 is Flatten + Dense.
//
// Keys: a linear head keeps the base's keys (classifier.4.weight, fc.weight); an mlp head adds
// flatten and head.{0,3}.weight (head.{0,2} without dropout).
using System.Globalization;
using Cortex.Layers;
using Cortex.Tensors;
using Cortex.Transfer;

namespace Cortex.Models;

/// <summary>A classifier head for transfer learning, as written in a spec's <c>head</c> option.</summary>
/// <param name="Hidden">Units of the hidden layer of an mlp head; null for a linear head.</param>
/// <param name="Dropout">Dropout before the mlp head's last layer.</param>
/// <example><code>
/// var head = HeadSpec.Parse("mlp:256,0.5");
/// head.Apply(model, input: new Shape(3, 150, 150), numClasses: 1, new CortexRandom(1));
/// </code></example>
public sealed record HeadSpec(int? Hidden, double Dropout = 0.5)
{
    /// <summary>The head that replaces only the last Dense layer.</summary>
    public static HeadSpec Linear { get; } = new(null, 0);

    /// <summary>Whether this head replaces only the last Dense layer.</summary>
    public bool IsLinear => Hidden is null;

    /// <summary>Reads <c>linear</c> or <c>mlp:H[,P]</c>.</summary>
    /// <exception cref="FormatException">Anything else; the message shows the accepted forms.</exception>
    public static HeadSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToLowerInvariant();
        if (t == "linear")
            return Linear;
        if (t.StartsWith("mlp:", StringComparison.Ordinal))
        {
            var parts = t[4..].Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length is 1 or 2
                && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int hidden) && hidden >= 0)
            {
                double dropout = 0.5;
                if (parts.Length == 1 || (double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out dropout) && dropout is >= 0 and < 1))
                    return new HeadSpec(hidden, hidden == 0 ? 0 : dropout);
            }
        }
        throw new FormatException($"head: expected 'linear' or 'mlp:HIDDEN[,DROPOUT]' (e.g. mlp:256,0.5), got '{text}'.");
    }

    /// <summary>
    /// Puts this head on <paramref name="model"/> for <paramref name="numClasses"/> outputs and returns it.
    /// A linear head whose last Dense already has that many outputs is kept unless <paramref name="fresh"/>
    /// is set (fine-tuning wants a new classifier; rebuilding a saved model does not).
    /// </summary>
    public Layer Apply(Sequential model, Shape input, int numClasses, CortexRandom random, bool fresh = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(random);
        if (Hidden is { } hidden)
            return FineTuning.ReplaceTop(model, input, numClasses, hidden, Dropout, random);
        if (!model.Descendants().OfType<Dense>().Any())
            return FineTuning.ReplaceTop(model, input, numClasses, hidden: 0, random: random);   // a featurizer: add a classifier
        var head = FineTuning.FindHead(model);
        return head.OutFeatures == numClasses && !fresh ? head : FineTuning.ReplaceHead(model, numClasses, random);
    }

    /// <summary>The option text (<c>linear</c>, <c>mlp:256,0.5</c>).</summary>
    public override string ToString() =>
        Hidden is { } h ? string.Create(CultureInfo.InvariantCulture, $"mlp:{h},{Dropout}") : "linear";
}
