// Why an object file could not be loaded. Every check of ObjectImage ends in
// one of these, never in a crash: the file is untrusted input.

public enum LoaderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// open/fstat/mmap failed.
    case systemCallFailed(operation: String, path: String, errno: Int32)
    /// Not a regular file (a directory, a device, a pipe).
    case notARegularFile(path: String)
    /// The first bytes are not `\x7fELF` (or the file is shorter than that).
    case notAnELFFile(size: Int)
    /// EI_CLASS is not ELFCLASS64.
    case wrongClass(UInt8)
    /// EI_DATA is not ELFDATA2LSB.
    case wrongEndianness(UInt8)
    /// EI_VERSION or e_version is not EV_CURRENT.
    case unsupportedELFVersion(UInt32)
    /// The file ends inside the ELF header.
    case truncatedHeader(size: Int)
    /// e_type is not ET_REL.
    case notRelocatable(type: UInt16)
    /// e_machine is not the machine expected (by default, this host's).
    case wrongMachine(found: UInt16, expected: UInt16)
    /// The section header table is malformed or extends past the end of the file.
    case badSectionHeaderTable(String)
    /// A section's name is not a NUL-terminated string inside `.shstrtab`.
    case badSectionName(index: Int)
    /// A section's contents extend past the end of the file.
    case sectionOutOfBounds(name: String, offset: UInt64, size: UInt64, fileSize: Int)
    /// A section the runtime needs is absent.
    case missingSection(String)
    /// A section the runtime needs appears more than once.
    case duplicateSection(String)
    /// A section has the wrong type or flags (e.g. `.text` without SHF_EXECINSTR).
    case badSection(name: String, reason: String)
    /// `.text` does not start at a file offset that is a multiple of the page
    /// size, so it cannot be mapped from the file.
    case textNotPageAligned(offset: UInt64, pageSize: Int)
    /// The object has relocations against `.text`; swasm objects never do.
    case textHasRelocations
    /// `.symtab` or its string table is malformed.
    case badSymbolTable(String)

    public var description: String {
        switch self {
        case .systemCallFailed(let operation, let path, let code):
            return "cannot \(operation) '\(path)': \(loaderErrnoDescription(code))"
        case .notARegularFile(let path):
            return "'\(path)' is not a regular file"
        case .notAnELFFile(let size):
            return size < 4
                ? "not an ELF file: only \(size) bytes long"
                : "not an ELF file: bad magic number (expected 7f 45 4c 46)"
        case .wrongClass(let value):
            let found = value == 1 ? "32-bit (ELFCLASS32)" : "unknown class \(value)"
            return "object is \(found); expected a 64-bit ELF object (ELFCLASS64)"
        case .wrongEndianness(let value):
            let found = value == 2 ? "big-endian (ELFDATA2MSB)" : "of unknown byte order \(value)"
            return "object is \(found); expected little-endian (ELFDATA2LSB)"
        case .unsupportedELFVersion(let version):
            return "unsupported ELF version \(version); expected 1"
        case .truncatedHeader(let size):
            return "truncated ELF header: file is \(size) bytes, the header needs 64"
        case .notRelocatable(let type):
            let names: [UInt16: String] = [0: "ET_NONE", 2: "an executable (ET_EXEC)",
                                           3: "a shared object or PIE (ET_DYN)", 4: "a core file (ET_CORE)"]
            return "object is \(names[type] ?? "of ELF type \(type)"); expected a relocatable object (ET_REL)"
        case .wrongMachine(let found, let expected):
            return "object is for \(ObjectImage.machineName(found)), this host is \(ObjectImage.machineName(expected))"
        case .badSectionHeaderTable(let reason):
            return "bad section header table: \(reason)"
        case .badSectionName(let index):
            return "section \(index) has a name outside the section name table"
        case .sectionOutOfBounds(let name, let offset, let size, let fileSize):
            return "section \(name) (offset \(offset), \(size) bytes) extends past the end of the file (\(fileSize) bytes)"
        case .missingSection(let name):
            return "missing \(name) section: not a swasm object"
        case .duplicateSection(let name):
            return "more than one \(name) section"
        case .badSection(let name, let reason):
            return "bad \(name) section: \(reason)"
        case .textNotPageAligned(let offset, let pageSize):
            return ".text is at file offset \(offset), not a multiple of the page size \(pageSize); it cannot be mapped"
        case .textHasRelocations:
            return ".text has relocations; swasm objects are position-independent and never do"
        case .badSymbolTable(let reason):
            return "bad symbol table: \(reason)"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

func loaderErrnoDescription(_ code: Int32) -> String {
    if let message = strerror(code) { return String(cString: message) + " (errno \(code))" }
    return "errno \(code)"
}
