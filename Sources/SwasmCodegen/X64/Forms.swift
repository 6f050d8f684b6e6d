// The x86-64 encoding table: every instruction form the assembler emits is
// one line of data, read by the generic encoder in Encoder.swift.
//
// Columns:
//   mnemonic  as GNU as spells it (Intel syntax); `{disp32}` forces rel32 jumps
//   prefix    mandatory prefix (66, F2, F3) or 0
//   W         .w0: no REX.W; .w1: REX.W; .sized: REX.W at s64, 66 at s16
//   opcode    opcode bytes, escapes included
//   modrm     .r: ModRM.reg is a register; .digit(n): ModRM.reg is /n;
//             .plusReg: register in the opcode's low 3 bits; .none
//   imm       .i8/.i16/.i32/.i64; .sized: i16 at s16, i8 at s8, else i32;
//             .rel32: 32-bit displacement to a label
//   mem       bytes a memory operand covers, for its `ptr` in the listing
//             (0: the operand size)

enum WidthRule: Sendable { case w0, w1, sized }
enum ModRMKind: Sendable { case none, r, digit(UInt8), plusReg }
enum ImmKind: Sendable { case none, i8, i16, i32, i64, sized, rel32 }

struct X64Form: Sendable {
    let mnemonic: String
    let prefix: UInt8
    let width: WidthRule
    let opcode: [UInt8]
    let modrm: ModRMKind
    let imm: ImmKind
    let memBytes: Int

    init(_ mnemonic: String, _ prefix: UInt8, _ width: WidthRule, _ opcode: [UInt8],
         _ modrm: ModRMKind, _ imm: ImmKind = .none, mem: Int = 0) {
        self.mnemonic = mnemonic
        self.prefix = prefix
        self.width = width
        self.opcode = opcode
        self.modrm = modrm
        self.imm = imm
        self.memBytes = mem
    }
}

/// The eight classic two-operand ALU operations; the raw value is the
/// ModRM /digit of their immediate forms (80-83 /n).
public enum X64AluOp: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case add, or, adc, sbb, and, sub, xor, cmp

    // The mnemonics are spelled out in these enums: interpolating a plain
    // enum reflects on it at run time, and forms are built per instruction.
    public var description: String {
        switch self {
        case .add: return "add"
        case .or: return "or"
        case .adc: return "adc"
        case .sbb: return "sbb"
        case .and: return "and"
        case .sub: return "sub"
        case .xor: return "xor"
        case .cmp: return "cmp"
        }
    }
}

/// Shifts and rotates; the raw value is the ModRM /digit (C1/D1/D3 /n).
public enum X64ShiftOp: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case rol = 0, ror = 1, shl = 4, shr = 5, sar = 7

    public var description: String {
        switch self {
        case .rol: return "rol"
        case .ror: return "ror"
        case .shl: return "shl"
        case .shr: return "shr"
        case .sar: return "sar"
        }
    }
}

/// One-operand group-3 instructions (F7 /n).
public enum X64UnaryOp: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case not = 2, neg = 3, mul = 4, imul = 5, div = 6, idiv = 7

    public var description: String {
        switch self {
        case .not: return "not"
        case .neg: return "neg"
        case .mul: return "mul"
        case .imul: return "imul"
        case .div: return "div"
        case .idiv: return "idiv"
        }
    }
}

/// Bit counting (0F BC/BD/B8, with or without F3).
public enum X64BitCountOp: Sendable, CaseIterable {
    case lzcnt, tzcnt, popcnt, bsr, bsf
}

/// Two-operand SSE instructions `op xmm, xmm/mem`.
public enum X64SseOp: Sendable, CaseIterable {
    case addss, addsd, subss, subsd, mulss, mulsd, divss, divsd
    case minss, minsd, maxss, maxsd, sqrtss, sqrtsd
    case ucomiss, ucomisd, cvtss2sd, cvtsd2ss
    case andps, andpd, andnps, andnpd, orps, orpd, xorps, xorpd, pxor
    case movaps, movapd
}

