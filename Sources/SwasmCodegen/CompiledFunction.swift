// What a backend hands the driver for one function, the same for every
// target: the bytes, where they may trap, where they call, and the
// relocations the driver resolves once every function has its place in
// `.text` (objects carry no relocations: calls are direct and PC-relative).
import SwasmABI

/// A trap site: the code offset of a faulting or trapping instruction.
public struct TrapSite: Sendable, Hashable {
    public var codeOffset: Int
    public var code: TrapCode
    public var wasmOffset: UInt32

    public init(codeOffset: Int, code: TrapCode, wasmOffset: UInt32) {
        self.codeOffset = codeOffset
        self.code = code
        self.wasmOffset = wasmOffset
    }
}

/// A direct call to function `callee` whose displacement the driver fills
/// in, in the form `kind` says, at `offset`.
public struct CallSite: Sendable, Hashable {
    public var offset: Int
    public var callee: Int
    public var kind: Reloc

    public init(offset: Int, callee: Int, kind: Reloc) {
        self.offset = offset
        self.callee = callee
        self.kind = kind
    }
}

/// Any call: the offset of its return address and the wasm instruction it
/// belongs to, for backtraces.
public struct ReturnSite: Sendable, Hashable {
    public var returnOffset: Int
    public var wasmOffset: UInt32

    public init(returnOffset: Int, wasmOffset: UInt32) {
        self.returnOffset = returnOffset
        self.wasmOffset = wasmOffset
    }
}

public struct CompiledFunction: Sendable {
    public var code: [UInt8]
    public var trapSites: [TrapSite]
    public var callSites: [CallSite]
    /// Every call in the function, in code order.
    public var returnSites: [ReturnSite]
    public var listing: [String]

    public init(code: [UInt8], trapSites: [TrapSite], callSites: [CallSite], returnSites: [ReturnSite], listing: [String]) {
        self.code = code
        self.trapSites = trapSites
        self.callSites = callSites
        self.returnSites = returnSites
        self.listing = listing
    }
}

/// Code outside any function (trampolines), with its listing.
public struct MachineCode: Sendable {
    public var code: [UInt8]
    public var listing: [String]

    public init(code: [UInt8], listing: [String]) {
        self.code = code
        self.listing = listing
    }
}

public enum RelocError: Error, CustomStringConvertible, Equatable {
    /// The callee lies further away than the call instruction can reach.
    case outOfRange(Reloc, offset: Int, target: Int)
    /// The displacement cannot be encoded (AArch64: not a multiple of 4).
    case misaligned(Reloc, offset: Int, target: Int)

    public var description: String {
        switch self {
        case .outOfRange(let kind, let offset, let target):
            return "call at .text+\(offset) cannot reach .text+\(target) (\(kind) relocation)"
        case .misaligned(let kind, let offset, let target):
            return "call at .text+\(offset) to .text+\(target) is not 4-byte aligned (\(kind) relocation)"
        }
    }
}

/// How a direct call encodes its displacement.
public enum Reloc: Sendable, Hashable, CustomStringConvertible {
    /// x86-64 `call rel32`: the 4 bytes at the offset hold the target minus
    /// the end of those bytes.
    case x86Rel32
    /// AArch64 `bl imm26`: the instruction word at the offset holds the
    /// distance in words in its low 26 bits (±128 MiB).
    case aarch64Call26

    public var description: String {
        switch self {
        case .x86Rel32: return "x86 rel32"
        case .aarch64Call26: return "aarch64 call26"
        }
    }

    /// Writes the displacement from the call at `offset` to `target` (both
    /// offsets in `text`).
    public func patch(_ text: inout [UInt8], at offset: Int, target: Int) throws(RelocError) {
        switch self {
        case .x86Rel32:
            guard let displacement = Int32(exactly: target - (offset + 4)) else {
                throw .outOfRange(self, offset: offset, target: target)
            }
            withUnsafeBytes(of: displacement.littleEndian) { bytes in
                for k in 0..<4 { text[offset + k] = bytes[k] }
            }
        case .aarch64Call26:
            let distance = target - offset
            guard distance % 4 == 0 else { throw .misaligned(self, offset: offset, target: target) }
            let words = distance / 4
            guard words >= -(1 << 25) && words < 1 << 25 else { throw .outOfRange(self, offset: offset, target: target) }
            var word = UInt32(text[offset]) | UInt32(text[offset + 1]) << 8 | UInt32(text[offset + 2]) << 16
                | UInt32(text[offset + 3]) << 24
            word = word & ~0x03FF_FFFF | UInt32(truncatingIfNeeded: words) & 0x03FF_FFFF
            for k in 0..<4 { text[offset + k] = UInt8(truncatingIfNeeded: word >> (8 * k)) }
        }
    }
}
