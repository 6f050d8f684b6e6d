// Scalar floating point (SSE, SSE2, SSE4.1): moves, arithmetic, compares,
// conversions, rounding and the bitwise ops used for abs/neg/copysign.

extension X64Assembler {
    // MARK: Two-operand ops (Forms.sse rows)

    public mutating func sse(_ op: X64SseOp, _ dst: XmmReg, _ src: XmmReg) {
        encode(Forms.sse(op), reg: dst.rawValue, rm: .reg(src.rawValue), [.x(dst), .x(src)])
    }

    public mutating func sse(_ op: X64SseOp, _ dst: XmmReg, _ src: X64Mem) {
        let form = Forms.sse(op)
        encode(form, reg: dst.rawValue, rm: .mem(src), [.x(dst), .m(src, bytes: form.memBytes)])
    }

    // MARK: Moves

    /// movss/movsd between registers copies the low lane only.
    public mutating func movss(_ dst: XmmReg, _ src: XmmReg) {
        encode(Forms.movssLoad, reg: dst.rawValue, rm: .reg(src.rawValue), [.x(dst), .x(src)])
    }

    public mutating func movss(_ dst: XmmReg, _ src: X64Mem) {
        encode(Forms.movssLoad, reg: dst.rawValue, rm: .mem(src), [.x(dst), .m(src, bytes: 4)])
    }

    public mutating func movss(_ dst: X64Mem, _ src: XmmReg) {
        encode(Forms.movssStore, reg: src.rawValue, rm: .mem(dst), [.m(dst, bytes: 4), .x(src)])
    }

    public mutating func movsd(_ dst: XmmReg, _ src: XmmReg) {
        encode(Forms.movsdLoad, reg: dst.rawValue, rm: .reg(src.rawValue), [.x(dst), .x(src)])
    }

    public mutating func movsd(_ dst: XmmReg, _ src: X64Mem) {
        encode(Forms.movsdLoad, reg: dst.rawValue, rm: .mem(src), [.x(dst), .m(src, bytes: 8)])
    }

    public mutating func movsd(_ dst: X64Mem, _ src: XmmReg) {
        encode(Forms.movsdStore, reg: src.rawValue, rm: .mem(dst), [.m(dst, bytes: 8), .x(src)])
    }

    /// gpr → xmm: `movd` at `.s32`, `movq` at `.s64` (upper lanes zeroed).
    public mutating func movGprToXmm(_ size: OperandSize, _ dst: XmmReg, _ src: X64Reg) {
        checkWide(size, "movd/movq")
        let form = size == .s64 ? Forms.movqToXmm : Forms.movdToXmm
        encode(form, reg: dst.rawValue, rm: .reg(src.rawValue), [.x(dst), .r(src, size)])
    }

    /// xmm → gpr: `movd` at `.s32`, `movq` at `.s64`.
    public mutating func movXmmToGpr(_ size: OperandSize, _ dst: X64Reg, _ src: XmmReg) {
        checkWide(size, "movd/movq")
        let form = size == .s64 ? Forms.movqFromXmm : Forms.movdFromXmm
        encode(form, reg: src.rawValue, rm: .reg(dst.rawValue), [.r(dst, size), .x(src)])
    }

    public mutating func movd(_ dst: XmmReg, _ src: X64Reg) { movGprToXmm(.s32, dst, src) }
    public mutating func movq(_ dst: XmmReg, _ src: X64Reg) { movGprToXmm(.s64, dst, src) }
    public mutating func movd(_ dst: X64Reg, _ src: XmmReg) { movXmmToGpr(.s32, dst, src) }
    public mutating func movq(_ dst: X64Reg, _ src: XmmReg) { movXmmToGpr(.s64, dst, src) }

    // MARK: Conversions

