// Every instruction form of X64Assembler, over a spread of registers,
// addressing modes and immediates, checked byte for byte against GNU as
// (which assembles the assembler's own listing).
import Testing
@testable import SwasmCodegen

let allRegs = X64Reg.allCases
let allXmms = XmmReg.allCases
let wide: [OperandSize] = [.s32, .s64]

/// Base only (incl. rsp/r12 needing SIB, rbp/r13 needing disp8 0), disp8
/// and disp32 edges, base+index*scale, index without base, absolute.
let mems: [X64Mem] = [
    X64Mem(.rax), X64Mem(.rcx), X64Mem(.rsp), X64Mem(.rbp), X64Mem(.r12), X64Mem(.r13), X64Mem(.r15),
    X64Mem(.rbx, 8), X64Mem(.rbp, -8), X64Mem(.r13, 127), X64Mem(.rsp, -128), X64Mem(.r12, 128),
    X64Mem(.rsi, -129), X64Mem(.rdi, Int32.max), X64Mem(.r8, Int32.min), X64Mem(.r9, 0x1234),
    X64Mem(.rax, .rcx), X64Mem(.rbx, .rdx, scale: 2, 8), X64Mem(.rsp, .r12, scale: 4, -129),
    X64Mem(.rbp, .r13, scale: 8), X64Mem(.r13, .rax, scale: 8, 1000), X64Mem(.r12, .rbp, scale: 1, -1),
    X64Mem(.r15, .r14, scale: 2, 0x1234_5678), X64Mem(.r11, .r8, scale: 4, 127),
    X64Mem(base: nil, index: .rcx, scale: 8, displacement: 16), X64Mem(base: nil, index: .r12, scale: 4),
    X64Mem(base: nil, index: .rbp, scale: 1, displacement: -8),
    .absolute(0x1000), .absolute(-8),
]

let imm32s: [Int32] = [0, 1, -1, 127, 128, -128, -129, 255, 0x7fff, 0x1234_5678, Int32.min, Int32.max]
let imm64s: [Int64] = [
    0, 1, -1, 127, 128, -129, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0x1_0000_0000,
    -0x8000_0000, -0x8000_0001, Int64.min, Int64.max, 0x1234_5678_9abc_def0,
]

/// A few registers per memory operand (all would be 16x the work for no
/// new encodings: ModRM.reg is independent of the address).
let someRegs: [X64Reg] = [.rax, .rcx, .rsp, .rbp, .rsi, .rdi, .r8, .r12, .r13, .r15]
let someXmms: [XmmReg] = [.xmm0, .xmm1, .xmm7, .xmm8, .xmm15]

@Suite("X64 encoder vs GNU as")
struct X64EncoderTests {
    @Test("ALU ops, test, cmp: reg,reg / reg,imm / reg,mem / mem,reg / mem,imm")
    func alu() throws {
        var a = X64Assembler(recordsListing: true)
        for op in X64AluOp.allCases {
            for size in wide {
                for d in allRegs { for s in allRegs { a.alu(op, size, d, s) } }
                for d in allRegs { for i in imm32s { a.alu(op, size, d, i) } }
                for m in mems {
                    for r in someRegs { a.alu(op, size, r, m); a.alu(op, size, m, r) }
                    for i in imm32s { a.alu(op, size, m, i) }
                }
            }
        }
        for size in wide {
            for d in allRegs { for s in allRegs { a.test(size, d, s) } }
            for d in allRegs { for i in imm32s { a.test(size, d, i) } }
            for m in mems {
                for r in someRegs { a.test(size, m, r) }
                for i in imm32s { a.test(size, m, i) }
            }
        }
        // The named spellings go through the same rows.
        a.add(.s64, .rax, .rcx); a.or(.s32, .r8, 1); a.adc(.s64, .rdx, X64Mem(.rsp, 8))
        a.sbb(.s32, X64Mem(.r12), .r13); a.and(.s64, X64Mem(.rbp), -1); a.sub(.s64, .rsp, 128)
        a.xor(.s32, .r15, .r15); a.cmp(.s64, .rax, Int32.min)
        try expectMatchesGas(a)
    }

