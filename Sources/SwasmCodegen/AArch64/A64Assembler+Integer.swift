// Integer data processing: add/sub (immediate, shifted and extended
// register), logical (bitmask immediate and shifted register), move wide,
// bitfield, extract, one-, two- and three-source operations, conditional
// select and conditional compare.
//
// Each method encodes through one class of A64Encoding and spells the result
// as objdump does, choosing the preferred alias from the encoded fields (so
// `orr x0, xzr, x1` is listed as `mov x0, x1` whichever method emitted it).

extension A64Assembler {
    // MARK: add, adds, sub, subs: immediate

    /// Whether `value` is an add/sub immediate: 12 bits, optionally shifted
    /// left by 12.
    public static func isAddSubImmediate(_ value: UInt64) -> Bool {
        value < 0x1000 || (value & 0xfff == 0 && value < 0x100_0000)
    }

    /// `op d, n, #imm`; `imm` must satisfy `isAddSubImmediate`. d may be sp
    /// unless the op sets flags (then it may be zr); n may be sp.
    public mutating func addSub(_ op: A64AddSubOp, _ w: A64Width, _ d: A64Reg, _ n: A64Reg, imm: UInt64) {
        precondition(Self.isAddSubImmediate(imm), "\(op) immediate \(imm) is not 12 bits (optionally << 12)")
        let shift12 = imm >= 0x1000
        let imm12 = UInt32(shift12 ? imm >> 12 : imm)
        let rd = op.setsFlags ? rz(d, "\(op) destination") : rsp(d, "\(op) destination")
        let word = A64Encoding.addSubImmediate(w.sf, op, shift12: shift12, imm12: imm12, rn: rsp(n, "\(op) source"), rd: rd)
        emit(word, {
            let immText = Self.hexImm(imm12) + (shift12 ? ", lsl #12" : "")
            if op == .add && imm == 0 && (d == .sp || n == .sp) { return "mov \(d.name(w)), \(n.name(w))" }
            if op.setsFlags && d == .zr { return "\(op == .subs ? "cmp" : "cmn") \(n.name(w)), \(immText)" }
            return "\(op) \(d.name(w)), \(n.name(w)), \(immText)"
        }())
    }

    public mutating func add(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, imm: UInt64) { addSub(.add, w, d, n, imm: imm) }
    public mutating func sub(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, imm: UInt64) { addSub(.sub, w, d, n, imm: imm) }
    public mutating func cmp(_ w: A64Width, _ n: A64Reg, imm: UInt64) { addSub(.subs, w, .zr, n, imm: imm) }
    public mutating func cmn(_ w: A64Width, _ n: A64Reg, imm: UInt64) { addSub(.adds, w, .zr, n, imm: imm) }

    // MARK: add/sub: shifted register

    /// `op d, n, m{, shift #amount}`; every register slot means zr at 31.
    public mutating func addSub(_ op: A64AddSubOp, _ w: A64Width, _ d: A64Reg, _ n: A64Reg, _ m: A64Reg,
                                _ shift: A64Shift = .lsl, _ amount: UInt32 = 0) {
        precondition(amount < w.bits, "shift amount \(amount) is beyond the register width")
        let word = A64Encoding.addSubShifted(w.sf, op, shift: shift, amount: amount, rm: rz(m, "\(op) operand"),
                                             rn: rz(n, "\(op) operand"), rd: rz(d, "\(op) destination"))
        emit(word, {
            let tail = Self.shiftText(shift, amount)
            if op.setsFlags && d == .zr { return "\(op == .subs ? "cmp" : "cmn") \(n.name(w)), \(m.name(w))\(tail)" }
            if (op == .sub || op == .subs) && n == .zr { return "\(op == .sub ? "neg" : "negs") \(d.name(w)), \(m.name(w))\(tail)" }
            return "\(op) \(d.name(w)), \(n.name(w)), \(m.name(w))\(tail)"
        }())
    }

