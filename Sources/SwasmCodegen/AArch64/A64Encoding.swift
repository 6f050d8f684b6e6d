// The AArch64 encoding classes: one function per class of the Arm ARM's
// encoding index, each placing its fields into the class's fixed bits. The
// opcodes inside a class are data (the enums' raw values are the `opc`,
// `op`, `S` ... bits), so adding an instruction to a class is one line.
//
// Every field is checked to fit its width; a value that does not fit is a bug
// in the caller (the assembler methods range-check what callers pass), so it
// stops the program rather than producing a different instruction.

/// Places `value` in `width` bits at bit `lsb`.
@inline(__always)
func a64Field(_ value: UInt32, _ lsb: UInt32, _ width: UInt32) -> UInt32 {
    precondition(value < (1 << width), "AArch64 field value \(value) does not fit \(width) bits")
    return value << lsb
}

/// Two's-complement `value` in `width` bits (for signed offsets).
@inline(__always)
func a64Signed(_ value: Int, _ width: Int) -> UInt32 {
    precondition(value >= -(1 << (width - 1)) && value < (1 << (width - 1)),
                 "AArch64 signed field value \(value) does not fit \(width) bits")
    return UInt32(truncatingIfNeeded: value) & ((1 << UInt32(width)) - 1)
}

// MARK: Opcodes within a class

/// add, adds, sub, subs: the `op` and `S` bits.
public enum A64AddSubOp: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case add = 0b00, adds = 0b01, sub = 0b10, subs = 0b11
    var setsFlags: Bool { rawValue & 1 != 0 }
    public var description: String { ["add", "adds", "sub", "subs"][Int(rawValue)] }
}

/// The logical operations: `opc` (bits 30:29) and, for the register forms,
/// `N` (bit 21, which inverts the second operand: bic, orn, eon, bics).
public enum A64LogicalOp: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case and = 0b000, bic = 0b001, orr = 0b010, orn = 0b011, eor = 0b100, eon = 0b101, ands = 0b110, bics = 0b111
    var opc: UInt32 { rawValue >> 1 }
    var n: UInt32 { rawValue & 1 }
    /// Whether the operation has an immediate form (the inverting ones do not).
    public var hasImmediate: Bool { n == 0 }
    public var description: String { ["and", "bic", "orr", "orn", "eor", "eon", "ands", "bics"][Int(rawValue)] }
}

/// movn, movz, movk: the `opc` bits.
public enum A64MoveWideOp: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case movn = 0b00, movz = 0b10, movk = 0b11
    public var description: String { self == .movn ? "movn" : self == .movz ? "movz" : "movk" }
}

/// sbfm, bfm, ubfm: the `opc` bits.
public enum A64BitfieldOp: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case sbfm = 0b00, bfm = 0b01, ubfm = 0b10
    public var description: String { ["sbfm", "bfm", "ubfm"][Int(rawValue)] }
}

/// Data processing, one source: the `opcode` bits (rev32 is X only; `rev`
/// is opcode 2 at W and 3 at X, see `A64Encoding.dataProcessing1`).
public enum A64Unary: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case rbit = 0, rev16 = 1, rev32 = 2, rev = 3, clz = 4, cls = 5
    public var description: String { ["rbit", "rev16", "rev32", "rev", "clz", "cls"][Int(rawValue)] }
}

/// Data processing, two sources: the `opcode` bits. The shifts by register
/// are spelled `lsl`, `lsr`, `asr`, `ror` (their preferred aliases).
public enum A64Binary: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case udiv = 0b000010, sdiv = 0b000011, lslv = 0b001000, lsrv = 0b001001, asrv = 0b001010, rorv = 0b001011
    public var description: String {
        switch self {
        case .udiv: return "udiv"
        case .sdiv: return "sdiv"
        case .lslv: return "lsl"
        case .lsrv: return "lsr"
        case .asrv: return "asr"
        case .rorv: return "ror"
        }
    }
}

/// Data processing, three sources: `op31` (bits 23:21) and `o0` (bit 15).
/// The long forms take W sources and an X accumulator and destination.
public enum A64MulOp: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case madd = 0b0000, msub = 0b0001, smaddl = 0b0010, smsubl = 0b0011, smulh = 0b0100
    case umaddl = 0b1010, umsubl = 0b1011, umulh = 0b1100
    var op31: UInt32 { rawValue >> 1 }
    var o0: UInt32 { rawValue & 1 }
    /// smulh and umulh have no accumulator (Ra is 31).
    var isHigh: Bool { self == .smulh || self == .umulh }
    var isLong: Bool { op31 == 0b001 || op31 == 0b101 }
    public var description: String {
        switch self {
        case .madd: return "madd"
        case .msub: return "msub"
        case .smaddl: return "smaddl"
        case .smsubl: return "smsubl"
        case .smulh: return "smulh"
        case .umaddl: return "umaddl"
        case .umsubl: return "umsubl"
        case .umulh: return "umulh"
        }
    }
}

