// HoldOut.cs — the lectures' hold-out validation: set aside part of the training data, tune on it,
// and keep the test set for the end. ImageDataset.Split takes the last images or a random choice;
// this one is stratified: the validation set has each class in proportion (±1).
//
// Method: every class's indices are shuffled and the classes laid end to end; of these N
// positions, v = round(N·f) are chosen evenly spaced (position p when ⌊(p+1)v/N⌋ > ⌊pv/N⌋), so
// each class contributes about n_c·f. Both parts are copies, in ascending index order.
using Cortex.Tensors;

namespace Cortex.Data.Validation;

/// <summary>Stratified (or plain random) hold-out splits of an <see cref="ImageDataset"/>.</summary>
/// <example><code>
/// var (train, validation) = HoldOut.Split(data.Train, validationFraction: 0.2, seed: 1);
/// </code></example>
public static class HoldOut
{
    /// <summary>The indices of a hold-out split of <paramref name="labels"/>: round(N·<paramref name="validationFraction"/>) to validation.</summary>
    public static (int[] Train, int[] Validation) Indices(ReadOnlySpan<int> labels, double validationFraction, ulong seed, bool stratified = true)
    {
        if (!(validationFraction is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), $"HoldOut: expected a validation fraction in [0, 1], got {validationFraction}.");
        int n = labels.Length;
        int v = (int)Math.Round(n * validationFraction, MidpointRounding.AwayFromZero);
        var random = new CortexRandom(seed);
        int[] order;
        if (stratified)
        {
            var list = new List<int>(n);
            foreach (var members in KFold.ByClass(labels))
            {
                random.Shuffle(members.AsSpan());
                list.AddRange(members);
            }
            order = [.. list];
        }
        else
        {
            order = random.Permutation(n);
        }
        var isValidation = new bool[n];
        for (int p = 0; p < n; p++)
        {
            if (stratified ? (long)(p + 1) * v / n > (long)p * v / n : p < v)
                isValidation[order[p]] = true;
        }
        var train = new List<int>(n - v);
        var validation = new List<int>(v);
        for (int i = 0; i < n; i++)
            (isValidation[i] ? validation : train).Add(i);
        return ([.. train], [.. validation]);
    }

    /// <summary>Splits <paramref name="data"/> into copies: train and a validation set of round(N·fraction) images.</summary>
    public static (ImageDataset Train, ImageDataset Validation) Split(ImageDataset data, double validationFraction, ulong seed, bool stratified = true)
    {
        ArgumentNullException.ThrowIfNull(data);
        var (train, validation) = Indices(data.Labels, validationFraction, seed, stratified);
        return (data.Subset(train, $"{data.Name}/train"), data.Subset(validation, $"{data.Name}/validation"));
    }
}
