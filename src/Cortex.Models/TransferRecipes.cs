// TransferRecipes.cs — named transfer-learning recipes: a base network, the head to put on it, what
// to freeze, and the optimizer settings of the run, as `cortex finetune --recipe NAME` uses them.
//
//   vgg16-catsdogs   the lectures' recipe (Chollet, "Deep Learning with Python", §5.3.1, "feature
//                    extraction"): VGG16's convolutional base without its top (include_top=False,
//                    150×150×3 input, 14,714,688 parameters), frozen; a new head Flatten,
//                    Dense(256, ReLU), Dropout(0.5), Dense(1) trained with RMSprop at lr 2e-5,
//                    batches of 20, 30 epochs, on a cats/ and dogs/ folder layout.
//
// The book starts from ImageNet weights; Cortex's zoo vgg16 starts from random ones, so pass a
// VGG16 model file (one trained or imported elsewhere) as the base for real transfer.
using Cortex.Tensors;

namespace Cortex.Models;

/// <summary>A transfer-learning recipe: base, head, frozen part and training settings.</summary>
/// <param name="Name">The recipe's name (<c>vgg16-catsdogs</c>).</param>
/// <param name="Description">One line for help texts.</param>
/// <param name="Base">The base network's spec (zoo builder, input, options); NumClasses is what a binary task gets.</param>
/// <param name="Head">The head (<see cref="HeadSpec"/> text).</param>
/// <param name="Freeze">The parameter pattern to freeze (<see cref="Transfer.ParameterPattern"/>).</param>
/// <param name="Optimizer">An optimizer name for <see cref="Optimizers.OptimizerCatalog"/>.</param>
/// <param name="LearningRate">The head's learning rate.</param>
/// <param name="Epochs">Passes over the training set.</param>
/// <param name="BatchSize">Samples per mini-batch.</param>
public sealed record TransferRecipe(
    string Name, string Description, ModelSpec Base, string Head, string Freeze, string Optimizer, float LearningRate, int Epochs, int BatchSize);

/// <summary>The named recipes.</summary>
/// <example><code>var recipe = TransferRecipes.Find("vgg16-catsdogs");   // recipe.Head == "mlp:256,0.5"</code></example>
public static class TransferRecipes
{
    /// <summary>Every recipe.</summary>
    public static IReadOnlyList<TransferRecipe> All { get; } =
    [
        new("vgg16-catsdogs", "VGG16 without its top, frozen, with a new Dense(256)-Dropout(0.5)-Dense(1) head (Chollet §5.3.1)",
            new ModelSpec("vgg16", 1, new Shape(3, 150, 150), new Dictionary<string, string> { ["include_top"] = "false" }),
            Head: "mlp:256,0.5", Freeze: "features", Optimizer: "rmsprop", LearningRate: 2e-5f, Epochs: 30, BatchSize: 20),
    ];

    /// <summary>The recipe named <paramref name="name"/> (case-insensitive); a wrong name lists the recipes.</summary>
    public static TransferRecipe Find(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return All.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"--recipe: no recipe named '{name}'. Available: {string.Join(", ", All.Select(r => r.Name))}.", nameof(name));
    }
}