/// csel, csinc, csinv, csneg: `op` (bit 30) and `op2` (bits 11:10).
public enum A64CondSelectOp: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case csel = 0b00, csinc = 0b01, csinv = 0b10, csneg = 0b11
    var op: UInt32 { rawValue >> 1 }
    var op2: UInt32 { rawValue & 1 }
    public var description: String { ["csel", "csinc", "csinv", "csneg"][Int(rawValue)] }
}

/// Scalar FP with one source: the `opcode` bits (bits 20:15). `fcvt` is
/// separate (its opcode names the destination type).
public enum A64FPUnary: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case fmov = 0b000000, fabs = 0b000001, fneg = 0b000010, fsqrt = 0b000011
    case frintn = 0b001000, frintp = 0b001001, frintm = 0b001010, frintz = 0b001011
    case frinta = 0b001100, frintx = 0b001110, frinti = 0b001111
    public var description: String {
        switch self {
        case .fmov: return "fmov"
        case .fabs: return "fabs"
        case .fneg: return "fneg"
        case .fsqrt: return "fsqrt"
        case .frintn: return "frintn"
        case .frintp: return "frintp"
        case .frintm: return "frintm"
        case .frintz: return "frintz"
        case .frinta: return "frinta"
        case .frintx: return "frintx"
        case .frinti: return "frinti"
        }
    }
}

/// Scalar FP with two sources: the `opcode` bits (bits 15:12).
public enum A64FPBinary: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case fmul = 0, fdiv = 1, fadd = 2, fsub = 3, fmax = 4, fmin = 5, fmaxnm = 6, fminnm = 7, fnmul = 8
    public var description: String {
        ["fmul", "fdiv", "fadd", "fsub", "fmax", "fmin", "fmaxnm", "fminnm", "fnmul"][Int(rawValue)]
    }
}

/// Conversions between integer and FP registers: `rmode` and `opcode`.
public enum A64FPIntConversion: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    /// Integer to FP.
    case scvtf = 0b00_010, ucvtf = 0b00_011
    /// FP to integer, rounding toward zero.
    case fcvtzs = 0b11_000, fcvtzu = 0b11_001
    var rmode: UInt32 { rawValue >> 3 }
    var opcode: UInt32 { rawValue & 7 }
    var toFloat: Bool { self == .scvtf || self == .ucvtf }
    public var description: String {
        switch self {
        case .scvtf: return "scvtf"
        case .ucvtf: return "ucvtf"
        case .fcvtzs: return "fcvtzs"
        case .fcvtzu: return "fcvtzu"
        }
    }
}

// MARK: The classes

enum A64Encoding {
    // Data processing, immediate

    static func addSubImmediate(_ sf: UInt32, _ op: A64AddSubOp, shift12: Bool, imm12: UInt32, rn: UInt32, rd: UInt32) -> UInt32 {
        0x1100_0000 | sf << 31 | op.rawValue << 29 | (shift12 ? 1 << 22 : 0)
            | a64Field(imm12, 10, 12) | rn << 5 | rd
    }

    static func logicalImmediate(_ sf: UInt32, opc: UInt32, n: UInt32, immr: UInt32, imms: UInt32, rn: UInt32, rd: UInt32) -> UInt32 {
        0x1200_0000 | sf << 31 | opc << 29 | a64Field(n, 22, 1) | a64Field(immr, 16, 6) | a64Field(imms, 10, 6) | rn << 5 | rd
    }

    static func moveWide(_ sf: UInt32, _ op: A64MoveWideOp, hw: UInt32, imm16: UInt32, rd: UInt32) -> UInt32 {
        0x1280_0000 | sf << 31 | op.rawValue << 29 | a64Field(hw, 21, 2) | a64Field(imm16, 5, 16) | rd
    }

    static func bitfield(_ sf: UInt32, _ op: A64BitfieldOp, immr: UInt32, imms: UInt32, rn: UInt32, rd: UInt32) -> UInt32 {
        0x1300_0000 | sf << 31 | op.rawValue << 29 | sf << 22 | a64Field(immr, 16, 6) | a64Field(imms, 10, 6) | rn << 5 | rd
    }

    static func extract(_ sf: UInt32, rm: UInt32, imms: UInt32, rn: UInt32, rd: UInt32) -> UInt32 {
        0x1380_0000 | sf << 31 | sf << 22 | rm << 16 | a64Field(imms, 10, 6) | rn << 5 | rd
    }

    /// adr (page: false) and adrp (page: true); `imm21` in bytes or pages.
    static func pcRelative(page: Bool, imm21: Int, rd: UInt32) -> UInt32 {
        let imm = a64Signed(imm21, 21)
        return 0x1000_0000 | (page ? 1 << 31 : 0) | (imm & 3) << 29 | (imm >> 2) << 5 | rd
    }

