// The WebAssembly 2.0 type language: value, reference, function, table,
// memory and global types, as they appear in the binary format.

/// A value type. Raw values are the binary encodings.
public enum ValueType: UInt8, Sendable, Hashable, CustomStringConvertible {
    case i32 = 0x7F
    case i64 = 0x7E
    case f32 = 0x7D
    case f64 = 0x7C
    case v128 = 0x7B
    case funcref = 0x70
    case externref = 0x6F

    public var isReference: Bool { self == .funcref || self == .externref }
    public var isNumeric: Bool { self == .i32 || self == .i64 || self == .f32 || self == .f64 }

    public var description: String {
        switch self {
        case .i32: return "i32"
        case .i64: return "i64"
        case .f32: return "f32"
        case .f64: return "f64"
        case .v128: return "v128"
        case .funcref: return "funcref"
        case .externref: return "externref"
        }
    }
}

/// A function signature.
public struct FunctionType: Sendable, Hashable, CustomStringConvertible {
    public var parameters: [ValueType]
    public var results: [ValueType]

    public init(parameters: [ValueType], results: [ValueType]) {
        self.parameters = parameters
        self.results = results
    }

    public var description: String {
        "[\(parameters.map(\.description).joined(separator: " "))] -> [\(results.map(\.description).joined(separator: " "))]"
    }
}

/// Size limits of a memory (in 64 KiB pages) or a table (in elements).
public struct Limits: Sendable, Hashable {
    public var min: UInt64
    public var max: UInt64?

    public init(min: UInt64, max: UInt64? = nil) {
        self.min = min
        self.max = max
    }
}

public struct TableType: Sendable, Hashable {
    /// Always a reference type.
    public var elementType: ValueType
    public var limits: Limits

    public init(elementType: ValueType, limits: Limits) {
        self.elementType = elementType
        self.limits = limits
    }
}

public struct MemoryType: Sendable, Hashable {
    public var limits: Limits

    public init(limits: Limits) { self.limits = limits }

    /// The largest page count a 32-bit memory can address (4 GiB).
    public static let maxPages: UInt64 = 65536
}

public struct GlobalType: Sendable, Hashable {
    public var valueType: ValueType
    public var isMutable: Bool

    public init(valueType: ValueType, isMutable: Bool) {
        self.valueType = valueType
        self.isMutable = isMutable
    }
}

/// The kinds of things a module imports and exports.
/// A name as WebAssembly compares them: by its UTF-8 bytes. (Swift's
/// `String` equality is canonical equivalence, under which two different
/// import names, such as "\u{E9}" and "e\u{301}", are equal.)
public struct WasmName: Hashable, Sendable, CustomStringConvertible {
    public let utf8: [UInt8]
    public init(_ string: String) { utf8 = Array(string.utf8) }
    public var description: String { String(decoding: utf8, as: UTF8.self) }
}

public enum ExternalKind: UInt8, Sendable, Hashable, CustomStringConvertible {
    case function = 0
    case table = 1
    case memory = 2
    case global = 3

    public var description: String {
        switch self {
        case .function: return "func"
        case .table: return "table"
        case .memory: return "memory"
        case .global: return "global"
        }
    }
}
