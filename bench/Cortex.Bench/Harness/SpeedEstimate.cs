// SpeedEstimate.cs — remembers how fast a contender went on the largest case so far, to predict
// how long one call of a bigger case would take. Suites use it to skip a side whose single call
// would blow the time budget (today: the placeholder GEMM at 2048³ would need minutes per call).
namespace Cortex.Bench.Harness;

/// <summary>Predicts the duration of a call from the rate observed on the largest earlier case.</summary>
public sealed class SpeedEstimate
{
    private double _largestWork;
    private double _rate;                           // work per second on that case

    /// <summary>Records that <paramref name="work"/> ran at a median of <paramref name="secondsPerCall"/>.</summary>
    public void Observe(double work, double secondsPerCall)
    {
        if (work >= _largestWork && secondsPerCall > 0)
            (_largestWork, _rate) = (work, work / secondsPerCall);
    }

    /// <summary>Predicted seconds for one call of <paramref name="work"/>, or null before any observation.</summary>
    public double? Seconds(double work) => _rate > 0 ? work / _rate : null;
}
