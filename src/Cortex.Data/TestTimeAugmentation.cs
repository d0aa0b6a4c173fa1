// TestTimeAugmentation.cs — averaging a model's predictions over several fixed views of each test
// image. AlexNet (Krizhevsky et al. 2012, §4.1): "the network makes a prediction by extracting
// five 224×224 patches (the four corner patches and the center patch) as well as their horizontal
// reflections (hence ten patches in all), and averaging the predictions made by the network's
// softmax layer on the ten patches." ResNet repeats this at several scales (pass Resize.ShortSide
// views to Average).
//
// Scores: by default the softmax of the model's outputs (a model ending in logits, as Cortex's
// models do for SoftmaxCrossEntropy), averaged over views; softmax: false averages raw outputs.
using Cortex.Data.Transforms;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Data;

/// <summary>Test-time augmentation: predictions averaged over fixed views (10-crop).</summary>
/// <example><code>
/// // Images stored at 36×36, a model that takes 32×32:
/// Tensor scores = TestTimeAugmentation.TenCrop(model, test.Images, 32, 32);    // (N, classes)
/// double accuracy = TestTimeAugmentation.Accuracy(scores, test.Labels);
/// </code></example>
public static class TestTimeAugmentation
{
    /// <summary>The ten AlexNet views: centre and four corners of <paramref name="height"/>×<paramref name="width"/>, then their mirror images.</summary>
    public static IReadOnlyList<Transform> TenCropViews(int height, int width)
    {
        CropAnchor[] anchors = [CropAnchor.Center, CropAnchor.TopLeft, CropAnchor.TopRight, CropAnchor.BottomLeft, CropAnchor.BottomRight];
        var crops = anchors.Select(a => (Transform)new Crop(height, width, a)).ToList();
        return [.. crops, .. crops.Select(c => (Transform)new Compose(c, new HorizontalFlip(probability: 1)))];
    }

    /// <summary>
    /// The softmax scores of <paramref name="model"/> averaged over the ten crops of each image of
    /// <paramref name="images"/> (N, C, H, W): (N, classes).
    /// </summary>
    public static Tensor TenCrop(Layer model, Tensor images, int cropHeight, int cropWidth, int batchSize = 64, bool softmax = true) =>
        Average(model, images, TenCropViews(cropHeight, cropWidth), batchSize, softmax);

    /// <summary>
    /// The scores of <paramref name="model"/> (inference mode) averaged over <paramref name="views"/> of every image of
    /// <paramref name="images"/> (N, C, H, W). Views must be deterministic and give one output size.
    /// </summary>
    public static Tensor Average(Layer model, Tensor images, IReadOnlyList<Transform> views, int batchSize = 64, bool softmax = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(views);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (images.Rank != 4)
            throw new ArgumentException($"TestTimeAugmentation: expected images (N, C, H, W), got {images.Shape}.", nameof(images));
        if (views.Count == 0)
            throw new ArgumentException("TestTimeAugmentation: expected at least one view, got none.", nameof(views));
        int n = images.Shape[0];
        var size = new ImageSize(images.Shape[1], images.Shape[2], images.Shape[3]);
        var viewSize = views[0].OutputSize(size);
        foreach (var view in views)
        {
            if (view.OutputSize(size) != viewSize)
                throw new ArgumentException(
                    $"TestTimeAugmentation: expected every view to give {viewSize}, got {view.OutputSize(size)} from {view.Name}.", nameof(views));
        }
        var random = new CortexRandom(0);   // views are deterministic; this only satisfies the signature
        Tensor? sum = null;
        int classes = 0;
        var batch = new Tensor(viewSize.ToBatchShape(Math.Min(batchSize, Math.Max(n, 1))));
        for (int start = 0; start < n; start += batchSize)
        {
            int count = Math.Min(batchSize, n - start);
            var x = count == batch.Shape[0] ? batch : batch.SliceBatch(0, count);
            foreach (var view in views)
            {
                for (int i = 0; i < count; i++)
                {
                    view.Apply(images.Span.Slice((start + i) * size.Length, size.Length), size,
                        x.Span.Slice(i * viewSize.Length, viewSize.Length), random);
                }
                var y = model.Forward(x, training: false);
                if (y.Rank != 2 || y.Shape[0] != count)
                    throw new InvalidOperationException($"TestTimeAugmentation: expected the model to output (N, classes), got {y.Shape}.");
                if (sum is null)
                {
                    classes = y.Shape[1];
                    sum = new Tensor(n, classes);
                }
                var target = sum.Span.Slice(start * classes, count * classes);
                for (int i = 0; i < count; i++)
                {
                    var row = y.Span.Slice(i * classes, classes);
                    var acc = target.Slice(i * classes, classes);
                    if (softmax)
                        AddSoftmax(row, acc);
                    else
                        System.Numerics.Tensors.TensorPrimitives.Add(acc, row, acc);
                }
            }
        }
        sum ??= new Tensor(0, classes);
        System.Numerics.Tensors.TensorPrimitives.Divide(sum.Span, views.Count, sum.Span);
        return sum;
    }

    /// <summary>The fraction of rows of <paramref name="scores"/> (N, classes) whose largest entry is the label.</summary>
    public static double Accuracy(Tensor scores, ReadOnlySpan<int> labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Rank != 2 || scores.Shape[0] != labels.Length)
            throw new ArgumentException($"TestTimeAugmentation: expected scores ({labels.Length}, classes), got {scores.Shape}.", nameof(scores));
        if (labels.Length == 0)
            return double.NaN;
        int classes = scores.Shape[1], correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax(scores.Span.Slice(i * classes, classes)) == labels[i])
                correct++;
        }
        return (double)correct / labels.Length;
    }

    // acc += softmax(row), computed stably: exp(row − max) / Σ exp(row − max).
    private static void AddSoftmax(ReadOnlySpan<float> row, Span<float> acc)
    {
        float max = System.Numerics.Tensors.TensorPrimitives.Max(row);
        double total = 0;
        for (int k = 0; k < row.Length; k++)
            total += Math.Exp(row[k] - max);
        for (int k = 0; k < row.Length; k++)
            acc[k] += (float)(Math.Exp(row[k] - max) / total);
    }
}
