// TileConstant.cs — compile-time integers for the micro-kernels' generic parameters.
//
// A micro-kernel is written once as Tile<TRows, TCols> with one accumulator per (row, vector)
// guarded by `if (TRows.Value > i)`. The JIT specializes generic methods over struct type
// arguments, sees each Value as a constant and removes the dead rows, so every edge shape
// (m = 6, a last panel of 3 rows, one vector of columns) gets its own tight, register-only
// kernel from a single source. Nothing else lives here.
namespace Cortex.Kernels;

/// <summary>An integer known to the JIT at compile time.</summary>
internal interface ITileConstant
{
    static abstract int Value { get; }
}

internal readonly struct N1 : ITileConstant { public static int Value => 1; }
internal readonly struct N2 : ITileConstant { public static int Value => 2; }
internal readonly struct N3 : ITileConstant { public static int Value => 3; }
internal readonly struct N4 : ITileConstant { public static int Value => 4; }
internal readonly struct N5 : ITileConstant { public static int Value => 5; }
internal readonly struct N6 : ITileConstant { public static int Value => 6; }
internal readonly struct N7 : ITileConstant { public static int Value => 7; }
internal readonly struct N8 : ITileConstant { public static int Value => 8; }
internal readonly struct N9 : ITileConstant { public static int Value => 9; }
internal readonly struct N10 : ITileConstant { public static int Value => 10; }
internal readonly struct N11 : ITileConstant { public static int Value => 11; }
internal readonly struct N12 : ITileConstant { public static int Value => 12; }
internal readonly struct N13 : ITileConstant { public static int Value => 13; }
internal readonly struct N14 : ITileConstant { public static int Value => 14; }