    // Data processing, register

    static func addSubShifted(_ sf: UInt32, _ op: A64AddSubOp, shift: A64Shift, amount: UInt32, rm: UInt32, rn: UInt32, rd: UInt32) -> UInt32 {
        precondition(shift != .ror, "add/sub cannot rotate")
        return 0x0B00_0000 | sf << 31 | op.rawValue << 29 | shift.field << 22 | rm << 16 | a64Field(amount, 10, 6) | rn << 5 | rd
    }

    static func addSubExtended(_ sf: UInt32, _ op: A64AddSubOp, extend: A64Extend, amount: UInt32, rm: UInt32, rn: UInt32, rd: UInt32) -> UInt32 {
        precondition(amount <= 4, "extended-register shift is 0...4")
        return 0x0B20_0000 | sf << 31 | op.rawValue << 29 | rm << 16 | extend.field << 13 | amount << 10 | rn << 5 | rd
    }

    static func logicalShifted(_ sf: UInt32, _ op: A64LogicalOp, shift: A64Shift, amount: UInt32, rm: UInt32, rn: UInt32, rd: UInt32) -> UInt32 {
        0x0A00_0000 | sf << 31 | op.opc << 29 | shift.field << 22 | op.n << 21 | rm << 16 | a64Field(amount, 10, 6) | rn << 5 | rd
    }

    static func dataProcessing1(_ sf: UInt32, opcode: UInt32, rn: UInt32, rd: UInt32) -> UInt32 {
        0x5AC0_0000 | sf << 31 | a64Field(opcode, 10, 6) | rn << 5 | rd
    }

    static func dataProcessing2(_ sf: UInt32, _ op: A64Binary, rm: UInt32, rn: UInt32, rd: UInt32) -> UInt32 {
        0x1AC0_0000 | sf << 31 | rm << 16 | op.rawValue << 10 | rn << 5 | rd
    }

    static func dataProcessing3(_ sf: UInt32, _ op: A64MulOp, rm: UInt32, ra: UInt32, rn: UInt32, rd: UInt32) -> UInt32 {
        0x1B00_0000 | sf << 31 | op.op31 << 21 | rm << 16 | op.o0 << 15 | ra << 10 | rn << 5 | rd
    }

    static func conditionalSelect(_ sf: UInt32, _ op: A64CondSelectOp, cond: A64Cond, rm: UInt32, rn: UInt32, rd: UInt32) -> UInt32 {
        0x1A80_0000 | sf << 31 | op.op << 30 | rm << 16 | cond.field << 12 | op.op2 << 10 | rn << 5 | rd
    }

    /// ccmn (negate: true) and ccmp; `rmOrImm5` is a register or, with
    /// `immediate`, a 5-bit unsigned immediate.
    static func conditionalCompare(_ sf: UInt32, negate: Bool, immediate: Bool, rmOrImm5: UInt32, cond: A64Cond, rn: UInt32, nzcv: UInt32) -> UInt32 {
        0x3A40_0000 | sf << 31 | (negate ? 0 : 1 << 30) | a64Field(rmOrImm5, 16, 5) | cond.field << 12
            | (immediate ? 1 << 11 : 0) | rn << 5 | a64Field(nzcv, 0, 4)
    }

    // Loads and stores. `size`, `v` and `opc` come from A64Access.

    static func loadStoreUnsignedOffset(_ a: A64Access, imm12: UInt32, rn: UInt32, rt: UInt32) -> UInt32 {
        0x3900_0000 | a.size << 30 | a.v << 26 | a.opc << 22 | a64Field(imm12, 10, 12) | rn << 5 | rt
    }

    /// Unscaled (`mode` 0b00), post-index (0b01) and pre-index (0b11).
    static func loadStoreImm9(_ a: A64Access, mode: UInt32, imm9: Int, rn: UInt32, rt: UInt32) -> UInt32 {
        0x3800_0000 | a.size << 30 | a.v << 26 | a.opc << 22 | a64Signed(imm9, 9) << 12 | mode << 10 | rn << 5 | rt
    }

    static func loadStoreRegisterOffset(_ a: A64Access, rm: UInt32, option: A64IndexExtend, s: Bool, rn: UInt32, rt: UInt32) -> UInt32 {
        0x3820_0800 | a.size << 30 | a.v << 26 | a.opc << 22 | rm << 16 | option.field << 13 | (s ? 1 << 12 : 0) | rn << 5 | rt
    }

    /// `mode`: 0b001 post-index, 0b010 signed offset, 0b011 pre-index.
    static func loadStorePair(_ p: A64PairAccess, load: Bool, mode: UInt32, imm7: Int, rt2: UInt32, rn: UInt32, rt: UInt32) -> UInt32 {
        0x2800_0000 | p.opc << 30 | p.v << 26 | mode << 23 | (load ? 1 << 22 : 0) | a64Signed(imm7, 7) << 15 | rt2 << 10 | rn << 5 | rt
    }

