// Named spellings of the table-driven families, so callers can write
// `asm.add(.s64, .rax, 8)` or `asm.addsd(.xmm0, mem)` as well as
// `asm.alu(.add, ...)` and `asm.sse(.addsd, ...)`.

extension X64Assembler {
    // add
    public mutating func add(_ size: OperandSize, _ dst: X64Reg, _ src: X64Reg) { alu(.add, size, dst, src) }
    public mutating func add(_ size: OperandSize, _ dst: X64Reg, _ src: Int32) { alu(.add, size, dst, src) }
    public mutating func add(_ size: OperandSize, _ dst: X64Reg, _ src: X64Mem) { alu(.add, size, dst, src) }
    public mutating func add(_ size: OperandSize, _ dst: X64Mem, _ src: X64Reg) { alu(.add, size, dst, src) }
    public mutating func add(_ size: OperandSize, _ dst: X64Mem, _ src: Int32) { alu(.add, size, dst, src) }
    // or
    public mutating func or(_ size: OperandSize, _ dst: X64Reg, _ src: X64Reg) { alu(.or, size, dst, src) }
    public mutating func or(_ size: OperandSize, _ dst: X64Reg, _ src: Int32) { alu(.or, size, dst, src) }
    public mutating func or(_ size: OperandSize, _ dst: X64Reg, _ src: X64Mem) { alu(.or, size, dst, src) }
    public mutating func or(_ size: OperandSize, _ dst: X64Mem, _ src: X64Reg) { alu(.or, size, dst, src) }
    public mutating func or(_ size: OperandSize, _ dst: X64Mem, _ src: Int32) { alu(.or, size, dst, src) }
    // adc
    public mutating func adc(_ size: OperandSize, _ dst: X64Reg, _ src: X64Reg) { alu(.adc, size, dst, src) }
    public mutating func adc(_ size: OperandSize, _ dst: X64Reg, _ src: Int32) { alu(.adc, size, dst, src) }
    public mutating func adc(_ size: OperandSize, _ dst: X64Reg, _ src: X64Mem) { alu(.adc, size, dst, src) }
    public mutating func adc(_ size: OperandSize, _ dst: X64Mem, _ src: X64Reg) { alu(.adc, size, dst, src) }
    public mutating func adc(_ size: OperandSize, _ dst: X64Mem, _ src: Int32) { alu(.adc, size, dst, src) }
    // sbb
    public mutating func sbb(_ size: OperandSize, _ dst: X64Reg, _ src: X64Reg) { alu(.sbb, size, dst, src) }
    public mutating func sbb(_ size: OperandSize, _ dst: X64Reg, _ src: Int32) { alu(.sbb, size, dst, src) }
    public mutating func sbb(_ size: OperandSize, _ dst: X64Reg, _ src: X64Mem) { alu(.sbb, size, dst, src) }
    public mutating func sbb(_ size: OperandSize, _ dst: X64Mem, _ src: X64Reg) { alu(.sbb, size, dst, src) }
    public mutating func sbb(_ size: OperandSize, _ dst: X64Mem, _ src: Int32) { alu(.sbb, size, dst, src) }
    // and
    public mutating func and(_ size: OperandSize, _ dst: X64Reg, _ src: X64Reg) { alu(.and, size, dst, src) }
    public mutating func and(_ size: OperandSize, _ dst: X64Reg, _ src: Int32) { alu(.and, size, dst, src) }
    public mutating func and(_ size: OperandSize, _ dst: X64Reg, _ src: X64Mem) { alu(.and, size, dst, src) }
    public mutating func and(_ size: OperandSize, _ dst: X64Mem, _ src: X64Reg) { alu(.and, size, dst, src) }
    public mutating func and(_ size: OperandSize, _ dst: X64Mem, _ src: Int32) { alu(.and, size, dst, src) }
    // sub
    public mutating func sub(_ size: OperandSize, _ dst: X64Reg, _ src: X64Reg) { alu(.sub, size, dst, src) }
    public mutating func sub(_ size: OperandSize, _ dst: X64Reg, _ src: Int32) { alu(.sub, size, dst, src) }
    public mutating func sub(_ size: OperandSize, _ dst: X64Reg, _ src: X64Mem) { alu(.sub, size, dst, src) }
    public mutating func sub(_ size: OperandSize, _ dst: X64Mem, _ src: X64Reg) { alu(.sub, size, dst, src) }
    public mutating func sub(_ size: OperandSize, _ dst: X64Mem, _ src: Int32) { alu(.sub, size, dst, src) }
    // xor
    public mutating func xor(_ size: OperandSize, _ dst: X64Reg, _ src: X64Reg) { alu(.xor, size, dst, src) }
    public mutating func xor(_ size: OperandSize, _ dst: X64Reg, _ src: Int32) { alu(.xor, size, dst, src) }
    public mutating func xor(_ size: OperandSize, _ dst: X64Reg, _ src: X64Mem) { alu(.xor, size, dst, src) }
    public mutating func xor(_ size: OperandSize, _ dst: X64Mem, _ src: X64Reg) { alu(.xor, size, dst, src) }
    public mutating func xor(_ size: OperandSize, _ dst: X64Mem, _ src: Int32) { alu(.xor, size, dst, src) }
    // cmp
    public mutating func cmp(_ size: OperandSize, _ dst: X64Reg, _ src: X64Reg) { alu(.cmp, size, dst, src) }
    public mutating func cmp(_ size: OperandSize, _ dst: X64Reg, _ src: Int32) { alu(.cmp, size, dst, src) }
    public mutating func cmp(_ size: OperandSize, _ dst: X64Reg, _ src: X64Mem) { alu(.cmp, size, dst, src) }
    public mutating func cmp(_ size: OperandSize, _ dst: X64Mem, _ src: X64Reg) { alu(.cmp, size, dst, src) }
    public mutating func cmp(_ size: OperandSize, _ dst: X64Mem, _ src: Int32) { alu(.cmp, size, dst, src) }

