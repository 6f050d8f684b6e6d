// Swift types that stand for wasm value types, for typed functions.
import SwasmRuntime
import WasmModel

/// A Swift type that is one WebAssembly value type: `Int32`, `UInt32`
/// (i32), `Int64`, `UInt64` (i64), `Float` (f32) and `Double` (f64).
public protocol WasmValue {
    /// The wasm type this Swift type stands for.
    static var wasmType: ValueType { get }
    /// The value as a wasm value.
    var wasmValue: Value { get }
    /// The Swift value of a wasm value of ``wasmType``; nil for another type.
    init?(wasmValue: Value)
}

extension Int32: WasmValue {
    public static var wasmType: ValueType { .i32 }
    public var wasmValue: Value { .i32(UInt32(bitPattern: self)) }
    public init?(wasmValue: Value) { guard case .i32(let v) = wasmValue else { return nil }; self.init(bitPattern: v) }
}

extension UInt32: WasmValue {
    public static var wasmType: ValueType { .i32 }
    public var wasmValue: Value { .i32(self) }
    public init?(wasmValue: Value) { guard case .i32(let v) = wasmValue else { return nil }; self = v }
}

extension Int64: WasmValue {
    public static var wasmType: ValueType { .i64 }
    public var wasmValue: Value { .i64(UInt64(bitPattern: self)) }
    public init?(wasmValue: Value) { guard case .i64(let v) = wasmValue else { return nil }; self.init(bitPattern: v) }
}

extension UInt64: WasmValue {
    public static var wasmType: ValueType { .i64 }
    public var wasmValue: Value { .i64(self) }
    public init?(wasmValue: Value) { guard case .i64(let v) = wasmValue else { return nil }; self = v }
}

extension Float: WasmValue {
    public static var wasmType: ValueType { .f32 }
    public var wasmValue: Value { .f32(bitPattern) }
    public init?(wasmValue: Value) { guard case .f32(let v) = wasmValue else { return nil }; self.init(bitPattern: v) }
}

extension Double: WasmValue {
    public static var wasmType: ValueType { .f64 }
    public var wasmValue: Value { .f64(bitPattern) }
    public init?(wasmValue: Value) { guard case .f64(let v) = wasmValue else { return nil }; self.init(bitPattern: v) }
}

extension Value {
    /// The value as `V`, nil when its type is not `V.wasmType`.
    public func `as`<V: WasmValue>(_ type: V.Type) -> V? { V(wasmValue: self) }
}
