// MpiFlavor.cs — the two ABIs of the MPI C library in use today. MPICH's (shared by Intel MPI,
// MVAPICH and Cray MPICH) makes handles 32-bit integers fixed in mpi.h; Open MPI's makes them
// pointers to exported global objects (ompi_mpi_comm_world, …).
namespace Cortex.Distributed;

/// <summary>Which MPI ABI the loaded library speaks.</summary>
public enum MpiFlavor
{
    /// <summary>MPICH and its derivatives (Intel MPI, MVAPICH, Cray MPICH): integer handles, <c>libmpi.so.12</c>.</summary>
    Mpich,

    /// <summary>Open MPI: handles are addresses of exported globals, <c>libmpi.so.40</c>.</summary>
    OpenMpi,
}
