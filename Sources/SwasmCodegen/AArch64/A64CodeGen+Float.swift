// Instruction selection for floating point. AArch64 matches wasm more
// closely than x86: fmin/fmax propagate NaN and order -0 below +0, frintn
// is wasm's nearest, and fcvtzs/fcvtzu saturate and map NaN to 0, which is
// exactly the saturating conversions. The trapping conversions check NaN
// and the range first.
import SwasmABI
import SwasmIR

extension A64CodeGen {
    mutating func floatInstruction(_ inst: Instruction) throws {
        let t = Self.floatType(inst.type)
        switch inst.opcode {
        case .fadd, .fsub, .fmul, .fdiv, .fmin, .fmax:
            let op: A64FPBinary
            switch inst.opcode {
            case .fadd: op = .fadd
            case .fsub: op = .fsub
            case .fmul: op = .fmul
            case .fdiv: op = .fdiv
            case .fmin: op = .fmin
            default: op = .fmax
            }
            let a = vreg(inst.operands[0], vectorTemporary(0), via: spare(0))
            let b = vreg(inst.operands[1], vectorTemporary(1), via: spare(0))
            let d = destination(inst.result, vectorTemporary(0))
            asm.fpBinary(op, t, d, a, b)
            finish(inst.result, d, via: spare(0))
        case .fcopysign:
            // The magnitude bits of a with the sign bit of b, in general
            // temporaries (each loaded through the one it then fills).
            let w = t.sameSizeWidth
            let (magnitude, sign) = (temporary(0), temporary(1))
            asm.fmov(t, magnitude, vreg(inst.operands[0], vectorTemporary(0), via: magnitude))
            asm.fmov(t, sign, vreg(inst.operands[1], vectorTemporary(0), via: sign))
            asm.bitfield(.bfm, w, sign, magnitude, immr: 0, imms: UInt32(w.bits) - 2)
            let d = destination(inst.result, vectorTemporary(0))
            asm.fmov(t, d, sign)
            finish(inst.result, d, via: magnitude)
        case .fabs, .fneg, .fsqrt, .fceil, .ffloor, .ftrunc, .fnearest:
            let op: A64FPUnary
            switch inst.opcode {
            case .fabs: op = .fabs
            case .fneg: op = .fneg
            case .fsqrt: op = .fsqrt
            case .fceil: op = .frintp
            case .ffloor: op = .frintm
            case .ftrunc: op = .frintz
            default: op = .frintn
            }
            let a = vreg(inst.operands[0], vectorTemporary(0), via: spare(0))
            let d = destination(inst.result, vectorTemporary(0))
            asm.fpUnary(op, t, d, a)
            finish(inst.result, d, via: spare(0))
        case .fcmp:
            floatCompare(inst)
        case .fpromote, .fdemote:
            let a = vreg(inst.operands[0], vectorTemporary(0), via: spare(0))
            let d = destination(inst.result, vectorTemporary(0))
            asm.fcvt(to: inst.opcode == .fpromote ? .d : .s, d, a)
            finish(inst.result, d, via: spare(0))
        case .bitcast:
            if inst.type.isFloat {
                let a = gpr(inst.operands[0], temporary(0), zeroRegister: true)
                let d = destination(inst.result, vectorTemporary(0))
                asm.fmov(t, d, a)
                finish(inst.result, d, via: temporary(0))
            } else {
                let from = Self.floatType(function.type(of: inst.operands[0]))
                let a = vreg(inst.operands[0], vectorTemporary(0), via: temporary(0))
                let d = destination(inst.result, temporary(0))
                asm.fmov(from, d, a)
                finish(inst.result, d, via: spare(1))
            }
        case .fcvtFromSint, .fcvtFromUint:
            let from = Self.width(function.type(of: inst.operands[0]))
            let a = gpr(inst.operands[0], temporary(0), zeroRegister: true)
            let d = destination(inst.result, vectorTemporary(0))
            asm.intToFloat(inst.opcode == .fcvtFromSint ? .scvtf : .ucvtf, t, d, from, a)
            finish(inst.result, d, via: temporary(0))
        case .fcvtToSint, .fcvtToUint, .fcvtToSintSat, .fcvtToUintSat:
            convertToInteger(inst)
        default:
            throw A64CodeGenError.unsupported("IR opcode \(inst.opcode)")
        }
    }

    /// fcmp, then cset on the condition that is false when unordered (all
    /// but `ne`, which unordered makes true as wasm wants).
    mutating func floatCompare(_ inst: Instruction) {
        let t = Self.floatType(function.type(of: inst.operands[0]))
        let a = vreg(inst.operands[0], vectorTemporary(0), via: temporary(0))
        let b = vreg(inst.operands[1], vectorTemporary(1), via: temporary(0))
        asm.fcmp(t, a, b)
        let condition: A64Cond
        switch inst.floatCondition {
        case .eq: condition = .eq
        case .ne: condition = .ne
        case .lt: condition = .mi
        case .le: condition = .ls
        case .gt: condition = .gt
        case .ge: condition = .ge
        }
        let d = destination(inst.result, temporary(0))
        asm.cset(.w, d, condition)
        finish(inst.result, d, via: spare(1))
    }

    /// Float → integer. fcvtzs/fcvtzu already are the saturating forms. The
    /// trapping forms first trap on NaN (invalid conversion) and on values
    /// whose truncation is out of range (overflow).
    mutating func convertToInteger(_ inst: Instruction) {
        let fromType = function.type(of: inst.operands[0])
        let t = Self.floatType(fromType)
        let signed = inst.opcode == .fcvtToSint || inst.opcode == .fcvtToSintSat
        let saturating = inst.opcode == .fcvtToSintSat || inst.opcode == .fcvtToUintSat
        let w = Self.width(inst.type)
        let x = vreg(inst.operands[0], vectorTemporary(0), via: temporary(0))
        if !saturating {
            asm.fcmp(t, x, x)
            branch(.vs, trapStub(.invalidConversionToInteger, inst.sourceOffset))
            let overflow = trapStub(.integerOverflow, inst.sourceOffset)
            let bits = w.bits
            // Upper bound, exclusive: 2^(n-1) or 2^n, exact in both types.
            compare(x, t, with: signed ? pow2(bits - 1) : pow2(bits))
            branch(.ge, overflow)
            // Lower bound: -2^(n-1) itself converts; below it, only values
            // whose truncation is still -2^(n-1) do, which f64 can tell
            // apart for n = 32 (the bound is then -2^31 - 1, exclusive).
            if signed && t == .d && bits == 32 {
                compare(x, t, with: -pow2(31) - 1)
                branch(.le, overflow)
            } else if signed {
                compare(x, t, with: -pow2(bits - 1))
                branch(.lt, overflow)
            } else {
                compare(x, t, with: -1)
                branch(.le, overflow)
            }
        }
        let d = destination(inst.result, temporary(0))
        asm.floatToInt(signed ? .fcvtzs : .fcvtzu, w, d, t, x)
        finish(inst.result, d, via: spare(1))
    }

    /// fcmp x, value (value exact in type t), with the constant in vector
    /// temporary 1 (built through general temporary 0 in a long function).
    mutating func compare(_ x: A64VReg, _ t: A64FloatType, with value: Double) {
        let bits = t == .d ? Int64(bitPattern: value.bitPattern) : Int64(Float(value).bitPattern)
        loadFloatConstant(vectorTemporary(1), bits, t == .d ? .f64 : .f32, via: temporary(0))
        asm.fcmp(t, x, vectorTemporary(1))
    }

    func pow2(_ n: Int) -> Double { Double(sign: .plus, exponent: n, significand: 1) }
}
