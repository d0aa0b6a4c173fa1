// Fold.cs — one split of a K-fold partition: the indices trained on and the ones held out.
namespace Cortex.Data.Validation;

/// <summary>Fold <see cref="Index"/> of K: train on <see cref="Train"/>, validate on <see cref="Validation"/>.</summary>
public sealed record Fold(int Index, int[] Train, int[] Validation);
