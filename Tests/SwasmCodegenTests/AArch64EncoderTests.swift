// Every instruction form of A64Assembler, over every register in every
// register slot, each width, and immediates at their edges, checked byte for
// byte against GNU as and line for line against objdump's disassembly.
import Testing
@testable import SwasmCodegen

/// Registers of a slot where 31 is the zero register, and of one where it is sp.
let zrRegs: [A64Reg] = A64Reg.numbered + [.zr]
let spRegs: [A64Reg] = A64Reg.numbered + [.sp]
let widths = A64Width.allCases

/// The i-th register of a slot, offset by `k` so that the slots of one
/// instruction differ, and every register reaches every slot over i = 0..<32.
func reg(_ slot: [A64Reg], _ i: Int, _ k: Int = 0) -> A64Reg { slot[(i + k) % slot.count] }

let vregs = A64VReg.allCases
func vreg(_ i: Int, _ k: Int = 0) -> A64VReg { vregs[(i + k) % 32] }

@Suite("AArch64 encoder vs GNU as and objdump")
struct AArch64EncoderTests {
    @Test("add/sub: immediate (plain and << 12), shifted register, extended register; cmp, cmn, neg, mov sp")
    func addSub() throws {
        var a = A64Assembler(recordsListing: true)
        let imms: [UInt64] = [0, 1, 42, 0xfff, 0x1000, 0x123000, 0xfff000]
        for op in A64AddSubOp.allCases {
            let dests = op.setsFlags ? zrRegs : spRegs
            for w in widths {
                for i in 0..<32 {
                    for imm in imms { a.addSub(op, w, reg(dests, i), reg(spRegs, i, 5), imm: imm) }
                    for shift in [A64Shift.lsl, .lsr, .asr] {
                        for amount: UInt32 in [0, 1, 31] + (w == .x ? [63] : []) {
                            a.addSub(op, w, reg(zrRegs, i), reg(zrRegs, i, 3), reg(zrRegs, i, 11), shift, amount)
                        }
                    }
                    for extend in A64Extend.allCases {
                        for amount: UInt32 in 0...4 {
                            a.addSub(op, w, reg(dests, i), reg(spRegs, i, 7), reg(zrRegs, i, 19), extend: extend, amount)
                        }
                    }
                }
            }
        }
        a.add(.x, .sp, .sp, imm: 16); a.sub(.x, .sp, .sp, imm: 0x1000); a.cmp(.w, .x3, imm: 7); a.cmn(.x, .sp, imm: 1)
        a.add(.x, .x0, .x1, .x2, .lsl, 3); a.sub(.w, .x4, .x5, .x6); a.cmp(.x, .x7, .x8); a.cmn(.w, .x9, .x10)
        a.neg(.x, .x11, .x12); a.mov(.x, .sp, .x29); a.mov(.x, .x29, .sp); a.mov(.w, .x1, .x2)
        try expectMatchesGNU(a)
    }

    @Test("logical: every bitmask immediate at both widths, shifted register with all shifts; mov, mvn, tst")
    func logical() throws {
        var a = A64Assembler(recordsListing: true)
        for w in widths {
            let all = allBitmaskImmediates(w)
            #expect(all.count == (w == .x ? 5334 : 1302))
            for (k, imm) in all.enumerated() {
                let op = [A64LogicalOp.and, .orr, .eor, .ands][k % 4]
                let dests = op == .ands ? zrRegs : spRegs
                a.logical(op, w, reg(dests, k), reg(zrRegs, k, 9), imm: imm)
            }
            // orr from zr (mov alias unless movz/movn could do it) for every pattern.
            for (k, imm) in all.enumerated() { a.logical(.orr, w, reg(spRegs, k), .zr, imm: imm) }
            for op in A64LogicalOp.allCases {
                for i in 0..<32 {
                    for shift in A64Shift.allCases {
                        for amount: UInt32 in [0, 1, 17, 31] + (w == .x ? [63] : []) {
                            a.logical(op, w, reg(zrRegs, i), reg(zrRegs, i, 4), reg(zrRegs, i, 13), shift, amount)
                        }
                    }
                    a.logical(op, w, reg(zrRegs, i), .zr, reg(zrRegs, i, 1))
                }
            }
        }
        a.and(.x, .sp, .x1, imm: 0xff); a.orr(.w, .x2, .x3, imm: 0x8000_0001); a.eor(.x, .x4, .x5, imm: 0x5555_5555_5555_5555)
        a.tst(.w, .x6, imm: 1); a.tst(.x, .x7, .x8); a.mvn(.w, .x9, .x10)
        try expectMatchesGNU(a)
    }

