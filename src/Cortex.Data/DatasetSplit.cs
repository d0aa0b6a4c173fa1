// DatasetSplit.cs — a training set and its held-out test set, as a data source returns them.
namespace Cortex.Data;

/// <summary>A train/test pair with the same classes and image shape.</summary>
/// <example><code>
/// var (train, test) = DataSources.Load("fashion-mnist");
/// </code></example>
public sealed record DatasetSplit
{
    /// <summary>Pairs <paramref name="train"/> with <paramref name="test"/>; both must share class names and sample shape.</summary>
    public DatasetSplit(ImageDataset train, ImageDataset test, string source = "")
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(source);
        if (train.SampleShape != test.SampleShape)
            throw new ArgumentException(
                $"DatasetSplit: expected train and test images of one shape, got {train.SampleShape} and {test.SampleShape}.", nameof(test));
        if (!train.ClassNames.SequenceEqual(test.ClassNames))
            throw new ArgumentException(
                $"DatasetSplit: expected train and test to share class names, got [{string.Join(", ", train.ClassNames)}] and " +
                $"[{string.Join(", ", test.ClassNames)}].", nameof(test));
        Train = train;
        Test = test;
        Source = source;
    }

    /// <summary>The training images.</summary>
    public ImageDataset Train { get; }

    /// <summary>The held-out test images.</summary>
    public ImageDataset Test { get; }

    /// <summary>
    /// A separate validation set when the source has one (an image folder with both validation/ and test/);
    /// null otherwise (hold one out of <see cref="Train"/> with <c>HoldOut.Split</c>).
    /// </summary>
    public ImageDataset? Validation
    {
        get;
        init
        {
            if (value is not null && (value.SampleShape != Train.SampleShape || !value.ClassNames.SequenceEqual(Train.ClassNames)))
                throw new ArgumentException(
                    $"DatasetSplit: expected the validation set to match train ({Train.SampleShape}, [{string.Join(", ", Train.ClassNames)}]), " +
                    $"got {value.SampleShape}, [{string.Join(", ", value.ClassNames)}].", nameof(value));
            field = value;
        }
    }

    /// <summary>Where the data came from (a folder or URL), for messages and logs.</summary>
    public string Source { get; }

    /// <summary>Class names (shared by both sets).</summary>
    public IReadOnlyList<string> ClassNames => Train.ClassNames;

    /// <summary>Deconstructs into (train, test).</summary>
    public void Deconstruct(out ImageDataset train, out ImageDataset test) => (train, test) = (Train, Test);
}
