// Value types, entity references and opcodes of the SSA IR.
//
// The IR is target-neutral: wasm-level memory accesses (`load`/`store` with a
// 32-bit index and a constant offset into a linear memory) stay abstract so
// each backend picks its addressing modes; raw pointer accesses (`pload`,
// `pstore`) reach the VM context, globals and tables. References are i64
// pointers.
import SwasmABI

public enum IRType: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case i32, i64, f32, f64, v128

    public var description: String {
        switch self {
        case .i32: return "i32"
        case .i64: return "i64"
        case .f32: return "f32"
        case .f64: return "f64"
        case .v128: return "v128"
        }
    }

    public var isInteger: Bool { self == .i32 || self == .i64 }
    public var isFloat: Bool { self == .f32 || self == .f64 }
    public var byteSize: Int {
        switch self {
        case .i32, .f32: return 4
        case .i64, .f64: return 8
        case .v128: return 16
        }
    }
}

/// An SSA value: an instruction result or a block parameter. Prints as `vN`.
public struct Value: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let index: UInt32
    public init(_ index: UInt32) { self.index = index }
    public var description: String { "v\(index)" }
    public static func < (a: Value, b: Value) -> Bool { a.index < b.index }
}

/// A basic block. Prints as `blockN`.
public struct Block: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let index: UInt32
    public init(_ index: UInt32) { self.index = index }
    public var description: String { "block\(index)" }
    public static func < (a: Block, b: Block) -> Bool { a.index < b.index }
}

/// Integer comparison conditions.
public enum IntCondition: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case eq, ne, slt, sle, sgt, sge, ult, ule, ugt, uge

    public var description: String {
        switch self {
        case .eq: return "eq"
        case .ne: return "ne"
        case .slt: return "slt"
        case .sle: return "sle"
        case .sgt: return "sgt"
        case .sge: return "sge"
        case .ult: return "ult"
        case .ule: return "ule"
        case .ugt: return "ugt"
        case .uge: return "uge"
        }
    }

    /// The condition with its operands swapped (a < b  ⇔  b > a).
    public var swapped: IntCondition {
        switch self {
        case .eq, .ne: return self
        case .slt: return .sgt
        case .sle: return .sge
        case .sgt: return .slt
        case .sge: return .sle
        case .ult: return .ugt
        case .ule: return .uge
        case .ugt: return .ult
        case .uge: return .ule
        }
    }

    public var inverted: IntCondition {
        switch self {
        case .eq: return .ne
        case .ne: return .eq
        case .slt: return .sge
        case .sle: return .sgt
        case .sgt: return .sle
        case .sge: return .slt
        case .ult: return .uge
        case .ule: return .ugt
        case .ugt: return .ule
        case .uge: return .ult
        }
    }
}

/// Float comparison conditions (ordered, except `ne` which is true on NaN).
public enum FloatCondition: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case eq, ne, lt, le, gt, ge

    public var description: String {
        switch self {
        case .eq: return "eq"
        case .ne: return "ne"
        case .lt: return "lt"
        case .le: return "le"
        case .gt: return "gt"
        case .ge: return "ge"
        }
    }
}

/// How a narrow memory access extends: `load8s` etc. `full` uses the whole type.
public enum MemoryWidth: UInt8, Sendable, CaseIterable {
    case full, s8, u8, s16, u16, s32, u32

    /// Opcode name prefix: `load`, `sload8`, `uload8`, ... (stores use `store8` etc.)
    public var loadName: String {
        switch self {
        case .full: return "load"
        case .s8: return "sload8"
        case .u8: return "uload8"
        case .s16: return "sload16"
        case .u16: return "uload16"
        case .s32: return "sload32"
        case .u32: return "uload32"
        }
    }

    public var storeName: String {
        switch self {
        case .full: return "store"
        case .s8, .u8: return "store8"
        case .s16, .u16: return "store16"
        case .s32, .u32: return "store32"
        }
    }

    /// Bytes accessed for a value of `type`.
    public func bytes(for type: IRType) -> Int {
        switch self {
        case .full: return type.byteSize
        case .s8, .u8: return 1
        case .s16, .u16: return 2
        case .s32, .u32: return 4
        }
    }
}

/// A function signature in the IR (after ABI-level additions such as vmctx).
public struct Signature: Hashable, Sendable, CustomStringConvertible {
    public var parameters: [IRType]
    public var results: [IRType]

    public init(parameters: [IRType], results: [IRType]) {
        self.parameters = parameters
        self.results = results
    }

    public var description: String {
        "(\(parameters.map(\.description).joined(separator: ", "))) -> \(results.count == 1 ? results[0].description : "(" + results.map(\.description).joined(separator: ", ") + ")")"
    }
}