    // SSE
    public mutating func addss(_ dst: XmmReg, _ src: XmmReg) { sse(.addss, dst, src) }
    public mutating func addss(_ dst: XmmReg, _ src: X64Mem) { sse(.addss, dst, src) }
    public mutating func addsd(_ dst: XmmReg, _ src: XmmReg) { sse(.addsd, dst, src) }
    public mutating func addsd(_ dst: XmmReg, _ src: X64Mem) { sse(.addsd, dst, src) }
    public mutating func subss(_ dst: XmmReg, _ src: XmmReg) { sse(.subss, dst, src) }
    public mutating func subss(_ dst: XmmReg, _ src: X64Mem) { sse(.subss, dst, src) }
    public mutating func subsd(_ dst: XmmReg, _ src: XmmReg) { sse(.subsd, dst, src) }
    public mutating func subsd(_ dst: XmmReg, _ src: X64Mem) { sse(.subsd, dst, src) }
    public mutating func mulss(_ dst: XmmReg, _ src: XmmReg) { sse(.mulss, dst, src) }
    public mutating func mulss(_ dst: XmmReg, _ src: X64Mem) { sse(.mulss, dst, src) }
    public mutating func mulsd(_ dst: XmmReg, _ src: XmmReg) { sse(.mulsd, dst, src) }
    public mutating func mulsd(_ dst: XmmReg, _ src: X64Mem) { sse(.mulsd, dst, src) }
    public mutating func divss(_ dst: XmmReg, _ src: XmmReg) { sse(.divss, dst, src) }
    public mutating func divss(_ dst: XmmReg, _ src: X64Mem) { sse(.divss, dst, src) }
    public mutating func divsd(_ dst: XmmReg, _ src: XmmReg) { sse(.divsd, dst, src) }
    public mutating func divsd(_ dst: XmmReg, _ src: X64Mem) { sse(.divsd, dst, src) }
    public mutating func minss(_ dst: XmmReg, _ src: XmmReg) { sse(.minss, dst, src) }
    public mutating func minss(_ dst: XmmReg, _ src: X64Mem) { sse(.minss, dst, src) }
    public mutating func minsd(_ dst: XmmReg, _ src: XmmReg) { sse(.minsd, dst, src) }
    public mutating func minsd(_ dst: XmmReg, _ src: X64Mem) { sse(.minsd, dst, src) }
    public mutating func maxss(_ dst: XmmReg, _ src: XmmReg) { sse(.maxss, dst, src) }
    public mutating func maxss(_ dst: XmmReg, _ src: X64Mem) { sse(.maxss, dst, src) }
    public mutating func maxsd(_ dst: XmmReg, _ src: XmmReg) { sse(.maxsd, dst, src) }
    public mutating func maxsd(_ dst: XmmReg, _ src: X64Mem) { sse(.maxsd, dst, src) }
    public mutating func sqrtss(_ dst: XmmReg, _ src: XmmReg) { sse(.sqrtss, dst, src) }
    public mutating func sqrtss(_ dst: XmmReg, _ src: X64Mem) { sse(.sqrtss, dst, src) }
    public mutating func sqrtsd(_ dst: XmmReg, _ src: XmmReg) { sse(.sqrtsd, dst, src) }
    public mutating func sqrtsd(_ dst: XmmReg, _ src: X64Mem) { sse(.sqrtsd, dst, src) }
    public mutating func ucomiss(_ dst: XmmReg, _ src: XmmReg) { sse(.ucomiss, dst, src) }
    public mutating func ucomiss(_ dst: XmmReg, _ src: X64Mem) { sse(.ucomiss, dst, src) }
    public mutating func ucomisd(_ dst: XmmReg, _ src: XmmReg) { sse(.ucomisd, dst, src) }
    public mutating func ucomisd(_ dst: XmmReg, _ src: X64Mem) { sse(.ucomisd, dst, src) }
    public mutating func cvtss2sd(_ dst: XmmReg, _ src: XmmReg) { sse(.cvtss2sd, dst, src) }
    public mutating func cvtss2sd(_ dst: XmmReg, _ src: X64Mem) { sse(.cvtss2sd, dst, src) }
    public mutating func cvtsd2ss(_ dst: XmmReg, _ src: XmmReg) { sse(.cvtsd2ss, dst, src) }
    public mutating func cvtsd2ss(_ dst: XmmReg, _ src: X64Mem) { sse(.cvtsd2ss, dst, src) }
    public mutating func andps(_ dst: XmmReg, _ src: XmmReg) { sse(.andps, dst, src) }
    public mutating func andps(_ dst: XmmReg, _ src: X64Mem) { sse(.andps, dst, src) }
    public mutating func andpd(_ dst: XmmReg, _ src: XmmReg) { sse(.andpd, dst, src) }
    public mutating func andpd(_ dst: XmmReg, _ src: X64Mem) { sse(.andpd, dst, src) }
    public mutating func andnps(_ dst: XmmReg, _ src: XmmReg) { sse(.andnps, dst, src) }
    public mutating func andnps(_ dst: XmmReg, _ src: X64Mem) { sse(.andnps, dst, src) }
    public mutating func andnpd(_ dst: XmmReg, _ src: XmmReg) { sse(.andnpd, dst, src) }
    public mutating func andnpd(_ dst: XmmReg, _ src: X64Mem) { sse(.andnpd, dst, src) }
    public mutating func orps(_ dst: XmmReg, _ src: XmmReg) { sse(.orps, dst, src) }
    public mutating func orps(_ dst: XmmReg, _ src: X64Mem) { sse(.orps, dst, src) }
    public mutating func orpd(_ dst: XmmReg, _ src: XmmReg) { sse(.orpd, dst, src) }
    public mutating func orpd(_ dst: XmmReg, _ src: X64Mem) { sse(.orpd, dst, src) }
    public mutating func xorps(_ dst: XmmReg, _ src: XmmReg) { sse(.xorps, dst, src) }
    public mutating func xorps(_ dst: XmmReg, _ src: X64Mem) { sse(.xorps, dst, src) }
    public mutating func xorpd(_ dst: XmmReg, _ src: XmmReg) { sse(.xorpd, dst, src) }
    public mutating func xorpd(_ dst: XmmReg, _ src: X64Mem) { sse(.xorpd, dst, src) }
    public mutating func pxor(_ dst: XmmReg, _ src: XmmReg) { sse(.pxor, dst, src) }
    public mutating func pxor(_ dst: XmmReg, _ src: X64Mem) { sse(.pxor, dst, src) }
    public mutating func movaps(_ dst: XmmReg, _ src: XmmReg) { sse(.movaps, dst, src) }
    public mutating func movaps(_ dst: XmmReg, _ src: X64Mem) { sse(.movaps, dst, src) }
    public mutating func movapd(_ dst: XmmReg, _ src: XmmReg) { sse(.movapd, dst, src) }
    public mutating func movapd(_ dst: XmmReg, _ src: X64Mem) { sse(.movapd, dst, src) }
}
