// MpiRequest.cs — one nonblocking collective in flight (MPI_Request). Its buffer stays pinned
// (a GCHandle) until Wait or a successful Test completes it.
using System.Runtime.InteropServices;

namespace Cortex.Distributed;

/// <summary>A nonblocking reduction started by <see cref="Mpi.StartAllreduceSum"/>; wait for it before reading its buffer.</summary>
public sealed unsafe class MpiRequest
{
    private readonly Mpi _mpi;
    private GCHandle _pin;

    internal MpiRequest(Mpi mpi, float[] buffer)
    {
        _mpi = mpi;
        _pin = GCHandle.Alloc(buffer, GCHandleType.Pinned);
        Address = (float*)_pin.AddrOfPinnedObject();
    }

    internal float* Address { get; }

    internal nint Handle { get; set; }

    /// <summary>Whether the reduction has finished (and its buffer holds the sum).</summary>
    public bool IsCompleted { get; private set; }

    /// <summary>Lets MPI progress the reduction and says whether it has finished (MPI_Test).</summary>
    public bool Test()
    {
        if (IsCompleted)
            return true;
        if (_mpi.Test(this))
            Complete();
        return IsCompleted;
    }

    /// <summary>Blocks until the reduction has finished (MPI_Wait).</summary>
    public void Wait()
    {
        if (IsCompleted)
            return;
        _mpi.Wait(this);
        Complete();
    }

    internal void Release()
    {
        if (_pin.IsAllocated)
            _pin.Free();
    }

    private void Complete()
    {
        IsCompleted = true;
        Release();
    }
}
