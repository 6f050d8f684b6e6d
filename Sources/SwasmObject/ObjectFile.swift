// What goes into a relocatable object: the target, the bytes of `.text` and
// `.swasm_metadata`, and the symbols that name places in them. ObjectWriter
// turns a description into ELF bytes.

/// The machine an object is for.
public enum ObjectTarget: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case x86_64
    case aarch64

    /// `e_machine`: EM_X86_64 (62) or EM_AARCH64 (183).
    public var elfMachine: UInt16 {
        switch self {
        case .x86_64: return 62
        case .aarch64: return 183
        }
    }

    /// The file-offset alignment of `.text` and `.swasm_metadata`, so that
    /// the runtime can map them straight from the file. It covers every page
    /// size the target's Linux kernels use: 4 KiB on x86-64; 4, 16 or 64 KiB
    /// on AArch64.
    public var filePageSize: Int {
        switch self {
        case .x86_64: return 4096
        case .aarch64: return 65536
        }
    }

    public var description: String {
        switch self {
        case .x86_64: return "x86_64"
        case .aarch64: return "aarch64"
        }
    }
}

/// The sections a symbol can point into.
public enum ObjectSection: Sendable, Hashable {
    /// `.text`: the compiled code.
    case text
    /// `.swasm_metadata`: the module's metadata, read-only data.
    case metadata
}

/// A defined symbol: `offset` and `size` are in bytes from the start of its
/// section. Functions become STT_FUNC, everything else STT_OBJECT; globals
/// get default visibility.
public struct ObjectSymbol: Sendable, Hashable {
    public var name: String
    public var section: ObjectSection
    public var offset: Int
    public var size: Int
    public var isGlobal: Bool
    public var isFunction: Bool

    public init(name: String, section: ObjectSection, offset: Int, size: Int, isGlobal: Bool, isFunction: Bool) {
        self.name = name
        self.section = section
        self.offset = offset
        self.size = size
        self.isGlobal = isGlobal
        self.isFunction = isFunction
    }
}

/// Everything an object file holds. `.text` must need no relocations: calls
/// inside it are already resolved, everything else goes through the VM
/// context.
public struct ObjectFileDescription: Sendable, Hashable {
    public var target: ObjectTarget
    public var text: [UInt8]
    public var metadata: [UInt8]
    public var symbols: [ObjectSymbol]

    public init(target: ObjectTarget, text: [UInt8], metadata: [UInt8], symbols: [ObjectSymbol]) {
        self.target = target
        self.text = text
        self.metadata = metadata
        self.symbols = symbols
    }
}

public enum ObjectWriterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A symbol the object cannot hold: empty name, NUL in the name, or a
    /// range outside its section.
    case invalidSymbol(name: String, reason: String)
    /// Two global symbols with one name.
    case duplicateGlobalSymbol(String)
    /// libelf refused; the message is libelf's.
    case libelf(operation: String, message: String)
    /// Reading the produced bytes or writing the output file failed.
    case io(operation: String, path: String?, errno: Int32)

    public var description: String {
        switch self {
        case .invalidSymbol(let name, let reason):
            return "invalid symbol '\(name)': \(reason)"
        case .duplicateGlobalSymbol(let name):
            return "duplicate global symbol '\(name)'"
        case .libelf(let operation, let message):
            return "libelf: \(operation) failed: \(message)"
        case .io(let operation, let path, let code):
            let target = path.map { " '\($0)'" } ?? ""
            return "\(operation)\(target) failed: \(errnoDescription(code))"
        }
    }
}
