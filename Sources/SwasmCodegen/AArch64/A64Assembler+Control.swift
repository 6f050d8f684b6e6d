// Control flow and system instructions: branches to labels (patched by
// finish(), which checks each field's reach), branches through registers,
// PC-relative addresses, traps (udf, brk), nop and barriers.

extension A64Assembler {
    public mutating func b(_ target: A64Label) {
        emit(A64Encoding.branchImmediate(link: false, imm26: 0), referring: target, .imm26) { "b \($0)" }
    }

    public mutating func bl(_ target: A64Label) {
        emit(A64Encoding.branchImmediate(link: true, imm26: 0), referring: target, .imm26) { "bl \($0)" }
    }

    /// `bl` with a zero offset, for a call the object's relocation fills in
    /// (R_AARCH64_CALL26 at the returned code offset).
    public mutating func blToBePatched(_ symbol: String) -> Int {
        let at = offset
        emit(A64Encoding.branchImmediate(link: true, imm26: 0), "bl \(symbol)")
        return at
    }

    public mutating func b(_ cond: A64Cond, _ target: A64Label) {
        emit(A64Encoding.branchConditional(cond, imm19: 0), referring: target, .imm19) { "b.\(cond) \($0)" }
    }

    /// cbz (nonzero: false) or cbnz on a W or X register.
    public mutating func compareAndBranch(nonzero: Bool, _ w: A64Width, _ rt: A64Reg, _ target: A64Label) {
        let word = A64Encoding.compareAndBranch(w.sf, nonzero: nonzero, imm19: 0, rt: rz(rt, "cbz register"))
        emit(word, referring: target, .imm19) { "\(nonzero ? "cbnz" : "cbz") \(rt.name(w)), \($0)" }
    }

    public mutating func cbz(_ w: A64Width, _ rt: A64Reg, _ target: A64Label) { compareAndBranch(nonzero: false, w, rt, target) }
    public mutating func cbnz(_ w: A64Width, _ rt: A64Reg, _ target: A64Label) { compareAndBranch(nonzero: true, w, rt, target) }

    /// tbz (nonzero: false) or tbnz: branch on bit `bit` (0...63) of rt.
    public mutating func testAndBranch(nonzero: Bool, _ rt: A64Reg, bit: UInt32, _ target: A64Label) {
        let word = A64Encoding.testAndBranch(bit: bit, nonzero: nonzero, imm14: 0, rt: rz(rt, "tbz register"))
        emit(word, referring: target, .imm14) { "\(nonzero ? "tbnz" : "tbz") \(rt.name(bit < 32 ? .w : .x)), #\(bit), \($0)" }
    }

    public mutating func tbz(_ rt: A64Reg, bit: UInt32, _ target: A64Label) { testAndBranch(nonzero: false, rt, bit: bit, target) }
    public mutating func tbnz(_ rt: A64Reg, bit: UInt32, _ target: A64Label) { testAndBranch(nonzero: true, rt, bit: bit, target) }

    public mutating func br(_ rn: A64Reg) {
        emit(A64Encoding.branchRegister(opc: 0, rn: rz(rn, "br target")), "br \(rn.name(.x))")
    }

    public mutating func blr(_ rn: A64Reg) {
        emit(A64Encoding.branchRegister(opc: 1, rn: rz(rn, "blr target")), "blr \(rn.name(.x))")
    }

    public mutating func ret(_ rn: A64Reg = .lr) {
        emit(A64Encoding.branchRegister(opc: 2, rn: rz(rn, "ret target")), rn == .lr ? "ret" : "ret \(rn.name(.x))")
    }

    /// `adr d, label`: the label's address (±1 MiB).
    public mutating func adr(_ d: A64Reg, _ target: A64Label) {
        emit(A64Encoding.pcRelative(page: false, imm21: 0, rd: rz(d, "adr destination")), referring: target, .adr21) { "adr \(d.name(.x)), \($0)" }
    }

    /// `adrp d, <page>` with a zero page offset, for a page address the
    /// object's relocation fills in (R_AARCH64_ADR_PREL_PG_HI21 at the
    /// returned code offset).
    public mutating func adrpToBePatched(_ d: A64Reg, _ symbol: String) -> Int {
        let at = offset
        emit(A64Encoding.pcRelative(page: true, imm21: 0, rd: rz(d, "adrp destination")), "adrp \(d.name(.x)), \(symbol)")
        return at
    }

    /// The permanently undefined instruction (SIGILL); `imm16` tells trap
    /// sites apart in a dump.
    public mutating func udf(_ imm16: UInt16 = 0) {
        emit(A64Encoding.exception(brk: false, imm16: UInt32(imm16)), "udf #\(imm16)")
    }

    /// Breakpoint (SIGTRAP).
    public mutating func brk(_ imm16: UInt16) {
        emit(A64Encoding.exception(brk: true, imm16: UInt32(imm16)), "brk \(Self.hexImm(imm16))")
    }

    public mutating func nop() { emit(A64Encoding.nop, "nop") }

    /// Data memory barrier over the inner shareable domain (`dmb ish`).
    public mutating func dmbInnerShareable() { emit(A64Encoding.barrier(dmbOption: 0b1011), "dmb ish") }
}