    /// Signed integer (`size` = 32 or 64 bits) to float32.
    public mutating func cvtsi2ss(_ dst: XmmReg, _ size: OperandSize, _ src: X64Reg) {
        checkWide(size, "cvtsi2ss")
        encode(Forms.cvtsi2ss, size, reg: dst.rawValue, rm: .reg(src.rawValue), [.x(dst), .r(src, size)])
    }

    public mutating func cvtsi2ss(_ dst: XmmReg, _ size: OperandSize, _ src: X64Mem) {
        checkWide(size, "cvtsi2ss")
        encode(Forms.cvtsi2ss, size, reg: dst.rawValue, rm: .mem(src), [.x(dst), .m(src, size)])
    }

    /// Signed integer (`size` = 32 or 64 bits) to float64.
    public mutating func cvtsi2sd(_ dst: XmmReg, _ size: OperandSize, _ src: X64Reg) {
        checkWide(size, "cvtsi2sd")
        encode(Forms.cvtsi2sd, size, reg: dst.rawValue, rm: .reg(src.rawValue), [.x(dst), .r(src, size)])
    }

    public mutating func cvtsi2sd(_ dst: XmmReg, _ size: OperandSize, _ src: X64Mem) {
        checkWide(size, "cvtsi2sd")
        encode(Forms.cvtsi2sd, size, reg: dst.rawValue, rm: .mem(src), [.x(dst), .m(src, size)])
    }

    /// float32 to signed integer, truncating (0x80..0 when out of range).
    public mutating func cvttss2si(_ size: OperandSize, _ dst: X64Reg, _ src: XmmReg) {
        checkWide(size, "cvttss2si")
        encode(Forms.cvttss2si, size, reg: dst.rawValue, rm: .reg(src.rawValue), [.r(dst, size), .x(src)])
    }

    public mutating func cvttss2si(_ size: OperandSize, _ dst: X64Reg, _ src: X64Mem) {
        checkWide(size, "cvttss2si")
        encode(Forms.cvttss2si, size, reg: dst.rawValue, rm: .mem(src), [.r(dst, size), .m(src, bytes: 4)])
    }

    /// float64 to signed integer, truncating.
    public mutating func cvttsd2si(_ size: OperandSize, _ dst: X64Reg, _ src: XmmReg) {
        checkWide(size, "cvttsd2si")
        encode(Forms.cvttsd2si, size, reg: dst.rawValue, rm: .reg(src.rawValue), [.r(dst, size), .x(src)])
    }

    public mutating func cvttsd2si(_ size: OperandSize, _ dst: X64Reg, _ src: X64Mem) {
        checkWide(size, "cvttsd2si")
        encode(Forms.cvttsd2si, size, reg: dst.rawValue, rm: .mem(src), [.r(dst, size), .m(src, bytes: 8)])
    }

    // MARK: Rounding (SSE4.1); mode 8|n: 0 nearest, 1 floor, 2 ceil, 3 trunc

    public mutating func roundss(_ dst: XmmReg, _ src: XmmReg, _ mode: UInt8) {
        encode(Forms.roundss, reg: dst.rawValue, rm: .reg(src.rawValue), imm: Int64(mode), [.x(dst), .x(src), .i(mode)])
    }

    public mutating func roundss(_ dst: XmmReg, _ src: X64Mem, _ mode: UInt8) {
        encode(Forms.roundss, reg: dst.rawValue, rm: .mem(src), imm: Int64(mode), [.x(dst), .m(src, bytes: 4), .i(mode)])
    }

    public mutating func roundsd(_ dst: XmmReg, _ src: XmmReg, _ mode: UInt8) {
        encode(Forms.roundsd, reg: dst.rawValue, rm: .reg(src.rawValue), imm: Int64(mode), [.x(dst), .x(src), .i(mode)])
    }

    public mutating func roundsd(_ dst: XmmReg, _ src: X64Mem, _ mode: UInt8) {
        encode(Forms.roundsd, reg: dst.rawValue, rm: .mem(src), imm: Int64(mode), [.x(dst), .m(src, bytes: 8), .i(mode)])
    }
}