    @Test("move wide: movz/movn/movk at each shift with edge halfwords; movImmediate over patterned constants")
    func moveWide() throws {
        var a = A64Assembler(recordsListing: true)
        for op in A64MoveWideOp.allCases {
            for w in widths {
                for i in 0..<32 {
                    for imm: UInt16 in [0, 1, 0x1234, 0x8000, 0xfffe, 0xffff] {
                        for shift in stride(from: UInt32(0), to: UInt32(w.bits), by: 16) {
                            a.moveWide(op, w, reg(zrRegs, i), imm16: imm, shift: shift)
                        }
                    }
                }
            }
        }
        for w in widths {
            for (k, value) in moveImmediateSamples().enumerated() { a.movImmediate(w, reg(A64Reg.numbered, k), value) }
        }
        try expectMatchesGNU(a)
    }

    @Test("bitfield: every immr × imms of sbfm, bfm, ubfm at both widths (asr, lsl, lsr, sxt*, uxt*, *bfx, *bfiz, bfi, bfc, bfxil)")
    func bitfield() throws {
        var a = A64Assembler(recordsListing: true)
        var k = 0
        for op in A64BitfieldOp.allCases {
            for w in widths {
                for immr in 0..<UInt32(w.bits) {
                    for imms in 0..<UInt32(w.bits) {
                        // bfm from zr is `bfc`, which GNU as takes only from Armv8.2 on: checked below.
                        a.bitfield(op, w, reg(zrRegs, k), reg(A64Reg.numbered, k, 17), immr: immr, imms: imms)
                        k += 1
                    }
                }
            }
        }
        for w in widths {
            for n: UInt32 in [0, 1, 7, 31] { a.lsl(w, .x1, .x2, n); a.lsr(w, .x3, .x4, n); a.asr(w, .x5, .x6, n) }
            a.ubfx(w, .x0, .x1, lsb: 3, width: 5); a.sbfx(w, .x2, .x3, lsb: 0, width: 32)
            a.ubfiz(w, .x4, .x5, lsb: 2, width: 30); a.bfi(w, .x6, .x7, lsb: 8, width: 8)
            a.signExtend(w, .x8, .x9, fromBits: 8); a.signExtend(w, .x10, .x11, fromBits: 16)
        }
        a.signExtend(.x, .x12, .x13, fromBits: 32); a.zeroExtend(.x14, .x15, fromBits: 8); a.zeroExtend(.x16, .x17, fromBits: 16)
        a.zeroExtend(.x18, .x19, fromBits: 32); a.sbfiz(.x, .x20, .x21, lsb: 3, width: 7); a.bfxil(.w, .x22, .x23, lsb: 4, width: 28)
        try expectMatchesGNU(a)

        var clear = A64Assembler(recordsListing: true)
        for w in widths {
            for immr in 0..<UInt32(w.bits) {
                for imms in 0..<UInt32(w.bits) { clear.bitfield(.bfm, w, reg(zrRegs, Int(immr + imms)), .zr, immr: immr, imms: imms) }
            }
        }
        try expectMatchesGNU(clear, march: "armv8.2-a")
    }

    @Test("extr/ror, one source (rbit, rev*, clz, cls), two sources (div, shifts), three sources (madd, msub, long, high)")
    func dataProcessing() throws {
        var a = A64Assembler(recordsListing: true)
        for w in widths {
            for i in 0..<32 {
                for lsb in stride(from: UInt32(i % 3), to: UInt32(w.bits), by: 5) {
                    a.extr(w, reg(zrRegs, i), reg(zrRegs, i, 2), reg(zrRegs, i, 21), lsb: lsb)
                    a.ror(w, reg(zrRegs, i, 1), reg(zrRegs, i, 6), lsb)
                }
                for op in A64Unary.allCases where op != .rev32 || w == .x {
                    a.unary(op, w, reg(zrRegs, i), reg(zrRegs, i, 3))
                }
                for op in A64Binary.allCases { a.binary(op, w, reg(zrRegs, i), reg(zrRegs, i, 8), reg(zrRegs, i, 25)) }
                for op in A64MulOp.allCases where !(op.isHigh || op.isLong) || w == .x {
                    a.multiply(op, w, reg(zrRegs, i), reg(zrRegs, i, 4), reg(zrRegs, i, 14), op.isHigh ? .zr : reg(zrRegs, i, 29))
                    if !op.isHigh { a.multiply(op, w, reg(zrRegs, i), reg(zrRegs, i, 4), reg(zrRegs, i, 14), .zr) }
                }
            }
        }
        a.mul(.w, .x0, .x1, .x2); a.madd(.x, .x3, .x4, .x5, .x6); a.msub(.w, .x7, .x8, .x9, .x10)
        a.smulh(.x11, .x12, .x13); a.umulh(.x14, .x15, .x16); a.smull(.x17, .x18, .x19); a.umull(.x20, .x21, .x22)
        try expectMatchesGNU(a)
    }

