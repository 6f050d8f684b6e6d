// Values crossing the host/wasm boundary, and the errors of linking and
// calling.
import WasmModel

/// A WebAssembly value as the host sees it. Floats are carried as their bit
/// patterns so that NaN payloads survive and equality is bitwise.
public enum Value: Equatable, Hashable, CustomStringConvertible {
    case i32(UInt32)
    case i64(UInt64)
    /// The bits of an f32.
    case f32(UInt32)
    /// The bits of an f64.
    case f64(UInt64)
    /// A pointer to a `FunctionReference` record; nil is `ref.null func`.
    case funcref(UnsafeRawPointer?)
    /// An opaque host value; 0 is `ref.null extern`.
    case externref(UInt64)

    public var type: ValueType {
        switch self {
        case .i32: return .i32
        case .i64: return .i64
        case .f32: return .f32
        case .f64: return .f64
        case .funcref: return .funcref
        case .externref: return .externref
        }
    }

    public static func float32(_ value: Float) -> Value { .f32(value.bitPattern) }
    public static func float64(_ value: Double) -> Value { .f64(value.bitPattern) }

    /// The null reference of a reference type; nil for numeric types.
    public static func null(_ type: ValueType) -> Value? {
        switch type {
        case .funcref: return .funcref(nil)
        case .externref: return .externref(0)
        default: return nil
        }
    }

    /// The zero (or null) value of `type`; nil for v128.
    public static func zero(_ type: ValueType) -> Value? {
        switch type {
        case .i32: return .i32(0)
        case .i64: return .i64(0)
        case .f32: return .f32(0)
        case .f64: return .f64(0)
        case .funcref: return .funcref(nil)
        case .externref: return .externref(0)
        case .v128: return nil
        }
    }

    /// The value as one 8-byte slot of an array-call frame, a table element
    /// or global storage (i32/f32 zero-extended, references as addresses).
    public var bits: UInt64 {
        switch self {
        case .i32(let v): return UInt64(v)
        case .i64(let v): return v
        case .f32(let v): return UInt64(v)
        case .f64(let v): return v
        case .funcref(let p): return UInt64(UInt(bitPattern: p))
        case .externref(let v): return v
        }
    }

    /// Reads a slot of `type`; only the low 4 bytes count for i32 and f32.
    /// Nil for v128.
    public init?(bits: UInt64, type: ValueType) {
        switch type {
        case .i32: self = .i32(UInt32(truncatingIfNeeded: bits))
        case .i64: self = .i64(bits)
        case .f32: self = .f32(UInt32(truncatingIfNeeded: bits))
        case .f64: self = .f64(bits)
        case .funcref: self = .funcref(UnsafeRawPointer(bitPattern: UInt(bits)))
        case .externref: self = .externref(bits)
        case .v128: return nil
        }
    }

    public var isNull: Bool {
        switch self {
        case .funcref(let p): return p == nil
        case .externref(let v): return v == 0
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .i32(let v): return "i32:\(Int32(bitPattern: v))"
        case .i64(let v): return "i64:\(Int64(bitPattern: v))"
        case .f32(let v): return "f32:\(Float(bitPattern: v))"
        case .f64(let v): return "f64:\(Double(bitPattern: v))"
        case .funcref(let p): return p.map { "funcref:\($0)" } ?? "funcref:null"
        case .externref(let v): return v == 0 ? "externref:null" : "externref:\(v)"
        }
    }
}

// Raw pointers are not Sendable; a funcref is an address into records that
// are immutable after instantiation.
extension Value: @unchecked Sendable {}

/// The type of an external value.
public enum ExternType: Sendable, Hashable, CustomStringConvertible {
    case function(FunctionType)
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

    public var description: String {
        func limits(_ l: Limits) -> String { l.max.map { "{min \(l.min), max \($0)}" } ?? "{min \(l.min), no max}" }
        switch self {
        case .function(let t): return "func \(t)"
        case .table(let t): return "table \(t.elementType) \(limits(t.limits))"
        case .memory(let m): return "memory \(limits(m.limits))"
        case .global(let g): return "global \(g.isMutable ? "mut " : "")\(g.valueType)"
        }
    }
}

/// An import that does not match what the module declares (WebAssembly's
/// "link error").
public struct LinkError: Error, Sendable, CustomStringConvertible {
    public var module: String
    public var name: String
    /// What the module declares (nil: more imports were given than declared).
    public var expected: ExternType?
    /// What was provided, or nil when nothing was.
    public var found: ExternType?
    /// The spec testsuite's wording: "unknown import" or "incompatible import type".
    public var reason: String

    public init(module: String, name: String, expected: ExternType?, found: ExternType?, reason: String) {
        self.module = module
        self.name = name
        self.expected = expected
        self.found = found
        self.reason = reason
    }

    public var description: String {
        "\(reason) \"\(module)\" \"\(name)\": expected \(expected.map(\.description) ?? "nothing"), found \(found.map(\.description) ?? "nothing")"
    }
}

/// Misuse of the runtime objects by the host (not a trap).
public enum InstanceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The arguments of a call do not match the function's parameters.
    case argumentMismatch(expected: [ValueType], found: [ValueType])
    /// A function without an array-call trampoline cannot be called from the host.
    case notCallable(FunctionType)
    /// A host function that only works as an import (a closure made without
    /// a host-call trampoline, or native code that needs its caller's
    /// context, like WASI's) was to be stored where wasm code could call it
    /// through a funcref (a table, a global, an argument or a result).
    case notCallableFromWasm
    /// A value of the wrong type for a table or global.
    case typeMismatch(expected: ValueType, found: ValueType)
    /// `set` on an immutable global.
    case immutableGlobal
    /// A table index past its size.
    case indexOutOfBounds(index: UInt64, count: Int)
    /// A table larger than the runtime supports.
    case tableTooLarge(UInt64)
    /// A memory or table type whose minimum exceeds its maximum.
    case invalidLimits(min: UInt64, max: UInt64)
    /// The module uses something the runtime cannot provide (e.g. v128 values).
    case unsupported(String)

    public var description: String {
        switch self {
        case .argumentMismatch(let expected, let found):
            return "argument mismatch: expected [\(expected.map(\.description).joined(separator: " "))], found [\(found.map(\.description).joined(separator: " "))]"
        case .notCallable(let type):
            return "function of type \(type) has no array-call trampoline and cannot be called from the host"
        case .notCallableFromWasm:
            return "this host function can only be called as an import, not through a funcref"
                + " (a table entry, global, argument or result)"
        case .typeMismatch(let expected, let found):
            return "type mismatch: expected \(expected), found \(found)"
        case .immutableGlobal:
            return "cannot set an immutable global"
        case .indexOutOfBounds(let index, let count):
            return "index \(index) is out of bounds (size \(count))"
        case .tableTooLarge(let count):
            return "table of \(count) elements exceeds the runtime's limit of \(Table.implementationLimit)"
        case .invalidLimits(let min, let max):
            return "invalid limits: the minimum \(min) exceeds the maximum \(max)"
        case .unsupported(let what):
            return "unsupported: \(what)"
        }
    }
}
