// The contract between compiled code and the runtime, defined once. Both
// sides import this target; nothing here may change without bumping
// `objectFormatVersion`, so that the loader rejects objects built against an
// older contract. docs/abi.md explains each item.

public enum SwasmABI {
    /// Version of the object format and calling contract. The loader refuses
    /// objects whose metadata carries another value.
    public static let objectFormatVersion: UInt32 = 4

    /// The global symbol that points at a module's metadata (after `PREFIX_`).
    public static let metadataSymbol = "swasm_module_metadata"

    /// The global symbol at the start of a module's `.text` (after `PREFIX_`).
    public static let textSymbol = "swasm_text"

    /// Bytes in a WebAssembly page.
    public static let pageSize = 65536

    /// Address space reserved per 32-bit linear memory: 4 GiB of addressable
    /// range plus a 4 GiB guard region, so that `base + zext(index) + offset`
    /// with a 32-bit offset never leaves the reservation.
    public static let memoryReservation: UInt64 = 8 << 30

    /// The global symbol for an export. Export names are arbitrary UTF-8;
    /// symbols stay C identifiers: letters, digits and `_` pass through, `_`
    /// is doubled, and any other byte becomes `_XX` (two hex digits), so the
    /// mapping is injective.
    public static func exportSymbol(prefix: String, name: String) -> String {
        var symbol = prefix.isEmpty ? "" : prefix + "_"
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                symbol.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "_"):
                symbol += "__"
            default:
                let digits = String(byte, radix: 16, uppercase: true)
                symbol += "_" + (digits.count == 1 ? "0" + digits : digits)
            }
        }
        if let first = symbol.utf8.first, first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9") {
            symbol = "_" + symbol
        }
        return symbol
    }
}

/// Why wasm code stopped: one code per trap kind of the spec. Compiled code
/// passes these to the runtime's trap entry; the values are part of the ABI.
public enum TrapCode: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case unreachable = 1
    case memoryOutOfBounds = 2
    case tableOutOfBounds = 3
    case indirectCallToNull = 4
    case indirectCallTypeMismatch = 5
    case integerDivideByZero = 6
    case integerOverflow = 7
    case invalidConversionToInteger = 8
    case callStackExhausted = 9
    case nullReference = 10
    /// Not a fault: the guest asked to end (WASI `proc_exit`); the exit
    /// code is in the host context that raised it.
    case exit = 11
    /// A host function threw an error that is not itself a trap.
    case hostError = 12
    /// The host set the instance's interrupt flag (code compiled with
    /// interruption checks notices it at the next loop iteration), or the
    /// engine's epoch reached the store's deadline (code compiled with epoch
    /// checks, at a function entry or loop head).
    case interrupted = 13
    /// Code compiled to consume fuel found its store's fuel used up (at a
    /// function entry or loop head).
    case outOfFuel = 14

    /// The spec testsuite's wording for each trap.
    public var description: String {
        switch self {
        case .unreachable: return "unreachable executed"
        case .memoryOutOfBounds: return "out of bounds memory access"
        case .tableOutOfBounds: return "out of bounds table access"
        case .indirectCallToNull: return "uninitialized element"
        case .indirectCallTypeMismatch: return "indirect call type mismatch"
        case .hostError: return "host function error"
        case .interrupted: return "interrupted"
        case .outOfFuel: return "all fuel consumed"
        case .integerDivideByZero: return "integer divide by zero"
        case .integerOverflow: return "integer overflow"
        case .invalidConversionToInteger: return "invalid conversion to integer"
        case .callStackExhausted: return "call stack exhausted"
        case .nullReference: return "null reference"
        case .exit: return "exit"
        }
    }
}