    public mutating func add(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, _ m: A64Reg, _ shift: A64Shift = .lsl, _ amount: UInt32 = 0) {
        addSub(.add, w, d, n, m, shift, amount)
    }
    public mutating func sub(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, _ m: A64Reg, _ shift: A64Shift = .lsl, _ amount: UInt32 = 0) {
        addSub(.sub, w, d, n, m, shift, amount)
    }
    public mutating func cmp(_ w: A64Width, _ n: A64Reg, _ m: A64Reg) { addSub(.subs, w, .zr, n, m) }
    public mutating func cmn(_ w: A64Width, _ n: A64Reg, _ m: A64Reg) { addSub(.adds, w, .zr, n, m) }
    public mutating func neg(_ w: A64Width, _ d: A64Reg, _ m: A64Reg) { addSub(.sub, w, d, .zr, m) }

    static func shiftText(_ shift: A64Shift, _ amount: UInt32) -> String {
        shift == .lsl && amount == 0 ? "" : ", \(shift) #\(amount)"
    }

    // MARK: add/sub: extended register

    /// `op d, n, m, extend {#amount}`: m is extended (from W, or X for
    /// uxtx/sxtx) and shifted left by 0...4. d may be sp unless the op sets
    /// flags; n may be sp; m means zr at 31. Extensions from W of a 32-bit
    /// operation take m as W.
    public mutating func addSub(_ op: A64AddSubOp, _ w: A64Width, _ d: A64Reg, _ n: A64Reg, _ m: A64Reg,
                                extend: A64Extend, _ amount: UInt32 = 0) {
        precondition(amount <= 4, "extended-register shift is 0...4")
        let rd = op.setsFlags ? rz(d, "\(op) destination") : rsp(d, "\(op) destination")
        let word = A64Encoding.addSubExtended(w.sf, op, extend: extend, amount: amount, rm: rz(m, "\(op) index"),
                                              rn: rsp(n, "\(op) source"), rd: rd)
        emit(word, {
            let mWidth: A64Width = w == .x ? extend.sourceWidth : .w
            // With sp involved, the extension that changes nothing is spelled lsl (or not at all).
            let isPlainLSL = (d == .sp || n == .sp) && extend == (w == .x ? .uxtx : .uxtw)
            let tail = isPlainLSL ? (amount == 0 ? "" : ", lsl #\(amount)")
                                  : ", \(extend)" + (amount == 0 ? "" : " #\(amount)")
            let operands = "\(n.name(w)), \(m.name(mWidth))\(tail)"
            if op.setsFlags && d == .zr { return "\(op == .subs ? "cmp" : "cmn") \(operands)" }
            return "\(op) \(d.name(w)), \(operands)"
        }())
    }

    // MARK: Logical: bitmask immediate

    /// `op d, n, #imm` for and, orr, eor, ands; `imm` must be a bitmask
    /// immediate at `w` (see A64BitmaskImmediate). d may be sp unless the op
    /// is ands; n means zr at 31.
    public mutating func logical(_ op: A64LogicalOp, _ w: A64Width, _ d: A64Reg, _ n: A64Reg, imm: UInt64) {
        precondition(op.hasImmediate, "\(op) has no immediate form")
        guard let bits = A64BitmaskImmediate(imm, width: w) else {
            preconditionFailure("0x\(String(imm, radix: 16)) is not a \(w.bits)-bit logical immediate")
        }
        let rd = op == .ands ? rz(d, "ands destination") : rsp(d, "\(op) destination")
        let word = A64Encoding.logicalImmediate(w.sf, opc: op.opc, n: bits.n, immr: bits.immr, imms: bits.imms,
                                                rn: rz(n, "\(op) source"), rd: rd)
        emit(word, {
            if op == .ands && d == .zr { return "tst \(n.name(w)), \(Self.hexImm(imm))" }
            // `mov` unless movz/movn could do it (they cannot write sp).
            if op == .orr && n == .zr && (d == .sp || Self.singleMoveWide(imm, w) == nil) {
                return "mov \(d.name(w)), \(Self.hexImm(imm))"
            }
            return "\(op) \(d.name(w)), \(n.name(w)), \(Self.hexImm(imm))"
        }())
    }