enum Forms {
    // ALU family, one row per operation:   mnemonic  rm,r  r,rm  eax,imm32
    static func alu(_ op: X64AluOp) -> (mr: X64Form, rm: X64Form, acc: X64Form) {
        let (m, mr, rm, acc): (String, UInt8, UInt8, UInt8)
        switch op {
        case .add: (m, mr, rm, acc) = ("add", 0x01, 0x03, 0x05)
        case .or:  (m, mr, rm, acc) = ("or",  0x09, 0x0B, 0x0D)
        case .adc: (m, mr, rm, acc) = ("adc", 0x11, 0x13, 0x15)
        case .sbb: (m, mr, rm, acc) = ("sbb", 0x19, 0x1B, 0x1D)
        case .and: (m, mr, rm, acc) = ("and", 0x21, 0x23, 0x25)
        case .sub: (m, mr, rm, acc) = ("sub", 0x29, 0x2B, 0x2D)
        case .xor: (m, mr, rm, acc) = ("xor", 0x31, 0x33, 0x35)
        case .cmp: (m, mr, rm, acc) = ("cmp", 0x39, 0x3B, 0x3D)
        }
        return (X64Form(m, 0, .sized, [mr], .r), X64Form(m, 0, .sized, [rm], .r),
                X64Form(m, 0, .sized, [acc], .none, .i32))
    }
    static func aluImm32(_ op: X64AluOp) -> X64Form { X64Form(name(op), 0, .sized, [0x81], .digit(op.rawValue), .i32) }
    static func aluImm8(_ op: X64AluOp) -> X64Form { X64Form(name(op), 0, .sized, [0x83], .digit(op.rawValue), .i8) }
    static func name(_ op: X64AluOp) -> String { op.description }

    //                                 mnemonic   pfx   W       opcode        modrm        imm
    static let movMR     = X64Form("mov",       0,    .sized, [0x89],       .r)
    static let movRM     = X64Form("mov",       0,    .sized, [0x8B],       .r)
    static let movMR8    = X64Form("mov",       0,    .w0,    [0x88],       .r)
    static let movRM8    = X64Form("mov",       0,    .w0,    [0x8A],       .r)
    static let movOI     = X64Form("mov",       0,    .w0,    [0xB8],       .plusReg,    .i32)
    static let movabs    = X64Form("movabs",    0,    .w1,    [0xB8],       .plusReg,    .i64)
    static let movMI     = X64Form("mov",       0,    .sized, [0xC7],       .digit(0),   .sized)
    static let movMI8    = X64Form("mov",       0,    .w0,    [0xC6],       .digit(0),   .i8)
    static let movzx8    = X64Form("movzx",     0,    .sized, [0x0F, 0xB6], .r)
    static let movzx16   = X64Form("movzx",     0,    .sized, [0x0F, 0xB7], .r)
    static let movsx8    = X64Form("movsx",     0,    .sized, [0x0F, 0xBE], .r)
    static let movsx16   = X64Form("movsx",     0,    .sized, [0x0F, 0xBF], .r)
    static let movsxd    = X64Form("movsxd",    0,    .w1,    [0x63],       .r)
    static let lea       = X64Form("lea",       0,    .sized, [0x8D],       .r)
    static let testMR    = X64Form("test",      0,    .sized, [0x85],       .r)
    static let testMI    = X64Form("test",      0,    .sized, [0xF7],       .digit(0),   .i32)
    static let testAccI  = X64Form("test",      0,    .sized, [0xA9],       .none,       .i32)
    static let imulRM    = X64Form("imul",      0,    .sized, [0x0F, 0xAF], .r)
    static let imulRMI8  = X64Form("imul",      0,    .sized, [0x6B],       .r,          .i8)
    static let imulRMI32 = X64Form("imul",      0,    .sized, [0x69],       .r,          .i32)
    static let cdq       = X64Form("cdq",       0,    .w0,    [0x99],       .none)
    static let cqo       = X64Form("cqo",       0,    .w1,    [0x99],       .none)
    static let setcc     = X64Form("set",       0,    .w0,    [0x0F, 0x90], .digit(0))   // + cond
    static let cmovcc    = X64Form("cmov",      0,    .sized, [0x0F, 0x40], .r)          // + cond
    static let jmp       = X64Form("{disp32} jmp", 0, .w0,    [0xE9],       .none,       .rel32)
    static let jcc       = X64Form("{disp32} j", 0,   .w0,    [0x0F, 0x80], .none,       .rel32)  // + cond
    static let call      = X64Form("call",      0,    .w0,    [0xE8],       .none,       .rel32)
    static let jmpRM     = X64Form("jmp",       0,    .w0,    [0xFF],       .digit(4))
    static let callRM    = X64Form("call",      0,    .w0,    [0xFF],       .digit(2))
    static let push      = X64Form("push",      0,    .w0,    [0x50],       .plusReg)
    static let pop       = X64Form("pop",       0,    .w0,    [0x58],       .plusReg)
    static let ret       = X64Form("ret",       0,    .w0,    [0xC3],       .none)
    static let ud2       = X64Form("ud2",       0,    .w0,    [0x0F, 0x0B], .none)
    static let int3      = X64Form("int3",      0,    .w0,    [0xCC],       .none)
    static let nop       = X64Form("nop",       0,    .w0,    [0x90],       .none)

