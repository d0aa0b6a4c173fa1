// KFold.cs — K-fold partitions (the lectures' "K-겹 교차 검증": split the data into K parts; for
// each part i, train on the other K − 1 and validate on i).
//
// Unstratified: a seeded permutation cut into K contiguous parts, the first N mod K one larger
// (scikit-learn's KFold with shuffle). Stratified: every class's indices are shuffled, the
// classes are laid end to end, and position p goes to fold p mod K — so every fold gets each
// class in proportion (±1) and fold sizes still differ by at most one. Either way the folds are
// disjoint and together cover 0..N−1 exactly once; the same seed gives the same folds.
namespace Cortex.Data.Validation;

/// <summary>Seeded K-fold partitions, optionally stratified by label.</summary>
/// <example><code>
/// foreach (Fold fold in KFold.Split(train.Count, k: 5, seed: 1, labels: train.Labels))
///     Console.WriteLine($"fold {fold.Index}: {fold.Train.Length} train / {fold.Validation.Length} validation");
/// </code></example>
public static class KFold
{
    /// <summary>
    /// K folds of <paramref name="count"/> indices; stratified by <paramref name="labels"/> when given (one per index).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 2 or above <paramref name="count"/>.</exception>
    public static IReadOnlyList<Fold> Split(int count, int k, ulong seed, ReadOnlySpan<int> labels = default)
    {
        if (k < 2 || k > count)
            throw new ArgumentOutOfRangeException(nameof(k), $"KFold: expected 2 ≤ K ≤ {count} (the number of samples), got K = {k}.");
        if (!labels.IsEmpty && labels.Length != count)
            throw new ArgumentException($"KFold: expected one label per sample ({count}), got {labels.Length}.", nameof(labels));
        var random = new Cortex.Tensors.CortexRandom(seed);
        var assignment = new int[count];   // fold of every index
        if (labels.IsEmpty)
        {
            int[] order = random.Permutation(count);
            int at = 0;
            for (int f = 0; f < k; f++)
            {
                int size = count / k + (f < count % k ? 1 : 0);
                for (int i = 0; i < size; i++)
                    assignment[order[at++]] = f;
            }
        }
        else
        {
            int p = 0;
            foreach (var members in ByClass(labels))
            {
                random.Shuffle(members.AsSpan());
                foreach (int index in members)
                    assignment[index] = p++ % k;
            }
        }
        var folds = new List<Fold>(k);
        for (int f = 0; f < k; f++)
        {
            var validation = new List<int>();
            var train = new List<int>();
            for (int i = 0; i < count; i++)
                (assignment[i] == f ? validation : train).Add(i);
            folds.Add(new Fold(f, [.. train], [.. validation]));
        }
        return folds;
    }

    /// <summary>The indices of each label, labels in ascending order, indices ascending.</summary>
    internal static List<int[]> ByClass(ReadOnlySpan<int> labels)
    {
        var groups = new SortedDictionary<int, List<int>>();
        for (int i = 0; i < labels.Length; i++)
        {
            if (!groups.TryGetValue(labels[i], out var list))
                groups[labels[i]] = list = [];
            list.Add(i);
        }
        return [.. groups.Values.Select(g => g.ToArray())];
    }
}
