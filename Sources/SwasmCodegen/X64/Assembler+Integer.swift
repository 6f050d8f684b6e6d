// Integer instructions: ALU, moves, extensions, multiply/divide, shifts, bit
// counting, setcc/cmovcc. Each method picks a row of Forms.swift and hands it
// to the generic encoder with the operands and their listing text.
//
// Immediates are printed in decimal; GNU as picks the same short forms the
// encoder does (imm8 when it fits, the eax/rax accumulator opcode otherwise,
// D1 for a shift by 1).

extension X64Assembler {
    func checkWide(_ size: OperandSize, _ what: @autoclosure () -> String) {
        precondition(size == .s32 || size == .s64, "\(what()) takes a 32- or 64-bit operand size")
    }

    // MARK: ALU: add, or, adc, sbb, and, sub, xor, cmp

    public mutating func alu(_ op: X64AluOp, _ size: OperandSize, _ dst: X64Reg, _ src: X64Reg) {
        checkWide(size, "\(op)")
        encode(Forms.alu(op).mr, size, reg: src.rawValue, rm: .reg(dst.rawValue),
               [.r(dst, size), .r(src, size)])
    }

    public mutating func alu(_ op: X64AluOp, _ size: OperandSize, _ dst: X64Reg, _ src: X64Mem) {
        checkWide(size, "\(op)")
        encode(Forms.alu(op).rm, size, reg: dst.rawValue, rm: .mem(src), [.r(dst, size), .m(src, size)])
    }

    public mutating func alu(_ op: X64AluOp, _ size: OperandSize, _ dst: X64Mem, _ src: X64Reg) {
        checkWide(size, "\(op)")
        encode(Forms.alu(op).mr, size, reg: src.rawValue, rm: .mem(dst), [.m(dst, size), .r(src, size)])
    }

    /// `op dst, imm`: imm8 when it fits, else the eax/rax short form or imm32
    /// (sign-extended to 64 bits at `.s64`).
    public mutating func alu(_ op: X64AluOp, _ size: OperandSize, _ dst: X64Reg, _ imm: Int32) {
        checkWide(size, "\(op)")
        func text() -> [ListOperand] { [.r(dst, size), .i(imm)] }
        if Int8(exactly: imm) != nil {
            encode(Forms.aluImm8(op), size, rm: .reg(dst.rawValue), imm: Int64(imm), text())
        } else if dst == .rax {
            encode(Forms.alu(op).acc, size, imm: Int64(imm), text())
        } else {
            encode(Forms.aluImm32(op), size, rm: .reg(dst.rawValue), imm: Int64(imm), text())
        }
    }

    public mutating func alu(_ op: X64AluOp, _ size: OperandSize, _ dst: X64Mem, _ imm: Int32) {
        checkWide(size, "\(op)")
        let form = Int8(exactly: imm) != nil ? Forms.aluImm8(op) : Forms.aluImm32(op)
        encode(form, size, rm: .mem(dst), imm: Int64(imm), [.m(dst, size), .i(imm)])
    }

    // MARK: test

    public mutating func test(_ size: OperandSize, _ a: X64Reg, _ b: X64Reg) {
        checkWide(size, "test")
        encode(Forms.testMR, size, reg: b.rawValue, rm: .reg(a.rawValue), [.r(a, size), .r(b, size)])
    }

    public mutating func test(_ size: OperandSize, _ a: X64Mem, _ b: X64Reg) {
        checkWide(size, "test")
        encode(Forms.testMR, size, reg: b.rawValue, rm: .mem(a), [.m(a, size), .r(b, size)])
    }

    public mutating func test(_ size: OperandSize, _ a: X64Reg, _ imm: Int32) {
        checkWide(size, "test")
        if a == .rax {
            encode(Forms.testAccI, size, imm: Int64(imm), [.r(a, size), .i(imm)])
        } else {
            encode(Forms.testMI, size, rm: .reg(a.rawValue), imm: Int64(imm), [.r(a, size), .i(imm)])
        }
    }

    public mutating func test(_ size: OperandSize, _ a: X64Mem, _ imm: Int32) {
        checkWide(size, "test")
        encode(Forms.testMI, size, rm: .mem(a), imm: Int64(imm), [.m(a, size), .i(imm)])
    }

    // MARK: mov

    /// Register copy; at `.s32` it zero-extends into the upper half.
    public mutating func mov(_ size: OperandSize, _ dst: X64Reg, _ src: X64Reg) {
        checkWide(size, "mov")
        encode(Forms.movMR, size, reg: src.rawValue, rm: .reg(dst.rawValue), [.r(dst, size), .r(src, size)])
    }

