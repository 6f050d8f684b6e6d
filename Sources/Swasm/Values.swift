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

/// `Int32` is wasm's `i32`, read as a signed (two's complement) number.
extension Int32: WasmValue {
    /// `.i32`.
    public static var wasmType: ValueType { .i32 }
    /// The value as an `i32`.
    public var wasmValue: Value { .i32(UInt32(bitPattern: self)) }
    /// The `i32` read as a signed number; nil for a value of another type.
    public init?(wasmValue: Value) { guard case .i32(let v) = wasmValue else { return nil }; self.init(bitPattern: v) }
}

/// `UInt32` is wasm's `i32`, read as an unsigned number (addresses, lengths).
extension UInt32: WasmValue {
    /// `.i32`.
    public static var wasmType: ValueType { .i32 }
    /// The value as an `i32`.
    public var wasmValue: Value { .i32(self) }
    /// The `i32` read as an unsigned number; nil for a value of another type.
    public init?(wasmValue: Value) { guard case .i32(let v) = wasmValue else { return nil }; self = v }
}

/// `Int64` is wasm's `i64`, read as a signed (two's complement) number.
extension Int64: WasmValue {
    /// `.i64`.
    public static var wasmType: ValueType { .i64 }
    /// The value as an `i64`.
    public var wasmValue: Value { .i64(UInt64(bitPattern: self)) }
    /// The `i64` read as a signed number; nil for a value of another type.
    public init?(wasmValue: Value) { guard case .i64(let v) = wasmValue else { return nil }; self.init(bitPattern: v) }
}

/// `UInt64` is wasm's `i64`, read as an unsigned number.
extension UInt64: WasmValue {
    /// `.i64`.
    public static var wasmType: ValueType { .i64 }
    /// The value as an `i64`.
    public var wasmValue: Value { .i64(self) }
    /// The `i64` read as an unsigned number; nil for a value of another type.
    public init?(wasmValue: Value) { guard case .i64(let v) = wasmValue else { return nil }; self = v }
}

/// `Float` is wasm's `f32`, bit for bit (NaN payloads included).
extension Float: WasmValue {
    /// `.f32`.
    public static var wasmType: ValueType { .f32 }
    /// The value as an `f32`.
    public var wasmValue: Value { .f32(bitPattern) }
    /// The `f32`, bit for bit; nil for a value of another type.
    public init?(wasmValue: Value) { guard case .f32(let v) = wasmValue else { return nil }; self.init(bitPattern: v) }
}

/// `Double` is wasm's `f64`, bit for bit (NaN payloads included).
extension Double: WasmValue {
    /// `.f64`.
    public static var wasmType: ValueType { .f64 }
    /// The value as an `f64`.
    public var wasmValue: Value { .f64(bitPattern) }
    /// The `f64`, bit for bit; nil for a value of another type.
    public init?(wasmValue: Value) { guard case .f64(let v) = wasmValue else { return nil }; self.init(bitPattern: v) }
}

/// Reading wasm values as Swift values.
extension Value {
    /// The value as `V`, nil when its type is not `V.wasmType`.
    public func `as`<V: WasmValue>(_ type: V.Type) -> V? { V(wasmValue: self) }
}
