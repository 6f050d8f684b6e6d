// Traps as Swift errors: what happened, and where in the wasm module.
import SwasmABI

public struct Trap: Error, Sendable, CustomStringConvertible {
    public var code: TrapCode
    /// The wasm function that trapped and its name, when known.
    public var functionIndex: UInt32?
    public var functionName: String?
    /// Offset of the trapping instruction in the module's bytes.
    public var bytecodeOffset: Int?
    /// The wasm frames active at the trap, innermost first: the trapping
    /// function, then each caller at its call instruction. Empty when the
    /// trap was not raised in compiled code that keeps a frame chain.
    public var backtrace: [Frame] = []
    /// Frames beyond the ones kept in `backtrace` (deep recursion).
    public var omittedFrames = 0
    /// For `hostError`: what the host function threw, unchanged, so that
    /// callers can match on their own error types.
    public var hostError: (any Error)?

    /// One wasm frame of a backtrace.
    public struct Frame: Sendable, Hashable {
        /// Index in the module's function space (imports counted).
        public var functionIndex: UInt32
        /// The name-section name, if the module has one for the function.
        public var functionName: String?
        /// Offset in the module's bytes of the trapping instruction (first
        /// frame) or of the call (the others), when known.
        public var bytecodeOffset: Int?

        public init(functionIndex: UInt32, functionName: String? = nil, bytecodeOffset: Int? = nil) {
            self.functionIndex = functionIndex
            self.functionName = functionName
            self.bytecodeOffset = bytecodeOffset
        }

        /// The name to show: the name-section name, else `<wasm function N>`.
        public var displayName: String { functionName ?? "<wasm function \(functionIndex)>" }
    }

    public init(_ code: TrapCode, functionIndex: UInt32? = nil, functionName: String? = nil, bytecodeOffset: Int? = nil,
                hostError: (any Error)? = nil) {
        self.code = code
        self.hostError = hostError
        self.functionIndex = functionIndex
        self.functionName = functionName
        self.bytecodeOffset = bytecodeOffset
    }

    /// One line: the trap and where it happened.
    public var summary: String {
        var text = "wasm trap: \(code)"
        if let functionIndex {
            text += " in " + (functionName ?? "func[\(functionIndex)]")
        }
        if let bytecodeOffset { text += " at offset 0x\(String(bytecodeOffset, radix: 16))" }
        if let hostError { text += ": \(hostError)" }
        return text
    }

    /// The summary, or with a backtrace the trap and then one line per frame:
    ///
    ///     wasm trap: integer divide by zero
    ///     wasm backtrace:
    ///         0:   0x4b - inner
    ///         1:   0x56 - middle
    public var description: String {
        if backtrace.isEmpty { return summary }
        return "wasm trap: \(code)" + (hostError.map { ": \($0)" } ?? "") + "\n"
            + Self.describeBacktrace(backtrace, omittedFrames: omittedFrames)
    }

    /// `wasm backtrace:` and one line per frame, as wasmtime prints them:
    /// the frame number and bytecode offset right-aligned, then the name.
    public static func describeBacktrace(_ frames: [Frame], omittedFrames: Int) -> String {
        var text = "wasm backtrace:"
        for (index, frame) in frames.enumerated() {
            let number = String(index)
            let offset = frame.bytecodeOffset.map { "0x" + String($0, radix: 16) } ?? "?"
            text += "\n" + String(repeating: " ", count: max(0, 5 - number.count)) + number + ": "
                + String(repeating: " ", count: max(0, 6 - offset.count)) + offset + " - " + frame.displayName
        }
        if omittedFrames > 0 { text += "\n    ... \(omittedFrames) more frames" }
        return text
    }
}