    /// Constant into a register, shortest form first and never touching the
    /// flags: `mov r32, imm32` (zero-extends) for 0...UInt32.max, then
    /// `mov r64, simm32`, then `movabs`. At `.s32` the low 32 bits are used.
    public mutating func mov(_ size: OperandSize, _ dst: X64Reg, _ imm: Int64) {
        checkWide(size, "mov")
        if size == .s32 || UInt32(exactly: imm) != nil {
            let v = UInt32(truncatingIfNeeded: imm)
            encode(Forms.movOI, .s32, rm: .reg(dst.rawValue), imm: Int64(v), [.r(dst, .s32), .i(v)])
        } else if Int32(exactly: imm) != nil {
            encode(Forms.movMI, .s64, rm: .reg(dst.rawValue), imm: imm, [.r(dst, .s64), .i(imm)])
        } else {
            encode(Forms.movabs, .s64, rm: .reg(dst.rawValue), imm: imm, [.r(dst, .s64), .i(imm)])
        }
    }

    /// Load of 8, 16, 32 or 64 bits (8 and 16 leave the rest of the register alone).
    public mutating func mov(_ size: OperandSize, _ dst: X64Reg, _ src: X64Mem) {
        let form = size == .s8 ? Forms.movRM8 : Forms.movRM
        encode(form, size, reg: dst.rawValue, rm: .mem(src), byteRegs: size == .s8 ? [dst] : [],
               [.r(dst, size), .m(src, size)])
    }

    /// Store of 8, 16, 32 or 64 bits.
    public mutating func mov(_ size: OperandSize, _ dst: X64Mem, _ src: X64Reg) {
        let form = size == .s8 ? Forms.movMR8 : Forms.movMR
        encode(form, size, reg: src.rawValue, rm: .mem(dst), byteRegs: size == .s8 ? [src] : [],
               [.m(dst, size), .r(src, size)])
    }

    /// Store of an immediate; at `.s64` it is sign-extended, at `.s8`/`.s16`
    /// truncated.
    public mutating func mov(_ size: OperandSize, _ dst: X64Mem, _ imm: Int32) {
        let v: Int64
        switch size {
        case .s8: v = Int64(Int8(truncatingIfNeeded: imm))
        case .s16: v = Int64(Int16(truncatingIfNeeded: imm))
        case .s32, .s64: v = Int64(imm)
        }
        encode(size == .s8 ? Forms.movMI8 : Forms.movMI, size, rm: .mem(dst), imm: v, [.m(dst, size), .i(v)])
    }

    // MARK: Extensions

    private func extForm(zero: Bool, from: OperandSize) -> X64Form {
        switch (zero, from) {
        case (true, .s8): return Forms.movzx8
        case (true, .s16): return Forms.movzx16
        case (false, .s8): return Forms.movsx8
        case (false, .s16): return Forms.movsx16
        default: preconditionFailure("extension from \(from)")
        }
    }

    /// Zero-extends `from` (8, 16 or 32 bits) into a `size` (32/64-bit)
    /// register; from 32 bits this is a 32-bit `mov`.
    public mutating func movzx(_ size: OperandSize, _ dst: X64Reg, _ src: X64Reg, from: OperandSize) {
        checkWide(size, "movzx")
        if from == .s32 { return mov(.s32, dst, src) }
        encode(extForm(zero: true, from: from), size, reg: dst.rawValue, rm: .reg(src.rawValue),
               byteRegs: from == .s8 ? [src] : [], [.r(dst, size), .r(src, from)])
    }

    public mutating func movzx(_ size: OperandSize, _ dst: X64Reg, _ src: X64Mem, from: OperandSize) {
        checkWide(size, "movzx")
        if from == .s32 { return mov(.s32, dst, src) }
        encode(extForm(zero: true, from: from), size, reg: dst.rawValue, rm: .mem(src),
               [.r(dst, size), .m(src, from)])
    }

    /// Sign-extends `from` (8, 16 or 32 bits) into a `size` register; from
    /// 32 bits into 64 this is `movsxd`.
    public mutating func movsx(_ size: OperandSize, _ dst: X64Reg, _ src: X64Reg, from: OperandSize) {
        checkWide(size, "movsx")
        if from == .s32 { precondition(size == .s64, "movsx from 32 bits needs .s64"); return movsxd(dst, src) }
        encode(extForm(zero: false, from: from), size, reg: dst.rawValue, rm: .reg(src.rawValue),
               byteRegs: from == .s8 ? [src] : [], [.r(dst, size), .r(src, from)])
    }

