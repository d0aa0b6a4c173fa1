// CifarFormat.cs — the two CIFAR binary record layouts (https://www.cs.toronto.edu/~kriz/cifar.html).
namespace Cortex.Data.Cifar;

/// <summary>Which CIFAR binary record layout a file uses.</summary>
public enum CifarFormat
{
    /// <summary>CIFAR-10: 1 label byte (0–9), then 3072 pixel bytes. 3073 bytes per record.</summary>
    Cifar10,

    /// <summary>CIFAR-100: 1 coarse label byte (0–19), 1 fine label byte (0–99), then 3072 pixel bytes. 3074 bytes per record.</summary>
    Cifar100,
}
