// Code placed after a function's body: trap stubs, epoch-check calls, the argument moves of
// branch edges that need them, jump tables and the constant pool. What is
// pending is the same on every target; how each piece is encoded (x86 ud2,
// AArch64 udf; the padding and the entry forms) is the target's, which is
// why labels are the target's own type.
import SwasmABI
import SwasmIR

public struct OutOfLine<Label: Hashable> {
    public struct TrapStub {
        public var label: Label
        public var code: TrapCode
        public var wasmOffset: UInt32
    }

    /// The rarely taken half of an `epoch_check`: the deadline helper's
    /// call, which saves and restores every register the allocator may
    /// use, then resumes after the check (or traps).
    public struct EpochCheckStub {
        public var label: Label
        public var resume: Label
        /// The vmctx operand (its location is the same as at the check).
        public var vmctx: Value
        public var wasmOffset: UInt32
    }

    /// Trap stubs, in the order their branches were emitted.
    public var trapStubs: [TrapStub] = []
    public var epochChecks: [EpochCheckStub] = []
    /// Branch edges whose block arguments must move before the jump.
    public var edges: [(label: Label, target: BlockCall)] = []
    /// Jump tables (`br_table`): each entry is the offset of its target
    /// from the table, so `.text` needs no relocation for them.
    public var jumpTables: [(label: Label, targets: [Label])] = []
    public var constants = ConstantPool<Label>()

    public init() {}

    public mutating func addTrapStub(_ label: Label, _ code: TrapCode, wasmOffset: UInt32) {
        trapStubs.append(TrapStub(label: label, code: code, wasmOffset: wasmOffset))
    }
}

/// Constants read PC-relative, each stored once: 8-byte entries (f32 and
/// f64 bit patterns, an f32 in the low half) and 16-byte entries (v128).
public struct ConstantPool<Label: Hashable> {
    public struct Entry {
        public var label: Label
        /// 8 or 16 bytes, little-endian.
        public var bytes: [UInt8]
    }

    private var entries: [Entry] = []
    private var known: [[UInt8]: Int] = [:]

    public init() {}

    public var isEmpty: Bool { entries.isEmpty }

    /// The label of `bytes` (8 or 16 of them), made with `newLabel` the
    /// first time they are asked for.
    public mutating func label(for bytes: [UInt8], newLabel: () -> Label) -> Label {
        precondition(bytes.count == 8 || bytes.count == 16, "pool entries are 8 or 16 bytes")
        if let index = known[bytes] { return entries[index].label }
        let label = newLabel()
        known[bytes] = entries.count
        entries.append(Entry(label: label, bytes: bytes))
        return label
    }

    /// The label of a 64-bit pattern.
    public mutating func label(for bits: UInt64, newLabel: () -> Label) -> Label {
        label(for: (0..<8).map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) }, newLabel: newLabel)
    }

    /// The pool's start alignment: its widest entry.
    public var alignment: Int { entries.contains { $0.bytes.count == 16 } ? 16 : 8 }

    /// Entries in emission order: 16-byte ones first, so that every entry
    /// is aligned to its size once the pool is; within a size, first use first.
    public var layout: [Entry] { entries.filter { $0.bytes.count == 16 } + entries.filter { $0.bytes.count == 8 } }
}
