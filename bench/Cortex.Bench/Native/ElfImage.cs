// ElfImage.cs — a minimal, read-only view of a 64-bit little-endian ELF file held in memory.
//
// Just enough of the format to reason about symbol versioning in a shared library:
//
//   Elf64_Ehdr  at offset 0                  → where the section header table is (e_shoff, e_shnum)
//   Elf64_Shdr  e_shnum entries of 64 bytes  → type, file offset, size, link of each section
//   .dynsym     Elf64_Sym[]  (24 bytes each) → the dynamic symbols
//   .gnu.version   ushort[]  (one per .dynsym entry) → the version index each symbol is bound to
//   .gnu.version_r Elf64_Verneed chains      → the versions this library needs from others
//   .rela.* / .rel.*  Elf64_Rela / Elf64_Rel → the relocations the dynamic loader performs
//
// Layouts follow the System V gABI and the LSB "Symbol Versioning" chapter. Every read is bounds
// checked and a malformed file is refused with an InvalidDataException naming the offset.
using System.Buffers.Binary;
using System.Text;

namespace Cortex.Bench.Native;

/// <summary>A section header of an <see cref="ElfImage"/> (the fields of <c>Elf64_Shdr</c> we use).</summary>
public sealed record ElfSection(int Index, string Name, uint Type, ulong Offset, ulong Size, uint Link, uint Info, ulong EntrySize);

/// <summary>A read-only, bounds-checked view of an ELF64 little-endian image.</summary>
public sealed class ElfImage
{
    // Section types (sh_type).
    public const uint SectionRel = 9;               // SHT_REL
    public const uint SectionRela = 4;              // SHT_RELA
    public const uint SectionDynSym = 11;           // SHT_DYNSYM
    public const uint SectionVersionNeed = 0x6ffffffe;   // SHT_GNU_verneed  (.gnu.version_r)
    public const uint SectionVersionSymbol = 0x6fffffff; // SHT_GNU_versym   (.gnu.version)

    private const int HeaderSize = 64;              // sizeof(Elf64_Ehdr)
    private const int SectionHeaderSize = 64;       // sizeof(Elf64_Shdr)

    private readonly byte[] _bytes;

