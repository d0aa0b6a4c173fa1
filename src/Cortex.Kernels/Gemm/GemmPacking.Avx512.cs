// GemmPacking.Avx512.cs — the AVX-512 transpose used by packing when the micro-kernel is the
// AVX-512 one: turns up to 16 stored rows × 16 columns into 16 k-steps of up to 16 values.
//
//   dst[j*dstStride + i] = src[i*ld + j]      i < rows ≤ 16, j < 16   (lanes i ≥ rows: 0, or masked off)
//
// Why: packing an untransposed A (rows of op(A) are stored rows, the panel wants them
// interleaved per k step) and a transposed B is a transpose. Element by element it costs two
// memory operations per float, which is 10–15 % of a 256³ product; in registers it is 16
// loads, 64 shuffles and 16 stores per 256 floats.
// Not here: the block loops (GemmPacking.cs), other instruction sets (they use the scalar loop).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cortex.Kernels;

internal static unsafe class GemmPackingAvx512
{
    /// <summary>Transposes a rows × 16 block at <paramref name="src"/> into 16 steps at <paramref name="dst"/>; each step stores the lanes in <paramref name="storeMask"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose16(float* src, nint ld, int rows, float* dst, nint dstStride, Vector512<float> storeMask)
    {
        var r0 = Row(src, ld, 0, rows); var r1 = Row(src, ld, 1, rows); var r2 = Row(src, ld, 2, rows); var r3 = Row(src, ld, 3, rows);
        var r4 = Row(src, ld, 4, rows); var r5 = Row(src, ld, 5, rows); var r6 = Row(src, ld, 6, rows); var r7 = Row(src, ld, 7, rows);
        var r8 = Row(src, ld, 8, rows); var r9 = Row(src, ld, 9, rows); var r10 = Row(src, ld, 10, rows); var r11 = Row(src, ld, 11, rows);
        var r12 = Row(src, ld, 12, rows); var r13 = Row(src, ld, 13, rows); var r14 = Row(src, ld, 14, rows); var r15 = Row(src, ld, 15, rows);

        // Stage 1, within each 128-bit block b: t(2g) = [r(2g)[4b], r(2g+1)[4b], r(2g)[4b+1], r(2g+1)[4b+1]], t(2g+1) the same for 4b+2, 4b+3.
        var t0 = Avx512F.UnpackLow(r0, r1); var t1 = Avx512F.UnpackHigh(r0, r1);
        var t2 = Avx512F.UnpackLow(r2, r3); var t3 = Avx512F.UnpackHigh(r2, r3);
        var t4 = Avx512F.UnpackLow(r4, r5); var t5 = Avx512F.UnpackHigh(r4, r5);
        var t6 = Avx512F.UnpackLow(r6, r7); var t7 = Avx512F.UnpackHigh(r6, r7);
        var t8 = Avx512F.UnpackLow(r8, r9); var t9 = Avx512F.UnpackHigh(r8, r9);
        var t10 = Avx512F.UnpackLow(r10, r11); var t11 = Avx512F.UnpackHigh(r10, r11);
        var t12 = Avx512F.UnpackLow(r12, r13); var t13 = Avx512F.UnpackHigh(r12, r13);
        var t14 = Avx512F.UnpackLow(r14, r15); var t15 = Avx512F.UnpackHigh(r14, r15);

        // Stage 2: u(4g + c), block b = column 4b + c of rows 4g .. 4g+3.
        var u0 = Avx512F.Shuffle(t0, t2, 0x44); var u1 = Avx512F.Shuffle(t0, t2, 0xEE);
        var u2 = Avx512F.Shuffle(t1, t3, 0x44); var u3 = Avx512F.Shuffle(t1, t3, 0xEE);
        var u4 = Avx512F.Shuffle(t4, t6, 0x44); var u5 = Avx512F.Shuffle(t4, t6, 0xEE);
        var u6 = Avx512F.Shuffle(t5, t7, 0x44); var u7 = Avx512F.Shuffle(t5, t7, 0xEE);
        var u8 = Avx512F.Shuffle(t8, t10, 0x44); var u9 = Avx512F.Shuffle(t8, t10, 0xEE);
        var u10 = Avx512F.Shuffle(t9, t11, 0x44); var u11 = Avx512F.Shuffle(t9, t11, 0xEE);
        var u12 = Avx512F.Shuffle(t12, t14, 0x44); var u13 = Avx512F.Shuffle(t12, t14, 0xEE);
        var u14 = Avx512F.Shuffle(t13, t15, 0x44); var u15 = Avx512F.Shuffle(t13, t15, 0xEE);

        // Stage 3: gather block b of u(c), u(4+c), u(8+c), u(12+c) into column 4b + c.
        Columns(u0, u4, u8, u12, dst, dstStride, 0, storeMask);
        Columns(u1, u5, u9, u13, dst, dstStride, 1, storeMask);
        Columns(u2, u6, u10, u14, dst, dstStride, 2, storeMask);
        Columns(u3, u7, u11, u15, dst, dstStride, 3, storeMask);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Row(float* src, nint ld, int i, int rows) =>
        i < rows ? Vector512.Load(src + i * ld) : Vector512<float>.Zero;

    // Writes columns c, 4+c, 8+c, 12+c from the four stage-2 vectors of rows 0-3, 4-7, 8-11, 12-15.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Columns(Vector512<float> q0, Vector512<float> q1, Vector512<float> q2, Vector512<float> q3, float* dst, nint dstStride, int c, Vector512<float> storeMask)
    {
        var even01 = Avx512F.Shuffle4x128(q0, q1, 0x88);   // [q0.b0, q0.b2, q1.b0, q1.b2]
        var odd01 = Avx512F.Shuffle4x128(q0, q1, 0xDD);    // [q0.b1, q0.b3, q1.b1, q1.b3]
        var even23 = Avx512F.Shuffle4x128(q2, q3, 0x88);
        var odd23 = Avx512F.Shuffle4x128(q2, q3, 0xDD);
        Avx512F.MaskStore(dst + c * dstStride, storeMask, Avx512F.Shuffle4x128(even01, even23, 0x88));          // block 0 → column c
        Avx512F.MaskStore(dst + (4 + c) * dstStride, storeMask, Avx512F.Shuffle4x128(odd01, odd23, 0x88));     // block 1 → column 4+c
        Avx512F.MaskStore(dst + (8 + c) * dstStride, storeMask, Avx512F.Shuffle4x128(even01, even23, 0xDD));   // block 2 → column 8+c
        Avx512F.MaskStore(dst + (12 + c) * dstStride, storeMask, Avx512F.Shuffle4x128(odd01, odd23, 0xDD));    // block 3 → column 12+c
    }
}