    public mutating func and(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, imm: UInt64) { logical(.and, w, d, n, imm: imm) }
    public mutating func orr(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, imm: UInt64) { logical(.orr, w, d, n, imm: imm) }
    public mutating func eor(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, imm: UInt64) { logical(.eor, w, d, n, imm: imm) }
    public mutating func tst(_ w: A64Width, _ n: A64Reg, imm: UInt64) { logical(.ands, w, .zr, n, imm: imm) }

    // MARK: Logical: shifted register

    /// `op d, n, m{, shift #amount}`; every register slot means zr at 31.
    public mutating func logical(_ op: A64LogicalOp, _ w: A64Width, _ d: A64Reg, _ n: A64Reg, _ m: A64Reg,
                                 _ shift: A64Shift = .lsl, _ amount: UInt32 = 0) {
        precondition(amount < w.bits, "shift amount \(amount) is beyond the register width")
        let word = A64Encoding.logicalShifted(w.sf, op, shift: shift, amount: amount, rm: rz(m, "\(op) operand"),
                                              rn: rz(n, "\(op) operand"), rd: rz(d, "\(op) destination"))
        emit(word, {
            let tail = Self.shiftText(shift, amount)
            if op == .orr && n == .zr && tail.isEmpty { return "mov \(d.name(w)), \(m.name(w))" }
            if op == .orn && n == .zr { return "mvn \(d.name(w)), \(m.name(w))\(tail)" }
            if op == .ands && d == .zr { return "tst \(n.name(w)), \(m.name(w))\(tail)" }
            return "\(op) \(d.name(w)), \(n.name(w)), \(m.name(w))\(tail)"
        }())
    }

    /// Register copy: `orr d, zr, n`, or `add d, n, #0` when either is sp.
    /// At `.w` the copy clears the upper 32 bits (the zero-extension idiom).
    public mutating func mov(_ w: A64Width, _ d: A64Reg, _ n: A64Reg) {
        if d == .sp || n == .sp {
            addSub(.add, w, d, n, imm: 0)
        } else {
            logical(.orr, w, d, .zr, n)
        }
    }

    public mutating func mvn(_ w: A64Width, _ d: A64Reg, _ m: A64Reg) { logical(.orn, w, d, .zr, m) }
    public mutating func tst(_ w: A64Width, _ n: A64Reg, _ m: A64Reg) { logical(.ands, w, .zr, n, m) }

    // MARK: Move wide

    /// `op d, #imm16, lsl #shift` (shift 0, 16, and at `.x` 32 or 48); d
    /// means zr at 31.
    public mutating func moveWide(_ op: A64MoveWideOp, _ w: A64Width, _ d: A64Reg, imm16: UInt16, shift: UInt32 = 0) {
        precondition(shift % 16 == 0 && shift < w.bits, "\(op) shift \(shift) is not 0, 16\(w == .x ? ", 32 or 48" : "")")
        let word = A64Encoding.moveWide(w.sf, op, hw: shift / 16, imm16: UInt32(imm16), rd: rz(d, "\(op) destination"))
        emit(word, {
            let shiftText = shift == 0 ? "" : ", lsl #\(shift)"
            let isMovAlias = !(imm16 == 0 && shift != 0) && !(op == .movn && w == .w && imm16 == 0xffff)
            guard op != .movk && isMovAlias else { return "\(op) \(d.name(w)), \(Self.hexImm(imm16))\(shiftText)" }
            let value = UInt64(imm16) << shift
            return "mov \(d.name(w)), \(Self.hexImm(op == .movn ? ~value & w.mask : value))"
        }())
    }

    public mutating func movz(_ w: A64Width, _ d: A64Reg, _ imm16: UInt16, shift: UInt32 = 0) { moveWide(.movz, w, d, imm16: imm16, shift: shift) }
    public mutating func movn(_ w: A64Width, _ d: A64Reg, _ imm16: UInt16, shift: UInt32 = 0) { moveWide(.movn, w, d, imm16: imm16, shift: shift) }
    public mutating func movk(_ w: A64Width, _ d: A64Reg, _ imm16: UInt16, shift: UInt32 = 0) { moveWide(.movk, w, d, imm16: imm16, shift: shift) }

