// KNearestNeighbors.cs — the lectures' first classifier: remember the training set; label a new
// image by the labels of the k training images nearest to it.
//
//   references Y: (n, d) the training samples, flattened   queries X: (m, d)
//   L1  d(x, y) = Σ_p |x_p − y_p|          L2  d(x, y) = √(Σ_p (x_p − y_p)²)
//
// Search: X is taken QueryChunk rows at a time and Y ReferenceChunk rows at a time; each pair of
// chunks gets one (QueryChunk × ReferenceChunk) block of distances (PairwiseDistance: L2 through
// the GEMM identity ‖x‖² + ‖y‖² − 2x·y, L1 through its vector kernel), and every query row keeps
// its k best so far. So memory is one block (512 × 2048 floats, 4 MB) plus k neighbours per query,
// whatever m and n are (60,000 × 10,000 would be 2.4 GB as one matrix).
//
// Order of neighbours: nearest first; equal distances keep the lower training index first.
// Voting (Vote): each of the k nearest votes for its label (weight 1, or 1/distance when
// distance-weighted; if some neighbours are at distance 0, only those vote). The class with the
// most votes wins; a tie goes to the smallest class index (the rule of cs231n's assignment, and
// what scikit-learn's KNeighborsClassifier does through its mode).
//
// Not here: k-d trees or approximate search (the lectures' point is the brute-force cost), and
// cross-validation (Cortex.Data.Validation.NeighborCrossValidation runs the folds).
using System.Numerics;
using Cortex.Kernels;
using Cortex.Tensors;

namespace Cortex.Classic;

/// <summary>The distance a <see cref="KNearestNeighbors"/> compares images by.</summary>
public enum DistanceMetric
{
    /// <summary>Euclidean: √Σ(x − y)².</summary>
    L2,

    /// <summary>Manhattan: Σ|x − y|.</summary>
    L1,
}

/// <summary>
/// The k nearest references of every query, nearest first: row q of <see cref="Indices"/>,
/// <see cref="Distances"/> and <see cref="Labels"/> holds query q's <see cref="K"/> neighbours.
/// </summary>
/// <param name="Count">Number of queries.</param>
/// <param name="K">Neighbours per query.</param>
/// <param name="Indices">(Count × K) training indices.</param>
/// <param name="Distances">(Count × K) distances (L2: the Euclidean distance, not its square).</param>
/// <param name="Labels">(Count × K) the neighbours' labels.</param>
public sealed record NeighborList(int Count, int K, int[] Indices, float[] Distances, int[] Labels)
{
    /// <summary>Query <paramref name="query"/>'s neighbours' labels, nearest first.</summary>
    public ReadOnlySpan<int> LabelsOf(int query) => Labels.AsSpan(query * K, K);

    /// <summary>Query <paramref name="query"/>'s neighbours' distances, nearest first.</summary>
    public ReadOnlySpan<float> DistancesOf(int query) => Distances.AsSpan(query * K, K);
}

/// <summary>
/// k-nearest-neighbour classification by brute force over the whole training set, with L1 or L2
/// distance and majority (optionally distance-weighted) voting. <see cref="Fit"/> only remembers the data.
/// </summary>
/// <example><code>
/// var knn = new KNearestNeighbors(k: 5, DistanceMetric.L2);
/// knn.Fit(train.Images, train.Labels, train.NumClasses);     // (N, C, H, W) in [0, 1]
/// int[] predicted = knn.Predict(test.Images);
/// </code></example>
public sealed class KNearestNeighbors
{
    private Tensor? _references;
    private int[] _labels = [];
    private float[] _referenceNorms = [];
    private int _features;

    /// <summary>Creates the classifier.</summary>
    /// <param name="k">Neighbours that vote (≥ 1).</param>
    /// <param name="metric">L2 (default) or L1.</param>
    /// <param name="distanceWeighted">Votes weigh 1/distance instead of 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1.</exception>
    public KNearestNeighbors(int k = 1, DistanceMetric metric = DistanceMetric.L2, bool distanceWeighted = false)
    {
        if (k < 1)
            throw new ArgumentOutOfRangeException(nameof(k), $"KNearestNeighbors: expected k ≥ 1, got {k}.");
        if (!Enum.IsDefined(metric))
            throw new ArgumentOutOfRangeException(nameof(metric), $"KNearestNeighbors: expected metric L1 or L2, got {metric}.");
        K = k;
        Metric = metric;
        DistanceWeighted = distanceWeighted;
    }

