using System.Buffers.Binary;
using Cortex.Data.Images;

namespace Cortex.Data.Tests.Images;

/// <summary>The image decoder checks a file's structure and declared size before stb_image decodes it (issue 15).</summary>
public sealed class ImageBoundsTests
{
    // A 1×1 grey PNG whose IHDR is edited to declare width × height (stb_image does not check CRCs).
    private static byte[] PngDeclaring(int width, int height)
    {
        byte[] png = PngFile.Encode([0.5f], new ImageSize(1, 1, 1));
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), height);
        return png;
    }

    [Fact]
    public void Decode_20000SquarePng_IsRefusedBeforeDecoding()
    {
        byte[] png = PngDeclaring(20000, 20000);
        Assert.Equal((20000, 20000), ImageDecoder.ReadDimensions(png));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(png, 3, "huge.png"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal("ImageDecoder: huge.png: the image declares 20000×20000 = 400,000,000 pixels, above the limit of 33,554,432; refused before decoding. " +
            "If it is genuine, raise the limit (--max-image-pixels on the command line, ImageFolderOptions.MaxPixels in code).", e.Message);
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Decode_MaxPixels_IsTheBoundary()
    {
        var pixels = new float[3 * 4 * 5];
        byte[] png = PngFile.Encode(pixels, new ImageSize(3, 4, 5));
        Assert.Equal(new ImageSize(3, 4, 5), ImageDecoder.Decode(png, maxPixels: 20).Size);
        Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(png, maxPixels: 19));
    }

    [Fact]
    public void Decode_PngChunkLongerThanTheFile_IsRefused()
    {
        byte[] png = PngFile.Encode(new float[16], new ImageSize(1, 4, 4));
        int idat = 8 + 25;                                         // signature, then the 25-byte IHDR chunk
        Assert.Equal("IDAT", System.Text.Encoding.ASCII.GetString(png, idat + 4, 4));
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(idat), 853_016_627);
        var e = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(png, name: "chunk.png"));
        Assert.Contains($"PNG chunk 'IDAT' at byte {idat} claims 853016627 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_JpegSegmentLongerThanTheFile_IsRefused()
    {
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x33, 0x38, .. new byte[20]];     // APP0 claiming 13,112 bytes
        var e = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(jpeg, name: "seg.jpg"));
        Assert.Contains("JPEG segment FFE0 at byte 2 claims 13112 bytes, 22 remain", e.Message, StringComparison.Ordinal);
    }
}