    @Test("csel, csinc, csinv, csneg under every condition (cset, csetm, cinc, cinv, cneg), ccmp/ccmn with register and immediate")
    func conditional() throws {
        var a = A64Assembler(recordsListing: true)
        for w in widths {
            for op in A64CondSelectOp.allCases {
                for (c, cond) in A64Cond.allCases.enumerated() {
                    for i in stride(from: c % 4, to: 32, by: 4) {
                        a.condSelect(op, w, reg(zrRegs, i), reg(zrRegs, i, 5), reg(zrRegs, i, 12), cond)
                        a.condSelect(op, w, reg(zrRegs, i), reg(zrRegs, i, 5), reg(zrRegs, i, 5), cond)
                    }
                    a.condSelect(op, w, .x3, .zr, .zr, cond)
                }
            }
            for cond in A64Cond.allCases where cond.rawValue < 14 {
                a.cset(w, .x0, cond); a.csetm(w, .x1, cond); a.cinc(w, .x2, .x3, cond); a.cneg(w, .x4, .x5, cond)
                a.csel(w, .x6, .x7, .x8, cond)
            }
            for negate in [false, true] {
                for cond in A64Cond.allCases {
                    for i in 0..<32 {
                        let nzcv = UInt32(i % 16)
                        a.condCompare(negate: negate, w, reg(zrRegs, i), reg(zrRegs, i, 10), nzcv: nzcv, cond)
                        a.condCompare(negate: negate, w, reg(zrRegs, i), imm5: UInt32(i), nzcv: 15 - nzcv, cond)
                    }
                }
            }
        }
        a.ccmp(.x, .x1, .x2, nzcv: 0b0100, .ne)
        try expectMatchesGNU(a)
    }

    @Test("loads and stores: every integer size and extension, s/d/q/b/h registers, every addressing mode at its edges")
    func loadStore() throws {
        var a = A64Assembler(recordsListing: true)
        func modes(_ bytes: Int, _ i: Int) -> [A64Mem] {
            let base = reg(spRegs, i, 3), index = reg(zrRegs, i, 20)
            let offsets = [0, 1, -1, bytes, 255, -256, 256, 4095 * bytes, bytes * 7, -bytes, 257]
            var m = offsets.filter { A64Assembler.canAddress(offset: $0, bytes: bytes) }.map { A64Mem.offset(base, $0) }
            for o in [-256, -16, 0, 8, 255] { m += [.preIndex(base, o), .postIndex(base, o)] }
            for e in A64IndexExtend.allCases { m += [.register(base, index, e, scaled: false), .register(base, index, e, scaled: true)] }
            return m
        }
        for kind in A64IntAccess.allCases {
            for i in 0..<32 {
                let rt = reg(zrRegs, i)
                for mem in modes(kind.bytes, i) {
                    // Writeback into the register being loaded is unpredictable.
                    if case .preIndex(let b, _) = mem, b == rt { continue }
                    if case .postIndex(let b, _) = mem, b == rt { continue }
                    a.loadStore(kind, rt, mem)
                }
            }
        }
        for view in A64FPSize.allCases {
            for i in 0..<32 {
                for mem in modes(view.bytes, i) { a.load(view, vreg(i), mem); a.store(view, vreg(i, 1), mem) }
            }
        }
        a.ldr(.x, .x0, .base(.sp)); a.str(.w, .zr, .offset(.x1, 4)); a.ldr(.x, .x2, .indexed(.x3, .x4, scaled: true))
        try expectMatchesGNU(a)
    }

