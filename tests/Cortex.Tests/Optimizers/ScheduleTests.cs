using Cortex.Optimizers;
using Cortex.Optimizers.Schedules;
using static Cortex.Tests.Optimizers.OptimizerTestHelpers;

namespace Cortex.Tests.Optimizers;

public class ScheduleTests
{
    private const float Base = 0.1f;

    private static void AssertRate(double expected, float actual) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-6 * Math.Max(1e-3, Math.Abs(expected)), $"expected {expected}, got {actual}");

    [Fact]
    public void Constant()
    {
        foreach (int t in new[] { 0, 1, 50, 1000 })
            Assert.Equal(Base, ConstantSchedule.Instance.Rate(t, Base));
    }

    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(9, 0.1)]
    [InlineData(10, 0.05)]
    [InlineData(19, 0.05)]
    [InlineData(20, 0.025)]
    [InlineData(35, 0.0125)]
    public void StepDecay_HalvesEveryTenEpochs(int epoch, double expected) =>
        AssertRate(expected, new StepDecay(stepSize: 10, gamma: 0.5f).Rate(epoch, Base));

    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(29, 0.1)]
    [InlineData(30, 0.01)]
    [InlineData(60, 0.001)]
    [InlineData(95, 0.0001)]
    public void MultiStepDecay_DropsAtMilestones(int epoch, double expected) =>
        AssertRate(expected, new MultiStepDecay([30, 60, 90], gamma: 0.1f).Rate(epoch, Base));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    public void ExponentialDecay_IsA0TimesExpMinusKt(int epoch) =>
        AssertRate(0.1 * Math.Exp(-0.05 * epoch), new ExponentialDecay(0.05).Rate(epoch, Base));

    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(10, 0.05)]
    [InlineData(30, 0.025)]
    [InlineData(3, 0.1 / 1.3)]
    public void InverseTimeDecay_IsA0Over1PlusKt(int epoch, double expected) =>
        AssertRate(expected, new InverseTimeDecay(0.1).Rate(epoch, Base));

    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(50, 0.0505)]        // halfway: (base + min)/2
    [InlineData(100, 0.001)]
    [InlineData(150, 0.001)]        // stays at the minimum
    [InlineData(25, 0.001 + 0.5 * 0.099 * 1.7071067811865475)]
    public void CosineAnnealing_FromBaseToMinimum(int epoch, double expected) =>
        AssertRate(expected, new CosineAnnealing(period: 100, minRate: 0.001f).Rate(epoch, Base));

    [Fact]
    public void Warmup_RampsLinearly_ThenRunsShiftedInner()
    {
        var schedule = new Warmup(new StepDecay(stepSize: 10, gamma: 0.5f), warmupEpochs: 4);
        AssertRate(0.1 / 5, schedule.Rate(0, Base));        // default f = 1/(W+1)
        AssertRate(0.1 * 2 / 5, schedule.Rate(1, Base));
        AssertRate(0.1 * 4 / 5, schedule.Rate(3, Base));
        AssertRate(0.1, schedule.Rate(4, Base));            // inner epoch 0
        AssertRate(0.1, schedule.Rate(13, Base));           // inner epoch 9
        AssertRate(0.05, schedule.Rate(14, Base));          // inner epoch 10
    }

    [Fact]
    public void Warmup_WithStartFactor_AroundCosine()
    {
        var schedule = new Warmup(new CosineAnnealing(period: 10), warmupEpochs: 2, startFactor: 0f);
        AssertRate(0, schedule.Rate(0, Base));
        AssertRate(0.05, schedule.Rate(1, Base));
        AssertRate(0.1, schedule.Rate(2, Base));
        AssertRate(0.05, schedule.Rate(7, Base));           // cosine halfway (inner epoch 5)
        AssertRate(0, schedule.Rate(12, Base));
    }

    [Fact]
    public void ReduceOnPlateau_MaxMode_DividesByTenAfterPatience()
    {
        var plateau = new ReduceOnPlateau(PlateauMode.Max, factor: 0.1f, patience: 2);
        double[] accuracy = [0.50, 0.60, 0.65, 0.65, 0.64, 0.649, /* reduce here */ 0.70, 0.70, 0.70, 0.70 /* and here */];
        int[] expectedReductions = [0, 0, 0, 0, 0, 1, 1, 1, 1, 2];
        for (int e = 0; e < accuracy.Length; e++)
        {
            plateau.Observe(e, accuracy[e]);
            Assert.Equal(expectedReductions[e], plateau.Reductions);
        }
        Assert.Equal(0.70, plateau.Best);
        AssertRate(0.001, plateau.Rate(10, Base));
    }

    [Fact]
    public void ReduceOnPlateau_MinMode_RelativeThreshold()
    {
        var plateau = new ReduceOnPlateau(PlateauMode.Min, factor: 0.5f, patience: 0, threshold: 0.01);
        plateau.Observe(0, 1.0);
        plateau.Observe(1, 0.995);      // less than 1 % better: not an improvement
        Assert.Equal(1, plateau.Reductions);
        Assert.Equal(1.0, plateau.Best);
        plateau.Observe(2, 0.98);       // 2 % better: improvement
        Assert.Equal(1, plateau.Reductions);
        Assert.Equal(0.98, plateau.Best);
        AssertRate(0.05, plateau.Rate(3, Base));
    }

    [Fact]
    public void ReduceOnPlateau_Cooldown_MinRate_NaN()
    {
        var plateau = new ReduceOnPlateau(PlateauMode.Min, factor: 0.1f, patience: 0, cooldown: 2, minRate: 0.0005f);
        plateau.Observe(0, 1.0);
        plateau.Observe(1, double.NaN);  // NaN never improves → reduction 1, cooldown 2
        Assert.Equal(1, plateau.Reductions);
        plateau.Observe(2, 2.0);         // cooldown
        plateau.Observe(3, 2.0);         // cooldown
        Assert.Equal(1, plateau.Reductions);
        plateau.Observe(4, 2.0);
        Assert.Equal(2, plateau.Reductions);
        plateau.Observe(5, 2.0);
        plateau.Observe(6, 2.0);
        plateau.Observe(7, 2.0);
        Assert.Equal(3, plateau.Reductions);
        AssertRate(0.0005, plateau.Rate(8, Base));     // 0.1·10⁻³ floored at minRate
        plateau.Reset();
        Assert.Equal(0, plateau.Reductions);
        Assert.Equal(double.PositiveInfinity, plateau.Best);
    }

    [Fact]
    public void ReduceOnPlateau_InsideWarmup_IgnoresWarmupEpochs()
    {
        var plateau = new ReduceOnPlateau(PlateauMode.Max, patience: 0);
        ILearningRateSchedule schedule = new Warmup(plateau, warmupEpochs: 3);
        schedule.Observe(0, 0.5);
        schedule.Observe(1, 0.4);
        schedule.Observe(2, 0.3);
        Assert.Equal(0, plateau.Reductions);
        schedule.Observe(3, 0.6);
        schedule.Observe(4, 0.6);
        Assert.Equal(1, plateau.Reductions);
        AssertRate(0.01, schedule.Rate(5, Base));
    }

    [Fact]
    public void Scheduler_SetsOptimizerRate_FromBaseRate()
    {
        var opt = new Momentum([Param(1f)], learningRate: 0.01f);
        var scheduler = new LearningRateScheduler(opt, new ReduceOnPlateau(PlateauMode.Max, patience: 1));
        Assert.Equal(0.01f, scheduler.BaseRate);
        double[] accuracy = [0.5, 0.5, 0.5];
        for (int e = 0; e < accuracy.Length; e++)
        {
            Assert.Equal(0.01f, scheduler.BeginEpoch(e));
            scheduler.EndEpoch(e, accuracy[e]);
        }
        scheduler.BeginEpoch(3);
        AssertRate(0.001, opt.LearningRate);
    }

    [Fact]
    public void BadArguments_ThrowWithScheduleNameAndValue()
    {
        Assert.Contains("StepDecay: stepSize must be > 0, got 0", Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecay(0, 0.5f)).Message, StringComparison.Ordinal);
        Assert.Contains("CosineAnnealing: epochs count from 0, got -1", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealing(10).Rate(-1, Base)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiStepDecay([30, 20]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceOnPlateau(PlateauMode.Max, factor: 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Warmup(ConstantSchedule.Instance, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialDecay(-1));
    }
}