    public mutating func movsx(_ size: OperandSize, _ dst: X64Reg, _ src: X64Mem, from: OperandSize) {
        checkWide(size, "movsx")
        if from == .s32 { precondition(size == .s64, "movsx from 32 bits needs .s64"); return movsxd(dst, src) }
        encode(extForm(zero: false, from: from), size, reg: dst.rawValue, rm: .mem(src),
               [.r(dst, size), .m(src, from)])
    }

    public mutating func movsxd(_ dst: X64Reg, _ src: X64Reg) {
        encode(Forms.movsxd, .s64, reg: dst.rawValue, rm: .reg(src.rawValue), [.r(dst, .s64), .r(src, .s32)])
    }

    public mutating func movsxd(_ dst: X64Reg, _ src: X64Mem) {
        encode(Forms.movsxd, .s64, reg: dst.rawValue, rm: .mem(src), [.r(dst, .s64), .m(src, .s32)])
    }

    public mutating func lea(_ size: OperandSize, _ dst: X64Reg, _ src: X64Mem) {
        checkWide(size, "lea")
        encode(Forms.lea, size, reg: dst.rawValue, rm: .mem(src), [.r(dst, size), .a(src)])
    }

    // MARK: Multiply, divide, unary

    public mutating func imul(_ size: OperandSize, _ dst: X64Reg, _ src: X64Reg) {
        checkWide(size, "imul")
        encode(Forms.imulRM, size, reg: dst.rawValue, rm: .reg(src.rawValue), [.r(dst, size), .r(src, size)])
    }

    public mutating func imul(_ size: OperandSize, _ dst: X64Reg, _ src: X64Mem) {
        checkWide(size, "imul")
        encode(Forms.imulRM, size, reg: dst.rawValue, rm: .mem(src), [.r(dst, size), .m(src, size)])
    }

    /// `dst = src * imm` (imm8 form when it fits).
    public mutating func imul(_ size: OperandSize, _ dst: X64Reg, _ src: X64Reg, _ imm: Int32) {
        checkWide(size, "imul")
        let form = Int8(exactly: imm) != nil ? Forms.imulRMI8 : Forms.imulRMI32
        encode(form, size, reg: dst.rawValue, rm: .reg(src.rawValue), imm: Int64(imm),
               [.r(dst, size), .r(src, size), .i(imm)])
    }

    public mutating func imul(_ size: OperandSize, _ dst: X64Reg, _ src: X64Mem, _ imm: Int32) {
        checkWide(size, "imul")
        let form = Int8(exactly: imm) != nil ? Forms.imulRMI8 : Forms.imulRMI32
        encode(form, size, reg: dst.rawValue, rm: .mem(src), imm: Int64(imm),
               [.r(dst, size), .m(src, size), .i(imm)])
    }

    /// not, neg, and the rdx:rax forms mul, imul, div, idiv.
    public mutating func unary(_ op: X64UnaryOp, _ size: OperandSize, _ operand: X64Reg) {
        checkWide(size, "\(op)")
        encode(Forms.unary(op), size, rm: .reg(operand.rawValue), [.r(operand, size)])
    }

    public mutating func unary(_ op: X64UnaryOp, _ size: OperandSize, _ operand: X64Mem) {
        checkWide(size, "\(op)")
        encode(Forms.unary(op), size, rm: .mem(operand), [.m(operand, size)])
    }

    public mutating func not(_ size: OperandSize, _ r: X64Reg) { unary(.not, size, r) }
    public mutating func neg(_ size: OperandSize, _ r: X64Reg) { unary(.neg, size, r) }
    public mutating func mul(_ size: OperandSize, _ r: X64Reg) { unary(.mul, size, r) }
    public mutating func imul(_ size: OperandSize, _ r: X64Reg) { unary(.imul, size, r) }
    public mutating func div(_ size: OperandSize, _ r: X64Reg) { unary(.div, size, r) }
    public mutating func idiv(_ size: OperandSize, _ r: X64Reg) { unary(.idiv, size, r) }
    public mutating func div(_ size: OperandSize, _ m: X64Mem) { unary(.div, size, m) }
    public mutating func idiv(_ size: OperandSize, _ m: X64Mem) { unary(.idiv, size, m) }

    /// Sign-extends eax into edx:eax.
    public mutating func cdq() { encode(Forms.cdq, .s32, []) }
    /// Sign-extends rax into rdx:rax.
    public mutating func cqo() { encode(Forms.cqo, .s32, []) }

