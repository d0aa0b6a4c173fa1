// GemmWorkspace.cs — the packing buffers of one thread (its A block; its B panels, or the B block
// it shares with helpers while it leads a call), reused by every GEMM that thread runs so a
// call allocates nothing once the buffers have grown to the largest block it needs.
//
// Why native, 64-byte aligned memory: packed panels are read as whole vectors in the hot loop;
// alignment keeps every zmm load inside one cache line, and native memory is never moved or
// scanned by the GC. One workspace per thread ([ThreadStatic]) means no locking; the finalizer
// frees the memory when a thread that used GEMM ends (pool workers live for the process).
using System.Runtime.InteropServices;

namespace Cortex.Kernels;

internal sealed unsafe class GemmWorkspace
{
    private const nuint Alignment = 64;

    private static long _blockCounter;

    [ThreadStatic]
    private static GemmWorkspace? _current;

    private float* _packedA;
    private nint _packedALength;
    private float* _packedB;
    private nint _packedBLength;

    /// <summary>The GEMM block whose A~ is in <see cref="PackedA"/>, so each thread packs a shared-size A once per block.</summary>
    public long PackedABlock { get; set; }

    /// <summary>A process-wide unique id for a GEMM block (never 0), to compare with <see cref="PackedABlock"/>.</summary>
    public static long NextBlockId() => Interlocked.Increment(ref _blockCounter);

    /// <summary>The calling thread's workspace.</summary>
    public static GemmWorkspace Current => _current ??= new GemmWorkspace();

    /// <summary>A buffer of at least <paramref name="length"/> floats for packed A; valid until the next call.</summary>
    public float* PackedA(nint length)
    {
        if (length > _packedALength)
            PackedABlock = 0;   // fresh memory holds no block
        return Ensure(ref _packedA, ref _packedALength, length);
    }

    /// <summary>A buffer of at least <paramref name="length"/> floats for packed B; valid until the next call.</summary>
    public float* PackedB(nint length) => Ensure(ref _packedB, ref _packedBLength, length);

    private static float* Ensure(ref float* buffer, ref nint capacity, nint length)
    {
        if (length > capacity)
        {
            NativeMemory.AlignedFree(buffer);
            buffer = null;
            capacity = 0;
            buffer = (float*)NativeMemory.AlignedAlloc((nuint)length * sizeof(float), Alignment);
            capacity = length;
        }

        return buffer;
    }

    ~GemmWorkspace()
    {
        NativeMemory.AlignedFree(_packedA);
        NativeMemory.AlignedFree(_packedB);
    }
}
