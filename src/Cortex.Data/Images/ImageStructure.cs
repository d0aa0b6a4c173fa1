// ImageStructure.cs — a walk over the chunk (PNG) or segment (JPEG) lengths of a file before
// stb_image sees it. stb_image trusts those lengths: a 113-byte PNG whose IDAT chunk claims
// 853,016,627 bytes made it allocate 1.6 GB, and a 406-byte JPEG whose APP0 segment claims 13,112
// bytes made it spin without end (both found by the parser fuzz tests). Every length is checked
// against the bytes that remain; nothing is decoded or allocated here.
//
// PNG: the 8-byte signature, then chunks of [u32 length][4-byte type][data][u32 CRC], big-endian
// (PNG specification, 3rd ed., §5.3); the walk stops at IEND. JPEG: SOI, then marker segments
// FF xx [u16 length ≥ 2, counting itself]; after SOS the entropy-coded data runs to the next marker
// that is not a restart (RSTn) or a stuffed FF 00 (ITU-T T.81 §B.1.1). Other formats pass unchecked.
using System.Buffers.Binary;

namespace Cortex.Data.Images;

internal static class ImageStructure
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Throws <see cref="InvalidDataException"/> naming <paramref name="name"/> when a PNG chunk or JPEG segment length runs past the end.</summary>
    public static void Check(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.StartsWith(PngSignature))
            CheckPng(bytes, name);
        else if (bytes.Length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xD8)
            CheckJpeg(bytes, name);
    }

    private static void CheckPng(ReadOnlySpan<byte> bytes, string name)
    {
        int at = PngSignature.Length;
        while (at + 8 <= bytes.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(bytes[at..]);
            string type = System.Text.Encoding.ASCII.GetString(bytes.Slice(at + 4, 4));
            long remaining = bytes.Length - at - 12L;                   // after length, type and CRC
            if (length > int.MaxValue || length > remaining)
                throw new InvalidDataException($"ImageDecoder: {name}: not a readable image (PNG chunk '{type}' at byte {at} claims {length} bytes, {Math.Max(0, remaining)} remain; the file is truncated or corrupt).");
            if (type == "IEND")
                return;
            at += 12 + (int)length;
        }
    }

    private static void CheckJpeg(ReadOnlySpan<byte> bytes, string name)
    {
        int at = 2;
        while (at < bytes.Length)
        {
            if (bytes[at] != 0xFF)
                return;                                      // not where a marker should be: stb_image decides
            while (at < bytes.Length && bytes[at] == 0xFF)
                at++;                                        // fill bytes
            if (at >= bytes.Length)
                return;
            byte marker = bytes[at++];
            if (marker == 0xD9)
                return;                                      // EOI
            if (marker is >= 0xD0 and <= 0xD7 or 0x01)
                continue;                                    // RSTn and TEM stand alone
            if (at + 2 > bytes.Length)
                return;
            int length = BinaryPrimitives.ReadUInt16BigEndian(bytes[at..]);
            if (length < 2 || at + length > bytes.Length)
                throw new InvalidDataException($"ImageDecoder: {name}: not a readable image (JPEG segment FF{marker:X2} at byte {at - 2} claims {length} bytes, {bytes.Length - at} remain; the file is truncated or corrupt).");
            at += length;
            if (marker == 0xDA)
            {
                // Entropy-coded data: up to the next FF that starts a marker (not FF 00, not RSTn).
                while (at + 1 < bytes.Length && !(bytes[at] == 0xFF && bytes[at + 1] != 0 && bytes[at + 1] is not (>= 0xD0 and <= 0xD7)))
                    at++;
                if (at + 1 >= bytes.Length)
                    return;
            }
        }
    }
}