    @Test("mov: reg,reg / reg,imm (shortest) / loads, stores and store-imm at 8-64 bits")
    func moves() throws {
        var a = X64Assembler(recordsListing: true)
        for size in wide {
            for d in allRegs { for s in allRegs { a.mov(size, d, s) } }
            for d in allRegs { for i in imm64s { a.mov(size, d, i) } }
        }
        for size in OperandSize.allCases {
            for m in mems {
                for r in allRegs { a.mov(size, r, m); a.mov(size, m, r) }
                for i in imm32s { a.mov(size, m, i) }
            }
        }
        try expectMatchesGas(a)
    }

    @Test("movzx, movsx, movsxd, lea")
    func extensions() throws {
        var a = X64Assembler(recordsListing: true)
        for size in wide {
            for from in [OperandSize.s8, .s16, .s32] where !(from == .s32 && size == .s32) {
                for d in allRegs {
                    for s in allRegs { a.movzx(size, d, s, from: from); a.movsx(size, d, s, from: from) }
                }
                for m in mems {
                    for r in someRegs { a.movzx(size, r, m, from: from); a.movsx(size, r, m, from: from) }
                }
            }
            for m in mems { for r in someRegs { a.lea(size, r, m) } }
        }
        for d in allRegs { for s in allRegs { a.movsxd(d, s) } }
        for m in mems { for r in someRegs { a.movsxd(r, m) } }
        try expectMatchesGas(a)
    }

    @Test("imul, mul, div, idiv, not, neg, cdq, cqo, shifts, bit counts, setcc, cmovcc")
    func arithmetic() throws {
        var a = X64Assembler(recordsListing: true)
        for size in wide {
            for d in allRegs {
                for s in allRegs {
                    a.imul(size, d, s)
                    for op in X64BitCountOp.allCases { a.bitCount(op, size, d, s) }
                }
                for i in imm32s { a.imul(size, d, allRegs[(Int(d.rawValue) + 5) % 16], i) }
                for op in X64UnaryOp.allCases { a.unary(op, size, d) }
                for op in X64ShiftOp.allCases {
                    for n: UInt8 in [0, 1, 2, 31, 63] { a.shift(op, size, d, n) }
                    a.shiftByCL(op, size, d)
                }
            }
            for m in mems {
                for r in someRegs {
                    a.imul(size, r, m)
                    for op in X64BitCountOp.allCases { a.bitCount(op, size, r, m) }
                }
                for i: Int32 in [1, -129, Int32.max] { a.imul(size, .r9, m, i) }
                for op in X64UnaryOp.allCases { a.unary(op, size, m) }
            }
            for c in X64Cond.allCases {
                for d in allRegs { a.cmovcc(c, size, d, allRegs[(Int(d.rawValue) * 7 + 3) % 16]) }
                for m in mems { a.cmovcc(c, size, .r10, m) }
            }
        }
        for c in X64Cond.allCases { for r in allRegs { a.setcc(c, r) } }
        a.cdq(); a.cqo()
        a.not(.s32, .r9); a.neg(.s64, .rsp); a.mul(.s64, .r12); a.imul(.s32, .rbp)
        a.div(.s32, .rcx); a.idiv(.s64, .r13); a.div(.s64, X64Mem(.rsp, 8)); a.idiv(.s32, X64Mem(.r13))
        a.rol(.s32, .rax, 3); a.ror(.s64, .r8, 1); a.shl(.s64, .rsp, 63); a.shr(.s32, .r12, 0); a.sar(.s64, .rdi, 7)
        a.lzcnt(.s64, .rax, .r15); a.tzcnt(.s32, .r12, .rbp); a.popcnt(.s64, .rsi, .r13)
        a.bsr(.s32, .rcx, .rdx); a.bsf(.s64, .r11, .rsp)
        try expectMatchesGas(a)
    }

