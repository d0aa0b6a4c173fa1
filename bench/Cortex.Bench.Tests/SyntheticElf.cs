// SyntheticElf.cs — builds a tiny ELF64 shared-library image with just the sections the weak
// version patch reads, shaped like libLibTorchSharp.so's:
//
//   .dynsym         null, _Znwm (→ GLIBCXX_3.4), _ZSt21ios_base_library_initv (→ GLIBCXX_3.4.32)
//   .gnu.version    0, 2, 3
//   .gnu.version_r  libstdc++.so.6 needs GLIBCXX_3.4 (index 2) and GLIBCXX_3.4.32 (index 3)
//   .rela.plt       one JUMP_SLOT relocation against _Znwm (or also the marker, on request)
//   .dynamic        DT_VERSYM, DT_VERNEED, DT_VERNEEDNUM (where ld.so and readelf look for them)
//
// `readelf -V -r --dyn-syms` reads the result like a real library.
using System.Buffers.Binary;
using System.Text;

namespace Cortex.Bench.Tests;

internal static class SyntheticElf
{
    public const string Marker = "_ZSt21ios_base_library_initv";
    public const string MarkerVersion = "GLIBCXX_3.4.32";

    /// <summary>The image; with <paramref name="relocateMarker"/> a second relocation uses the marker symbol.</summary>
    public static byte[] Build(bool relocateMarker = false)
    {
        var dynstr = new StringTable();
        uint library = dynstr.Add("libstdc++.so.6"), baseVersion = dynstr.Add("GLIBCXX_3.4"), markerVersion = dynstr.Add(MarkerVersion);
        uint alloc = dynstr.Add("_Znwm"), marker = dynstr.Add(Marker);

        var dynsym = new byte[3 * 24];                                  // Elf64_Sym[3]; index 0 is the null symbol
        WriteSymbol(dynsym, 1, alloc);
        WriteSymbol(dynsym, 2, marker);

        byte[] versym = [0, 0, 2, 0, 3, 0];                             // ushort per symbol

        var verneed = new byte[16 + 2 * 16];                            // Elf64_Verneed + 2 × Elf64_Vernaux
        U16(verneed, 0, 1); U16(verneed, 2, 2); U32(verneed, 4, library); U32(verneed, 8, 16); U32(verneed, 12, 0);
        WriteVernaux(verneed, 16, "GLIBCXX_3.4", baseVersion, index: 2, next: 16);
        WriteVernaux(verneed, 32, MarkerVersion, markerVersion, index: 3, next: 0);

        var rela = new byte[(relocateMarker ? 2 : 1) * 24];             // Elf64_Rela, R_X86_64_JUMP_SLOT = 7
        U64(rela, 0, 0x1000); U64(rela, 8, (1UL << 32) | 7);
        if (relocateMarker)
        {
            U64(rela, 24, 0x1008); U64(rela, 32, (2UL << 32) | 7);
        }

        var dynamic = new byte[4 * 16];                                 // Elf64_Dyn[4], filled in once addresses are known

        var shstr = new StringTable();
        // (name, type, data, link, info, entsize)
        var sections = new List<(uint Name, uint Type, byte[] Data, uint Link, uint Info, ulong EntrySize)>
        {
            (0, 0, [], 0, 0, 0),
            (shstr.Add(".dynsym"), 11, dynsym, 2, 1, 24),
            (shstr.Add(".dynstr"), 3, dynstr.Bytes, 0, 0, 0),
            (shstr.Add(".gnu.version"), 0x6fffffff, versym, 1, 0, 2),
            (shstr.Add(".gnu.version_r"), 0x6ffffffe, verneed, 2, 1, 0),
            (shstr.Add(".rela.plt"), 4, rela, 1, 0, 24),
            (shstr.Add(".dynamic"), 6, dynamic, 2, 0, 16),
        };
        sections.Add((shstr.Add(".shstrtab"), 3, shstr.Bytes, 0, 0, 0));

        // Layout: header, two program headers, each section's data (8-aligned), then the section
        // header table. PT_LOAD maps the file 1:1 (address = offset); PT_DYNAMIC points at .dynamic.
        var image = new List<byte>(new byte[64 + 2 * 56]);
        var offsets = new ulong[sections.Count];
        for (int i = 1; i < sections.Count; i++)
        {
            while (image.Count % 8 != 0)
                image.Add(0);
            offsets[i] = (ulong)image.Count;
            image.AddRange(sections[i].Data);
        }
        while (image.Count % 8 != 0)
            image.Add(0);
        ulong sectionTable = (ulong)image.Count;
        image.AddRange(new byte[sections.Count * 64]);
        byte[] bytes = [.. image];

        // .dynamic: the addresses (= file offsets here) of .gnu.version and .gnu.version_r.
        int dynamicAt = (int)offsets[6];
        U64(bytes, dynamicAt, 0x6ffffff0); U64(bytes, dynamicAt + 8, offsets[3]);        // DT_VERSYM
        U64(bytes, dynamicAt + 16, 0x6ffffffe); U64(bytes, dynamicAt + 24, offsets[4]);  // DT_VERNEED
        U64(bytes, dynamicAt + 32, 0x6fffffff); U64(bytes, dynamicAt + 40, 1);           // DT_VERNEEDNUM; then DT_NULL

        byte[] ident = [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0];   // ELF64, little-endian, version 1
        ident.CopyTo(bytes, 0);
        U16(bytes, 16, 3);                                              // e_type = ET_DYN
        U16(bytes, 18, 62);                                             // e_machine = EM_X86_64
        U32(bytes, 20, 1);                                              // e_version
        U64(bytes, 40, sectionTable);                                   // e_shoff
        U64(bytes, 32, 64);                                             // e_phoff
        U16(bytes, 52, 64);                                             // e_ehsize
        U16(bytes, 54, 56);                                             // e_phentsize
        U16(bytes, 56, 2);                                              // e_phnum
        U16(bytes, 58, 64);                                             // e_shentsize
        U16(bytes, 60, (ushort)sections.Count);                         // e_shnum
        U16(bytes, 62, (ushort)(sections.Count - 1));                   // e_shstrndx
        U32(bytes, 64, 1); U32(bytes, 68, 4);                           // p_type = PT_LOAD, p_flags = PF_R
        U64(bytes, 96, (ulong)bytes.Length); U64(bytes, 104, (ulong)bytes.Length); U64(bytes, 112, 0x1000); // p_filesz, p_memsz, p_align
        U32(bytes, 120, 2); U32(bytes, 124, 6);                         // p_type = PT_DYNAMIC, p_flags = PF_R | PF_W
        U64(bytes, 128, offsets[6]); U64(bytes, 136, offsets[6]); U64(bytes, 144, offsets[6]);  // p_offset, p_vaddr, p_paddr
        U64(bytes, 152, (ulong)dynamic.Length); U64(bytes, 160, (ulong)dynamic.Length); U64(bytes, 168, 8);
        for (int i = 1; i < sections.Count; i++)
        {
            int at = (int)sectionTable + i * 64;
            var s = sections[i];
            U32(bytes, at, s.Name); U32(bytes, at + 4, s.Type); U64(bytes, at + 8, 2 /* SHF_ALLOC */);
            U64(bytes, at + 16, offsets[i]); U64(bytes, at + 24, offsets[i]); U64(bytes, at + 32, (ulong)s.Data.Length);
            U32(bytes, at + 40, s.Link); U32(bytes, at + 44, s.Info); U64(bytes, at + 48, 8); U64(bytes, at + 56, s.EntrySize);
        }
        return bytes;
    }