    /// The one movz or movn that makes `value` at `w`, if there is one.
    static func singleMoveWide(_ value: UInt64, _ w: A64Width) -> (A64MoveWideOp, imm16: UInt16, shift: UInt32)? {
        let v = value & w.mask
        for shift in stride(from: UInt32(0), to: UInt32(w.bits), by: 16) {
            if v & ~(0xffff << UInt64(shift)) == 0 { return (.movz, UInt16(truncatingIfNeeded: v >> UInt64(shift)), shift) }
        }
        let inverted = ~v & w.mask
        for shift in stride(from: UInt32(0), to: UInt32(w.bits), by: 16) {
            if inverted & ~(0xffff << UInt64(shift)) == 0 {
                return (.movn, UInt16(truncatingIfNeeded: inverted >> UInt64(shift)), shift)
            }
        }
        return nil
    }

    // MARK: Bitfield

    /// `op d, n, #immr, #imms` (sbfm, bfm, ubfm), listed by its preferred
    /// alias (asr, lsl, lsr, sxtb, uxth, sbfx, ubfiz, bfi, bfxil...).
    public mutating func bitfield(_ op: A64BitfieldOp, _ w: A64Width, _ d: A64Reg, _ n: A64Reg, immr: UInt32, imms: UInt32) {
        precondition(immr < w.bits && imms < w.bits, "bitfield immr/imms beyond the register width")
        let word = A64Encoding.bitfield(w.sf, op, immr: immr, imms: imms, rn: rz(n, "\(op) source"), rd: rz(d, "\(op) destination"))
        emit(word, Self.bitfieldText(op, w, d, n, immr: immr, imms: imms))
    }

    static func bitfieldText(_ op: A64BitfieldOp, _ w: A64Width, _ d: A64Reg, _ n: A64Reg, immr: UInt32, imms: UInt32) -> String {
        let size = UInt32(w.bits)
        let dn = "\(d.name(w)), \(n.name(w))"
        // Insert-style aliases take lsb = -immr mod size, width = imms + 1.
        var insert: String { "#\((size - immr) % size), #\(imms + 1)" }
        var extract: String { "#\(immr), #\(imms + 1 - immr)" }
        switch op {
        case .sbfm:
            if imms == size - 1 { return "asr \(dn), #\(immr)" }
            if immr == 0 && (imms == 7 || imms == 15 || (imms == 31 && w == .x)) {
                return "\(["sxtb", "sxth", "sxtw"][imms == 7 ? 0 : imms == 15 ? 1 : 2]) \(d.name(w)), \(n.name(.w))"
            }
            return imms < immr ? "sbfiz \(dn), \(insert)" : "sbfx \(dn), \(extract)"
        case .ubfm:
            if imms == size - 1 { return "lsr \(dn), #\(immr)" }
            if imms + 1 == immr { return "lsl \(dn), #\(size - 1 - imms)" }
            if immr == 0 && w == .w && (imms == 7 || imms == 15) { return "\(imms == 7 ? "uxtb" : "uxth") \(dn)" }
            return imms < immr ? "ubfiz \(dn), \(insert)" : "ubfx \(dn), \(extract)"
        case .bfm:
            if imms < immr { return n == .zr ? "bfc \(d.name(w)), \(insert)" : "bfi \(dn), \(insert)" }
            return "bfxil \(dn), \(extract)"
        }
    }

