// NonFiniteLossException.cs — thrown when a loss comes out NaN or infinite, so that a trainer can
// tell divergence apart from a malformed batch and stop cleanly.
namespace Cortex.Losses;

/// <summary>The loss of a batch was NaN or infinite: training has diverged or an input is corrupt.</summary>
public sealed class NonFiniteLossException : ArgumentException
{
    public NonFiniteLossException() { }

    public NonFiniteLossException(string message) : base(message) { }

    public NonFiniteLossException(string message, Exception innerException) : base(message, innerException) { }

    public NonFiniteLossException(string message, string paramName) : base(message, paramName) { }
}
