// Instruction selection for floating point: arithmetic with wasm's exact
// min/max/nearest/copysign semantics, comparisons, and conversions with
// wasm's trapping and saturating rules.
import SwasmABI
import SwasmIR

extension X64CodeGen {
    mutating func floatInstruction(_ inst: Instruction) throws {
        let is64 = inst.type == .f64
        switch inst.opcode {
        case .fadd, .fsub, .fmul, .fdiv:
            let op: X64SseOp
            switch inst.opcode {
            case .fadd: op = is64 ? .addsd : .addss
            case .fsub: op = is64 ? .subsd : .subss
            case .fmul: op = is64 ? .mulsd : .mulss
            default: op = is64 ? .divsd : .divss
            }
            floatBinary(inst, op)
        case .fmin, .fmax:
            minMax(inst)
        case .fcopysign:
            copysign(inst)
        case .fabs, .fneg:
            let d = destination(inst.result, temps.xmm(0))
            load(d, inst.operands[0])
            asm.sse(inst.opcode == .fabs ? .andps : .xorps, d, signMask(is64, inverted: inst.opcode == .fabs))
            finish(inst.result, d)
        case .fsqrt:
            // The operand, if not in a register, is loaded where the result goes.
            let d = destination(inst.result, temps.xmm(0))
            let r = xmm(inst.operands[0], d)
            asm.sse(is64 ? .sqrtsd : .sqrtss, d, r)
            finish(inst.result, d)
        case .fceil, .ffloor, .ftrunc, .fnearest:
            let mode: UInt8
            switch inst.opcode {
            case .fnearest: mode = 0
            case .ffloor: mode = 1
            case .fceil: mode = 2
            default: mode = 3
            }
            let d = destination(inst.result, temps.xmm(0))
            let r = xmm(inst.operands[0], d)
            if is64 { asm.roundsd(d, r, mode | 8) } else { asm.roundss(d, r, mode | 8) }
            finish(inst.result, d)
        case .fcmp:
            floatCompare(inst)
        case .fpromote, .fdemote:
            let d = destination(inst.result, temps.xmm(0))
            let r = xmm(inst.operands[0], d)
            asm.sse(inst.opcode == .fpromote ? .cvtss2sd : .cvtsd2ss, d, r)
            finish(inst.result, d)
        case .bitcast:
            if inst.type.isFloat {
                let d = destination(inst.result, temps.xmm(0))
                let r = gpr(inst.operands[0], temps.gpr(0))
                asm.movGprToXmm(Self.size(inst.type), d, r)
                finish(inst.result, d)
            } else {
                let d = destination(inst.result, temps.gpr(0))
                let r = xmm(inst.operands[0], temps.xmm(0))
                asm.movXmmToGpr(Self.size(inst.type), d, r)
                finish(inst.result, d)
            }
        case .fcvtFromSint, .fcvtFromUint:
            convertFromInteger(inst)
        case .fcvtToSint, .fcvtToUint, .fcvtToSintSat, .fcvtToUintSat:
            convertToInteger(inst)
        default:
            throw X64CodeGenError.unsupported("IR opcode \(inst.opcode)")
        }
    }

    mutating func floatBinary(_ inst: Instruction, _ op: X64SseOp) {
        let a = inst.operands[0], b = inst.operands[1]
        var d = destination(inst.result, temps.xmm(0))
        if case .register(let rb) = location(b), rb == d.rawValue, location(a) != location(b) { d = temps.xmm(0) }
        load(d, a)
        switch floatSource(b) {
        case .register(let r): asm.sse(op, d, r)
        case .memory(let m): asm.sse(op, d, m)
        }
        finish(inst.result, d)
    }

    enum FloatSource {
        case register(XmmReg)
        case memory(X64Mem)
    }

    /// A scalar float operand as a register or memory (its spill slot, or
    /// its constant in the pool), so that it needs no temporary.
    mutating func floatSource(_ value: Value) -> FloatSource {
        switch location(value) {
        case .register(let r): return .register(XmmReg(rawValue: r)!)
        case .slot(let s): return .memory(slotAddress(s))
        case .constant(let bits):
            let pattern = function.type(of: value) == .f64 ? UInt64(bitPattern: bits) : UInt64(UInt32(truncatingIfNeeded: bits))
            return .memory(.label(outOfLine.constants.label(for: pattern) { asm.newLabel() }))
        case .none: return .register(temps.xmm(0))
        }
    }