    public mutating func lsl(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, _ amount: UInt32) {
        precondition(amount < w.bits, "lsl amount beyond the register width")
        let size = UInt32(w.bits)
        bitfield(.ubfm, w, d, n, immr: (size - amount) % size, imms: size - 1 - amount)
    }
    public mutating func lsr(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, _ amount: UInt32) {
        bitfield(.ubfm, w, d, n, immr: amount, imms: UInt32(w.bits) - 1)
    }
    public mutating func asr(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, _ amount: UInt32) {
        bitfield(.sbfm, w, d, n, immr: amount, imms: UInt32(w.bits) - 1)
    }
    /// Extracts `width` bits at `lsb`, zero- or sign-extended.
    public mutating func ubfx(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, lsb: UInt32, width: UInt32) {
        precondition(width >= 1 && lsb + width <= w.bits, "ubfx field beyond the register")
        bitfield(.ubfm, w, d, n, immr: lsb, imms: lsb + width - 1)
    }
    public mutating func sbfx(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, lsb: UInt32, width: UInt32) {
        precondition(width >= 1 && lsb + width <= w.bits, "sbfx field beyond the register")
        bitfield(.sbfm, w, d, n, immr: lsb, imms: lsb + width - 1)
    }
    /// Places the low `width` bits of n at `lsb`, zero elsewhere.
    public mutating func ubfiz(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, lsb: UInt32, width: UInt32) {
        precondition(width >= 1 && lsb + width <= w.bits, "ubfiz field beyond the register")
        bitfield(.ubfm, w, d, n, immr: (UInt32(w.bits) - lsb) % UInt32(w.bits), imms: width - 1)
    }
    /// Places the low `width` bits of n at `lsb`, sign-extended above.
    public mutating func sbfiz(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, lsb: UInt32, width: UInt32) {
        precondition(width >= 1 && lsb + width <= w.bits, "sbfiz field beyond the register")
        bitfield(.sbfm, w, d, n, immr: (UInt32(w.bits) - lsb) % UInt32(w.bits), imms: width - 1)
    }
    /// Replaces the low `width` bits of d with bits lsb... of n.
    public mutating func bfxil(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, lsb: UInt32, width: UInt32) {
        precondition(width >= 1 && lsb + width <= w.bits, "bfxil field beyond the register")
        bitfield(.bfm, w, d, n, immr: lsb, imms: lsb + width - 1)
    }
    /// Inserts the low `width` bits of n into d at `lsb`.
    public mutating func bfi(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, lsb: UInt32, width: UInt32) {
        precondition(width >= 1 && lsb + width <= w.bits, "bfi field beyond the register")
        bitfield(.bfm, w, d, n, immr: (UInt32(w.bits) - lsb) % UInt32(w.bits), imms: width - 1)
    }
    /// Sign-extends the low 8, 16 or 32 bits of n (a W register) into d.
    public mutating func signExtend(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, fromBits bits: UInt32) {
        precondition(bits == 8 || bits == 16 || (bits == 32 && w == .x), "sign-extension from \(bits) bits at \(w.bits)")
        bitfield(.sbfm, w, d, n, immr: 0, imms: bits - 1)
    }
    /// Zero-extends the low 8, 16 or 32 bits of n into d (an X register
    /// too: W writes clear the upper half). 8 and 16 are uxtb/uxth; 32 is
    /// `mov wd, wn`.
    public mutating func zeroExtend(_ d: A64Reg, _ n: A64Reg, fromBits bits: UInt32) {
        precondition(bits == 8 || bits == 16 || bits == 32, "zero-extension from \(bits) bits")
        if bits == 32 {
            mov(.w, d, n)
        } else {
            bitfield(.ubfm, .w, d, n, immr: 0, imms: bits - 1)
        }
    }

    // MARK: Extract

    /// `extr d, n, m, #lsb`: bits lsb... of the concatenation n:m; listed as
    /// `ror` when n == m.
    public mutating func extr(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, _ m: A64Reg, lsb: UInt32) {
        precondition(lsb < w.bits, "extr lsb beyond the register width")
        let word = A64Encoding.extract(w.sf, rm: rz(m, "extr operand"), imms: lsb, rn: rz(n, "extr operand"),
                                       rd: rz(d, "extr destination"))
        emit(word, n == m ? "ror \(d.name(w)), \(n.name(w)), #\(lsb)"
                          : "extr \(d.name(w)), \(n.name(w)), \(m.name(w)), #\(lsb)")
    }

    public mutating func ror(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, _ amount: UInt32) { extr(w, d, n, n, lsb: amount) }

