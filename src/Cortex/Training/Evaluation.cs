// Evaluation.cs — the result of running a model over a data set in inference mode.
using System.Globalization;
using System.Text;

namespace Cortex.Training;

/// <summary>Loss, accuracy, top-k accuracy and confusion matrix of a model on a data set.</summary>
public sealed record Evaluation(int Count, int Correct, double Loss, int TopKCorrect, int TopK, int[,] Confusion)
{
    /// <summary>Fraction classified correctly.</summary>
    public double Accuracy => Count == 0 ? double.NaN : (double)Correct / Count;

    /// <summary>Fraction whose label is among the top <see cref="TopK"/> scores.</summary>
    public double TopKAccuracy => Count == 0 ? double.NaN : (double)TopKCorrect / Count;

    /// <summary>The confusion matrix as text, rows = true class, columns = predicted class.</summary>
    public string FormatConfusion(IReadOnlyList<string>? classNames = null)
    {
        int k = Confusion.GetLength(0);
        var sb = new StringBuilder();
        int width = Math.Max(5, Count.ToString(CultureInfo.InvariantCulture).Length + 1);
        sb.Append("true\\pred".PadRight(12));
        for (int j = 0; j < k; j++)
            sb.Append(j.ToString(CultureInfo.InvariantCulture).PadLeft(width));
        sb.Append('\n');
        for (int i = 0; i < k; i++)
        {
            string index = i.ToString(CultureInfo.InvariantCulture);
            string name = classNames is not null && i < classNames.Count && classNames[i] != index ? $"{i} {classNames[i]}" : index;
            sb.Append((name.Length > 11 ? name[..11] : name).PadRight(12));
            for (int j = 0; j < k; j++)
                sb.Append(Confusion[i, j].ToString(CultureInfo.InvariantCulture).PadLeft(width));
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
