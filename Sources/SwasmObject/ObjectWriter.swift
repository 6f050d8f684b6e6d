// Writes a relocatable ELF64 object with libelf, laying it out by hand
// (ELF_F_LAYOUT) so that `.text` and `.swasm_metadata` start at page-aligned
// file offsets and the runtime can map them without copying:
//
//   0                ELF header
//   P                .text             (P = target.filePageSize)
//   align(., P)      .swasm_metadata
//   (same offset)    .note.GNU-stack   (empty: non-executable stack)
//   align(., 8)      .symtab, .strtab, .shstrtab
//   align(., 8)      section header table
//
// Section indices: 1 .text, 2 .swasm_metadata, 3 .note.GNU-stack,
// 4 .symtab, 5 .strtab, 6 .shstrtab. The symbol table holds the null
// symbol, one section symbol for each of sections 1-3, then the local
// symbols, then the global ones, each group in the order given. There are no
// relocations and nothing depends on time or environment, so equal
// descriptions give equal bytes.
internal import CLibElf
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public enum ObjectWriter {
    public static let textSectionName = ".text"
    public static let metadataSectionName = ".swasm_metadata"
    /// Alignment of the metadata within the address space when linked.
    public static let metadataAlignment = 16

    /// The object's bytes.
    public static func write(_ description: ObjectFileDescription) throws -> [UInt8] {
        let layout = try Layout(description)
        return try emit(layout)
    }

    /// Writes the object to `path` (see `OutputFile.write`).
    public static func write(_ description: ObjectFileDescription, to path: String) throws {
        try OutputFile.write(try write(description), to: path)
    }
}

// MARK: - ELF constants (spelled out: several are macros Swift imports awkwardly)

private enum ELF {
    static let headerSize = 64
    static let sectionHeaderSize = 64
    static let symbolSize = 24

    static let SHT_PROGBITS: UInt32 = 1
    static let SHT_SYMTAB: UInt32 = 2
    static let SHT_STRTAB: UInt32 = 3

    static let SHF_ALLOC: UInt64 = 0x2
    static let SHF_EXECINSTR: UInt64 = 0x4

    static let STB_LOCAL: UInt8 = 0
    static let STB_GLOBAL: UInt8 = 1
    static let STT_OBJECT: UInt8 = 1
    static let STT_FUNC: UInt8 = 2
    static let STT_SECTION: UInt8 = 3
    static let STV_DEFAULT: UInt8 = 0

    static let ET_REL: UInt16 = 1
    static let ELFCLASS64: UInt8 = 2
    static let ELFDATA2LSB: UInt8 = 1
    static let EV_CURRENT: UInt8 = 1
    static let ELFOSABI_NONE: UInt8 = 0
}

private enum SectionIndex {
    static let text = 1
    static let metadata = 2
    static let noteGNUStack = 3
    static let symtab = 4
    static let strtab = 5
    static let shstrtab = 6
    static let count = 7
}

private func alignUp(_ value: Int, _ alignment: Int) -> Int {
    (value + alignment - 1) / alignment * alignment
}

private extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        var little = value.littleEndian
        Swift.withUnsafeBytes(of: &little) { append(contentsOf: $0) }
    }
}

/// The sections' contents and where they go.
private struct Layout {
    struct Placement { var offset: Int; var size: Int }

    let target: ObjectTarget
    let text: [UInt8]
    let metadata: [UInt8]
    let symtab: [UInt8]
    let strtab: [UInt8]
    let shstrtab: [UInt8]
    let firstGlobalSymbol: Int
    /// shstrtab offsets of the names of sections 1...6.
    let sectionNames: [Int]
    let placements: [Placement]     // indexed by section, [0] unused
    let sectionHeaderOffset: Int
    let fileSize: Int