    /// <summary>Parses the ELF header and section headers of <paramref name="bytes"/> (not copied).</summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed ELF64 little-endian image.</exception>
    public ElfImage(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        _bytes = bytes;
        if (bytes.Length < HeaderSize || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
            throw new InvalidDataException("ELF: not an ELF file (no \\x7fELF magic at offset 0).");
        if (bytes[4] != 2)
            throw new InvalidDataException($"ELF: only 64-bit files are supported (EI_CLASS is {bytes[4]}, expected 2).");
        if (bytes[5] != 1)
            throw new InvalidDataException($"ELF: only little-endian files are supported (EI_DATA is {bytes[5]}, expected 1).");

        ulong sectionTable = ReadUInt64(40);        // e_shoff
        int entrySize = ReadUInt16(58);             // e_shentsize
        int count = ReadUInt16(60);                 // e_shnum
        int namesIndex = ReadUInt16(62);            // e_shstrndx
        if (sectionTable == 0)
            throw new InvalidDataException("ELF: the file has no section header table (e_shoff is 0).");
        if (entrySize != SectionHeaderSize)
            throw new InvalidDataException($"ELF: section headers are {entrySize} bytes, expected {SectionHeaderSize}.");
        if (count == 0)                             // extended numbering: the real count is in section 0's sh_size
            count = checked((int)ReadUInt64(Offset(sectionTable, 32)));
        if (namesIndex == 0xffff)                   // SHN_XINDEX: the real index is in section 0's sh_link
            namesIndex = (int)ReadUInt32(Offset(sectionTable, 40));

        var raw = new (uint Name, uint Type, ulong Offset, ulong Size, uint Link, uint Info, ulong EntrySize)[count];
        for (int i = 0; i < count; i++)
        {
            int at = Offset(sectionTable, (ulong)i * SectionHeaderSize);
            raw[i] = (ReadUInt32(at), ReadUInt32(at + 4), ReadUInt64(at + 24), ReadUInt64(at + 32),
                      ReadUInt32(at + 40), ReadUInt32(at + 44), ReadUInt64(at + 56));
        }
        if (namesIndex >= count)
            throw new InvalidDataException($"ELF: section-name table index {namesIndex} is out of range (the file has {count} sections).");

        var sections = new ElfSection[count];
        var names = raw[namesIndex];
        for (int i = 0; i < count; i++)
        {
            var s = raw[i];
            string name = i == 0 ? "" : ReadString(names.Offset, names.Size, s.Name);
            sections[i] = new ElfSection(i, name, s.Type, s.Offset, s.Size, s.Link, s.Info, s.EntrySize);
            if (s.Type != 8 && s.Size > 0)          // SHT_NOBITS (.bss) occupies no file bytes
                CheckRange(s.Offset, s.Size, $"section {i} ({name})");
        }
        Sections = sections;
    }

    /// <summary>All section headers, in file order (index 0 is the null section).</summary>
    public IReadOnlyList<ElfSection> Sections { get; }

    /// <summary>The raw bytes this image views.</summary>
    public byte[] Bytes => _bytes;

    /// <summary>The first section of the given type, or null.</summary>
    public ElfSection? FindSection(uint type) => Sections.FirstOrDefault(s => s.Type == type);

    /// <summary>The section a header's <c>sh_link</c> points to (its string or symbol table).</summary>
    public ElfSection Linked(ElfSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return section.Link < Sections.Count
            ? Sections[(int)section.Link]
            : throw new InvalidDataException($"ELF: section {section.Index} ({section.Name}) links to section {section.Link}, which does not exist.");
    }

    /// <summary>The NUL-terminated string at <paramref name="index"/> inside string table <paramref name="table"/>.</summary>
    public string ReadString(ElfSection table, uint index)
    {
        ArgumentNullException.ThrowIfNull(table);
        return ReadString(table.Offset, table.Size, index);
    }

    public ushort ReadUInt16(int offset) => BinaryPrimitives.ReadUInt16LittleEndian(Slice(offset, 2));
    public uint ReadUInt32(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(Slice(offset, 4));
    public ulong ReadUInt64(int offset) => BinaryPrimitives.ReadUInt64LittleEndian(Slice(offset, 8));

    /// <summary>A file offset <paramref name="start"/> + <paramref name="delta"/>, checked to lie inside the file.</summary>
    public int Offset(ulong start, ulong delta)
    {
        ulong at = start + delta;
        if (at < start || at >= (ulong)_bytes.Length)
            throw new InvalidDataException($"ELF: offset 0x{start:x}+0x{delta:x} lies outside the file ({_bytes.Length} bytes).");
        return (int)at;
    }

    private ReadOnlySpan<byte> Slice(int offset, int length)
    {
        if (offset < 0 || offset > _bytes.Length - length)
            throw new InvalidDataException($"ELF: a {length}-byte read at offset 0x{offset:x} runs past the end of the file ({_bytes.Length} bytes).");
        return _bytes.AsSpan(offset, length);
    }

    private void CheckRange(ulong offset, ulong size, string what)
    {
        if (offset > (ulong)_bytes.Length || size > (ulong)_bytes.Length - offset)
            throw new InvalidDataException($"ELF: {what} spans 0x{offset:x}..0x{offset + size:x}, beyond the end of the file ({_bytes.Length} bytes); is it truncated?");
    }

    private string ReadString(ulong tableOffset, ulong tableSize, uint index)
    {
        if (index >= tableSize)
            throw new InvalidDataException($"ELF: string index {index} is outside its string table ({tableSize} bytes at 0x{tableOffset:x}).");
        var table = _bytes.AsSpan((int)tableOffset, (int)tableSize);
        var rest = table[(int)index..];
        int end = rest.IndexOf((byte)0);
        if (end < 0)
            throw new InvalidDataException($"ELF: string at index {index} of the table at 0x{tableOffset:x} is not NUL-terminated.");
        return Encoding.UTF8.GetString(rest[..end]);
    }
}