    static func shiftImm(_ op: X64ShiftOp) -> X64Form { X64Form("\(op)", 0, .sized, [0xC1], .digit(op.rawValue), .i8) }
    static func shift1(_ op: X64ShiftOp) -> X64Form   { X64Form("\(op)", 0, .sized, [0xD1], .digit(op.rawValue)) }
    static func shiftCL(_ op: X64ShiftOp) -> X64Form  { X64Form("\(op)", 0, .sized, [0xD3], .digit(op.rawValue)) }
    static func unary(_ op: X64UnaryOp) -> X64Form    { X64Form("\(op)", 0, .sized, [0xF7], .digit(op.rawValue)) }

    static func bitCount(_ op: X64BitCountOp) -> X64Form {
        switch op {                     // mnemonic   pfx   W       opcode        modrm
        case .lzcnt:  return X64Form("lzcnt",     0xF3, .sized, [0x0F, 0xBD], .r)
        case .tzcnt:  return X64Form("tzcnt",     0xF3, .sized, [0x0F, 0xBC], .r)
        case .popcnt: return X64Form("popcnt",    0xF3, .sized, [0x0F, 0xB8], .r)
        case .bsr:    return X64Form("bsr",       0,    .sized, [0x0F, 0xBD], .r)
        case .bsf:    return X64Form("bsf",       0,    .sized, [0x0F, 0xBC], .r)
        }
    }