    init(_ description: ObjectFileDescription) throws {
        target = description.target
        text = description.text
        metadata = description.metadata

        // Check the symbols.
        var globals = Set<String>()
        for symbol in description.symbols {
            if symbol.name.isEmpty {
                throw ObjectWriterError.invalidSymbol(name: symbol.name, reason: "empty name")
            }
            if symbol.name.utf8.contains(0) {
                throw ObjectWriterError.invalidSymbol(name: symbol.name, reason: "NUL byte in name")
            }
            let sectionSize = symbol.section == .text ? text.count : metadata.count
            if symbol.offset < 0 || symbol.size < 0 || symbol.offset > sectionSize
                || symbol.size > sectionSize - symbol.offset {
                throw ObjectWriterError.invalidSymbol(
                    name: symbol.name,
                    reason: "range \(symbol.offset)+\(symbol.size) outside its section of \(sectionSize) bytes")
            }
            if symbol.isGlobal && !globals.insert(symbol.name).inserted {
                throw ObjectWriterError.duplicateGlobalSymbol(symbol.name)
            }
        }

        // String table: names in symbol order, each stored once.
        var strings: [UInt8] = [0]
        var stringOffsets: [String: Int] = [:]
        func stringOffset(_ name: String) -> Int {
            if let offset = stringOffsets[name] { return offset }
            let offset = strings.count
            strings.append(contentsOf: name.utf8)
            strings.append(0)
            stringOffsets[name] = offset
            return offset
        }

        // Symbol table: null, section symbols, locals, globals.
        var symbols: [UInt8] = []
        func appendSymbol(name: Int, binding: UInt8, type: UInt8, section: Int, value: Int, size: Int) {
            symbols.appendLE(UInt32(name))
            symbols.append(binding << 4 | type)
            symbols.append(ELF.STV_DEFAULT)
            symbols.appendLE(UInt16(section))
            symbols.appendLE(UInt64(value))
            symbols.appendLE(UInt64(size))
        }
        appendSymbol(name: 0, binding: 0, type: 0, section: 0, value: 0, size: 0)
        for section in [SectionIndex.text, SectionIndex.metadata, SectionIndex.noteGNUStack] {
            appendSymbol(name: 0, binding: ELF.STB_LOCAL, type: ELF.STT_SECTION, section: section, value: 0, size: 0)
        }
        let locals = description.symbols.filter { !$0.isGlobal }
        let globalSymbols = description.symbols.filter { $0.isGlobal }
        for symbol in locals + globalSymbols {
            appendSymbol(
                name: stringOffset(symbol.name),
                binding: symbol.isGlobal ? ELF.STB_GLOBAL : ELF.STB_LOCAL,
                type: symbol.isFunction ? ELF.STT_FUNC : ELF.STT_OBJECT,
                section: symbol.section == .text ? SectionIndex.text : SectionIndex.metadata,
                value: symbol.offset, size: symbol.size)
        }
        firstGlobalSymbol = 4 + locals.count
        symtab = symbols
        strtab = strings

        // Section name table.
        var names: [UInt8] = [0]
        var nameOffsets: [Int] = []
        for name in [ObjectWriter.textSectionName, ObjectWriter.metadataSectionName, ".note.GNU-stack",
                     ".symtab", ".strtab", ".shstrtab"] {
            nameOffsets.append(names.count)
            names.append(contentsOf: name.utf8)
            names.append(0)
        }
        shstrtab = names
        sectionNames = nameOffsets

        // Placement.
        let page = target.filePageSize
        var placements = [Placement](repeating: Placement(offset: 0, size: 0), count: SectionIndex.count)
        var offset = alignUp(ELF.headerSize, page)
        placements[SectionIndex.text] = Placement(offset: offset, size: text.count)
        offset = alignUp(offset + text.count, page)
        placements[SectionIndex.metadata] = Placement(offset: offset, size: metadata.count)
        offset += metadata.count
        placements[SectionIndex.noteGNUStack] = Placement(offset: offset, size: 0)
        offset = alignUp(offset, 8)
        placements[SectionIndex.symtab] = Placement(offset: offset, size: symtab.count)
        offset += symtab.count
        placements[SectionIndex.strtab] = Placement(offset: offset, size: strtab.count)
        offset += strtab.count
        placements[SectionIndex.shstrtab] = Placement(offset: offset, size: shstrtab.count)
        offset = alignUp(offset + shstrtab.count, 8)
        sectionHeaderOffset = offset
        fileSize = offset + SectionIndex.count * ELF.sectionHeaderSize
        self.placements = placements
    }
}

// MARK: - libelf

private func libelfError(_ operation: String) -> ObjectWriterError {
    let message = elf_errmsg(-1).map { String(cString: $0) } ?? "unknown error"
    return .libelf(operation: operation, message: message)
}

/// Owns the section contents handed to libelf until `elf_update` has written them.
private final class Buffers {
    var pointers: [UnsafeMutableRawPointer] = []
    func copy(_ bytes: [UInt8]) -> UnsafeMutableRawPointer {
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { pointer.copyMemory(from: base, byteCount: source.count) }
        }
        pointers.append(pointer)
        return pointer
    }
    deinit { for pointer in pointers { pointer.deallocate() } }
}

