// SymmetricEigen3.cs — eigen-decomposition of a symmetric 3×3 matrix by cyclic Jacobi rotations
// (Golub & Van Loan, §8.5): rotate away the largest off-diagonal entry until all are ~0. Three
// colour channels need nothing bigger. Eigenvalues come out sorted descending, eigenvectors as
// unit columns with a positive largest component (so the result is reproducible).
namespace Cortex.Data.Transforms;

internal static class SymmetricEigen3
{
    /// <summary>Eigenvalues λ (descending) and eigenvectors V (column k belongs to λ[k]) of symmetric <paramref name="m"/>.</summary>
    public static (double[] Values, double[,] Vectors) Decompose(double[,] m)
    {
        var a = (double[,])m.Clone();
        var v = new double[3, 3] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
        for (int sweep = 0; sweep < 100; sweep++)
        {
            // The largest off-diagonal entry (p, q).
            int p = 0, q = 1;
            if (Math.Abs(a[0, 2]) > Math.Abs(a[p, q]))
                (p, q) = (0, 2);
            if (Math.Abs(a[1, 2]) > Math.Abs(a[p, q]))
                (p, q) = (1, 2);
            double scale = Math.Abs(a[0, 0]) + Math.Abs(a[1, 1]) + Math.Abs(a[2, 2]);
            if (Math.Abs(a[p, q]) <= 1e-15 * Math.Max(scale, 1e-300))
                break;
            // Rotation angle that zeroes a[p, q]: tan 2φ = 2 a_pq / (a_qq − a_pp).
            double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
            double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
            double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
            for (int k = 0; k < 3; k++)
            {
                double akp = a[k, p], akq = a[k, q];
                a[k, p] = c * akp - s * akq;
                a[k, q] = s * akp + c * akq;
            }
            for (int k = 0; k < 3; k++)
            {
                double apk = a[p, k], aqk = a[q, k];
                a[p, k] = c * apk - s * aqk;
                a[q, k] = s * apk + c * aqk;
            }
            for (int k = 0; k < 3; k++)
            {
                double vkp = v[k, p], vkq = v[k, q];
                v[k, p] = c * vkp - s * vkq;
                v[k, q] = s * vkp + c * vkq;
            }
        }
        int[] order = [.. Enumerable.Range(0, 3).OrderByDescending(k => a[k, k])];
        var values = new double[3];
        var vectors = new double[3, 3];
        for (int k = 0; k < 3; k++)
        {
            int from = order[k];
            values[k] = a[from, from];
            int big = 0;
            for (int r = 1; r < 3; r++)
            {
                if (Math.Abs(v[r, from]) > Math.Abs(v[big, from]))
                    big = r;
            }
            double sign = v[big, from] < 0 ? -1 : 1;
            for (int r = 0; r < 3; r++)
                vectors[r, k] = sign * v[r, from];
        }
        return (values, vectors);
    }
}