    /// wasm min/max: NaN if either is NaN; -0 < +0.
    mutating func minMax(_ inst: Instruction) {
        let is64 = inst.type == .f64
        let isMin = inst.opcode == .fmin
        let a = inst.operands[0], b = inst.operands[1]
        let x = temps.xmm(0)
        asm.sse(.movaps, x, xmm(a, x))
        let r = xmm(b, temps.xmm(1))
        let equal = asm.newLabel(), unordered = asm.newLabel(), done = asm.newLabel()
        asm.sse(is64 ? .ucomisd : .ucomiss, x, r)
        asm.jcc(.p, unordered)
        asm.jcc(.e, equal)
        asm.sse(isMin ? (is64 ? .minsd : .minss) : (is64 ? .maxsd : .maxss), x, r)
        asm.jmp(done)
        asm.bind(equal)
        // Equal: only the signs of zeros can differ; or/and pick -0 / +0.
        asm.sse(isMin ? .orps : .andps, x, r)
        asm.jmp(done)
        asm.bind(unordered)
        asm.sse(is64 ? .addsd : .addss, x, r)
        asm.bind(done)
        finish(inst.result, x)
    }

    /// The magnitude of the first operand with the sign of the second:
    /// two masks from the constant pool, no general register.
    mutating func copysign(_ inst: Instruction) {
        let is64 = inst.type == .f64
        let magnitude = temps.xmm(0), sign = temps.xmm(1)
        load(magnitude, inst.operands[0])
        asm.sse(.andps, magnitude, signMask(is64, inverted: true))
        load(sign, inst.operands[1])
        asm.sse(.andps, sign, signMask(is64, inverted: false))
        asm.sse(.orps, magnitude, sign)
        finish(inst.result, magnitude)
    }

    /// A 16-byte pool constant for the bitwise ops (which read 16 aligned
    /// bytes): the sign bit of an f32 or f64 in the low lane, or every
    /// other bit of it when `inverted`.
    mutating func signMask(_ is64: Bool, inverted: Bool) -> X64Mem {
        let sign: UInt64 = is64 ? 1 << 63 : 1 << 31
        let lane: UInt64 = inverted ? ~sign & (is64 ? UInt64.max : 0xFFFF_FFFF) : sign
        let bytes = (0..<8).map { UInt8(truncatingIfNeeded: lane >> (8 * $0)) } + [UInt8](repeating: 0, count: 8)
        return .label(outOfLine.constants.label(for: bytes) { asm.newLabel() })
    }

    mutating func floatCompare(_ inst: Instruction) {
        let is64 = function.type(of: inst.operands[0]) == .f64
        let compare: X64SseOp = is64 ? .ucomisd : .ucomiss
        var a = inst.operands[0], b = inst.operands[1]
        let condition = inst.floatCondition
        // lt/le are gt/ge with swapped operands, so that NaN (CF=ZF=PF=1) reads false.
        if condition == .lt || condition == .le { swap(&a, &b) }
        let left = xmm(a, temps.xmm(0))
        switch floatSource(b) {
        case .register(let r): asm.sse(compare, left, r)
        case .memory(let m): asm.sse(compare, left, m)
        }
        // The result is general, the operands are not: its register is free.
        let d = destination(inst.result, temps.gpr(0))
        switch condition {
        case .eq, .ne:
            let other = d == temps.gpr(0) ? temps.gpr(1) : temps.gpr(0)
            asm.setcc(condition == .eq ? .e : .ne, d)
            asm.setcc(condition == .eq ? .np : .p, other)
            if condition == .eq { asm.and(.s32, d, other) } else { asm.or(.s32, d, other) }
        case .gt, .lt: asm.setcc(.a, d)
        case .ge, .le: asm.setcc(.ae, d)
        }
        asm.movzx(.s32, d, d, from: .s8)
        finish(inst.result, d)
    }

    mutating func convertFromInteger(_ inst: Instruction) {
        let from = function.type(of: inst.operands[0])
        let to64 = inst.type == .f64
        let d = destination(inst.result, temps.xmm(0))
        let r = gpr(inst.operands[0], temps.gpr(0))
        asm.sse(.xorps, d, d)
        func convert(_ size: OperandSize, _ source: X64Reg) {
            if to64 { asm.cvtsi2sd(d, size, source) } else { asm.cvtsi2ss(d, size, source) }
        }
        if inst.opcode == .fcvtFromSint {
            convert(Self.size(from), r)
        } else if from == .i32 {
            // Zero-extended in its register: the 64-bit signed conversion is exact.
            convert(.s64, r)
        } else {
            let negative = asm.newLabel(), done = asm.newLabel()
            asm.test(.s64, r, r)
            asm.jcc(.s, negative)
            convert(.s64, r)
            asm.jmp(done)
            asm.bind(negative)
            // Halve (keeping the low bit for rounding), convert, double;
            // in temporaries, the operand's register may still be needed.
            let (low, half) = (temps.gpr(0), temps.gpr(1))
            if r != low { asm.mov(.s64, low, r) }
            asm.mov(.s64, half, low)
            asm.shr(.s64, half, 1)
            asm.and(.s32, low, 1)
            asm.or(.s64, half, low)
            convert(.s64, half)
            asm.sse(to64 ? .addsd : .addss, d, d)
            asm.bind(done)
        }
        finish(inst.result, d)
    }

