// A swasm object file mapped into memory: the ELF64 headers parsed by hand
// (the runtime does not link libelf), `.text` mapped read+execute straight
// from the file, `.swasm_metadata` and the symbol table read in place from a
// read-only mapping of the whole file. Nothing is copied, so loading costs
// the same whatever the size of the code.
//
// The file is untrusted input: every offset and size is checked against the
// file's size before anything is read, and every problem is a LoaderError.
// (As with any mapped file, truncating it while it is loaded is the caller's
// problem: the next access to a vanished page raises SIGBUS.)
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public final class ObjectImage: @unchecked Sendable {
    /// Where a symbol lives.
    public enum Section: Sendable, Hashable {
        case text
        case metadata
        /// Another section (by ELF section index) or a special index such as SHN_ABS.
        case other(index: Int)
    }

    /// A defined symbol; `offset` and `size` are relative to its section.
    public struct Symbol: Sendable, Hashable {
        public var section: Section
        public var offset: Int
        public var size: Int
        public var isGlobal: Bool
        public var isFunction: Bool

        public init(section: Section, offset: Int, size: Int, isGlobal: Bool, isFunction: Bool) {
            self.section = section
            self.offset = offset
            self.size = size
            self.isGlobal = isGlobal
            self.isFunction = isFunction
        }
    }

    /// Section names the runtime looks for.
    public static let textSectionName = ".text"
    public static let metadataSectionName = ".swasm_metadata"

    public let path: String
    /// `e_machine` of the object.
    public let machine: UInt16
    /// The code, mapped PROT_READ|PROT_EXEC from the file (empty when `.text` is).
    public let text: UnsafeRawBufferPointer
    /// The metadata bytes, inside a read-only mapping of the file.
    public let metadata: UnsafeRawBufferPointer

    private let fileMapping: UnsafeMutableRawPointer
    private let fileSize: Int
    private let textMapping: UnsafeMutableRawPointer?
    private let symbolTable: UnsafeRawBufferPointer
    private let stringTable: UnsafeRawBufferPointer
    private let textIndex: Int
    private let metadataIndex: Int

    /// `e_machine` of the machine this process runs on.
    public static var hostMachine: UInt16 {
        #if arch(x86_64)
        return ELFConstants.EM_X86_64
        #elseif arch(arm64)
        return ELFConstants.EM_AARCH64
        #else
        return 0
        #endif
    }

    public static func machineName(_ machine: UInt16) -> String {
        switch machine {
        case ELFConstants.EM_X86_64: return "x86_64"
        case ELFConstants.EM_AARCH64: return "aarch64"
        case 3: return "i386"
        case 40: return "arm"
        case 243: return "riscv"
        case 0: return "no machine (EM_NONE)"
        default: return "machine \(machine)"
        }
    }

    /// Opens, validates and maps the object at `path`. `expectedMachine`
    /// defaults to the host's: code for another machine cannot run here.
    public init(path: String, expectedMachine: UInt16 = ObjectImage.hostMachine) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LoaderError.systemCallFailed(operation: "open", path: path, errno: errno) }
        defer { close(fd) }

        var status = stat()
        guard fstat(fd, &status) == 0 else {
            throw LoaderError.systemCallFailed(operation: "stat", path: path, errno: errno)
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw LoaderError.notARegularFile(path: path) }
        guard status.st_size > 0 else { throw LoaderError.notAnELFFile(size: 0) }
        guard status.st_size <= off_t(Int.max) else {
            throw LoaderError.badSectionHeaderTable("file too large")
        }
        let size = Int(status.st_size)

        guard let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapping != MAP_FAILED else {
            throw LoaderError.systemCallFailed(operation: "map", path: path, errno: errno)
        }
        let file = UnsafeRawBufferPointer(start: mapping, count: size)
        let layout: ParsedLayout
        do {
            layout = try ParsedLayout(file, expectedMachine: expectedMachine, pageSize: Int(sysconf(Int32(_SC_PAGESIZE))))
        } catch {
            munmap(mapping, size)
            throw error
        }

        var textMapping: UnsafeMutableRawPointer? = nil
        if layout.text.size > 0 {
            guard let code = mmap(nil, layout.text.size, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, off_t(layout.text.offset)),
                  code != MAP_FAILED else {
                let code = errno
                munmap(mapping, size)
                let operation = code == EPERM || code == EACCES
                    ? "map .text executable (is the file on a noexec mount?)" : "map .text executable"
                throw LoaderError.systemCallFailed(operation: operation, path: path, errno: code)
            }
            textMapping = code
        }

        self.machine = layout.machine
        self.fileMapping = mapping
        self.fileSize = size
        self.textMapping = textMapping
        self.text = UnsafeRawBufferPointer(start: textMapping, count: layout.text.size)
        self.metadata = UnsafeRawBufferPointer(rebasing: file[layout.metadata.offset..<(layout.metadata.offset + layout.metadata.size)])
        if let symbols = layout.symbols, let strings = layout.strings {
            self.symbolTable = UnsafeRawBufferPointer(rebasing: file[symbols.offset..<(symbols.offset + symbols.size)])
            self.stringTable = UnsafeRawBufferPointer(rebasing: file[strings.offset..<(strings.offset + strings.size)])
        } else {
            self.symbolTable = UnsafeRawBufferPointer(start: nil, count: 0)
            self.stringTable = UnsafeRawBufferPointer(start: nil, count: 0)
        }
        self.textIndex = layout.textIndex
        self.metadataIndex = layout.metadataIndex
    }

    deinit {
        if let textMapping { munmap(textMapping, text.count) }
        munmap(fileMapping, fileSize)
    }

    /// The defined symbol called `name`: a global (or weak) one if there is
    /// one, else the first local one. Nil when there is none, or when its
    /// range does not fit in its `.text` or `.swasm_metadata` section.
    public func symbol(named name: String) -> Symbol? {
        var local: Symbol? = nil
        var wanted = Array(name.utf8)
        wanted.append(0)
        for index in 1..<max(symbolCount, 1) {
            guard let entry = symbolEntry(index), entry.isNamedDefinition else { continue }
            guard stringMatches(at: entry.nameOffset, wanted) else { continue }
            guard let symbol = resolve(entry) else { continue }
            if symbol.isGlobal { return symbol }
            if local == nil { local = symbol }
        }
        return local
    }

    /// Every defined, named symbol, in symbol table order (valid ones only).
    public func symbols() -> [(name: String, symbol: Symbol)] {
        var result: [(name: String, symbol: Symbol)] = []
        for index in 1..<max(symbolCount, 1) {
            guard let entry = symbolEntry(index), entry.isNamedDefinition,
                  let name = string(at: entry.nameOffset), let symbol = resolve(entry) else { continue }
            result.append((name, symbol))
        }
        return result
    }

    /// The address of a `.text` symbol in the mapped code.
    public func textAddress(ofSymbol name: String) -> UnsafeRawPointer? {
        guard let symbol = symbol(named: name), symbol.section == .text, let base = text.baseAddress else { return nil }
        return base + symbol.offset
    }

    // MARK: Symbol table access (bounds were checked at load: whole entries only)

    private struct SymbolEntry {
        var nameOffset: Int
        var binding: UInt8
        var type: UInt8
        var sectionIndex: UInt16
        var value: UInt64
        var size: UInt64
        /// Defined, named, and not a section or file symbol.
        var isNamedDefinition: Bool {
            sectionIndex != 0 && nameOffset != 0 && type != ELFConstants.STT_SECTION && type != ELFConstants.STT_FILE
        }
    }

    private var symbolCount: Int { symbolTable.count / ELFConstants.symbolSize }

    private func symbolEntry(_ index: Int) -> SymbolEntry? {
        guard index >= 0, index < symbolCount else { return nil }
        let base = index * ELFConstants.symbolSize
        let info = symbolTable[base + 4]
        return SymbolEntry(
            nameOffset: Int(symbolTable.le(UInt32.self, at: base)),
            binding: info >> 4, type: info & 0xf,
            sectionIndex: symbolTable.le(UInt16.self, at: base + 6),
            value: symbolTable.le(UInt64.self, at: base + 8),
            size: symbolTable.le(UInt64.self, at: base + 16))
    }

    private func resolve(_ entry: SymbolEntry) -> Symbol? {
        let section: Section
        let limit: Int?
        switch Int(entry.sectionIndex) {
        case textIndex: section = .text; limit = text.count
        case metadataIndex: section = .metadata; limit = metadata.count
        case let other: section = .other(index: other); limit = nil
        }
        if let limit {
            guard entry.value <= UInt64(limit), entry.size <= UInt64(limit) - entry.value else { return nil }
        } else {
            guard entry.value <= UInt64(Int.max), entry.size <= UInt64(Int.max) else { return nil }
        }
        return Symbol(section: section, offset: Int(entry.value), size: Int(entry.size),
                      isGlobal: entry.binding == ELFConstants.STB_GLOBAL || entry.binding == ELFConstants.STB_WEAK,
                      isFunction: entry.type == ELFConstants.STT_FUNC)
    }

    private func stringMatches(at offset: Int, _ wanted: [UInt8]) -> Bool {
        guard offset >= 0, offset <= stringTable.count, wanted.count <= stringTable.count - offset else { return false }
        for (i, byte) in wanted.enumerated() where stringTable[offset + i] != byte { return false }
        return true
    }

    private func string(at offset: Int) -> String? {
        guard offset >= 0, offset < stringTable.count else { return nil }
        guard let end = stringTable[offset...].firstIndex(of: 0) else { return nil }
        return String(decoding: stringTable[offset..<end], as: UTF8.self)
    }
}

