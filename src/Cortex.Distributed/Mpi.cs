// Mpi.cs — the MPI C library, bound at run time by function pointers (no MPI at build time).
//
//   library   CORTEX_MPI_LIBRARY if set, else libmpi.so.12 (MPICH ABI), libmpich.so.12 (Debian's
//             name for it), libmpi.so.40 (Open MPI); under Open MPI's mpirun the last is tried first
//   flavour   Open MPI if the library exports ompi_mpi_comm_world, else the MPICH ABI
//   handles   MPICH ABI: 32-bit integers from mpich/mpi.h — MPI_COMM_WORLD 0x44000000, MPI_FLOAT
//             0x4c00040a, MPI_DOUBLE 0x4c00080b, MPI_SUM 0x58000003, MPI_IN_PLACE (void*)-1, MPI_STATUS_IGNORE (MPI_Status*)1
//             Open MPI: addresses of ompi_mpi_comm_world, ompi_mpi_float, ompi_mpi_double, ompi_mpi_op_sum (mpi.h's
//             OMPI_PREDEFINED_GLOBAL), MPI_IN_PLACE (void*)1, MPI_STATUS_IGNORE NULL
//
// The library is opened with RTLD_GLOBAL, as Open MPI needs for the plug-ins it loads itself (its
// FAQ; mpi4py does the same). MPI is initialised once per process (MPI_Init_thread, thread level
// SERIALIZED: one thread at a time calls MPI) and finalised by Dispose; it cannot be initialised again.
// Errors keep MPI's default handler, MPI_ERRORS_ARE_FATAL: a failed call aborts the whole job.
using System.Runtime.InteropServices;
using System.Text;

namespace Cortex.Distributed;

/// <summary>The MPI world of this process: its rank, the number of ranks, and the collectives training uses.</summary>
/// <example><code>
/// // mpiexec -n 2 dotnet MyProgram.dll
/// using var mpi = Mpi.Initialize();
/// float[] gradient = …;
/// mpi.AllreduceSum(gradient);               // every rank now holds the sum over ranks
/// </code></example>
public sealed unsafe class Mpi : IDisposable
{
    /// <summary>The file names tried, in order, when <c>CORTEX_MPI_LIBRARY</c> is not set.</summary>
    public static IReadOnlyList<string> LibraryNames { get; } = ["libmpi.so.12", "libmpich.so.12", "libmpi.so.40"];

    /// <summary>The message given when no MPI library can be loaded.</summary>
    public const string NotFoundMessage =
        "no MPI library found (libmpi.so.12 or libmpi.so.40); install MPICH: sudo apt-get install mpich, or run scripts/install-mpi.sh";

    private const int ThreadSerialized = 2;   // MPI_THREAD_SERIALIZED, the same in both mpi.h

    private static readonly Lock Gate = new();
    private static Mpi? _instance;
    private static bool _finalized;

    private readonly Api _api;
    private readonly nint _world, _float, _double, _sum, _inPlace, _statusIgnore;

    private Mpi(Api api, MpiFlavor flavor, string path)
    {
        _api = api;
        Flavor = flavor;
        LibraryPath = path;
        if (flavor == MpiFlavor.Mpich)
        {
            _world = 0x44000000;
            _float = 0x4c00040a;
            _double = 0x4c00080b;
            _sum = 0x58000003;
            _inPlace = -1;
            _statusIgnore = 1;
        }
        else
        {
            _world = api.Export("ompi_mpi_comm_world");
            _float = api.Export("ompi_mpi_float");
            _double = api.Export("ompi_mpi_double");
            _sum = api.Export("ompi_mpi_op_sum");
            _inPlace = 1;
            _statusIgnore = 0;
        }
    }

    /// <summary>The ABI of the loaded library.</summary>
    public MpiFlavor Flavor { get; }

    /// <summary>The library file that was loaded.</summary>
    public string LibraryPath { get; }

    /// <summary>This process's rank in MPI_COMM_WORLD, in [0, <see cref="Size"/>).</summary>
    public int Rank { get; private set; }

    /// <summary>The number of processes in MPI_COMM_WORLD.</summary>
    public int Size { get; private set; }

    /// <summary>The thread level MPI granted (0 single … 3 multiple).</summary>
    public int ThreadLevel { get; private set; }

    /// <summary>Whether this process is rank 0 (the one that prints and writes files).</summary>
    public bool IsRoot => Rank == 0;

