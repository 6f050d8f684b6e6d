// Scalar floating point (single and double) and the few vector instructions
// the scalar code needs: register moves, moves between register files, the
// 8-bit FP immediate, arithmetic, compares, selects, conversions, rounding,
// and cnt/addv for population count.

extension A64Assembler {
    // MARK: Moves

    /// `fmov d, n` within one FP type.
    public mutating func fmov(_ t: A64FloatType, _ d: A64VReg, _ n: A64VReg) { fpUnary(.fmov, t, d, n) }

    /// `fmov d, n` from an integer register: W into s, X into d.
    public mutating func fmov(_ t: A64FloatType, _ d: A64VReg, _ n: A64Reg) {
        let w = t.sameSizeWidth
        emit(A64Encoding.fpIntConversion(w.sf, t, rmode: 0, opcode: 0b111, rn: rz(n, "fmov source"), rd: d.field),
             "fmov \(d.name(t.view)), \(n.name(w))")
    }

    /// `fmov d, n` into an integer register: s into W, d into X.
    public mutating func fmov(_ t: A64FloatType, _ d: A64Reg, _ n: A64VReg) {
        let w = t.sameSizeWidth
        emit(A64Encoding.fpIntConversion(w.sf, t, rmode: 0, opcode: 0b110, rn: n.field, rd: rz(d, "fmov destination")),
             "fmov \(d.name(w)), \(n.name(t.view))")
    }

    /// The 8-bit immediate encoding `value`, if it has one: ±(16...31)/16 ×
    /// 2^(−3...4), so 0.125 to 31 in magnitude with 4 fraction bits (zero is
    /// not among them).
    public static func fpImmediate(_ value: Double) -> UInt32? {
        (0..<256).first { decodeFPImmediate(UInt32($0)) == value }.map { UInt32($0) }
    }

    /// The value of an 8-bit FP immediate: sign, 3-bit exponent, 4-bit fraction.
    static func decodeFPImmediate(_ imm8: UInt32) -> Double {
        let sign: Double = imm8 & 0x80 != 0 ? -1 : 1
        let b = (imm8 >> 6) & 1, cd = Int((imm8 >> 4) & 3)
        let exponent = b == 0 ? 1 + cd : cd - 3
        let fraction = 1 + Double(imm8 & 15) / 16
        return sign * fraction * Double(sign: .plus, exponent: exponent, significand: 1)
    }

    /// `fmov d, #value`; `value` must satisfy `fpImmediate`.
    public mutating func fmov(_ t: A64FloatType, _ d: A64VReg, _ value: Double) {
        guard let imm8 = Self.fpImmediate(value) else { preconditionFailure("\(value) is not an 8-bit FP immediate") }
        emit(A64Encoding.fpImmediate(t, imm8: imm8, rd: d.field), "fmov \(d.name(t.view)), #\(Self.scientific(value))")
    }

    /// objdump's `%.18e` for the FP immediates, which are all multiples of
    /// 1/128 below 32, so exact in 9 decimal digits.
    static func scientific(_ value: Double) -> String {
        let scaled = Int((abs(value) * 10_000_000).rounded())   // value × 10^7, an integer
        let digits = String(scaled)
        let exponent = digits.count - 1 - 7
        let fraction = digits.dropFirst() + String(repeating: "0", count: 18 - (digits.count - 1))
        let e = abs(exponent) < 10 ? "0\(abs(exponent))" : "\(abs(exponent))"
        return "\(value < 0 ? "-" : "")\(digits.prefix(1)).\(fraction)e\(exponent < 0 ? "-" : "+")\(e)"
    }

    /// `mov d.16b, n.16b`: a full 128-bit register copy.
    public mutating func movVector(_ d: A64VReg, _ n: A64VReg) {
        emit(A64Encoding.simdOrr16B(rm: n.field, rn: n.field, rd: d.field), "mov \(d).16b, \(n).16b")
    }

    // MARK: Arithmetic

    /// fmov, fabs, fneg, fsqrt, frint{n,p,m,z,a,x,i}.
    public mutating func fpUnary(_ op: A64FPUnary, _ t: A64FloatType, _ d: A64VReg, _ n: A64VReg) {
        emit(A64Encoding.fpDataProcessing1(t, opcode: op.rawValue, rn: n.field, rd: d.field),
             "\(op) \(d.name(t.view)), \(n.name(t.view))")
    }