// MARK: - ELF parsing

enum ELFConstants {
    static let headerSize = 64
    static let sectionHeaderSize = 64
    static let symbolSize = 24

    static let EM_X86_64: UInt16 = 62
    static let EM_AARCH64: UInt16 = 183
    static let ET_REL: UInt16 = 1

    static let SHT_PROGBITS: UInt32 = 1
    static let SHT_SYMTAB: UInt32 = 2
    static let SHT_STRTAB: UInt32 = 3
    static let SHT_RELA: UInt32 = 4
    static let SHT_NOBITS: UInt32 = 8
    static let SHT_REL: UInt32 = 9

    static let SHF_ALLOC: UInt64 = 0x2
    static let SHF_EXECINSTR: UInt64 = 0x4

    static let SHN_XINDEX: UInt16 = 0xffff

    static let STB_GLOBAL: UInt8 = 1
    static let STB_WEAK: UInt8 = 2
    static let STT_FUNC: UInt8 = 2
    static let STT_SECTION: UInt8 = 3
    static let STT_FILE: UInt8 = 4
}

extension UnsafeRawBufferPointer {
    /// A little-endian integer at `offset`; the caller has checked the bounds.
    @inline(__always)
    fileprivate func le<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        precondition(offset >= 0 && offset <= count - MemoryLayout<T>.size)
        return T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

/// The sections ObjectImage uses, validated.
private struct ParsedLayout {
    struct Range { var offset: Int; var size: Int }