    /// <summary>MPI_Get_library_version's text, e.g. "MPICH Version: 4.0.2 …" (first line).</summary>
    public string LibraryVersion
    {
        get
        {
            var buffer = new byte[8192];        // MPI_MAX_LIBRARY_VERSION_STRING: 8192 (MPICH), 256 (Open MPI)
            int length = 0;
            fixed (byte* b = buffer)
                Check(((delegate* unmanaged<byte*, int*, int>)_api.GetLibraryVersion)(b, &length), "MPI_Get_library_version");
            string text = Encoding.UTF8.GetString(buffer, 0, Math.Clamp(length, 0, buffer.Length)).TrimEnd('\0', '\n');
            int newline = text.IndexOf('\n', StringComparison.Ordinal);
            string first = newline < 0 ? text : text[..newline];
            return string.Join(' ', first.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        }
    }

    /// <summary>Whether an MPI library can be loaded here (nothing is initialised); otherwise why not.</summary>
    public static bool IsAvailable(out string reason)
    {
        lock (Gate)
        {
            if (_instance is not null)
            {
                reason = "";
                return true;
            }
            return TryOpen(null, out _, out _, out reason);
        }
    }

    /// <summary>Whether any of <paramref name="names"/> loads as an MPI library (nothing is initialised); otherwise the message why not.</summary>
    internal static bool Probe(IEnumerable<string> names, out string reason) => TryOpen(null, out _, out _, out reason, names);

    /// <summary>
    /// Loads the MPI library (<paramref name="libraryPath"/>, else <c>CORTEX_MPI_LIBRARY</c>, else <see cref="LibraryNames"/>)
    /// and initialises MPI, once per process; later calls return the same world.
    /// </summary>
    /// <param name="libraryPath">A library file or name to load instead of the search.</param>
    /// <param name="flavor">The ABI to assume instead of detecting it from the library's exports.</param>
    /// <exception cref="DllNotFoundException">No MPI library could be loaded: the message says how to install one.</exception>
    /// <exception cref="InvalidOperationException">MPI was already finalised in this process.</exception>
    public static Mpi Initialize(string? libraryPath = null, MpiFlavor? flavor = null)
    {
        lock (Gate)
        {
            if (_instance is not null)
                return _instance;
            if (_finalized)
                throw new InvalidOperationException("Mpi.Initialize: MPI was already finalised in this process; it can be initialised only once.");
            if (!TryOpen(libraryPath, out var handle, out string path, out string reason))
                throw new DllNotFoundException(reason);
            var api = new Api(handle);
            var detected = NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out _) ? MpiFlavor.OpenMpi : MpiFlavor.Mpich;
            var mpi = new Mpi(api, flavor ?? detected, path);
            int initialized = 0;
            Check(((delegate* unmanaged<int*, int>)api.Initialized)(&initialized), "MPI_Initialized");
            int provided = 0;
            if (initialized == 0)
                Check(((delegate* unmanaged<int*, byte***, int, int*, int>)api.InitThread)(null, null, ThreadSerialized, &provided), "MPI_Init_thread");
            mpi.ThreadLevel = provided;
            int rank = 0, size = 0;
            mpi.Call(((delegate* unmanaged<int, int*, int>)api.CommRank), ((delegate* unmanaged<nint, int*, int>)api.CommRank), &rank, "MPI_Comm_rank");
            mpi.Call(((delegate* unmanaged<int, int*, int>)api.CommSize), ((delegate* unmanaged<nint, int*, int>)api.CommSize), &size, "MPI_Comm_size");
            mpi.Rank = rank;
            mpi.Size = size;
            _instance = mpi;
            return mpi;
        }
    }

    /// <summary>Sums <paramref name="data"/> over all ranks, in place (MPI_Allreduce with MPI_IN_PLACE, MPI_FLOAT, MPI_SUM).</summary>
    public void AllreduceSum(Span<float> data)
    {
        fixed (float* p = data)
        {
            int code = Flavor == MpiFlavor.Mpich
                ? ((delegate* unmanaged<nint, float*, int, int, int, int, int>)_api.Allreduce)(_inPlace, p, data.Length, (int)_float, (int)_sum, (int)_world)
                : ((delegate* unmanaged<nint, float*, int, nint, nint, nint, int>)_api.Allreduce)(_inPlace, p, data.Length, _float, _sum, _world);
            Check(code, "MPI_Allreduce");
        }
    }

    /// <summary>Sums <paramref name="data"/> over all ranks, in place, in double precision (MPI_Allreduce with MPI_DOUBLE).</summary>
    public void AllreduceSum(Span<double> data)
    {
        fixed (double* p = data)
        {
            int code = Flavor == MpiFlavor.Mpich
                ? ((delegate* unmanaged<nint, double*, int, int, int, int, int>)_api.Allreduce)(_inPlace, p, data.Length, (int)_double, (int)_sum, (int)_world)
                : ((delegate* unmanaged<nint, double*, int, nint, nint, nint, int>)_api.Allreduce)(_inPlace, p, data.Length, _double, _sum, _world);
            Check(code, "MPI_Allreduce");
        }
    }