    // SSE: ModRM.reg is always an xmm register; `mem` is the memory width.
    static func sse(_ op: X64SseOp) -> X64Form {
        switch op {                     // mnemonic   pfx   W    opcode        modrm  imm    mem
        case .addss:    return X64Form("addss",    0xF3, .w0, [0x0F, 0x58], .r, .none, mem: 4)
        case .addsd:    return X64Form("addsd",    0xF2, .w0, [0x0F, 0x58], .r, .none, mem: 8)
        case .subss:    return X64Form("subss",    0xF3, .w0, [0x0F, 0x5C], .r, .none, mem: 4)
        case .subsd:    return X64Form("subsd",    0xF2, .w0, [0x0F, 0x5C], .r, .none, mem: 8)
        case .mulss:    return X64Form("mulss",    0xF3, .w0, [0x0F, 0x59], .r, .none, mem: 4)
        case .mulsd:    return X64Form("mulsd",    0xF2, .w0, [0x0F, 0x59], .r, .none, mem: 8)
        case .divss:    return X64Form("divss",    0xF3, .w0, [0x0F, 0x5E], .r, .none, mem: 4)
        case .divsd:    return X64Form("divsd",    0xF2, .w0, [0x0F, 0x5E], .r, .none, mem: 8)
        case .minss:    return X64Form("minss",    0xF3, .w0, [0x0F, 0x5D], .r, .none, mem: 4)
        case .minsd:    return X64Form("minsd",    0xF2, .w0, [0x0F, 0x5D], .r, .none, mem: 8)
        case .maxss:    return X64Form("maxss",    0xF3, .w0, [0x0F, 0x5F], .r, .none, mem: 4)
        case .maxsd:    return X64Form("maxsd",    0xF2, .w0, [0x0F, 0x5F], .r, .none, mem: 8)
        case .sqrtss:   return X64Form("sqrtss",   0xF3, .w0, [0x0F, 0x51], .r, .none, mem: 4)
        case .sqrtsd:   return X64Form("sqrtsd",   0xF2, .w0, [0x0F, 0x51], .r, .none, mem: 8)
        case .ucomiss:  return X64Form("ucomiss",  0,    .w0, [0x0F, 0x2E], .r, .none, mem: 4)
        case .ucomisd:  return X64Form("ucomisd",  0x66, .w0, [0x0F, 0x2E], .r, .none, mem: 8)
        case .cvtss2sd: return X64Form("cvtss2sd", 0xF3, .w0, [0x0F, 0x5A], .r, .none, mem: 4)
        case .cvtsd2ss: return X64Form("cvtsd2ss", 0xF2, .w0, [0x0F, 0x5A], .r, .none, mem: 8)
        case .andps:    return X64Form("andps",    0,    .w0, [0x0F, 0x54], .r, .none, mem: 16)
        case .andpd:    return X64Form("andpd",    0x66, .w0, [0x0F, 0x54], .r, .none, mem: 16)
        case .andnps:   return X64Form("andnps",   0,    .w0, [0x0F, 0x55], .r, .none, mem: 16)
        case .andnpd:   return X64Form("andnpd",   0x66, .w0, [0x0F, 0x55], .r, .none, mem: 16)
        case .orps:     return X64Form("orps",     0,    .w0, [0x0F, 0x56], .r, .none, mem: 16)
        case .orpd:     return X64Form("orpd",     0x66, .w0, [0x0F, 0x56], .r, .none, mem: 16)
        case .xorps:    return X64Form("xorps",    0,    .w0, [0x0F, 0x57], .r, .none, mem: 16)
        case .xorpd:    return X64Form("xorpd",    0x66, .w0, [0x0F, 0x57], .r, .none, mem: 16)
        case .pxor:     return X64Form("pxor",     0x66, .w0, [0x0F, 0xEF], .r, .none, mem: 16)
        case .movaps:   return X64Form("movaps",   0,    .w0, [0x0F, 0x28], .r, .none, mem: 16)
        case .movapd:   return X64Form("movapd",   0x66, .w0, [0x0F, 0x28], .r, .none, mem: 16)
        }
    }

    //                                 mnemonic     pfx   W       opcode              modrm imm    mem
    static let movssLoad  = X64Form("movss",     0xF3, .w0,    [0x0F, 0x10],       .r, .none, mem: 4)
    static let movssStore = X64Form("movss",     0xF3, .w0,    [0x0F, 0x11],       .r, .none, mem: 4)
    static let movsdLoad  = X64Form("movsd",     0xF2, .w0,    [0x0F, 0x10],       .r, .none, mem: 8)
    static let movsdStore = X64Form("movsd",     0xF2, .w0,    [0x0F, 0x11],       .r, .none, mem: 8)
    static let movdToXmm  = X64Form("movd",      0x66, .w0,    [0x0F, 0x6E],       .r)
    static let movqToXmm  = X64Form("movq",      0x66, .w1,    [0x0F, 0x6E],       .r)
    static let movdFromXmm = X64Form("movd",     0x66, .w0,    [0x0F, 0x7E],       .r)
    static let movqFromXmm = X64Form("movq",     0x66, .w1,    [0x0F, 0x7E],       .r)
    static let cvtsi2ss   = X64Form("cvtsi2ss",  0xF3, .sized, [0x0F, 0x2A],       .r)
    static let cvtsi2sd   = X64Form("cvtsi2sd",  0xF2, .sized, [0x0F, 0x2A],       .r)
    static let cvttss2si  = X64Form("cvttss2si", 0xF3, .sized, [0x0F, 0x2C],       .r, .none, mem: 4)
    static let cvttsd2si  = X64Form("cvttsd2si", 0xF2, .sized, [0x0F, 0x2C],       .r, .none, mem: 8)
    static let roundss    = X64Form("roundss",   0x66, .w0,    [0x0F, 0x3A, 0x0A], .r, .i8,   mem: 4)
    static let roundsd    = X64Form("roundsd",   0x66, .w0,    [0x0F, 0x3A, 0x0B], .r, .i8,   mem: 8)
}
