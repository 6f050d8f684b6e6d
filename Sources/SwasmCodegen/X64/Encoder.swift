// The x86-64 assembler's state and its one generic encoder.
//
//   caller (ISel, emit) ──method──▶ X64Form row (Forms.swift) + operands
//        ──encode()──▶ [66] [F2/F3] [REX] opcode [ModRM [SIB] [disp]] [imm]
//        ──finish()──▶ bytes with every label fixup patched
//
// Invariants: every public method emits exactly one instruction (or one
// directive) and, when `recordsListing` is on, appends exactly one line of
// GNU as Intel-syntax text that assembles to the same bytes. Label
// references are always 32-bit, so `offset` never changes after the fact and
// callers may record code offsets (trap sites, call sites) as they emit.

/// Register or memory operand in the ModRM.rm slot (register as 0...15).
enum RMOperand {
    case reg(UInt8)
    case mem(X64Mem)
}

public struct X64Assembler: Sendable {
    public private(set) var code: [UInt8] = []
    /// Intel-syntax text, one line per instruction, label or directive.
    public var listing: [String] = []
    /// The code offset at which each `listing` line starts.
    public private(set) var listingOffsets: [Int] = []
    public var recordsListing: Bool
    /// Prefix of label names in the listing (`.L` makes them local symbols).
    public var labelPrefix: String = ".L"

    private var labelOffsets: [Int?] = []
    private var fixups: [Fixup] = []

    struct Fixup: Sendable {
        /// Where the 32-bit field is.
        var at: Int
        var label: X64Label
        /// What the field is relative to: the end of its instruction, or
        /// another label (for jump-table entries).
        var relativeTo: Base
        var addend: Int32
        enum Base: Sendable { case offset(Int), label(X64Label) }
    }

    public init(recordsListing: Bool = false) {
        self.recordsListing = recordsListing
    }

    /// The current code position.
    public var offset: Int { code.count }

    // MARK: Labels

    public mutating func newLabel() -> X64Label {
        labelOffsets.append(nil)
        return X64Label(id: labelOffsets.count - 1)
    }

    public mutating func bind(_ label: X64Label) {
        precondition(labelOffsets[label.id] == nil, "label \(label.id) bound twice")
        labelOffsets[label.id] = offset
        if recordsListing { record("\(labelName(label)):") }
    }

    /// The offset a label was bound at, or nil if it is not bound yet.
    public func labelOffset(_ label: X64Label) -> Int? { labelOffsets[label.id] }

    public func labelName(_ label: X64Label) -> String { "\(labelPrefix)\(label.id)" }