    /// Float → integer. Trapping forms trap on NaN (invalid conversion) and
    /// out-of-range values (overflow); saturating forms clamp and map NaN to 0.
    mutating func convertToInteger(_ inst: Instruction) {
        let fromType = function.type(of: inst.operands[0])
        let is64Source = fromType == .f64
        let signed = inst.opcode == .fcvtToSint || inst.opcode == .fcvtToSintSat
        let saturating = inst.opcode == .fcvtToSintSat || inst.opcode == .fcvtToUintSat
        let toSize = Self.size(inst.type)
        // The source in vector temporary 0 (2^63 may be subtracted from
        // it), bounds in 1, the result in its register or general 0.
        let input = temps.xmm(0), bound = temps.xmm(1)
        let x = xmm(inst.operands[0], input)
        if x != input { asm.sse(.movaps, input, x) }
        let d = destination(inst.result, temps.gpr(0))
        let compare: X64SseOp = is64Source ? .ucomisd : .ucomiss
        let done = asm.newLabel()
        func truncate(_ size: OperandSize) {
            if is64Source { asm.cvttsd2si(size, d, input) } else { asm.cvttss2si(size, d, input) }
        }
        func floatConstant(_ value: Double) {
            let bits = is64Source ? Int64(bitPattern: value.bitPattern) : Int64(Float(value).bitPattern)
            loadFloatConstant(bound, bits, fromType)
        }
        // NaN.
        let notNaN = asm.newLabel()
        asm.sse(compare, input, input)
        asm.jcc(.np, notNaN)
        if saturating {
            asm.alu(.xor, .s32, d, d)
            asm.jmp(done)
        } else {
            asm.jmp(trapStub(.invalidConversionToInteger, inst.sourceOffset))
        }
        asm.bind(notNaN)
        let bits = toSize == .s64 ? 64 : 32
        // Valid range: lower < x < upper (exclusive bounds after truncation).
        let upper = signed ? pow2(bits - 1) : pow2(bits)
        let lower = signed ? -pow2(bits - 1) - 1 : -1.0
        let tooLow = asm.newLabel(), tooHigh = asm.newLabel()
        floatConstant(upper)
        asm.sse(compare, input, bound)
        asm.jcc(.ae, tooHigh)
        // Lower bound: for signed, -2^(n-1) itself is valid; with f32 the
        // next value below is exactly representable only as -2^(n-1) - ulp.
        if signed && (!is64Source || bits == 64) {
            floatConstant(-pow2(bits - 1))
            asm.sse(compare, input, bound)
            asm.jcc(.b, tooLow)
        } else {
            floatConstant(lower)
            asm.sse(compare, input, bound)
            asm.jcc(.be, tooLow)
        }
        // In range.
        if signed {
            truncate(toSize)
        } else if bits == 32 {
            truncate(.s64)
            asm.mov(.s32, d, d)
        } else {
            // u64: values at or above 2^63 are converted after subtracting 2^63.
            let small = asm.newLabel()
            floatConstant(pow2(63))
            asm.sse(compare, input, bound)
            asm.jcc(.b, small)
            asm.sse(is64Source ? .subsd : .subss, input, bound)
            truncate(.s64)
            let high = temps.gpr(1)
            asm.mov(.s64, high, Int64.min)
            asm.alu(.xor, .s64, d, high)
            asm.jmp(done)
            asm.bind(small)
            truncate(.s64)
        }
        asm.jmp(done)
        asm.bind(tooHigh)
        if saturating {
            if signed {
                asm.mov(toSize, d, bits == 64 ? Int64.max : Int64(Int32.max))
            } else {
                asm.mov(.s64, d, bits == 64 ? -1 : Int64(UInt32.max))
            }
            asm.jmp(done)
        } else {
            asm.jmp(trapStub(.integerOverflow, inst.sourceOffset))
        }
        asm.bind(tooLow)
        if saturating {
            if signed {
                asm.mov(toSize, d, bits == 64 ? Int64.min : Int64(UInt32(bitPattern: Int32.min)))
            } else {
                asm.alu(.xor, .s32, d, d)
            }
        } else {
            asm.jmp(trapStub(.integerOverflow, inst.sourceOffset))
        }
        asm.bind(done)
        finish(inst.result, d)
    }

    func pow2(_ n: Int) -> Double { Double(sign: .plus, exponent: n, significand: 1) }
}
