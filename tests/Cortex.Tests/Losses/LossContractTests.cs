using Cortex.Losses;
using Cortex.Tensors;

namespace Cortex.Tests.Losses;

// The uniform contract every loss follows: reuse of the gradient tensor, Backward before Forward,
// shape and label validation with messages that name the loss, the index, the value and K.
public class LossContractTests
{
    private static Tensor Scores() => Tensor.FromArray(new float[,] { { 1f, 2f, 3f }, { 0f, -1f, 0.5f } });

    public static TheoryData<string> AllLosses => ["softmax", "svm", "bce", "bce-p", "mse"];

    private static (Loss Loss, Tensor Output, Tensor Target) Case(string kind, int n) => kind switch
    {
        "softmax" => (new SoftmaxCrossEntropy(), Tensor.RandomNormal(new Shape(n, 4), new CortexRandom(1)), LossGradient.RandomLabels(n, 4, new CortexRandom(2))),
        "svm" => (new MulticlassSvm(), Tensor.RandomNormal(new Shape(n, 4), new CortexRandom(1)), LossGradient.RandomLabels(n, 4, new CortexRandom(2))),
        "bce" => (new BinaryCrossEntropy(), Tensor.RandomNormal(new Shape(n, 1), new CortexRandom(1)), LossGradient.RandomLabels(n, 2, new CortexRandom(2))),
        "bce-p" => (new BinaryCrossEntropy(fromLogits: false), Tensor.RandomUniform(new Shape(n, 1), new CortexRandom(1), 0.1f, 0.9f), LossGradient.RandomLabels(n, 2, new CortexRandom(2))),
        "mse" => (new MeanSquaredError(), Tensor.RandomNormal(new Shape(n, 3), new CortexRandom(1)), Tensor.RandomNormal(new Shape(n, 3), new CortexRandom(2))),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(AllLosses))]
    public void Backward_ReusesGradientTensor(string kind)
    {
        var (loss, output, target) = Case(kind, 5);
        loss.Forward(output, target);
        var first = loss.Backward();
        var firstValues = first.ToArray();
        Assert.Equal(output.Shape, first.Shape);

        var (_, output2, target2) = Case(kind, 5);
        output2.ScaleInPlace(0.5f);
        loss.Forward(output2, target2);
        var second = loss.Backward();
        Assert.Same(first, second);
        Assert.NotEqual(firstValues, second.ToArray());          // recomputed, not stale

        var (_, output3, target3) = Case(kind, 3);                // a new batch size gets its own tensor
        loss.Forward(output3, target3);
        Assert.Equal(output3.Shape, loss.Backward().Shape);
    }

    [Theory]
    [MemberData(nameof(AllLosses))]
    public void Forward_NaNInScores_ThrowsNamingIt(string kind)
    {
        var (loss, output, target) = Case(kind, 3);
        output.Span[^1] = float.NaN;
        var e = Assert.Throws<NonFiniteLossException>(() => loss.Forward(output, target));
        Assert.StartsWith($"{loss.Name}: expected finite scores, got a loss of NaN (output[2, ", e.Message, StringComparison.Ordinal);
        Assert.Contains("] = NaN, output [3, ", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllLosses))]
    public void Backward_BeforeForward_Throws(string kind)
    {
        var (loss, _, _) = Case(kind, 2);
        var e = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.StartsWith($"{loss.Name}: expected Forward(output, target) before Backward, got none.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Backward_AfterFailedForward_Throws()
    {
        var loss = new SoftmaxCrossEntropy();
        loss.Forward(Scores(), Tensor.FromArray(0f, 1f));
        Assert.Throws<ArgumentException>(() => loss.Forward(Scores(), Tensor.FromArray(0f, 7f)));
        Assert.Throws<InvalidOperationException>(() => loss.Backward());
    }

    [Fact]
    public void SoftmaxCrossEntropy_LabelOutOfRange_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new SoftmaxCrossEntropy().Forward(Scores(), Tensor.FromArray(0f, 3f)));
        Assert.Equal(
            "SoftmaxCrossEntropy: expected class labels in [0, 3) for K = 3 classes, got target[1] = 3. " +
            "Check the number of output units against the dataset's classes. (Parameter 'target')", e.Message);
    }

    [Fact]
    public void MulticlassSvm_NegativeLabel_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new MulticlassSvm().Forward(Scores(), Tensor.FromArray(-1f, 0f)));
        Assert.StartsWith("MulticlassSvm: expected class labels in [0, 3) for K = 3 classes, got target[0] = -1.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SoftmaxCrossEntropy_NonIntegerLabel_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new SoftmaxCrossEntropy().Forward(Scores(), Tensor.FromArray(1.5f, 0f)));
        Assert.StartsWith("SoftmaxCrossEntropy: expected integer class labels in [0, 3), got target[0] = 1.5.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SoftmaxCrossEntropy_OneHotTarget_ThrowsNamingBothShapes()
    {
        var oneHot = Tensor.FromArray(new float[,] { { 1f, 0f, 0f }, { 0f, 1f, 0f } });
        var e = Assert.Throws<ArgumentException>(() => new SoftmaxCrossEntropy().Forward(Scores(), oneHot));
        Assert.StartsWith("SoftmaxCrossEntropy: expected class labels of shape [2] for scores [2, 3], got [2, 3].", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MulticlassSvm_WrongLabelCount_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new MulticlassSvm().Forward(Scores(), Tensor.FromArray(0f, 1f, 2f)));
        Assert.StartsWith("MulticlassSvm: expected class labels of shape [2] for scores [2, 3], got [3].", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SoftmaxCrossEntropy_SpatialScores_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new SoftmaxCrossEntropy().Forward(new Tensor(2, 3, 4, 4), Tensor.FromArray(0f, 1f)));
        Assert.StartsWith("SoftmaxCrossEntropy: expected scores [N, K], got [2, 3, 4, 4]. Flatten", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MeanSquaredError_ShapeMismatch_ThrowsNamingBothShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => new MeanSquaredError().Forward(new Tensor(2, 3), new Tensor(3, 2)));
        Assert.StartsWith("MeanSquaredError: expected a target of shape [2, 3] like the output, got [3, 2].", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BinaryCrossEntropy_ShapeMismatch_ThrowsNamingBothShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => new BinaryCrossEntropy(fromLogits: false).Forward(new Tensor(4, 1), new Tensor(3)));
        Assert.StartsWith("BinaryCrossEntropy(probabilities): expected a target of shape [4, 1] like the output, got [3].", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyBatch_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new SoftmaxCrossEntropy().Forward(new Tensor(0, 3), new Tensor(0)));
        Assert.StartsWith("SoftmaxCrossEntropy: expected a non-empty batch (N ≥ 1 along the first axis), got output [0, 3].", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Forward_ReturnsMeanOverBatch_ForEveryLoss()
    {
        // Two identical samples have the same mean loss as one of them.
        var one = Tensor.FromArray(new float[,] { { 0.3f, -0.2f, 1.1f } });
        var two = Tensor.FromArray(new float[,] { { 0.3f, -0.2f, 1.1f }, { 0.3f, -0.2f, 1.1f } });
        Assert.Equal(new SoftmaxCrossEntropy().Forward(one, Tensor.FromArray(2f)), new SoftmaxCrossEntropy().Forward(two, Tensor.FromArray(2f, 2f)), 6);
        Assert.Equal(new MulticlassSvm().Forward(one, Tensor.FromArray(0f)), new MulticlassSvm().Forward(two, Tensor.FromArray(0f, 0f)), 6);
    }
}