    @Test("ldp/stp: W, X, S, D, Q pairs, offset / pre-index / post-index at the imm7 edges")
    func pairs() throws {
        var a = A64Assembler(recordsListing: true)
        for load in [false, true] {
            for w in widths {
                let bytes = w == .x ? 8 : 4
                for i in 0..<32 {
                    for o in [-64, -1, 0, 1, 63] {
                        let base = reg(spRegs, i, 2), rt = reg(zrRegs, i), rt2 = reg(zrRegs, i, 1)
                        a.pair(load: load, w, rt, rt2, .offset(base, o * bytes))
                        if base != rt && base != rt2 {
                            a.pair(load: load, w, rt, rt2, .preIndex(base, o * bytes))
                            a.pair(load: load, w, rt, rt2, .postIndex(base, o * bytes))
                        }
                    }
                }
            }
            for view in [A64FPSize.s, .d, .q] {
                for i in 0..<32 {
                    for o in [-64, 0, 63] {
                        let base = reg(spRegs, i, 5)
                        a.pair(load: load, view, vreg(i), vreg(i, 9), .offset(base, o * view.bytes))
                        a.pair(load: load, view, vreg(i), vreg(i, 9), .preIndex(base, o * view.bytes))
                        a.pair(load: load, view, vreg(i), vreg(i, 9), .postIndex(base, o * view.bytes))
                    }
                }
            }
        }
        a.stp(.x, .fp, .lr, .preIndex(.sp, -16)); a.ldp(.x, .fp, .lr, .postIndex(.sp, 16))
        try expectMatchesGNU(a)
    }

    @Test("branches and literals: b, bl, b.cond, cbz/cbnz, tbz/tbnz over every bit, adr, ldr literal, forward and backward; br, blr, ret; data")
    func control() throws {
        var a = A64Assembler(recordsListing: true)
        let start = a.newLabel(), end = a.newLabel(), pool = a.newLabel()
        a.bind(start)
        for target in [start, end, pool] {
            a.b(target); a.bl(target)
            for cond in A64Cond.allCases { a.b(cond, target) }
            for w in widths { for i in 0..<32 { a.cbz(w, reg(zrRegs, i), target); a.cbnz(w, reg(zrRegs, i, 1), target) } }
            for bit in 0..<UInt32(64) { a.tbz(reg(zrRegs, Int(bit)), bit: bit, target); a.tbnz(reg(zrRegs, Int(bit), 3), bit: bit, target) }
            for i in 0..<32 {
                a.adr(reg(zrRegs, i), target)
                a.ldrLiteral(.x, reg(zrRegs, i), target); a.ldrLiteral(.w, reg(zrRegs, i, 1), target)
                for view in [A64FPSize.s, .d, .q] { a.ldrLiteral(view, vreg(i), target) }
            }
        }
        for i in 0..<32 {
            a.br(reg(zrRegs, i)); a.blr(reg(zrRegs, i, 1)); a.ret(reg(zrRegs, i, 2))
        }
        a.ret()
        _ = a.blToBePatched("ext_function"); _ = a.adrpToBePatched(.x16, "ext_data")
        for imm: UInt16 in [0, 1, 0x7fff, 0xffff] { a.udf(imm); a.brk(imm) }
        a.nop(); a.dmbInnerShareable()
        a.alignWithUdf(16)
        a.bind(pool)
        a.emitWord(0xdead_beef); a.emitDoubleWord(0x0123_4567_89ab_cdef)
        a.emitLabelDifference32(end, minus: pool); a.emitLabelDifference32(start, minus: pool)
        a.bind(end)
        a.ret()
        #expect(a.labelOffset(end) == a.offset - 4)
        try expectMatchesGNU(a)
    }

