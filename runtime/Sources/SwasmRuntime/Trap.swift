// Traps as Swift errors: what happened, and where in the wasm module.
import SwasmABI

public struct Trap: Error, Sendable, CustomStringConvertible {
    public var code: TrapCode
    /// The wasm function that trapped and its name, when known.
    public var functionIndex: UInt32?
    public var functionName: String?
    /// Offset of the trapping instruction in the module's bytes.
    public var bytecodeOffset: Int?
    /// For `hostError`: what the host function threw, unchanged, so that
    /// callers can match on their own error types.
    public var hostError: (any Error)?

    public init(_ code: TrapCode, functionIndex: UInt32? = nil, functionName: String? = nil, bytecodeOffset: Int? = nil,
                hostError: (any Error)? = nil) {
        self.code = code
        self.hostError = hostError
        self.functionIndex = functionIndex
        self.functionName = functionName
        self.bytecodeOffset = bytecodeOffset
    }

    public var description: String {
        var text = "wasm trap: \(code)"
        if let functionIndex {
            text += " in " + (functionName ?? "func[\(functionIndex)]")
        }
        if let bytecodeOffset { text += " at offset 0x\(String(bytecodeOffset, radix: 16))" }
        if let hostError { text += ": \(hostError)" }
        return text
    }
}