    /// Patches every label reference and returns the code.
    public func finish() -> [UInt8] {
        var out = code
        for f in fixups {
            guard let target = labelOffsets[f.label.id] else {
                preconditionFailure("label \(labelName(f.label)) referenced but never bound")
            }
            let base: Int
            switch f.relativeTo {
            case .offset(let o): base = o
            case .label(let l):
                guard let b = labelOffsets[l.id] else {
                    preconditionFailure("label \(labelName(l)) referenced but never bound")
                }
                base = b
            }
            let value = Int32(truncatingIfNeeded: target - base + Int(f.addend))
            precondition(Int(value) == target - base + Int(f.addend), "label distance overflows 32 bits")
            for i in 0..<4 { out[f.at + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
        }
        return out
    }

    // MARK: Directives

    /// Raw bytes, for the rare instruction without a method.
    public mutating func emit(bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        if recordsListing { record(".byte " + bytes.map { hex($0) }.joined(separator: ", ")) }
        code.append(contentsOf: bytes)
    }

    /// A 32-bit jump-table entry: `target - base`.
    public mutating func emitLabelDifference32(_ target: X64Label, minus base: X64Label) {
        if recordsListing { record(".long \(labelName(target))-\(labelName(base))") }
        fixups.append(Fixup(at: offset, label: target, relativeTo: .label(base), addend: 0))
        code.append(contentsOf: [0, 0, 0, 0])
    }

    /// Pads with int3 up to a multiple of `alignment` (a power of two).
    public mutating func alignWithInt3(_ alignment: Int) {
        precondition(alignment > 0 && alignment & (alignment - 1) == 0, "alignment must be a power of two")
        if recordsListing { record(".p2align \(alignment.trailingZeroBitCount), 0xcc") }
        while offset % alignment != 0 { code.append(0xCC) }
    }

    // MARK: Listing

    /// Appends a listing line (callers check `recordsListing` first when the
    /// text costs something to build).
    mutating func record(_ line: String) {
        guard recordsListing else { return }
        listing.append(line)
        listingOffsets.append(offset)
    }

    /// Spells one operand for the listing.
    func render(_ operand: ListOperand) -> String {
        switch operand {
        case .r(let r, let size): return r.name(size)
        case .x(let x): return x.description
        case .m(let m, let bytes): return "\(ptrName(bytes: bytes)) \(m.render(labelPrefix: labelPrefix))"
        case .a(let m): return m.render(labelPrefix: labelPrefix)
        case .imm(let v): return "\(v)"
        case .l(let l): return labelName(l)
        case .t(let s): return s
        }
    }

    // MARK: The generic encoder

    /// Encodes one instruction from its form.
    ///
    /// - `reg`: the ModRM.reg register for `.r` forms (ignored otherwise).
    /// - `rm`: the ModRM.rm operand, or the register of a `.plusReg` form.
    /// - `opcodeAdd`: added to the last opcode byte (condition codes).
    /// - `byteRegs`: registers used at 8 bits; spl/bpl/sil/dil force a REX.
    /// - `target`: the label of a `.rel32` immediate.
    mutating func encode(
        _ f: X64Form, _ size: OperandSize = .s32, reg: UInt8 = 0, rm: RMOperand? = nil,
        imm: Int64 = 0, target: X64Label? = nil, opcodeAdd: UInt8 = 0, suffix: @autoclosure () -> String = "",
        byteRegs: [X64Reg] = [], _ operands: @autoclosure () -> [ListOperand]
    ) {
        // The listing text is built only when a listing is recorded: the
        // operand arrays and strings cost allocations on every instruction.
        if recordsListing {
            let text = operands().map { render($0) }.joined(separator: ", ")
            let suffix = suffix()
            record(text.isEmpty ? f.mnemonic + suffix : "\(f.mnemonic)\(suffix) \(text)")
        }
        let start = offset

        // Legacy prefixes: operand size, then the mandatory prefix.
        if case .sized = f.width, size == .s16 { code.append(0x66) }
        if f.prefix != 0 { code.append(f.prefix) }

        // REX.
        var w = false
        switch f.width {
        case .w0: break
        case .w1: w = true
        case .sized: w = size == .s64
        }
        var regField: UInt8 = 0
        switch f.modrm {
        case .r: regField = reg
        case .digit(let n): regField = n
        case .none, .plusReg: break
        }
        var x: UInt8 = 0, b: UInt8 = 0
        switch rm {
        case .reg(let r)?: b = r >> 3
        case .mem(let m)?:
            x = (m.index?.rawValue ?? 0) >> 3
            b = (m.base?.rawValue ?? 0) >> 3
        case nil: break
        }
        let rex: UInt8 = 0x40 | (w ? 8 : 0) | (regField >> 3) << 2 | x << 1 | b
        if rex != 0x40 || byteRegs.contains(where: \.needsRexAsByte) { code.append(rex) }

        // Opcode.
        var last = f.opcode[f.opcode.count - 1] &+ opcodeAdd
        if case .plusReg = f.modrm, case .reg(let r)? = rm { last |= r & 7 }
        code.append(contentsOf: f.opcode.dropLast())
        code.append(last)

        // ModRM, SIB, displacement.
        var ripFixup: Int?
        switch (f.modrm, rm) {
        case (.r, let operand?), (.digit, let operand?):
            ripFixup = encodeModRM(reg: regField & 7, operand)
        case (.none, nil), (.plusReg, .reg?):
            break
        default:
            preconditionFailure("operands do not fit the form of \(f.mnemonic)")
        }

        // Immediate.
        var kind = f.imm
        if case .sized = kind { kind = size == .s16 ? .i16 : size == .s8 ? .i8 : .i32 }
        switch kind {
        case .none, .sized: break
        case .i8: appendLE(imm, 1)
        case .i16: appendLE(imm, 2)
        case .i32: appendLE(imm, 4)
        case .i64: appendLE(imm, 8)
        case .rel32:
            fixups.append(Fixup(at: offset, label: target!, relativeTo: .offset(offset + 4), addend: 0))
            appendLE(0, 4)
        }
        if let i = ripFixup { fixups[i].relativeTo = .offset(offset) }
        assert(offset - start <= 15, "x86 instructions are at most 15 bytes")
    }

    /// Appends ModRM (+SIB, +displacement); returns the index of the fixup
    /// of a RIP-relative operand, whose base the caller sets to the end of
    /// the instruction.
    private mutating func encodeModRM(reg: UInt8, _ operand: RMOperand) -> Int? {
        func modrm(_ mod: UInt8, _ rm: UInt8) -> UInt8 { mod << 6 | reg << 3 | rm }
        switch operand {
        case .reg(let r):
            code.append(modrm(3, r & 7))
            return nil
        case .mem(let m):
            if let label = m.label {
                code.append(modrm(0, 5))
                fixups.append(Fixup(at: offset, label: label, relativeTo: .offset(0), addend: m.displacement))
                appendLE(0, 4)
                return fixups.count - 1
            }
            let disp = m.displacement
            guard let base = m.base else {
                // No base: SIB with base 101 and disp32; no index is SIB index 100.
                code.append(modrm(0, 4))
                code.append(sib(m.scale, m.index?.low3 ?? 4, 5))
                appendLE(Int64(disp), 4)
                return nil
            }
            let mod: UInt8 = disp == 0 && base.low3 != 5 ? 0 : Int8(exactly: disp) != nil ? 1 : 2
            if let index = m.index {
                code.append(modrm(mod, 4))
                code.append(sib(m.scale, index.low3, base.low3))
            } else if base.low3 == 4 {
                code.append(modrm(mod, 4))
                code.append(sib(1, 4, 4))
            } else {
                code.append(modrm(mod, base.low3))
            }
            if mod == 1 { appendLE(Int64(disp), 1) }
            if mod == 2 { appendLE(Int64(disp), 4) }
            return nil
        }
    }

    private func sib(_ scale: UInt8, _ index: UInt8, _ base: UInt8) -> UInt8 {
        UInt8(scale.trailingZeroBitCount) << 6 | index << 3 | base
    }

    private mutating func appendLE(_ value: Int64, _ count: Int) {
        for i in 0..<count { code.append(UInt8(truncatingIfNeeded: value >> (8 * i))) }
    }
}

/// An operand as the listing shows it.
enum ListOperand {
    case r(X64Reg, OperandSize)
    case x(XmmReg)
    /// Memory with its width in bytes (`dword ptr [...]`).
    case m(X64Mem, bytes: Int)
    /// An address without `ptr` (lea).
    case a(X64Mem)
    case imm(Int64)
    case l(X64Label)
    case t(String)

    static func m(_ mem: X64Mem, _ size: OperandSize) -> ListOperand { .m(mem, bytes: size.bytes) }
    static func i<T: BinaryInteger>(_ v: T) -> ListOperand { .imm(Int64(v)) }
}

func hex(_ b: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return "0x\(digits[Int(b >> 4)])\(digits[Int(b & 15)])"
}
