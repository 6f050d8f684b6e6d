// Later WebAssembly proposals whose encodings a 2.0 decoder meets as
// unknown bytes. Naming the feature tells a user why a module produced by a
// newer toolchain is refused ("unsupported: tail calls") instead of leaving
// them with "illegal opcode 0x12".

/// A post-2.0 proposal, by the name toolchains use for its feature flag.
public enum Proposal: String, Sendable, CaseIterable {
    case exceptions
    case tailCall = "tail-call"
    case functionReferences = "function-references"
    case gc
    case memory64
    case threads
    case multiMemory = "multi-memory"
    case relaxedSIMD = "relaxed-simd"
    case customPageSizes = "custom-page-sizes"
    case extendedConst = "extended-const"
    case wideArithmetic = "wide-arithmetic"

    /// What the proposal adds, in words.
    public var feature: String {
        switch self {
        case .exceptions: return "exception handling"
        case .tailCall: return "tail calls"
        case .functionReferences: return "typed function references"
        case .gc: return "garbage collection"
        case .memory64: return "64-bit memories and tables"
        case .threads: return "shared memory and atomics"
        case .multiMemory: return "multiple memories"
        case .relaxedSIMD: return "relaxed SIMD"
        case .customPageSizes: return "custom page sizes"
        case .extendedConst: return "extended constant expressions"
        case .wideArithmetic: return "wide arithmetic"
        }
    }

    /// The proposal that gives section id `id` a meaning.
    public static func section(_ id: UInt8) -> Proposal? {
        id == 13 ? .exceptions : nil
    }

    /// The proposal that defines the type-section form `byte` (2.0 has only
    /// 0x60, a function type).
    public static func typeForm(_ byte: UInt8) -> Proposal? {
        switch byte {
        case 0x5E, 0x5F, 0x4E, 0x4F, 0x50: return .gc   // array, struct, rec, sub final, sub
        default: return nil
        }
    }

    /// The proposal that makes `byte` a value or reference type.
    public static func valueType(_ byte: UInt8) -> Proposal? {
        switch byte {
        case 0x63, 0x64: return .functionReferences  // (ref null ht), (ref ht)
        case 0x69, 0x74: return .exceptions          // exnref, nullexnref
        case 0x6A...0x6E, 0x71...0x73: return .gc   // array, struct, i31, eq, any; none, noextern, nofunc
        default: return nil
        }
    }

    /// The proposal that defines limits flags `flags` (2.0 has 0x00 and 0x01).
    public static func limitsFlags(_ flags: UInt8) -> Proposal? {
        switch flags {
        case 0x02, 0x03: return .threads
        case 0x04...0x07: return .memory64
        case 0x08...0x0F: return .customPageSizes
        default: return nil
        }
    }

    /// The proposal that defines import or export kind `kind` (a tag).
    public static func externalKind(_ kind: UInt8) -> Proposal? {
        kind == 0x04 ? .exceptions : nil
    }

    /// The proposal that defines an instruction 2.0 lacks, with its name.
    public static func instruction(_ opcode: UInt8, _ sub: UInt32) -> (proposal: Proposal, name: String)? {
        switch opcode {
        case 0x06: return (.exceptions, "try")
        case 0x07: return (.exceptions, "catch")
        case 0x08: return (.exceptions, "throw")
        case 0x09: return (.exceptions, "rethrow")
        case 0x0A: return (.exceptions, "throw_ref")
        case 0x18: return (.exceptions, "delegate")
        case 0x19: return (.exceptions, "catch_all")
        case 0x1F: return (.exceptions, "try_table")
        case 0x12: return (.tailCall, "return_call")
        case 0x13: return (.tailCall, "return_call_indirect")
        case 0x15: return (.tailCall, "return_call_ref")
        case 0x14: return (.functionReferences, "call_ref")
        case 0xD4: return (.functionReferences, "ref.as_non_null")
        case 0xD5: return (.functionReferences, "br_on_null")
        case 0xD6: return (.functionReferences, "br_on_non_null")
        case 0xD3: return (.gc, "ref.eq")
        case 0xFB: return (.gc, "instruction 0xfb \(sub)")
        case 0xFE: return (.threads, "atomic instruction 0xfe \(sub)")
        case OpcodePrefix.misc where (0x13...0x16).contains(sub):
            return (.wideArithmetic, "instruction 0xfc \(sub)")
        case OpcodePrefix.simd where (0x100...0x113).contains(sub):
            return (.relaxedSIMD, "instruction 0xfd \(sub)")
        default: return nil
        }
    }
}
