// The AArch64 assembler's state: code, labels, fixups and the listing.
//
//   caller (ISel, emit) ──method (A64Assembler+*.swift)──▶ fields
//        ──A64Encoding.<class>(fields)──▶ one 32-bit word ──emit──▶ code
//        ──finish()──▶ bytes with every label reference patched
//
// Invariants: every instruction is 4 bytes, so `offset` is final when an
// instruction is emitted and callers may record code offsets (trap sites,
// call sites) as they go. Every public method emits exactly one instruction
// (or one directive) and, when `recordsListing` is on, one line of GNU
// syntax spelled as `objdump -d` prints it (preferred aliases, hex
// immediates), which GNU as assembles back to the same word.
//
// Label references are the only thing that can fail late: a branch field
// holds a limited distance (±128 MiB for b/bl, ±1 MiB for b.cond, cbz and
// ldr literal, ±32 KiB for tbz), so `finish()` checks each and throws.

public enum A64AssemblerError: Error, Equatable, CustomStringConvertible {
    /// A label reference at code offset `at` is `distance` bytes from its
    /// label, beyond what the instruction's field holds.
    case labelOutOfRange(label: String, at: Int, distance: Int, limit: Int)
    /// A label was referenced but never bound.
    case unboundLabel(String)
    /// A data reference (`.word a-b`) does not fit 32 bits.
    case differenceOutOfRange(label: String, distance: Int)

    public var description: String {
        switch self {
        case let .labelOutOfRange(label, at, distance, limit):
            return "branch at offset \(at) to \(label) spans \(distance) bytes; the instruction reaches ±\(limit)"
        case let .unboundLabel(label):
            return "label \(label) is referenced but never bound"
        case let .differenceOutOfRange(label, distance):
            return "label difference \(label) is \(distance) bytes, beyond 32 bits"
        }
    }
}

public struct A64Assembler: Sendable {
    public private(set) var code: [UInt8] = []
    /// GNU-syntax text, one line per instruction, label or directive.
    public var listing: [String] = []
    /// The code offset at which each `listing` line starts.
    public private(set) var listingOffsets: [Int] = []
    public var recordsListing: Bool
    /// Prefix of label names in the listing (`.L` makes them local symbols).
    public var labelPrefix: String = ".L"

    private var labelOffsets: [Int?] = []
    private var fixups: [Fixup] = []

    /// The field a label reference fills.
    enum FixupKind: Sendable {
        /// b, bl: bits 25:0, in instructions.
        case imm26
        /// b.cond, cbz/cbnz, ldr literal: bits 23:5, in instructions.
        case imm19
        /// tbz/tbnz: bits 18:5, in instructions.
        case imm14
        /// adr: immhi:immlo, in bytes.
        case adr21
        /// A 32-bit data word holding `label - base`.
        case difference32(base: A64Label)

        /// The largest distance in bytes the field holds (either way).
        var limit: Int {
            switch self {
            case .imm26: return 1 << 27
            case .imm19: return 1 << 20
            case .imm14: return 1 << 15
            case .adr21: return 1 << 20
            case .difference32: return 1 << 31
            }
        }
    }

    struct Fixup: Sendable {
        var at: Int
        var label: A64Label
        var kind: FixupKind
    }

    public init(recordsListing: Bool = false) {
        self.recordsListing = recordsListing
    }

    /// The current code position.
    public var offset: Int { code.count }

    // MARK: Labels

    public mutating func newLabel() -> A64Label {
        labelOffsets.append(nil)
        return A64Label(id: labelOffsets.count - 1)
    }

    public mutating func bind(_ label: A64Label) {
        precondition(labelOffsets[label.id] == nil, "label \(label.id) bound twice")
        labelOffsets[label.id] = offset
        if recordsListing { record("\(labelName(label)):") }
    }

    /// The offset a label was bound at, or nil if it is not bound yet.
    public func labelOffset(_ label: A64Label) -> Int? { labelOffsets[label.id] }

    public func labelName(_ label: A64Label) -> String { "\(labelPrefix)\(label.id)" }