    // MARK: One, two and three sources

    /// rbit, rev16, rev32 (X only), rev, clz, cls.
    public mutating func unary(_ op: A64Unary, _ w: A64Width, _ d: A64Reg, _ n: A64Reg) {
        precondition(op != .rev32 || w == .x, "rev32 is a 64-bit instruction")
        // `rev` reverses all bytes: opcode 2 at W (where rev32 would be), 3 at X.
        let opcode = op == .rev && w == .w ? 2 : op.rawValue
        emit(A64Encoding.dataProcessing1(w.sf, opcode: opcode, rn: rz(n, "\(op) source"), rd: rz(d, "\(op) destination")),
             "\(op) \(d.name(w)), \(n.name(w))")
    }

    /// udiv, sdiv, and shifts by a register (the amount taken modulo the width).
    public mutating func binary(_ op: A64Binary, _ w: A64Width, _ d: A64Reg, _ n: A64Reg, _ m: A64Reg) {
        emit(A64Encoding.dataProcessing2(w.sf, op, rm: rz(m, "\(op) operand"), rn: rz(n, "\(op) operand"), rd: rz(d, "\(op) destination")),
             "\(op) \(d.name(w)), \(n.name(w)), \(m.name(w))")
    }

    /// `op d, n, m, a`: madd/msub (d = a ± n*m), the long signed/unsigned
    /// forms (`w` is `.x`: X result and accumulator from W sources), and
    /// smulh/umulh (X only; `a` must be zr).
    public mutating func multiply(_ op: A64MulOp, _ w: A64Width, _ d: A64Reg, _ n: A64Reg, _ m: A64Reg, _ a: A64Reg) {
        precondition(!op.isHigh || (a == .zr && w == .x), "\(op) is 64-bit and has no accumulator")
        precondition(!op.isLong || w == .x, "\(op) has a 64-bit result")
        let width: A64Width = op.isLong ? .x : w
        let sourceWidth: A64Width = op.isLong ? .w : w
        let word = A64Encoding.dataProcessing3(width.sf, op, rm: rz(m, "\(op) operand"), ra: rz(a, "\(op) accumulator"),
                                               rn: rz(n, "\(op) operand"), rd: rz(d, "\(op) destination"))
        emit(word, {
            let sources = "\(n.name(sourceWidth)), \(m.name(sourceWidth))"
            if op.isHigh { return "\(op) \(d.name(width)), \(sources)" }
            if a == .zr {
                let alias = [A64MulOp.madd: "mul", .msub: "mneg", .smaddl: "smull", .smsubl: "smnegl",
                             .umaddl: "umull", .umsubl: "umnegl"][op]!
                return "\(alias) \(d.name(width)), \(sources)"
            }
            return "\(op) \(d.name(width)), \(sources), \(a.name(width))"
        }())
    }

    public mutating func mul(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, _ m: A64Reg) { multiply(.madd, w, d, n, m, .zr) }
    public mutating func madd(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, _ m: A64Reg, _ a: A64Reg) { multiply(.madd, w, d, n, m, a) }
    public mutating func msub(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, _ m: A64Reg, _ a: A64Reg) { multiply(.msub, w, d, n, m, a) }
    public mutating func smulh(_ d: A64Reg, _ n: A64Reg, _ m: A64Reg) { multiply(.smulh, .x, d, n, m, .zr) }
    public mutating func umulh(_ d: A64Reg, _ n: A64Reg, _ m: A64Reg) { multiply(.umulh, .x, d, n, m, .zr) }
    /// X d = W n × W m, signed or unsigned.
    public mutating func smull(_ d: A64Reg, _ n: A64Reg, _ m: A64Reg) { multiply(.smaddl, .x, d, n, m, .zr) }
    public mutating func umull(_ d: A64Reg, _ n: A64Reg, _ m: A64Reg) { multiply(.umaddl, .x, d, n, m, .zr) }

    // MARK: Conditional select and compare

