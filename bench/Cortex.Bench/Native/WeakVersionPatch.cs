// WeakVersionPatch.cs — turns one required symbol version of an ELF shared library into a weak
// requirement, after proving that nothing the dynamic loader resolves depends on it.
//
// Why: the dynamic loader (glibc ld.so) refuses to load a library when a version listed in its
// .gnu.version_r section (say GLIBCXX_3.4.32 from libstdc++.so.6) is missing from the system,
// even if no symbol of that version is ever looked up. A requirement whose Elf64_Vernaux entry
// carries VER_FLG_WEAK is still checked, but a missing weak version is not fatal (see
// match_symbol in glibc's elf/dl-version.c). It is only safe when no relocation refers to a
// symbol bound to that version; otherwise the loader would later fail to bind that symbol.
//
//   .gnu.version_r      Elf64_Verneed { vn_version, vn_cnt, vn_file, vn_aux, vn_next }   16 bytes
//                         └ vn_cnt × Elf64_Vernaux { vna_hash, vna_flags, vna_other, vna_name, vna_next } 16 bytes
//   vna_other           the version index that .gnu.version entries use to point at this version
//   .gnu.version        one ushort per .dynsym symbol: its version index (bit 15 = hidden)
//   .rela.dyn/.rela.plt Elf64_Rela { r_offset, r_info, r_addend }; symbol index = r_info >> 32
//
// The patch flips one bit in the image: vna_flags |= VER_FLG_WEAK. It is idempotent.
namespace Cortex.Bench.Native;

/// <summary>What <see cref="WeakVersionPatch.Apply"/> found and did.</summary>
public enum WeakVersionOutcome
{
    /// <summary>The version requirement was strong; its flag is now weak.</summary>
    Patched,
    /// <summary>The version requirement was already weak; nothing changed.</summary>
    AlreadyWeak,
    /// <summary>The library does not require this version at all; nothing changed.</summary>
    NotRequired,
}

/// <summary>The report of one <see cref="WeakVersionPatch.Apply"/> call.</summary>
/// <param name="Outcome">What was done.</param>
/// <param name="Version">The version name asked for, e.g. <c>GLIBCXX_3.4.32</c>.</param>
/// <param name="RequiredFrom">The library the version is needed from (vn_file), e.g. <c>libstdc++.so.6</c>.</param>
/// <param name="VersionIndex">The version index (vna_other) symbols use to refer to it, or 0.</param>
/// <param name="FlagsOffset">File offset of the vna_flags field that was (or would be) changed, or -1.</param>
/// <param name="BoundSymbols">Dynamic symbols bound to this version (none of them is relocated).</param>
/// <param name="RelocationsChecked">How many dynamic relocations were checked.</param>
public sealed record WeakVersionResult(
    WeakVersionOutcome Outcome, string Version, string? RequiredFrom, int VersionIndex, int FlagsOffset,
    IReadOnlyList<string> BoundSymbols, int RelocationsChecked);

/// <summary>Marks a required symbol version weak in an in-memory ELF64 image, when that is provably safe.</summary>
public static class WeakVersionPatch
{
    /// <summary><c>VER_FLG_WEAK</c>: a missing version is not fatal.</summary>
    public const ushort VersionFlagWeak = 0x2;

    private const int VerneedSize = 16, VernauxSize = 16, SymbolSize = 24, RelaSize = 24, RelSize = 16;

    /// <summary>
    /// Makes the requirement on <paramref name="version"/> weak in <paramref name="image"/> (changed in place).
    /// </summary>
    /// <exception cref="InvalidDataException">The image is not a well-formed ELF64 library.</exception>
    /// <exception cref="InvalidOperationException">A relocation uses a symbol of that version: patching would be unsafe.</exception>
    public static WeakVersionResult Apply(byte[] image, string version)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        var elf = new ElfImage(image);

        // 1. Find the Elf64_Vernaux entry named `version` in .gnu.version_r.
        var need = FindRequirement(elf, version);
        if (need is null)
            return new WeakVersionResult(WeakVersionOutcome.NotRequired, version, null, 0, -1, [], 0);
        var (file, index, flagsOffset) = need.Value;

        // 2. Which dynamic symbols are bound to that version index (via .gnu.version)?
        var dynsym = elf.FindSection(ElfImage.SectionDynSym)
            ?? throw new InvalidDataException("ELF: the library has version requirements but no .dynsym section.");
        var versym = elf.FindSection(ElfImage.SectionVersionSymbol)
            ?? throw new InvalidDataException("ELF: the library has .gnu.version_r but no .gnu.version section.");
        if (elf.Linked(versym).Index != dynsym.Index)
            throw new InvalidDataException($"ELF: .gnu.version links to section {versym.Link}, not to .dynsym ({dynsym.Index}).");
        int symbolCount = (int)(dynsym.Size / SymbolSize);
        if (versym.Size / 2 != (ulong)symbolCount)
            throw new InvalidDataException($"ELF: .gnu.version has {versym.Size / 2} entries but .dynsym has {symbolCount} symbols.");
        var names = elf.Linked(dynsym);