    /// <summary>
    /// Starts summing <paramref name="buffer"/>[0, <paramref name="count"/>) over all ranks in place (MPI_Iallreduce);
    /// the buffer is pinned until the returned request completes. Every rank must start the same reductions in the same order.
    /// </summary>
    public MpiRequest StartAllreduceSum(float[] buffer, int count)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, buffer.Length);
        var request = new MpiRequest(this, buffer);
        float* p = request.Address;
        int code;
        if (Flavor == MpiFlavor.Mpich)
        {
            int handle = 0;
            code = ((delegate* unmanaged<nint, float*, int, int, int, int, int*, int>)_api.Iallreduce)(_inPlace, p, count, (int)_float, (int)_sum, (int)_world, &handle);
            request.Handle = handle;
        }
        else
        {
            nint handle = 0;
            code = ((delegate* unmanaged<nint, float*, int, nint, nint, nint, nint*, int>)_api.Iallreduce)(_inPlace, p, count, _float, _sum, _world, &handle);
            request.Handle = handle;
        }
        if (code != 0)
            request.Release();
        Check(code, "MPI_Iallreduce");
        return request;
    }

    /// <summary>Copies <paramref name="data"/> from rank <paramref name="root"/> to every rank (MPI_Bcast).</summary>
    public void Broadcast(Span<float> data, int root = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(root);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(root, Size);
        fixed (float* p = data)
        {
            int code = Flavor == MpiFlavor.Mpich
                ? ((delegate* unmanaged<float*, int, int, int, int, int>)_api.Bcast)(p, data.Length, (int)_float, root, (int)_world)
                : ((delegate* unmanaged<float*, int, nint, int, nint, int>)_api.Bcast)(p, data.Length, _float, root, _world);
            Check(code, "MPI_Bcast");
        }
    }

    /// <summary>Waits until every rank has reached this call (MPI_Barrier).</summary>
    public void Barrier()
    {
        int code = Flavor == MpiFlavor.Mpich
            ? ((delegate* unmanaged<int, int>)_api.Barrier)((int)_world)
            : ((delegate* unmanaged<nint, int>)_api.Barrier)(_world);
        Check(code, "MPI_Barrier");
    }

    /// <summary>
    /// Every rank's "pid P on HOST", indexed by rank (a collective: all ranks call it). Launchers name a dead process
    /// by its PID and host (MPICH's Hydra: "BAD TERMINATION … PID P RUNNING AT HOST"); this table names its rank.
    /// </summary>
    public IReadOnlyList<string> ProcessTable()
    {
        const int HostBytes = 64;
        const int Stride = 1 + HostBytes;
        var table = new float[Size * Stride];            // a float holds any integer below 2^24 exactly: PIDs and bytes
        table[Rank * Stride] = Environment.ProcessId;
        byte[] host = Encoding.UTF8.GetBytes(Environment.MachineName);
        for (int i = 0; i < Math.Min(host.Length, HostBytes); i++)
            table[Rank * Stride + 1 + i] = host[i];
        AllreduceSum(table);
        var rows = new string[Size];
        for (int r = 0; r < Size; r++)
        {
            var name = new List<byte>();
            for (int i = 0; i < HostBytes && table[r * Stride + 1 + i] != 0; i++)
                name.Add((byte)table[r * Stride + 1 + i]);
            rows[r] = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"pid {(long)table[r * Stride]} on {Encoding.UTF8.GetString([.. name])}");
        }
        return rows;
    }

    /// <summary>Ends every rank of the job with <paramref name="errorCode"/> (MPI_Abort); does not return.</summary>
    public void Abort(int errorCode)
    {
        if (Flavor == MpiFlavor.Mpich)
            ((delegate* unmanaged<int, int, int>)_api.Abort)((int)_world, errorCode);
        else
            ((delegate* unmanaged<nint, int, int>)_api.Abort)(_world, errorCode);
        Environment.Exit(errorCode);   // MPI_Abort does not return; in case a library's does
    }

    /// <summary>Finalises MPI (MPI_Finalize); every rank must call it. MPI cannot be initialised again in this process.</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            if (_instance != this)
                return;
            Check(((delegate* unmanaged<int>)_api.Finalize)(), "MPI_Finalize");
            _instance = null;
            _finalized = true;
        }
    }

    // ---- requests ---------------------------------------------------------------------------

    internal bool Test(MpiRequest request)
    {
        int flag = 0;
        int code;
        if (Flavor == MpiFlavor.Mpich)
        {
            int handle = (int)request.Handle;
            code = ((delegate* unmanaged<int*, int*, nint, int>)_api.Test)(&handle, &flag, _statusIgnore);
            request.Handle = handle;
        }
        else
        {
            nint handle = request.Handle;
            code = ((delegate* unmanaged<nint*, int*, nint, int>)_api.Test)(&handle, &flag, _statusIgnore);
            request.Handle = handle;
        }
        Check(code, "MPI_Test");
        return flag != 0;
    }

    internal void Wait(MpiRequest request)
    {
        int code;
        if (Flavor == MpiFlavor.Mpich)
        {
            int handle = (int)request.Handle;
            code = ((delegate* unmanaged<int*, nint, int>)_api.Wait)(&handle, _statusIgnore);
            request.Handle = handle;
        }
        else
        {
            nint handle = request.Handle;
            code = ((delegate* unmanaged<nint*, nint, int>)_api.Wait)(&handle, _statusIgnore);
            request.Handle = handle;
        }
        Check(code, "MPI_Wait");
    }

    // ---- loading ----------------------------------------------------------------------------

    private void Call(delegate* unmanaged<int, int*, int> mpich, delegate* unmanaged<nint, int*, int> openMpi, int* result, string name) =>
        Check(Flavor == MpiFlavor.Mpich ? mpich((int)_world, result) : openMpi(_world, result), name);

    private static void Check(int code, string function)
    {
        if (code != 0)
            throw new InvalidOperationException($"{function} failed with MPI error code {code}.");
    }

    private static bool TryOpen(string? libraryPath, out nint handle, out string path, out string reason, IEnumerable<string>? search = null)
    {
        string? requested = search is null ? libraryPath ?? Environment.GetEnvironmentVariable("CORTEX_MPI_LIBRARY") : null;
        IEnumerable<string> names = requested is { Length: > 0 } ? [requested]
            : search ?? (MpiEnvironment.LaunchedByOpenMpi ? ["libmpi.so.40", .. LibraryNames.Where(n => n != "libmpi.so.40")] : LibraryNames);
        foreach (string name in names)
        {
            if (Load(name, out handle))
            {
                if (NativeLibrary.TryGetExport(handle, "MPI_Init_thread", out _))
                {
                    path = name;
                    reason = "";
                    return true;
                }
            }
        }
        handle = 0;
        path = "";
        reason = requested is { Length: > 0 }
            ? $"the MPI library '{requested}' (CORTEX_MPI_LIBRARY) could not be loaded or has no MPI_Init_thread"
            : NotFoundMessage;
        return false;
    }

    private static bool Load(string name, out nint handle)
    {
        handle = 0;
        if (OperatingSystem.IsLinux() || OperatingSystem.IsFreeBSD())
        {
            // RTLD_NOW | RTLD_GLOBAL: Open MPI's own plug-ins resolve MPI symbols from the global scope.
            try
            {
                handle = DlOpen(name, 0x2 | 0x100);
            }
            catch (EntryPointNotFoundException)
            {
                handle = 0;
            }
            catch (DllNotFoundException)
            {
                handle = 0;
            }
            if (handle != 0)
                return true;
        }
        return NativeLibrary.TryLoad(name, out handle);
    }

    [DllImport("libc", EntryPoint = "dlopen")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint DlOpenNative([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int mode);

    private static nint DlOpen(string file, int mode) => DlOpenNative(file, mode);

    /// <summary>The addresses of the MPI functions Cortex calls.</summary>
    private sealed class Api(nint library)
    {
        public readonly nint Initialized = Get(library, "MPI_Initialized");
        public readonly nint InitThread = Get(library, "MPI_Init_thread");
        public readonly nint CommRank = Get(library, "MPI_Comm_rank");
        public readonly nint CommSize = Get(library, "MPI_Comm_size");
        public readonly nint Allreduce = Get(library, "MPI_Allreduce");
        public readonly nint Iallreduce = Get(library, "MPI_Iallreduce");
        public readonly nint Wait = Get(library, "MPI_Wait");
        public readonly nint Test = Get(library, "MPI_Test");
        public readonly nint Bcast = Get(library, "MPI_Bcast");
        public readonly nint Barrier = Get(library, "MPI_Barrier");
        public readonly nint Abort = Get(library, "MPI_Abort");
        public readonly nint Finalize = Get(library, "MPI_Finalize");
        public readonly nint GetLibraryVersion = Get(library, "MPI_Get_library_version");

        public nint Export(string name) => Get(library, name);

        private static nint Get(nint library, string name) =>
            NativeLibrary.TryGetExport(library, name, out nint address) ? address
            : throw new EntryPointNotFoundException($"the MPI library has no export '{name}'; is it MPI 3 or later?");
    }
}
