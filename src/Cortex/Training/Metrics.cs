// Metrics.cs — how well scores match labels: predictions, accuracy, top-k, confusion matrix.
//
// Scores are (N, K) class scores, or (N) / (N, 1) single logits for a binary classifier (the
// cats-vs-dogs network's Dense(1)); a single logit predicts class 1 when it is > 0 (p > 0.5).
using Cortex.Tensors;

namespace Cortex.Training;

/// <summary>Classification metrics over score tensors.</summary>
public static class Metrics
{
    /// <summary>Writes the predicted class of each row of <paramref name="scores"/> into <paramref name="predictions"/>.</summary>
    public static void Predict(Tensor scores, Span<int> predictions)
    {
        ArgumentNullException.ThrowIfNull(scores);
        int n = scores.Shape[0];
        int k = n == 0 ? 0 : scores.Size / n;
        if (predictions.Length < n)
            throw new ArgumentException($"Metrics.Predict: expected room for {n} predictions, got {predictions.Length}.", nameof(predictions));
        var s = scores.Span;
        for (int i = 0; i < n; i++)
            predictions[i] = PredictRow(s, i, k);
    }

    /// <summary>How many rows of <paramref name="scores"/> predict their label.</summary>
    public static int CountCorrect(Tensor scores, ReadOnlySpan<int> labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        int n = scores.Shape[0];
        int k = n == 0 ? 0 : scores.Size / n;
        if (labels.Length != n)
            throw new ArgumentException($"Metrics.CountCorrect: expected {n} labels for scores {scores.Shape}, got {labels.Length}.", nameof(labels));
        var s = scores.Span;
        int correct = 0;
        for (int i = 0; i < n; i++)
        {
            if (PredictRow(s, i, k) == labels[i])
                correct++;
        }
        return correct;
    }

    /// <summary>How many labels are among the <paramref name="k"/> highest scores of their row (ties counted against).</summary>
    public static int CountTopK(Tensor scores, ReadOnlySpan<int> labels, int k)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        int n = scores.Shape[0];
        int classes = n == 0 ? 0 : scores.Size / n;
        if (labels.Length != n)
            throw new ArgumentException($"Metrics.CountTopK: expected {n} labels for scores {scores.Shape}, got {labels.Length}.", nameof(labels));
        var s = scores.Span;
        int hits = 0;
        for (int i = 0; i < n; i++)
        {
            var row = s.Slice(i * classes, classes);
            float target = row[labels[i]];
            int above = 0;                       // classes that beat the label's score
            for (int j = 0; j < classes; j++)
            {
                if (row[j] > target || (row[j] == target && j < labels[i]))
                    above++;
            }
            if (above < k)
                hits++;
        }
        return hits;
    }

    /// <summary>Adds the (label, prediction) pairs of a batch into <paramref name="confusion"/> (rows: true class, columns: predicted).</summary>
    public static void AccumulateConfusion(Tensor scores, ReadOnlySpan<int> labels, int[,] confusion, Span<int> scratch)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        Predict(scores, scratch);
        for (int i = 0; i < labels.Length; i++)
            confusion[labels[i], scratch[i]]++;
    }

    /// <summary>The class row <paramref name="i"/> of k scores predicts: the arg-max (first on ties), or logit &gt; 0 when k = 1.</summary>
    private static int PredictRow(ReadOnlySpan<float> scores, int i, int k)
    {
        if (k == 1)
            return scores[i] > 0f ? 1 : 0;
        var row = scores.Slice(i * k, k);
        int best = 0;
        for (int j = 1; j < k; j++)
        {
            if (row[j] > row[best])
                best = j;
        }
        return best;
    }
}
