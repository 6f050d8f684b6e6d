// Script values ↔ runtime values, and result matching (NaN patterns included).
import SwasmRuntime

enum ExpectedValue {
    case exact(Value)
    case canonicalNaN32, arithmeticNaN32, canonicalNaN64, arithmeticNaN64
    case nullReference
    case anyFunctionReference

    func matches(_ actual: Value) -> Bool {
        switch (self, actual) {
        case (.exact(let e), _): return e == actual
        case (.canonicalNaN32, .f32(let bits)): return bits & 0x7FFF_FFFF == 0x7FC0_0000
        case (.arithmeticNaN32, .f32(let bits)): return bits & 0x7FC0_0000 == 0x7FC0_0000
        case (.canonicalNaN64, .f64(let bits)): return bits & 0x7FFF_FFFF_FFFF_FFFF == 0x7FF8_0000_0000_0000
        case (.arithmeticNaN64, .f64(let bits)): return bits & 0x7FF8_0000_0000_0000 == 0x7FF8_0000_0000_0000
        case (.nullReference, .funcref(let p)): return p == nil
        case (.nullReference, .externref(let v)): return v == 0
        case (.anyFunctionReference, .funcref(let p)): return p != nil
        default: return false
        }
    }
}

struct ValueParseError: Error, CustomStringConvertible {
    var description: String
}

enum SpecValues {
    /// Host reference N is represented as N + 1, so that 0 stays null.
    static func externref(_ text: String) throws -> Value {
        if text == "null" { return .externref(0) }
        guard let n = UInt64(text) else { throw ValueParseError(description: "bad externref \(text)") }
        return .externref(n + 1)
    }

    static func argument(_ value: SpecValue) throws -> Value {
        guard let text = value.value.first else { throw ValueParseError(description: "value without text") }
        func bits<T: FixedWidthInteger>(_: T.Type) throws -> T {
            if let v = T(text) { return v }
            // wasm-tools writes signed decimal.
            if let v = Int64(text) { return T(truncatingIfNeeded: v) }
            throw ValueParseError(description: "bad \(value.type) value \(text)")
        }
        switch value.type {
        case "i32": return .i32(try bits(UInt32.self))
        case "i64": return .i64(try bits(UInt64.self))
        case "f32": return .f32(try bits(UInt32.self))
        case "f64": return .f64(try bits(UInt64.self))
        case "externref": return try externref(text)
        case "funcref":
            guard text == "null" else { throw ValueParseError(description: "funcref argument \(text) is not supported") }
            return .funcref(nil)
        default: throw ValueParseError(description: "value type \(value.type) is not supported yet")
        }
    }

    static func expected(_ value: SpecValue) throws -> ExpectedValue {
        let text = value.value.first ?? ""
        switch (value.type, text) {
        case ("f32", "nan:canonical"): return .canonicalNaN32
        case ("f32", "nan:arithmetic"): return .arithmeticNaN32
        case ("f64", "nan:canonical"): return .canonicalNaN64
        case ("f64", "nan:arithmetic"): return .arithmeticNaN64
        case ("funcref", "null"), ("externref", "null"): return .nullReference
        case ("funcref", _): return .anyFunctionReference
        default: return .exact(try argument(value))
        }
    }

    static func describe(_ value: Value) -> String {
        switch value {
        case .i32(let v): return "i32:\(v)"
        case .i64(let v): return "i64:\(v)"
        case .f32(let v): return "f32:0x\(String(v, radix: 16))"
        case .f64(let v): return "f64:0x\(String(v, radix: 16))"
        case .funcref(let p): return p == nil ? "funcref:null" : "funcref"
        case .externref(let v): return v == 0 ? "externref:null" : "externref:\(v - 1)"
        }
    }
}