    private static void WriteSymbol(byte[] table, int index, uint name)
    {
        U32(table, index * 24, name);
        table[index * 24 + 4] = 0x12;                                   // STB_GLOBAL, STT_FUNC; st_shndx = 0 (undefined)
    }

    private static void WriteVernaux(byte[] section, int at, string name, uint nameIndex, ushort index, uint next)
    {
        U32(section, at, ElfHash(name)); U16(section, at + 4, 0); U16(section, at + 6, index);
        U32(section, at + 8, nameIndex); U32(section, at + 12, next);
    }

    /// <summary>The System V ELF hash, as stored in vna_hash.</summary>
    private static uint ElfHash(string name)
    {
        uint h = 0;
        foreach (byte c in Encoding.ASCII.GetBytes(name))
        {
            h = (h << 4) + c;
            uint g = h & 0xf0000000;
            if (g != 0)
                h ^= g >> 24;
            h &= ~g;
        }
        return h;
    }

    private static void U16(byte[] b, int at, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), v);
    private static void U32(byte[] b, int at, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), v);
    private static void U64(byte[] b, int at, ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(at), v);

    private sealed class StringTable
    {
        private readonly List<byte> _bytes = [0];

        public byte[] Bytes => [.. _bytes];

        public uint Add(string text)
        {
            uint index = (uint)_bytes.Count;
            _bytes.AddRange(Encoding.ASCII.GetBytes(text));
            _bytes.Add(0);
            return index;
        }
    }
}