    @Test("floating point: moves (register, between files, every 8-bit immediate), arithmetic, compare, select, conversions, rounding, cnt/addv")
    func float() throws {
        var a = A64Assembler(recordsListing: true)
        for t in A64FloatType.allCases {
            for i in 0..<32 {
                for op in A64FPUnary.allCases { a.fpUnary(op, t, vreg(i), vreg(i, 3)) }
                for op in A64FPBinary.allCases { a.fpBinary(op, t, vreg(i), vreg(i, 5), vreg(i, 30)) }
                a.fcmp(t, vreg(i), vreg(i, 7)); a.fcmpZero(t, vreg(i))
                a.fcsel(t, vreg(i), vreg(i, 1), vreg(i, 2), A64Cond(rawValue: UInt8(i % 16))!)
                a.fcvt(to: t, vreg(i), vreg(i, 4))
                a.fmov(t, vreg(i), reg(zrRegs, i, 6)); a.fmov(t, reg(zrRegs, i, 6), vreg(i))
                for w in widths {
                    for op in [A64FPIntConversion.scvtf, .ucvtf] { a.intToFloat(op, t, vreg(i), w, reg(zrRegs, i, 9)) }
                    for op in [A64FPIntConversion.fcvtzs, .fcvtzu] { a.floatToInt(op, w, reg(zrRegs, i, 9), t, vreg(i)) }
                }
            }
            for imm8 in 0..<UInt32(256) { a.fmov(t, vreg(Int(imm8)), A64Assembler.decodeFPImmediate(imm8)) }
        }
        for i in 0..<32 {
            a.cnt(vreg(i), vreg(i, 1)); a.cnt(sixteenBytes: true, vreg(i), vreg(i, 2))
            a.addv(vreg(i), vreg(i, 3)); a.addv(sixteenBytes: true, vreg(i), vreg(i, 4))
            a.movVector(vreg(i), vreg(i, 5))
        }
        a.fmov(.d, .v0, .v1); a.fmov(.s, .v2, 1.0); a.fmov(.d, .v3, -0.125); a.fmov(.d, .v4, 31.0)
        try expectMatchesGNU(a)
    }
}

/// Every logical immediate at a width, by decoding every N:immr:imms.
func allBitmaskImmediates(_ w: A64Width) -> [UInt64] {
    var values: Set<UInt64> = []
    for n in 0...(w == .x ? 1 : 0) {
        for immr in 0..<UInt32(w.bits) {
            for imms in 0..<UInt32(64) {
                if let v = decodeBitmask(n: UInt32(n), immr: immr, imms: imms, w) { values.insert(v) }
            }
        }
    }
    return values.sorted()
}

/// The Arm ARM's DecodeBitMasks, written from its pseudocode independently
/// of the encoder: nil for the reserved encodings.
func decodeBitmask(n: UInt32, immr: UInt32, imms: UInt32, _ w: A64Width) -> UInt64? {
    let combined = n << 6 | (~imms & 0x3f)
    guard combined != 0 else { return nil }
    let len = 31 - combined.leadingZeroBitCount   // highest set bit
    guard len >= 1 else { return nil }
    let size = 1 << len
    guard size <= w.bits else { return nil }
    let levels = UInt32(size - 1)
    let s = imms & levels, r = immr & levels
    guard s != levels else { return nil }          // all ones is reserved
    let ones = (UInt64(1) << (s + 1)) - 1
    let element = r == 0 ? ones : ((ones >> r) | (ones << (UInt32(size) - r))) & (size == 64 ? UInt64.max : (1 << size) - 1)
    var value: UInt64 = 0
    for k in stride(from: 0, to: w.bits, by: size) { value |= element << UInt64(k) }
    guard immr < UInt32(w.bits) else { return nil }
    return value
}

/// Constants for the materializer: halfword patterns over 0, 0xffff and
/// others, logical immediates and their neighbours, powers of two.
func moveImmediateSamples() -> [UInt64] {
    var values: [UInt64] = [0, 1, UInt64.max, 0xffff_ffff, 0x1_0000_0000, 0x8000_0000_0000_0000, 0x7fff_ffff_ffff_ffff]
    let halfwords: [UInt64] = [0, 0xffff, 0x1234, 0x8000]
    for a in halfwords { for b in halfwords { for c in halfwords { for d in halfwords {
        values.append(a | b << 16 | c << 32 | d << 48)
    } } } }
    for shift in 0..<64 { values.append(1 << UInt64(shift)); values.append(~(1 << UInt64(shift))) }
    for imm in allBitmaskImmediates(.x) where imm % 7 == 0 { values += [imm, imm &+ 1, imm ^ 0x1234_0000] }
    var rng = A64SampleRandom(seed: 42)
    for _ in 0..<200 { values.append(rng.next()) }
    return values
}

/// A small deterministic generator for sample constants.
struct A64SampleRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