    static func loadLiteral(opc: UInt32, v: UInt32, imm19: Int, rt: UInt32) -> UInt32 {
        0x1800_0000 | opc << 30 | v << 26 | a64Signed(imm19, 19) << 5 | rt
    }

    // Branches, exceptions, system

    static func branchImmediate(link: Bool, imm26: Int) -> UInt32 {
        0x1400_0000 | (link ? 1 << 31 : 0) | a64Signed(imm26, 26)
    }

    static func branchConditional(_ cond: A64Cond, imm19: Int) -> UInt32 {
        0x5400_0000 | a64Signed(imm19, 19) << 5 | cond.field
    }

    static func compareAndBranch(_ sf: UInt32, nonzero: Bool, imm19: Int, rt: UInt32) -> UInt32 {
        0x3400_0000 | sf << 31 | (nonzero ? 1 << 24 : 0) | a64Signed(imm19, 19) << 5 | rt
    }

    static func testAndBranch(bit: UInt32, nonzero: Bool, imm14: Int, rt: UInt32) -> UInt32 {
        precondition(bit < 64, "tbz/tbnz bit is 0...63")
        return 0x3600_0000 | (bit >> 5) << 31 | (nonzero ? 1 << 24 : 0) | (bit & 31) << 19 | a64Signed(imm14, 14) << 5 | rt
    }

    /// br (opc 0), blr (1), ret (2).
    static func branchRegister(opc: UInt32, rn: UInt32) -> UInt32 {
        0xD61F_0000 | a64Field(opc, 21, 2) | rn << 5
    }

    static func exception(brk: Bool, imm16: UInt32) -> UInt32 {
        brk ? 0xD420_0000 | a64Field(imm16, 5, 16) : a64Field(imm16, 0, 16)   // udf is all zeros but imm16
    }

    static let nop: UInt32 = 0xD503_201F

    static func barrier(dmbOption crm: UInt32) -> UInt32 {
        0xD503_30BF | a64Field(crm, 8, 4)
    }

    // Scalar floating point and SIMD

    static func fpDataProcessing1(_ t: A64FloatType, opcode: UInt32, rn: UInt32, rd: UInt32) -> UInt32 {
        0x1E20_4000 | t.field << 22 | a64Field(opcode, 15, 6) | rn << 5 | rd
    }

    static func fpDataProcessing2(_ t: A64FloatType, _ op: A64FPBinary, rm: UInt32, rn: UInt32, rd: UInt32) -> UInt32 {
        0x1E20_0800 | t.field << 22 | rm << 16 | op.rawValue << 12 | rn << 5 | rd
    }

    static func fpCompare(_ t: A64FloatType, withZero: Bool, rm: UInt32, rn: UInt32) -> UInt32 {
        0x1E20_2000 | t.field << 22 | rm << 16 | rn << 5 | (withZero ? 1 << 3 : 0)
    }

    static func fpConditionalSelect(_ t: A64FloatType, cond: A64Cond, rm: UInt32, rn: UInt32, rd: UInt32) -> UInt32 {
        0x1E20_0C00 | t.field << 22 | rm << 16 | cond.field << 12 | rn << 5 | rd
    }

    static func fpImmediate(_ t: A64FloatType, imm8: UInt32, rd: UInt32) -> UInt32 {
        0x1E20_1000 | t.field << 22 | a64Field(imm8, 13, 8) | rd
    }

    static func fpIntConversion(_ sf: UInt32, _ t: A64FloatType, rmode: UInt32, opcode: UInt32, rn: UInt32, rd: UInt32) -> UInt32 {
        0x1E20_0000 | sf << 31 | t.field << 22 | rmode << 19 | opcode << 16 | rn << 5 | rd
    }

    /// Advanced SIMD two-register miscellaneous (cnt) and across-lanes
    /// (addv), at byte lanes; `q` selects 16 lanes instead of 8.
    static func simdCnt(q: Bool, rn: UInt32, rd: UInt32) -> UInt32 {
        0x0E20_5800 | (q ? 1 << 30 : 0) | rn << 5 | rd
    }

    static func simdAddv(q: Bool, rn: UInt32, rd: UInt32) -> UInt32 {
        0x0E31_B800 | (q ? 1 << 30 : 0) | rn << 5 | rd
    }

    /// Advanced SIMD three-same `orr` at 16 byte lanes (the `mov` alias when
    /// both sources are one register).
    static func simdOrr16B(rm: UInt32, rn: UInt32, rd: UInt32) -> UInt32 {
        0x4EA0_1C00 | rm << 16 | rn << 5 | rd
    }
}