    var machine: UInt16
    var text: Range
    var textIndex: Int
    var metadata: Range
    var metadataIndex: Int
    var symbols: Range?
    var strings: Range?

    struct SectionHeader {
        var name: UInt32
        var type: UInt32
        var flags: UInt64
        var offset: UInt64
        var size: UInt64
        var link: UInt32
        var info: UInt32
        var entrySize: UInt64
    }

    init(_ file: UnsafeRawBufferPointer, expectedMachine: UInt16, pageSize: Int) throws {
        let size = file.count
        // Identification.
        guard size >= 4, file[0] == 0x7f, file[1] == 0x45, file[2] == 0x4c, file[3] == 0x46 else {
            throw LoaderError.notAnELFFile(size: size)
        }
        guard size > 4 else { throw LoaderError.truncatedHeader(size: size) }
        guard file[4] == 2 else { throw LoaderError.wrongClass(file[4]) }
        guard size > 5 else { throw LoaderError.truncatedHeader(size: size) }
        guard file[5] == 1 else { throw LoaderError.wrongEndianness(file[5]) }
        guard size > 6 else { throw LoaderError.truncatedHeader(size: size) }
        guard file[6] == 1 else { throw LoaderError.unsupportedELFVersion(UInt32(file[6])) }
        guard size >= ELFConstants.headerSize else { throw LoaderError.truncatedHeader(size: size) }

        // Header.
        let type = file.le(UInt16.self, at: 16)
        guard type == ELFConstants.ET_REL else { throw LoaderError.notRelocatable(type: type) }
        machine = file.le(UInt16.self, at: 18)
        guard machine == expectedMachine else {
            throw LoaderError.wrongMachine(found: machine, expected: expectedMachine)
        }
        let version = file.le(UInt32.self, at: 20)
        guard version == 1 else { throw LoaderError.unsupportedELFVersion(version) }
        let tableOffset = file.le(UInt64.self, at: 40)
        let entrySize = file.le(UInt16.self, at: 58)
        var count = Int(file.le(UInt16.self, at: 60))
        var namesIndex = Int(file.le(UInt16.self, at: 62))

        // Section header table.
        guard tableOffset != 0 else { throw LoaderError.badSectionHeaderTable("the object has none") }
        guard entrySize == ELFConstants.sectionHeaderSize else {
            throw LoaderError.badSectionHeaderTable("entry size \(entrySize), expected 64")
        }
        guard tableOffset <= UInt64(size), UInt64(size) - tableOffset >= UInt64(ELFConstants.sectionHeaderSize) else {
            throw LoaderError.badSectionHeaderTable("offset \(tableOffset) is past the end of the file (\(size) bytes)")
        }
        let table = Int(tableOffset)
        func header(_ index: Int) -> SectionHeader {
            let base = table + index * ELFConstants.sectionHeaderSize
            return SectionHeader(
                name: file.le(UInt32.self, at: base), type: file.le(UInt32.self, at: base + 4),
                flags: file.le(UInt64.self, at: base + 8), offset: file.le(UInt64.self, at: base + 24),
                size: file.le(UInt64.self, at: base + 32), link: file.le(UInt32.self, at: base + 40),
                info: file.le(UInt32.self, at: base + 44), entrySize: file.le(UInt64.self, at: base + 56))
        }
        // Extended numbering: counts that do not fit in the header live in section 0.
        let first = header(0)
        if count == 0 {
            guard first.size <= UInt64(Int.max) else { throw LoaderError.badSectionHeaderTable("bad section count") }
            count = Int(first.size)
        }
        if namesIndex == Int(ELFConstants.SHN_XINDEX) { namesIndex = Int(first.link) }
        let available = (size - table) / ELFConstants.sectionHeaderSize
        guard count > 0 else { throw LoaderError.badSectionHeaderTable("no sections") }
        guard count <= available else {
            throw LoaderError.badSectionHeaderTable(
                "\(count) entries at offset \(tableOffset) extend past the end of the file (\(size) bytes)")
        }

        func contents(_ section: SectionHeader, name: String) throws -> Range {
            if section.type == ELFConstants.SHT_NOBITS { return Range(offset: 0, size: 0) }
            guard section.offset <= UInt64(size), section.size <= UInt64(size) - section.offset else {
                throw LoaderError.sectionOutOfBounds(name: name, offset: section.offset, size: section.size, fileSize: size)
            }
            return Range(offset: Int(section.offset), size: Int(section.size))
        }

        // Section names.
        guard namesIndex != 0 else { throw LoaderError.badSectionHeaderTable("no section name table") }
        guard namesIndex < count else {
            throw LoaderError.badSectionHeaderTable("section name table index \(namesIndex) is out of range (\(count) sections)")
        }
        let namesHeader = header(namesIndex)
        guard namesHeader.type == ELFConstants.SHT_STRTAB else {
            throw LoaderError.badSectionHeaderTable("section name table \(namesIndex) is not a string table")
        }
        let names = try contents(namesHeader, name: "section name table")
        func name(of section: SectionHeader, index: Int) throws -> String {
            let offset = Int(section.name)
            guard offset < names.size,
                  let end = file[(names.offset + offset)..<(names.offset + names.size)].firstIndex(of: 0) else {
                throw LoaderError.badSectionName(index: index)
            }
            return String(decoding: file[(names.offset + offset)..<end], as: UTF8.self)
        }

        // Walk the sections.
        var textIndex: Int? = nil, metadataIndex: Int? = nil, symbolsIndex: Int? = nil
        var text = Range(offset: 0, size: 0), metadata = Range(offset: 0, size: 0)
        var textHeader: SectionHeader? = nil, metadataHeader: SectionHeader? = nil
        var relocatedSections: [Int] = []
        for index in 1..<count {
            let section = header(index)
            let sectionName = try name(of: section, index: index)
            let range = try contents(section, name: sectionName.isEmpty ? "#\(index)" : sectionName)
            switch sectionName {
            case ObjectImage.textSectionName:
                guard textIndex == nil else { throw LoaderError.duplicateSection(sectionName) }
                textIndex = index; text = range; textHeader = section
            case ObjectImage.metadataSectionName:
                guard metadataIndex == nil else { throw LoaderError.duplicateSection(sectionName) }
                metadataIndex = index; metadata = range; metadataHeader = section
            default:
                break
            }
            switch section.type {
            case ELFConstants.SHT_SYMTAB:
                guard symbolsIndex == nil else { throw LoaderError.badSymbolTable("more than one SHT_SYMTAB section") }
                symbolsIndex = index
            case ELFConstants.SHT_REL, ELFConstants.SHT_RELA:
                if section.size > 0 { relocatedSections.append(Int(section.info)) }
            default:
                break
            }
        }

        guard let textIndex, let textHeader else { throw LoaderError.missingSection(ObjectImage.textSectionName) }
        guard let metadataIndex, let metadataHeader else {
            throw LoaderError.missingSection(ObjectImage.metadataSectionName)
        }
        guard textHeader.type == ELFConstants.SHT_PROGBITS else {
            throw LoaderError.badSection(name: ObjectImage.textSectionName, reason: "type \(textHeader.type), expected SHT_PROGBITS")
        }
        guard textHeader.flags & (ELFConstants.SHF_ALLOC | ELFConstants.SHF_EXECINSTR)
                == ELFConstants.SHF_ALLOC | ELFConstants.SHF_EXECINSTR else {
            throw LoaderError.badSection(name: ObjectImage.textSectionName, reason: "not flagged allocated and executable")
        }
        guard metadataHeader.type == ELFConstants.SHT_PROGBITS else {
            throw LoaderError.badSection(name: ObjectImage.metadataSectionName,
                                         reason: "type \(metadataHeader.type), expected SHT_PROGBITS")
        }
        guard pageSize > 0, text.offset % pageSize == 0 else {
            throw LoaderError.textNotPageAligned(offset: textHeader.offset, pageSize: pageSize)
        }
        guard !relocatedSections.contains(textIndex) else { throw LoaderError.textHasRelocations }

        // Symbol table: whole entries, linked to a string table in bounds.
        if let symbolsIndex {
            let symbolsHeader = header(symbolsIndex)
            guard symbolsHeader.entrySize == UInt64(ELFConstants.symbolSize) else {
                throw LoaderError.badSymbolTable("entry size \(symbolsHeader.entrySize), expected 24")
            }
            let range = try contents(symbolsHeader, name: ".symtab")
            guard range.size % ELFConstants.symbolSize == 0 else {
                throw LoaderError.badSymbolTable("size \(range.size) is not a multiple of 24")
            }
            let link = Int(symbolsHeader.link)
            guard link > 0, link < count, link != symbolsIndex else {
                throw LoaderError.badSymbolTable("string table index \(link) is invalid")
            }
            let stringsHeader = header(link)
            guard stringsHeader.type == ELFConstants.SHT_STRTAB else {
                throw LoaderError.badSymbolTable("section \(link) is not a string table")
            }
            symbols = range
            strings = try contents(stringsHeader, name: "symbol string table")
        } else {
            symbols = nil
            strings = nil
        }

        self.text = text
        self.textIndex = textIndex
        self.metadata = metadata
        self.metadataIndex = metadataIndex
    }
}