    /// Patches every label reference and returns the code; throws if a label
    /// is unbound or out of its reference's reach.
    public func finish() throws -> [UInt8] {
        var out = code
        for f in fixups {
            guard let target = labelOffsets[f.label.id] else {
                throw A64AssemblerError.unboundLabel(labelName(f.label))
            }
            if case .difference32(let base) = f.kind {
                guard let b = labelOffsets[base.id] else { throw A64AssemblerError.unboundLabel(labelName(base)) }
                guard let value = Int32(exactly: target - b) else {
                    throw A64AssemblerError.differenceOutOfRange(label: labelName(f.label), distance: target - b)
                }
                store(UInt32(bitPattern: value), at: f.at, in: &out)
                continue
            }
            let distance = target - f.at
            guard distance >= -f.kind.limit && distance < f.kind.limit else {
                throw A64AssemblerError.labelOutOfRange(label: labelName(f.label), at: f.at, distance: distance,
                                                        limit: f.kind.limit)
            }
            var word = load(at: f.at, in: out)
            switch f.kind {
            case .imm26: word |= a64Signed(distance >> 2, 26)
            case .imm19: word |= a64Signed(distance >> 2, 19) << 5
            case .imm14: word |= a64Signed(distance >> 2, 14) << 5
            case .adr21:
                let imm = a64Signed(distance, 21)
                word |= (imm & 3) << 29 | (imm >> 2) << 5
            case .difference32: break
            }
            store(word, at: f.at, in: &out)
        }
        return out
    }

    private func load(at i: Int, in bytes: [UInt8]) -> UInt32 {
        UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
    }

    private func store(_ word: UInt32, at i: Int, in bytes: inout [UInt8]) {
        for k in 0..<4 { bytes[i + k] = UInt8(truncatingIfNeeded: word >> (8 * k)) }
    }

    // MARK: Emission

    /// Appends one instruction word and its listing line.
    mutating func emit(_ word: UInt32, _ text: @autoclosure () -> String) {
        if recordsListing { record(text()) }
        appendWord(word)
    }

    /// Little-endian, byte by byte (no temporary array per instruction).
    private mutating func appendWord(_ word: UInt32) {
        code.append(UInt8(truncatingIfNeeded: word))
        code.append(UInt8(truncatingIfNeeded: word >> 8))
        code.append(UInt8(truncatingIfNeeded: word >> 16))
        code.append(UInt8(truncatingIfNeeded: word >> 24))
    }

    /// Appends an instruction whose field `kind` refers to `label`.
    /// `text` spells the instruction given the label's name.
    mutating func emit(_ word: UInt32, referring label: A64Label, _ kind: FixupKind, _ text: (String) -> String) {
        fixups.append(Fixup(at: offset, label: label, kind: kind))
        if recordsListing { record(text(labelName(label))) }
        appendWord(word)
    }

    // MARK: Directives

    /// A 32-bit data word (constant pools).
    public mutating func emitWord(_ value: UInt32) {
        emit(value, ".word 0x\(String(value, radix: 16))")
    }

    /// A 64-bit data word, as two 32-bit words (little-endian).
    public mutating func emitDoubleWord(_ value: UInt64) {
        emitWord(UInt32(truncatingIfNeeded: value))
        emitWord(UInt32(truncatingIfNeeded: value >> 32))
    }

    /// A 32-bit jump-table entry: `target - base`.
    public mutating func emitLabelDifference32(_ target: A64Label, minus base: A64Label) {
        let baseName = labelName(base)
        emit(0, referring: target, .difference32(base: base)) { ".word \($0)-\(baseName)" }
    }

    /// Pads with `udf #0` words up to a multiple of `alignment` bytes (a power
    /// of two, at least 4): padding that traps if ever executed.
    public mutating func alignWithUdf(_ alignment: Int) {
        precondition(alignment >= 4 && alignment & (alignment - 1) == 0, "alignment must be a power of two ≥ 4")
        if recordsListing { record(".p2align \(alignment.trailingZeroBitCount), 0") }
        while offset % alignment != 0 { code.append(contentsOf: [0, 0, 0, 0]) }
    }

    // MARK: Listing

    mutating func record(_ line: String) {
        guard recordsListing else { return }
        listing.append(line)
        listingOffsets.append(offset)
    }
}

// MARK: Operand checks and spelling shared by the instruction files

extension A64Assembler {
    /// The field of a register in a slot where 31 means the zero register.
    func rz(_ r: A64Reg, _ what: @autoclosure () -> String) -> UInt32 {
        precondition(r != .sp, "\(what()) cannot be sp (31 means the zero register here)")
        return r.field
    }

    /// The field of a register in a slot where 31 means the stack pointer.
    func rsp(_ r: A64Reg, _ what: @autoclosure () -> String) -> UInt32 {
        precondition(r != .zr, "\(what()) cannot be zr (31 means sp here)")
        return r.field
    }

    /// `#0x…`, as objdump spells arithmetic and logical immediates.
    static func hexImm<T: BinaryInteger>(_ v: T) -> String { "#0x" + String(v, radix: 16) }
}