    // MARK: Shifts and rotates

    /// Shift or rotate by a constant (masked by the CPU to 5/6 bits).
    public mutating func shift(_ op: X64ShiftOp, _ size: OperandSize, _ dst: X64Reg, _ amount: UInt8) {
        checkWide(size, "\(op)")
        func text() -> [ListOperand] { [.r(dst, size), .i(amount)] }
        if amount == 1 {
            encode(Forms.shift1(op), size, rm: .reg(dst.rawValue), text())
        } else {
            encode(Forms.shiftImm(op), size, rm: .reg(dst.rawValue), imm: Int64(amount), text())
        }
    }

    /// Shift or rotate by cl.
    public mutating func shiftByCL(_ op: X64ShiftOp, _ size: OperandSize, _ dst: X64Reg) {
        checkWide(size, "\(op)")
        encode(Forms.shiftCL(op), size, rm: .reg(dst.rawValue), [.r(dst, size), .t("cl")])
    }

    public mutating func rol(_ size: OperandSize, _ dst: X64Reg, _ amount: UInt8) { shift(.rol, size, dst, amount) }
    public mutating func ror(_ size: OperandSize, _ dst: X64Reg, _ amount: UInt8) { shift(.ror, size, dst, amount) }
    public mutating func shl(_ size: OperandSize, _ dst: X64Reg, _ amount: UInt8) { shift(.shl, size, dst, amount) }
    public mutating func shr(_ size: OperandSize, _ dst: X64Reg, _ amount: UInt8) { shift(.shr, size, dst, amount) }
    public mutating func sar(_ size: OperandSize, _ dst: X64Reg, _ amount: UInt8) { shift(.sar, size, dst, amount) }

    // MARK: Bit counting

    public mutating func bitCount(_ op: X64BitCountOp, _ size: OperandSize, _ dst: X64Reg, _ src: X64Reg) {
        checkWide(size, "\(op)")
        encode(Forms.bitCount(op), size, reg: dst.rawValue, rm: .reg(src.rawValue), [.r(dst, size), .r(src, size)])
    }

    public mutating func bitCount(_ op: X64BitCountOp, _ size: OperandSize, _ dst: X64Reg, _ src: X64Mem) {
        checkWide(size, "\(op)")
        encode(Forms.bitCount(op), size, reg: dst.rawValue, rm: .mem(src), [.r(dst, size), .m(src, size)])
    }

    public mutating func lzcnt(_ size: OperandSize, _ dst: X64Reg, _ src: X64Reg) { bitCount(.lzcnt, size, dst, src) }
    public mutating func tzcnt(_ size: OperandSize, _ dst: X64Reg, _ src: X64Reg) { bitCount(.tzcnt, size, dst, src) }
    public mutating func popcnt(_ size: OperandSize, _ dst: X64Reg, _ src: X64Reg) { bitCount(.popcnt, size, dst, src) }
    public mutating func bsr(_ size: OperandSize, _ dst: X64Reg, _ src: X64Reg) { bitCount(.bsr, size, dst, src) }
    public mutating func bsf(_ size: OperandSize, _ dst: X64Reg, _ src: X64Reg) { bitCount(.bsf, size, dst, src) }

    // MARK: Conditions

    /// Sets the low byte of `dst` to 0 or 1 (the rest is unchanged).
    public mutating func setcc(_ cond: X64Cond, _ dst: X64Reg) {
        encode(Forms.setcc, .s8, rm: .reg(dst.rawValue), opcodeAdd: cond.rawValue, suffix: "\(cond)",
               byteRegs: [dst], [.r(dst, .s8)])
    }

    public mutating func cmovcc(_ cond: X64Cond, _ size: OperandSize, _ dst: X64Reg, _ src: X64Reg) {
        checkWide(size, "cmov")
        encode(Forms.cmovcc, size, reg: dst.rawValue, rm: .reg(src.rawValue), opcodeAdd: cond.rawValue,
               suffix: "\(cond)", [.r(dst, size), .r(src, size)])
    }

    public mutating func cmovcc(_ cond: X64Cond, _ size: OperandSize, _ dst: X64Reg, _ src: X64Mem) {
        checkWide(size, "cmov")
        encode(Forms.cmovcc, size, reg: dst.rawValue, rm: .mem(src), opcodeAdd: cond.rawValue,
               suffix: "\(cond)", [.r(dst, size), .m(src, size)])
    }
}