    /// `op d, n, m, cond`: d = cond ? n : f(m) with f = identity, +1, ~, −.
    public mutating func condSelect(_ op: A64CondSelectOp, _ w: A64Width, _ d: A64Reg, _ n: A64Reg, _ m: A64Reg, _ cond: A64Cond) {
        let word = A64Encoding.conditionalSelect(w.sf, op, cond: cond, rm: rz(m, "\(op) operand"), rn: rz(n, "\(op) operand"),
                                                 rd: rz(d, "\(op) destination"))
        emit(word, {
            // The aliases invert the condition; al/nv have no inverse, so keep the base form.
            if op != .csel && n == m && cond.rawValue < 14 {
                if n == .zr && op != .csneg { return "\(op == .csinc ? "cset" : "csetm") \(d.name(w)), \(cond.inverted)" }
                let alias = [A64CondSelectOp.csinc: "cinc", .csinv: "cinv", .csneg: "cneg"][op]!
                return "\(alias) \(d.name(w)), \(n.name(w)), \(cond.inverted)"
            }
            return "\(op) \(d.name(w)), \(n.name(w)), \(m.name(w)), \(cond)"
        }())
    }

    public mutating func csel(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, _ m: A64Reg, _ cond: A64Cond) { condSelect(.csel, w, d, n, m, cond) }
    /// d = cond ? 1 : 0.
    public mutating func cset(_ w: A64Width, _ d: A64Reg, _ cond: A64Cond) {
        precondition(cond.rawValue < 14, "cset needs a condition with an inverse")
        condSelect(.csinc, w, d, .zr, .zr, cond.inverted)
    }
    /// d = cond ? -1 : 0.
    public mutating func csetm(_ w: A64Width, _ d: A64Reg, _ cond: A64Cond) {
        precondition(cond.rawValue < 14, "csetm needs a condition with an inverse")
        condSelect(.csinv, w, d, .zr, .zr, cond.inverted)
    }
    /// d = cond ? n + 1 : n.
    public mutating func cinc(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, _ cond: A64Cond) {
        precondition(cond.rawValue < 14, "cinc needs a condition with an inverse")
        condSelect(.csinc, w, d, n, n, cond.inverted)
    }
    /// d = cond ? -n : n.
    public mutating func cneg(_ w: A64Width, _ d: A64Reg, _ n: A64Reg, _ cond: A64Cond) {
        precondition(cond.rawValue < 14, "cneg needs a condition with an inverse")
        condSelect(.csneg, w, d, n, n, cond.inverted)
    }

    /// ccmp/ccmn with a register: flags = cond ? compare(n, m) : nzcv.
    public mutating func condCompare(negate: Bool, _ w: A64Width, _ n: A64Reg, _ m: A64Reg, nzcv: UInt32, _ cond: A64Cond) {
        let word = A64Encoding.conditionalCompare(w.sf, negate: negate, immediate: false, rmOrImm5: rz(m, "ccmp operand"),
                                                  cond: cond, rn: rz(n, "ccmp operand"), nzcv: nzcv)
        emit(word, "\(negate ? "ccmn" : "ccmp") \(n.name(w)), \(m.name(w)), \(Self.hexImm(nzcv)), \(cond)")
    }

    /// ccmp/ccmn with a 5-bit unsigned immediate.
    public mutating func condCompare(negate: Bool, _ w: A64Width, _ n: A64Reg, imm5: UInt32, nzcv: UInt32, _ cond: A64Cond) {
        let word = A64Encoding.conditionalCompare(w.sf, negate: negate, immediate: true, rmOrImm5: imm5,
                                                  cond: cond, rn: rz(n, "ccmp operand"), nzcv: nzcv)
        emit(word, "\(negate ? "ccmn" : "ccmp") \(n.name(w)), \(Self.hexImm(imm5)), \(Self.hexImm(nzcv)), \(cond)")
    }

    public mutating func ccmp(_ w: A64Width, _ n: A64Reg, _ m: A64Reg, nzcv: UInt32, _ cond: A64Cond) {
        condCompare(negate: false, w, n, m, nzcv: nzcv, cond)
    }
}
