using Cortex.Serialization;

namespace Cortex.Tests.Serialization;

public class AtomicWriteTests
{
    [Fact]
    public void Stream_ToAFile_ReplacesItWhole_AndLeavesNoTemporary()
    {
        string folder = Directory.CreateTempSubdirectory("cortex-atomic-").FullName;
        string path = Path.Combine(folder, "out.bin");
        File.WriteAllBytes(path, [9, 9, 9, 9, 9]);

        AtomicWrite.Stream(path, s => s.Write([1, 2, 3]));

        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal(["out.bin"], Directory.GetFiles(folder).Select(Path.GetFileName));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void Stream_ToDevNull_WritesThrough_AndKeepsTheDevice()
    {
        if (OperatingSystem.IsWindows())
            Assert.Skip("/dev/null is a Unix device.");
        AtomicWrite.Stream("/dev/null", s => s.Write(new byte[4096]));

        // Renamed over, /dev/null would now be a 4,096-byte regular file (as root that rename succeeds).
        Assert.Empty(File.ReadAllBytes("/dev/null"));
        Assert.True(AtomicWrite.IsDevicePath("/dev/null"));
    }

    [Fact]
    public void Stream_ToAFolder_IsRefusedByName()
    {
        string folder = Directory.CreateTempSubdirectory("cortex-atomic-").FullName;
        var error = Assert.Throws<IOException>(() => AtomicWrite.Stream(folder, s => s.WriteByte(1)));
        Assert.Contains("got a folder", error.Message);
        Directory.Delete(folder);
    }
}
