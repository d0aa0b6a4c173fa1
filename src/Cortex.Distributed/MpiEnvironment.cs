// MpiEnvironment.cs — whether this process was started by an MPI launcher, read from the
// variables the launchers set: MPICH's Hydra (PMI_RANK, PMI_SIZE), Open MPI's mpirun
// (OMPI_COMM_WORLD_RANK, OMPI_COMM_WORLD_SIZE), PMIx launchers (PMIX_RANK) and Slurm's srun
// (SLURM_PROCID, SLURM_NTASKS). Nothing is loaded or initialised here.
namespace Cortex.Distributed;

/// <summary>The launcher's view of this process, from environment variables only.</summary>
public static class MpiEnvironment
{
    /// <summary>The number of processes the launcher started (1 when none is visible).</summary>
    public static int LaunchedSize => ReadInt("OMPI_COMM_WORLD_SIZE") ?? ReadInt("PMI_SIZE") ?? ReadInt("SLURM_NTASKS") ?? 1;

    /// <summary>This process's rank according to the launcher (0 when none is visible).</summary>
    public static int LaunchedRank => ReadInt("OMPI_COMM_WORLD_RANK") ?? ReadInt("PMI_RANK") ?? ReadInt("PMIX_RANK") ?? ReadInt("SLURM_PROCID") ?? 0;

    /// <summary>Whether an MPI launcher started more than one process (so training should be distributed).</summary>
    public static bool IsLaunchedByMpi => LaunchedSize > 1;

    /// <summary>Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE: then its library is tried first.</summary>
    internal static bool LaunchedByOpenMpi => Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null;

    private static int? ReadInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.NumberStyles.Integer,
                     System.Globalization.CultureInfo.InvariantCulture, out int value) ? value : null;
}