private func emit(_ layout: Layout) throws -> [UInt8] {
    if elf_version(UInt32(ELF.EV_CURRENT)) == 0 /* EV_NONE */ {
        throw libelfError("elf_version")
    }
    // libelf writes to a file descriptor; an anonymous temporary file holds
    // the result until it is read back.
    guard let file = tmpfile() else { throw ObjectWriterError.io(operation: "tmpfile", path: nil, errno: errno) }
    defer { fclose(file) }
    let fd = fileno(file)

    let buffers = Buffers()
    guard let elf = elf_begin(fd, ELF_C_WRITE, nil) else { throw libelfError("elf_begin") }
    var elfOpen = true
    defer { if elfOpen { elf_end(elf) } }

    guard elf_flagelf(elf, ELF_C_SET, UInt32(ELF_F_LAYOUT)) != 0 else { throw libelfError("elf_flagelf") }
    guard let header = elf64_newehdr(elf) else { throw libelfError("elf64_newehdr") }
    withUnsafeMutableBytes(of: &header.pointee.e_ident) { ident in
        for i in 0..<ident.count { ident[i] = 0 }
        ident[0] = 0x7f
        ident[1] = UInt8(ascii: "E")
        ident[2] = UInt8(ascii: "L")
        ident[3] = UInt8(ascii: "F")
        ident[4] = ELF.ELFCLASS64
        ident[5] = ELF.ELFDATA2LSB
        ident[6] = ELF.EV_CURRENT
        ident[7] = ELF.ELFOSABI_NONE
    }
    header.pointee.e_type = ELF.ET_REL
    header.pointee.e_machine = layout.target.elfMachine
    header.pointee.e_version = UInt32(ELF.EV_CURRENT)
    header.pointee.e_entry = 0
    header.pointee.e_phoff = 0
    header.pointee.e_shoff = UInt64(layout.sectionHeaderOffset)
    header.pointee.e_flags = 0
    header.pointee.e_ehsize = UInt16(ELF.headerSize)
    header.pointee.e_phentsize = 0
    header.pointee.e_phnum = 0
    header.pointee.e_shentsize = UInt16(ELF.sectionHeaderSize)
    header.pointee.e_shstrndx = UInt16(SectionIndex.shstrtab)

    struct Section {
        var type: UInt32
        var flags: UInt64
        var alignment: Int
        var link: Int = 0
        var info: Int = 0
        var entrySize: Int = 0
        var contents: [UInt8]
    }
    let sections: [Section] = [
        Section(type: ELF.SHT_PROGBITS, flags: ELF.SHF_ALLOC | ELF.SHF_EXECINSTR, alignment: 4096,
                contents: layout.text),
        Section(type: ELF.SHT_PROGBITS, flags: ELF.SHF_ALLOC, alignment: ObjectWriter.metadataAlignment,
                contents: layout.metadata),
        Section(type: ELF.SHT_PROGBITS, flags: 0, alignment: 1, contents: []),
        Section(type: ELF.SHT_SYMTAB, flags: 0, alignment: 8, link: SectionIndex.strtab,
                info: layout.firstGlobalSymbol, entrySize: ELF.symbolSize, contents: layout.symtab),
        Section(type: ELF.SHT_STRTAB, flags: 0, alignment: 1, contents: layout.strtab),
        Section(type: ELF.SHT_STRTAB, flags: 0, alignment: 1, contents: layout.shstrtab),
    ]
    for (i, section) in sections.enumerated() {
        let index = i + 1
        guard let scn = elf_newscn(elf) else { throw libelfError("elf_newscn") }
        guard elf_ndxscn(scn) == index else {
            throw ObjectWriterError.libelf(operation: "elf_newscn", message: "unexpected section index")
        }
        guard let shdr = elf64_getshdr(scn) else { throw libelfError("elf64_getshdr") }
        shdr.pointee.sh_name = UInt32(layout.sectionNames[i])
        shdr.pointee.sh_type = section.type
        shdr.pointee.sh_flags = section.flags
        shdr.pointee.sh_addr = 0
        shdr.pointee.sh_offset = UInt64(layout.placements[index].offset)
        shdr.pointee.sh_size = UInt64(layout.placements[index].size)
        shdr.pointee.sh_link = UInt32(section.link)
        shdr.pointee.sh_info = UInt32(section.info)
        shdr.pointee.sh_addralign = UInt64(section.alignment)
        shdr.pointee.sh_entsize = UInt64(section.entrySize)
        if !section.contents.isEmpty {
            guard let data = elf_newdata(scn) else { throw libelfError("elf_newdata") }
            // Bytes serialized little-endian above; libelf must not convert them.
            data.pointee.d_buf = buffers.copy(section.contents)
            data.pointee.d_type = ELF_T_BYTE
            data.pointee.d_size = section.contents.count
            data.pointee.d_off = 0
            data.pointee.d_align = 1
            data.pointee.d_version = UInt32(ELF.EV_CURRENT)
        }
    }

    let written = elf_update(elf, ELF_C_WRITE)
    guard written >= 0 else { throw libelfError("elf_update") }
    elfOpen = false
    guard elf_end(elf) == 0 else { throw libelfError("elf_end") }
    guard written == layout.fileSize else {
        throw ObjectWriterError.libelf(
            operation: "elf_update", message: "wrote \(written) bytes, expected \(layout.fileSize)")
    }

    // Read the object back.
    var bytes = [UInt8](repeating: 0, count: layout.fileSize)
    var done = 0
    let failure: Int32? = bytes.withUnsafeMutableBytes { buffer in
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if n == 0 { return EIO }
            done += n
        }
        return nil
    }
    if let failure { throw ObjectWriterError.io(operation: "read back object", path: nil, errno: failure) }
    return bytes
}

func errnoDescription(_ code: Int32) -> String {
    if let message = strerror(code) { return String(cString: message) + " (errno \(code))" }
    return "errno \(code)"
}