    /// <summary>Neighbours that vote.</summary>
    public int K { get; }

    /// <summary>The distance.</summary>
    public DistanceMetric Metric { get; }

    /// <summary>Whether votes weigh 1/distance.</summary>
    public bool DistanceWeighted { get; }

    /// <summary>Number of classes (labels lie in [0, NumClasses)); set by <see cref="Fit"/>.</summary>
    public int NumClasses { get; private set; }

    /// <summary>Number of remembered training samples.</summary>
    public int ReferenceCount => _labels.Length;

    /// <summary>Query rows per distance block (default 512).</summary>
    public int QueryChunk { get; init; } = 512;

    /// <summary>Training rows per distance block (default 2048).</summary>
    public int ReferenceChunk { get; init; } = 2048;

    /// <summary>
    /// Remembers <paramref name="samples"/> (N, …), flattened to N rows, and their labels. The tensor
    /// is kept, not copied: do not change it while this classifier is in use.
    /// </summary>
    /// <exception cref="ArgumentException">No samples, a label count other than N, or a label outside [0, numClasses).</exception>
    public void Fit(Tensor samples, ReadOnlySpan<int> labels, int numClasses)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Rank < 2 || samples.Shape[0] == 0)
            throw new ArgumentException($"KNearestNeighbors: expected samples (N, …) with N ≥ 1, got {samples.Shape}.", nameof(samples));
        int n = samples.Shape[0];
        if (labels.Length != n)
            throw new ArgumentException($"KNearestNeighbors: expected one label per sample ({n}), got {labels.Length}.", nameof(labels));
        if (numClasses < 1)
            throw new ArgumentOutOfRangeException(nameof(numClasses), $"KNearestNeighbors: expected at least 1 class, got {numClasses}.");
        for (int i = 0; i < n; i++)
        {
            if ((uint)labels[i] >= (uint)numClasses)
                throw new ArgumentException($"KNearestNeighbors: expected labels in [0, {numClasses}), got labels[{i}] = {labels[i]}.", nameof(labels));
        }
        _features = samples.Size / n;
        _references = samples;
        _labels = labels.ToArray();
        NumClasses = numClasses;
        _referenceNorms = new float[n];
        if (Metric == DistanceMetric.L2)
            PairwiseDistance.RowSquaredNorms(samples.Span, n, _features, _referenceNorms);
    }

    /// <summary>The predicted class of every query (N, …) shaped like the training samples.</summary>
    /// <param name="queries">The images to classify.</param>
    /// <param name="progress">Told the fraction of distance blocks done, after each block.</param>
    /// <remarks>With fewer training samples than <see cref="K"/>, all of them vote.</remarks>
    public int[] Predict(Tensor queries, IProgress<double>? progress = null)
    {
        var neighbors = FindNeighbors(queries, Math.Min(K, ReferenceCount == 0 ? K : ReferenceCount), progress);
        return Vote(neighbors, neighbors.K, NumClasses, DistanceWeighted);
    }

    /// <summary>
    /// The <paramref name="k"/> nearest training samples of every query, nearest first. One search
    /// serves every smaller k too (<see cref="Vote(NeighborList, int, int, bool)"/> takes the first k), which is how
    /// cross-validation over k costs one search per fold.
    /// </summary>
    /// <exception cref="InvalidOperationException">Fit was not called.</exception>
    /// <exception cref="ArgumentException">The queries' feature count differs from the training samples', or k is outside [1, N].</exception>
    public NeighborList FindNeighbors(Tensor queries, int k, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(queries);
        var references = _references ?? throw new InvalidOperationException("KNearestNeighbors: expected Fit(samples, labels, classes) before searching, got none.");
        int n = references.Shape[0];
        if (k < 1 || k > n)
            throw new ArgumentOutOfRangeException(nameof(k), $"KNearestNeighbors: expected 1 ≤ k ≤ {n} (the training samples), got {k}.");
        int m = queries.Rank == 0 ? 0 : queries.Shape[0];
        if (m == 0 || queries.Size / m != _features || queries.Size % m != 0)
            throw new ArgumentException(
                $"KNearestNeighbors: expected queries (M, …) with {_features} features each like the training samples {references.Shape}, got {queries.Shape}.", nameof(queries));
        if (QueryChunk < 1 || ReferenceChunk < 1)
            throw new InvalidOperationException($"KNearestNeighbors: expected chunk sizes ≥ 1, got QueryChunk {QueryChunk}, ReferenceChunk {ReferenceChunk}.");

        int d = _features;
        int qc = Math.Min(QueryChunk, m), rc = Math.Min(ReferenceChunk, n);
        var block = new float[qc * rc];
        var queryNorms = new float[qc];
        var best = new TopK(m, k);
        var merge = new MergeBlock(best, block);
        int queryChunks = (m + qc - 1) / qc, referenceChunks = (n + rc - 1) / rc, done = 0;
        for (int q0 = 0; q0 < m; q0 += qc)
        {
            int rows = Math.Min(qc, m - q0);
            var x = queries.Span.Slice(q0 * d, rows * d);
            if (Metric == DistanceMetric.L2)
                PairwiseDistance.RowSquaredNorms(x, rows, d, queryNorms);
            for (int r0 = 0; r0 < n; r0 += rc)
            {
                int cols = Math.Min(rc, n - r0);
                var y = references.Span.Slice(r0 * d, cols * d);
                if (Metric == DistanceMetric.L2)
                    PairwiseDistance.SquaredL2(x, queryNorms, rows, y, _referenceNorms.AsSpan(r0, cols), cols, d, block, cols);
                else
                    PairwiseDistance.L1(x, rows, y, cols, d, block, cols);
                merge.Set(q0, rows, r0, cols);
                Parallelism.For((rows + MergeBlock.RowsPerTask - 1) / MergeBlock.RowsPerTask, merge);
                progress?.Report((double)++done / (queryChunks * referenceChunks));
            }
        }

        var labels = new int[m * k];
        for (int i = 0; i < labels.Length; i++)
            labels[i] = _labels[best.Indices[i]];
        if (Metric == DistanceMetric.L2)
        {
            for (int i = 0; i < best.Distances.Length; i++)
                best.Distances[i] = MathF.Sqrt(best.Distances[i]);                   // report ‖x − y‖, ranked by its square
        }
        return new NeighborList(m, k, best.Indices, best.Distances, labels);
    }

    /// <summary>The vote of the first <paramref name="k"/> neighbours of every query in <paramref name="neighbors"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is outside [1, neighbors.K].</exception>
    public static int[] Vote(NeighborList neighbors, int k, int numClasses, bool distanceWeighted = false)
    {
        ArgumentNullException.ThrowIfNull(neighbors);
        if (k < 1 || k > neighbors.K)
            throw new ArgumentOutOfRangeException(nameof(k), $"KNearestNeighbors.Vote: expected 1 ≤ k ≤ {neighbors.K} (the neighbours found), got {k}.");
        var predicted = new int[neighbors.Count];
        var scores = new double[numClasses];
        for (int q = 0; q < neighbors.Count; q++)
            predicted[q] = Vote(neighbors.LabelsOf(q)[..k], neighbors.DistancesOf(q)[..k], distanceWeighted, scores);
        return predicted;
    }

    /// <summary>
    /// One vote: the class with the largest sum of weights among <paramref name="labels"/> (weight 1,
    /// or 1/distance; neighbours at distance 0, if any, outvote all others), ties to the smallest class.
    /// <paramref name="scores"/> has one slot per class and is overwritten.
    /// </summary>
    /// <example><code>
    /// // labels 2, 1, 1, 2 at k = 4: a 2–2 tie, won by class 1 (the smaller index)
    /// int c = KNearestNeighbors.Vote([2, 1, 1, 2], [0.1f, 0.2f, 0.3f, 0.4f], false, new double[3]);   // 1
    /// </code></example>
    public static int Vote(ReadOnlySpan<int> labels, ReadOnlySpan<float> distances, bool distanceWeighted, Span<double> scores)
    {
        if (labels.Length == 0 || distances.Length != labels.Length)
            throw new ArgumentException($"KNearestNeighbors.Vote: expected one distance per label and at least one, got {labels.Length} labels and {distances.Length} distances.", nameof(labels));
        scores.Clear();
        bool exact = false;
        if (distanceWeighted)
        {
            foreach (float distance in distances)
                exact |= distance == 0f;
        }
        for (int i = 0; i < labels.Length; i++)
        {
            double weight = !distanceWeighted ? 1.0 : exact ? (distances[i] == 0f ? 1.0 : 0.0) : 1.0 / distances[i];
            scores[labels[i]] += weight;
        }
        int winner = 0;
        for (int c = 1; c < scores.Length; c++)
        {
            if (scores[c] > scores[winner])
                winner = c;                                     // strictly greater: a tie stays with the smaller class
        }
        return winner;
    }

    /// <summary>Every query's k best (squared, for L2) distances so far, ascending, with their training indices.</summary>
    private sealed class TopK
    {
        public TopK(int queries, int k)
        {
            K = k;
            Distances = new float[queries * k];
            Indices = new int[queries * k];
            Counts = new int[queries];
        }

        public int K { get; }
        public float[] Distances { get; }
        public int[] Indices { get; }
        public int[] Counts { get; }

        /// <summary>Offers references [r0, r0 + row.Length) at distances <paramref name="row"/> to query q.</summary>
        public void Merge(int q, ReadOnlySpan<float> row, int r0)
        {
            int k = K, count = Counts[q];
            var dist = Distances.AsSpan(q * k, k);
            var index = Indices.AsSpan(q * k, k);
            int j = 0;
            for (; count < k && j < row.Length; j++)
                Insert(dist, index, ref count, row[j], r0 + j);
            float worst = count == k ? dist[k - 1] : float.PositiveInfinity;
            int width = Vector<float>.Count;
            for (; j < row.Length; j++)
            {
                // Most distances lose: skip a whole vector of them with one compare.
                if ((j & (width - 1)) == 0 && j + width <= row.Length)
                {
                    if (!Vector.LessThanAny(new Vector<float>(row.Slice(j, width)), new Vector<float>(worst)))
                    {
                        j += width - 1;
                        continue;
                    }
                }
                if (row[j] < worst)                              // strict: an equal distance keeps the earlier index
                {
                    Insert(dist, index, ref count, row[j], r0 + j);
                    worst = dist[k - 1];
                }
            }
            Counts[q] = count;
        }

        // Insertion into the sorted list; when full, the last (worst) entry falls off.
        private static void Insert(Span<float> dist, Span<int> index, ref int count, float value, int reference)
        {
            int at = count < dist.Length ? count : dist.Length - 1;
            while (at > 0 && dist[at - 1] > value)
            {
                dist[at] = dist[at - 1];
                index[at] = index[at - 1];
                at--;
            }
            dist[at] = value;
            index[at] = reference;
            if (count < dist.Length)
                count++;
        }
    }

    /// <summary>Merges one distance block into the running top-k, a few query rows per task.</summary>
    private sealed class MergeBlock(TopK best, float[] block) : IParallelWork
    {
        public const int RowsPerTask = 16;
        private int _q0, _rows, _r0, _cols;

        public void Set(int q0, int rows, int r0, int cols) => (_q0, _rows, _r0, _cols) = (q0, rows, r0, cols);

        public void Execute(int index)
        {
            int end = Math.Min(_rows, (index + 1) * RowsPerTask);
            for (int i = index * RowsPerTask; i < end; i++)
                best.Merge(_q0 + i, block.AsSpan(i * _cols, _cols), _r0);
        }
    }
}
