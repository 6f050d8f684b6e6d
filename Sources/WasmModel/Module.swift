// The decoded form of a module. Everything except function bodies is fully
// decoded; bodies are kept as byte ranges into `bytes` so that the validator
// and later the lowering decode their instructions in a single pass each.

/// A constant expression (global initializers, segment offsets, element items).
/// Holds the instructions up to but not including the final `end`.
public struct ConstantExpression: Sendable, Hashable {
    public enum Instruction: Sendable, Hashable {
        case i32Const(Int32)
        case i64Const(Int64)
        case f32Const(UInt32)
        case f64Const(UInt64)
        case v128Const(V128)
        case refNull(ValueType)
        case refFunc(UInt32)
        case globalGet(UInt32)
    }

    public var instructions: [Instruction]
    /// Offset of the first instruction in the module's bytes.
    public var offset: Int
    /// Set when the expression holds an instruction that is not allowed in a
    /// constant expression: its offset and name. The validator reports it.
    public var nonConstant: (offset: Int, name: String)?

    public init(instructions: [Instruction], offset: Int, nonConstant: (offset: Int, name: String)? = nil) {
        self.instructions = instructions
        self.offset = offset
        self.nonConstant = nonConstant
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.instructions == b.instructions && a.offset == b.offset
            && a.nonConstant?.offset == b.nonConstant?.offset && a.nonConstant?.name == b.nonConstant?.name
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(instructions)
        hasher.combine(offset)
    }
}

/// A 128-bit vector constant, lane bytes in little-endian order.
public struct V128: Sendable, Hashable {
    public var low: UInt64
    public var high: UInt64

    public init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }
}

public struct Import: Sendable, Hashable {
    public enum Descriptor: Sendable, Hashable {
        case function(typeIndex: UInt32)
        case table(TableType)
        case memory(MemoryType)
        case global(GlobalType)

        public var kind: ExternalKind {
            switch self {
            case .function: return .function
            case .table: return .table
            case .memory: return .memory
            case .global: return .global
            }
        }
    }

    public var module: String
    public var name: String
    public var descriptor: Descriptor
    /// Offset of the import entry, for error messages.
    public var offset: Int
}

public struct Export: Sendable, Hashable {
    public var name: String
    public var kind: ExternalKind
    public var index: UInt32
    public var offset: Int
}

public struct Global: Sendable, Hashable {
    public var type: GlobalType
    public var initializer: ConstantExpression
    /// Offset of the global's type in the module, for error messages.
    public var offset = 0
}

public struct ElementSegment: Sendable, Hashable {
    public enum Mode: Sendable, Hashable {
        case passive
        case active(table: UInt32, offset: ConstantExpression)
        case declarative
    }

    public enum Items: Sendable, Hashable {
        case functions([UInt32])
        case expressions([ConstantExpression])

        public var count: Int {
            switch self {
            case .functions(let f): return f.count
            case .expressions(let e): return e.count
            }
        }
    }

    public var mode: Mode
    public var elementType: ValueType
    public var items: Items
    public var offset: Int
}

public struct DataSegment: Sendable, Hashable {
    public enum Mode: Sendable, Hashable {
        case passive
        case active(memory: UInt32, offset: ConstantExpression)
    }

    public var mode: Mode
    /// The segment's bytes within the module's bytes.
    public var range: Range<Int>
    public var offset: Int
}

/// A function body: its declared locals and the byte range of its instructions.
public struct FunctionBody: Sendable, Hashable {
    /// Local declarations, run-length encoded as in the binary format.
    public var locals: [(count: UInt32, type: ValueType)]
    public var localCount: Int
    /// Instructions, including the final `end`.
    public var code: Range<Int>
    /// Offset of the body's size field.
    public var offset: Int

    public static func == (a: Self, b: Self) -> Bool {
        a.code == b.code && a.offset == b.offset && a.localCount == b.localCount
            && a.locals.elementsEqual(b.locals, by: { $0.count == $1.count && $0.type == $1.type })
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(offset)
    }
}

public struct CustomSection: Sendable, Hashable {
    public var name: String
    public var range: Range<Int>
}

/// Names from the `name` custom section. Malformed name sections are ignored,
/// as the spec allows.
public struct NameSection: Sendable, Hashable {
    public var moduleName: String?
    public var functionNames: [UInt32: String] = [:]
    public var localNames: [UInt32: [UInt32: String]] = [:]

    public init() {}
}

/// Where each non-custom section's contents start, by section id. (A fixed
/// array, not a dictionary: instantiating a generic dictionary type costs a
/// runtime conformance search on the first load in a process.)
public struct SectionOffsets: Sendable {
    private var offsets = [Int](repeating: -1, count: 16)

    public init() {}

    public subscript(id: UInt8) -> Int? {
        get { Int(id) < offsets.count && offsets[Int(id)] >= 0 ? offsets[Int(id)] : nil }
        set { if Int(id) < offsets.count { offsets[Int(id)] = newValue ?? -1 } }
    }
}

/// A decoded WebAssembly module.
public struct Module: Sendable {
    /// The module's binary encoding; body and data ranges index into it.
    public let bytes: [UInt8]

    public var types: [FunctionType] = []
    /// Offset of each type's entry, for error messages.
    public var typeOffsets: [Int] = []
    public var imports: [Import] = []
    /// Type indices of the functions defined in this module (not imports).
    public var functions: [UInt32] = []
    public var tables: [TableType] = []
    public var memories: [MemoryType] = []
    public var globals: [Global] = []
    public var exports: [Export] = []
    public var start: UInt32?
    public var elements: [ElementSegment] = []
    public var dataCount: UInt32?
    public var data: [DataSegment] = []
    public var bodies: [FunctionBody] = []
    public var customSections: [CustomSection] = []
    public var names = NameSection()

    /// Offset of each section's contents by section id, for error messages
    /// about module-level rules.
    public var sectionOffsets = SectionOffsets()

    public init(bytes: [UInt8]) { self.bytes = bytes }

    // Index spaces: imports first, then definitions.

    public var importedFunctionCount: Int { imports.lazy.filter { $0.descriptor.kind == .function }.count }
    public var importedTableCount: Int { imports.lazy.filter { $0.descriptor.kind == .table }.count }
    public var importedMemoryCount: Int { imports.lazy.filter { $0.descriptor.kind == .memory }.count }
    public var importedGlobalCount: Int { imports.lazy.filter { $0.descriptor.kind == .global }.count }

    /// Type indices of every function, imported ones first.
    public var allFunctionTypeIndices: [UInt32] {
        imports.compactMap { if case .function(let t) = $0.descriptor { return t } else { return nil } } + functions
    }

    public var allTables: [TableType] {
        imports.compactMap { if case .table(let t) = $0.descriptor { return t } else { return nil } } + tables
    }

    public var allMemories: [MemoryType] {
        imports.compactMap { if case .memory(let m) = $0.descriptor { return m } else { return nil } } + memories
    }

    public var allGlobalTypes: [GlobalType] {
        imports.compactMap { if case .global(let g) = $0.descriptor { return g } else { return nil } } + globals.map(\.type)
    }

    /// A display name for function `index`: its name-section name or `func[N]`.
    public func functionName(_ index: UInt32) -> String {
        if let name = names.functionNames[index], !name.isEmpty, !name.utf8.contains(0) { return name }
        return "func[\(index)]"
    }
}
