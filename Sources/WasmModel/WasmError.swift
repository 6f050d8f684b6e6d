/// Why a module was rejected: where, which rule, and in which function.
public struct WasmError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable {
        /// The bytes are not a well-formed binary module (decoding failed).
        case malformed
        /// The module decodes but breaks a validation rule.
        case invalid
        /// The module is valid but larger than an implementation limit
        /// (`ImplementationLimits`) allows.
        case implementationLimit = "implementation limit"
        /// The module is valid but uses something the compiler cannot
        /// translate yet.
        case unsupported
    }

    public var kind: Kind
    /// Byte offset in the module where the problem was found.
    public var offset: Int
    /// What was expected and what was found.
    public var message: String
    /// The function whose body holds the problem, if any.
    public var functionIndex: UInt32?
    public var functionName: String?
    /// Set when the bytes belong to a proposal that extends WebAssembly 2.0.
    /// `kind` still says how 2.0 classifies them (malformed or invalid), so
    /// that conformance checks keep their meaning; the message names the
    /// feature.
    public var proposal: Proposal?

    public init(_ kind: Kind, offset: Int, _ message: String) {
        self.kind = kind
        self.offset = offset
        self.message = message
    }

    /// A refusal of bytes that a post-2.0 proposal gives a meaning:
    /// `unsupported: tail calls (proposal "tail-call"): return_call`.
    public static func unsupported(_ proposal: Proposal, _ kind: Kind, offset: Int, _ what: String) -> WasmError {
        var error = WasmError(kind, offset: offset, "unsupported: \(proposal.feature) (proposal \"\(proposal.rawValue)\"): \(what)")
        error.proposal = proposal
        return error
    }

    /// `offset 0x1a3: in function 4 (main): type mismatch: ...`
    public var description: String {
        var text = "offset 0x\(String(offset, radix: 16)): "
        if let functionIndex {
            text += "in function \(functionIndex)"
            if let functionName { text += " (\(functionName))" }
            text += ": "
        }
        return text + message
    }
}

func hex(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16)
    return "0x" + (digits.count == 1 ? "0" + digits : digits)
}