        bool IsBound(uint symbol) => symbol != 0 && symbol < symbolCount
            && (elf.ReadUInt16(elf.Offset(versym.Offset, symbol * 2UL)) & 0x7fff) == index;
        string SymbolName(uint symbol) => elf.ReadString(names, elf.ReadUInt32(elf.Offset(dynsym.Offset, symbol * (ulong)SymbolSize)));

        var bound = new List<string>();
        for (uint s = 1; s < symbolCount; s++)
        {
            if (!IsBound(s))
                continue;
            ushort sectionIndex = elf.ReadUInt16(elf.Offset(dynsym.Offset, s * (ulong)SymbolSize + 6)); // st_shndx
            if (sectionIndex != 0)
                throw new InvalidOperationException($"ELF: symbol '{SymbolName(s)}' is defined here yet bound to the needed version {version}; refusing to patch.");
            bound.Add(SymbolName(s));
        }

        // 3. No dynamic relocation may refer to a symbol bound to that version: those are the
        //    symbols ld.so would actually have to find in the other library.
        int relocations = 0;
        foreach (var section in elf.Sections.Where(s => s.Type is ElfImage.SectionRela or ElfImage.SectionRel && s.Link == dynsym.Index))
        {
            int entrySize = section.Type == ElfImage.SectionRela ? RelaSize : RelSize;
            for (ulong at = 0; at + (ulong)entrySize <= section.Size; at += (ulong)entrySize, relocations++)
            {
                uint symbol = (uint)(elf.ReadUInt64(elf.Offset(section.Offset, at + 8)) >> 32); // ELF64_R_SYM(r_info)
                if (IsBound(symbol))
                    throw new InvalidOperationException(
                        $"ELF: relocation at 0x{section.Offset + at:x} in {section.Name} uses '{SymbolName(symbol)}@{version}'; " +
                        $"the library really needs {version} from {file}, so it cannot be made weak.");
            }
        }

        // 4. Flip the flag (or report that it is already weak).
        ushort flags = elf.ReadUInt16(flagsOffset);
        if ((flags & VersionFlagWeak) != 0)
            return new WeakVersionResult(WeakVersionOutcome.AlreadyWeak, version, file, index, flagsOffset, bound, relocations);
        flags |= VersionFlagWeak;
        image[flagsOffset] = (byte)flags;
        image[flagsOffset + 1] = (byte)(flags >> 8);
        return new WeakVersionResult(WeakVersionOutcome.Patched, version, file, index, flagsOffset, bound, relocations);
    }

    /// <summary>Walks the Elf64_Verneed chain; returns (vn_file, vna_other, offset of vna_flags) of <paramref name="version"/>.</summary>
    private static (string File, int Index, int FlagsOffset)? FindRequirement(ElfImage elf, string version)
    {
        var section = elf.FindSection(ElfImage.SectionVersionNeed);
        if (section is null)
            return null;
        var strings = elf.Linked(section);
        ulong at = 0;
        for (uint entry = 0; entry < section.Info; entry++)     // sh_info = number of Elf64_Verneed entries
        {
            if (at + VerneedSize > section.Size)
                throw new InvalidDataException($"ELF: Elf64_Verneed entry {entry} at 0x{section.Offset + at:x} runs past .gnu.version_r.");
            int need = elf.Offset(section.Offset, at);
            ushort count = elf.ReadUInt16(need + 2);            // vn_cnt
            string file = elf.ReadString(strings, elf.ReadUInt32(need + 4));  // vn_file
            ulong aux = at + elf.ReadUInt32(need + 8);          // vn_aux, relative to this Elf64_Verneed
            for (int i = 0; i < count; i++)
            {
                if (aux + VernauxSize > section.Size)
                    throw new InvalidDataException($"ELF: Elf64_Vernaux entry at 0x{section.Offset + aux:x} runs past .gnu.version_r.");
                int entryAt = elf.Offset(section.Offset, aux);
                if (elf.ReadString(strings, elf.ReadUInt32(entryAt + 8)) == version)   // vna_name
                    return (file, elf.ReadUInt16(entryAt + 6) & 0x7fff, entryAt + 4); // vna_other, &vna_flags
                aux += elf.ReadUInt32(entryAt + 12);            // vna_next, relative to this Elf64_Vernaux
            }
            uint next = elf.ReadUInt32(need + 12);              // vn_next
            if (next == 0)
                break;
            at += next;
        }
        return null;
    }
}