    @Test("SSE: moves, arithmetic, compares, conversions, rounding, bitwise")
    func sse() throws {
        var a = X64Assembler(recordsListing: true)
        for op in X64SseOp.allCases {
            for d in allXmms { for s in allXmms { a.sse(op, d, s) } }
            for m in mems { for x in someXmms { a.sse(op, x, m) } }
        }
        for d in allXmms {
            for s in allXmms {
                a.movss(d, s); a.movsd(d, s)
                a.roundss(d, s, 8 | UInt8(s.rawValue % 4)); a.roundsd(d, s, UInt8(d.rawValue % 4))
            }
            for r in allRegs {
                for size in wide {
                    a.movGprToXmm(size, d, r); a.movXmmToGpr(size, r, d)
                    a.cvtsi2ss(d, size, r); a.cvtsi2sd(d, size, r)
                    a.cvttss2si(size, r, d); a.cvttsd2si(size, r, d)
                }
            }
        }
        for m in mems {
            for x in someXmms {
                a.movss(x, m); a.movss(m, x); a.movsd(x, m); a.movsd(m, x)
                a.roundss(x, m, 9); a.roundsd(x, m, 11)
                for size in wide {
                    a.cvtsi2ss(x, size, m); a.cvtsi2sd(x, size, m)
                    a.cvttss2si(size, .r12, m); a.cvttsd2si(size, .rbp, m)
                }
            }
        }
        a.movd(.xmm3, .r9); a.movq(.xmm12, .rsp); a.movd(.r13, .xmm15); a.movq(.rax, .xmm0)
        a.addss(.xmm0, .xmm1); a.addsd(.xmm9, X64Mem(.rsp, 8)); a.subss(.xmm2, .xmm3); a.subsd(.xmm4, .xmm5)
        a.mulss(.xmm6, .xmm7); a.mulsd(.xmm8, .xmm9); a.divss(.xmm10, .xmm11); a.divsd(.xmm12, .xmm13)
        a.sqrtss(.xmm14, .xmm15); a.sqrtsd(.xmm0, X64Mem(.r13)); a.minss(.xmm1, .xmm2); a.minsd(.xmm3, .xmm4)
        a.maxss(.xmm5, .xmm6); a.maxsd(.xmm7, .xmm8); a.ucomiss(.xmm9, .xmm10); a.ucomisd(.xmm11, .xmm12)
        a.cvtss2sd(.xmm13, .xmm14); a.cvtsd2ss(.xmm15, .xmm0); a.andps(.xmm1, .xmm2); a.andpd(.xmm3, .xmm4)
        a.andnps(.xmm5, .xmm6); a.andnpd(.xmm7, .xmm8); a.orps(.xmm9, .xmm10); a.orpd(.xmm11, .xmm12)
        a.xorps(.xmm13, .xmm14); a.xorpd(.xmm15, .xmm0); a.pxor(.xmm1, .xmm9); a.movaps(.xmm2, .xmm10)
        a.movapd(.xmm11, .xmm3)
        try expectMatchesGas(a)
    }

    @Test("labels: jmp/jcc/call forward and backward, RIP-relative operands, jump tables, directives")
    func control() throws {
        var a = X64Assembler(recordsListing: true)
        let start = a.newLabel(), mid = a.newLabel(), end = a.newLabel(), data = a.newLabel()
        a.bind(start)
        a.jmp(end)                                   // forward
        for c in X64Cond.allCases { a.jcc(c, end); a.jcc(c, start) }
        a.call(end); a.call(start)
        a.bind(mid)
        for r in allRegs { a.jmp(r); a.call(r); a.push(r); a.pop(r) }
        for m in mems { a.jmp(m); a.call(m) }
        // RIP-relative, with and without a trailing immediate and an addend.
        for label in [start, data] {
            a.lea(.s64, .rax, .label(label)); a.lea(.s64, .r13, .label(label, displacement: 16))
            a.mov(.s32, .r9, .label(label)); a.mov(.s64, .label(label, displacement: -8), .rsp)
            a.cmp(.s32, .label(label), 5); a.cmp(.s64, .label(label), 1000); a.mov(.s16, .label(label), 7)
            a.mov(.s8, .label(label), -1); a.test(.s64, .label(label), 0x1234)
            a.imul(.s32, .rdx, .label(label), 100_000); a.roundsd(.xmm3, .label(label), 1)
            a.movsd(.xmm9, .label(label)); a.movss(.xmm12, .label(label)); a.call(.label(label)); a.jmp(.label(label))
        }
        for _ in 0..<40 { a.nop() }                  // distance > 127 for the jumps
        a.jmp(mid)                                   // backward
        a.ret(); a.ud2(); a.int3()
        a.emit(bytes: [0x0f, 0x0b, 0xcc])
        a.alignWithInt3(16)
        a.bind(data)
        a.emitLabelDifference32(start, minus: data); a.emitLabelDifference32(end, minus: data)
        a.bind(end)
        a.ret()
        #expect(a.labelOffset(end) == a.offset - 1)
        try expectMatchesGas(a)
    }
}
