using Cortex.Layers;
using Cortex.Optimizers;
using Cortex.Optimizers.Schedules;
using Cortex.Tensors;
using Cortex.Transfer;
using static Cortex.Tests.Transfer.TransferTesting;

namespace Cortex.Tests.Transfer;

public class ParameterGroupTests
{
    [Fact]
    public void Sgd_StepsEachGroupByItsOwnRate_AndASchedule_ScalesBoth()
    {
        var body = new Parameter("weight", Tensor.FromArray(1f, 2f));
        var head = new Parameter("weight", Tensor.FromArray(3f, 4f));
        var sgd = new Sgd([body, head], learningRate: 0.5f);
        Assert.Equal(1, sgd.SetLearningRateScale([body], 0.1f));
        body.Gradient.CopyFrom(Tensor.FromArray(1f, -1f));
        head.Gradient.CopyFrom(Tensor.FromArray(1f, -1f));

        sgd.Step();
        Assert.Equal([1f - 0.05f, 2f + 0.05f], body.Value.ToArray());     // w − lr·scale·g
        Assert.Equal([3f - 0.5f, 4f + 0.5f], head.Value.ToArray());

        new LearningRateScheduler(sgd, new StepDecay(stepSize: 1, gamma: 0.5f)).BeginEpoch(1);   // lr 0.25
        Assert.Equal(0.025f, sgd.EffectiveLearningRate(0), 6);
        Assert.Equal(0.25f, sgd.EffectiveLearningRate(1), 6);
        sgd.Step();
        Assert.Equal(1f - 0.05f - 0.025f, body.Value.Span[0], 6);
        Assert.Equal(3f - 0.5f - 0.25f, head.Value.Span[0], 6);
    }

    [Fact]
    public void Adam_WithABodyScale_MovesTheBodyExactlyAsAnAdamAtTheScaledRate()
    {
        // Adam's step is lr·m̂/(√v̂+ε): a group at scale s must move exactly as a separate Adam at s·lr.
        var grouped = new Parameter("weight", Tensor.FromArray(0.3f, -0.7f, 1.1f));
        var alone = new Parameter("weight", Tensor.FromArray(0.3f, -0.7f, 1.1f));
        var other = new Parameter("bias", Tensor.FromArray(0f));
        var adam = new Adam([grouped, other], learningRate: 1e-2f);
        adam.SetLearningRateScale([grouped], 0.25f);
        var reference = new Adam([alone], learningRate: 1e-2f * 0.25f);
        for (int step = 0; step < 3; step++)
        {
            var g = Tensor.FromArray(0.5f - step, 0.2f * step, -1f);
            grouped.Gradient.CopyFrom(g);
            alone.Gradient.CopyFrom(g);
            adam.Step();
            reference.Step();
        }
        Assert.Equal(alone.Value.ToArray(), grouped.Value.ToArray());
    }

    [Fact]
    public void CreateOptimizer_GivesTheBodyItsRateAndTheHeadItsOwn()
    {
        var model = SmallNet(2);
        var head = FineTuning.FindHead(model);
        var optimizer = FineTuning.CreateOptimizer("momentum", model, head, headLearningRate: 0.01f, bodyLearningRate: 0.001f);
        var headParameters = head.AllParameters().ToHashSet();
        for (int i = 0; i < optimizer.Parameters.Count; i++)
            Assert.Equal(headParameters.Contains(optimizer.Parameters[i]) ? 0.01f : 0.001f, optimizer.EffectiveLearningRate(i), 7);
    }

    [Fact]
    public void SetLearningRateScale_ForAForeignParameter_Throws()
    {
        var sgd = new Sgd([new Parameter("weight", Tensor.FromArray(1f))], 0.1f);
        var e = Assert.Throws<ArgumentException>(() => sgd.SetLearningRateScale([new Parameter("bias", Tensor.FromArray(0f))], 0.5f));
        Assert.Contains("is not one of the 1 this optimizer updates", e.Message, StringComparison.Ordinal);
    }
}