    /// fadd, fsub, fmul, fdiv, fmin, fmax (NaN-propagating, as wasm wants),
    /// fminnm, fmaxnm, fnmul.
    public mutating func fpBinary(_ op: A64FPBinary, _ t: A64FloatType, _ d: A64VReg, _ n: A64VReg, _ m: A64VReg) {
        emit(A64Encoding.fpDataProcessing2(t, op, rm: m.field, rn: n.field, rd: d.field),
             "\(op) \(d.name(t.view)), \(n.name(t.view)), \(m.name(t.view))")
    }

    public mutating func fcmp(_ t: A64FloatType, _ n: A64VReg, _ m: A64VReg) {
        emit(A64Encoding.fpCompare(t, withZero: false, rm: m.field, rn: n.field), "fcmp \(n.name(t.view)), \(m.name(t.view))")
    }

    public mutating func fcmpZero(_ t: A64FloatType, _ n: A64VReg) {
        emit(A64Encoding.fpCompare(t, withZero: true, rm: 0, rn: n.field), "fcmp \(n.name(t.view)), #0.0")
    }

    public mutating func fcsel(_ t: A64FloatType, _ d: A64VReg, _ n: A64VReg, _ m: A64VReg, _ cond: A64Cond) {
        emit(A64Encoding.fpConditionalSelect(t, cond: cond, rm: m.field, rn: n.field, rd: d.field),
             "fcsel \(d.name(t.view)), \(n.name(t.view)), \(m.name(t.view)), \(cond)")
    }

    // MARK: Conversions

    /// `fcvt d, n`: single to double or back (`to` is d's type).
    public mutating func fcvt(to: A64FloatType, _ d: A64VReg, _ n: A64VReg) {
        let from: A64FloatType = to == .d ? .s : .d
        emit(A64Encoding.fpDataProcessing1(from, opcode: to == .s ? 0b000100 : 0b000101, rn: n.field, rd: d.field),
             "fcvt \(d.name(to.view)), \(n.name(from.view))")
    }

    /// scvtf/ucvtf: integer register n (W or X) to FP register d.
    public mutating func intToFloat(_ op: A64FPIntConversion, _ t: A64FloatType, _ d: A64VReg, _ w: A64Width, _ n: A64Reg) {
        precondition(op.toFloat, "\(op) converts to an integer")
        emit(A64Encoding.fpIntConversion(w.sf, t, rmode: op.rmode, opcode: op.opcode, rn: rz(n, "\(op) source"), rd: d.field),
             "\(op) \(d.name(t.view)), \(n.name(w))")
    }

    /// fcvtzs/fcvtzu: FP register n to integer register d (W or X),
    /// rounding toward zero and saturating.
    public mutating func floatToInt(_ op: A64FPIntConversion, _ w: A64Width, _ d: A64Reg, _ t: A64FloatType, _ n: A64VReg) {
        precondition(!op.toFloat, "\(op) converts to a float")
        emit(A64Encoding.fpIntConversion(w.sf, t, rmode: op.rmode, opcode: op.opcode, rn: n.field, rd: rz(d, "\(op) destination")),
             "\(op) \(d.name(w)), \(n.name(t.view))")
    }

    // MARK: Population count through the vector unit

    /// `cnt d.8b, n.8b` (or .16b): the number of set bits of each byte.
    public mutating func cnt(sixteenBytes: Bool = false, _ d: A64VReg, _ n: A64VReg) {
        let arrangement = sixteenBytes ? "16b" : "8b"
        emit(A64Encoding.simdCnt(q: sixteenBytes, rn: n.field, rd: d.field), "cnt \(d).\(arrangement), \(n).\(arrangement)")
    }

    /// `addv bd, n.8b` (or .16b): the sum of the bytes.
    public mutating func addv(sixteenBytes: Bool = false, _ d: A64VReg, _ n: A64VReg) {
        emit(A64Encoding.simdAddv(q: sixteenBytes, rn: n.field, rd: d.field), "addv \(d.name(.b)), \(n).\(sixteenBytes ? "16b" : "8b")")
    }
}
