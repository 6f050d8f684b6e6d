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
            let d = destination(inst.result, XmmReg.xmm14)
            load(d, inst.operands[0])
            let signBit: Int64 = is64 ? Int64.min : Int64(0x8000_0000)
            loadFloatConstant(.xmm15, inst.opcode == .fabs ? ~signBit & (is64 ? -1 : 0xFFFF_FFFF) : signBit, inst.type)
            asm.sse(inst.opcode == .fabs ? .andps : .xorps, d, .xmm15)
            finish(inst.result, d)
        case .fsqrt:
            let d = destination(inst.result, XmmReg.xmm14)
            let r = xmm(inst.operands[0], .xmm15)
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
            let d = destination(inst.result, XmmReg.xmm14)
            let r = xmm(inst.operands[0], .xmm15)
            if is64 { asm.roundsd(d, r, mode | 8) } else { asm.roundss(d, r, mode | 8) }
            finish(inst.result, d)
        case .fcmp:
            floatCompare(inst)
        case .fpromote, .fdemote:
            let d = destination(inst.result, XmmReg.xmm14)
            let r = xmm(inst.operands[0], .xmm15)
            asm.sse(inst.opcode == .fpromote ? .cvtss2sd : .cvtsd2ss, d, r)
            finish(inst.result, d)
        case .bitcast:
            if inst.type.isFloat {
                let d = destination(inst.result, XmmReg.xmm14)
                let r = gpr(inst.operands[0], .rax)
                asm.movGprToXmm(Self.size(inst.type), d, r)
                finish(inst.result, d)
            } else {
                let d = destination(inst.result, X64Reg.rax)
                let r = xmm(inst.operands[0], .xmm15)
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
        var d = destination(inst.result, XmmReg.xmm14)
        if case .register(let rb) = location(b), rb == d.rawValue, location(a) != location(b) { d = .xmm14 }
        load(d, a)
        let r = xmm(b, .xmm15)
        asm.sse(op, d, r)
        finish(inst.result, d)
    }

    /// wasm min/max: NaN if either is NaN; -0 < +0.
    mutating func minMax(_ inst: Instruction) {
        let is64 = inst.type == .f64
        let isMin = inst.opcode == .fmin
        let a = inst.operands[0], b = inst.operands[1]
        asm.sse(.movaps, .xmm14, xmm(a, .xmm14))
        let r = xmm(b, .xmm15)
        let equal = asm.newLabel(), unordered = asm.newLabel(), done = asm.newLabel()
        asm.sse(is64 ? .ucomisd : .ucomiss, .xmm14, r)
        asm.jcc(.p, unordered)
        asm.jcc(.e, equal)
        asm.sse(isMin ? (is64 ? .minsd : .minss) : (is64 ? .maxsd : .maxss), .xmm14, r)
        asm.jmp(done)
        asm.bind(equal)
        // Equal: only the signs of zeros can differ; or/and pick -0 / +0.
        asm.sse(isMin ? .orps : .andps, .xmm14, r)
        asm.jmp(done)
        asm.bind(unordered)
        asm.sse(is64 ? .addsd : .addss, .xmm14, r)
        asm.bind(done)
        finish(inst.result, XmmReg.xmm14)
    }

    mutating func copysign(_ inst: Instruction) {
        let is64 = inst.type == .f64
        let size = Self.size(inst.type)
        let a = gpr64Bits(inst.operands[0], .rax, size)
        if a != .rax { asm.mov(.s64, .rax, a) }
        let b = gpr64Bits(inst.operands[1], .rcx, size)
        if b != .rcx { asm.mov(.s64, .rcx, b) }
        if is64 {
            asm.mov(.s64, .rdx, Int64.max)
            asm.and(.s64, .rax, .rdx)
            asm.not(.s64, .rdx)
            asm.and(.s64, .rcx, .rdx)
            asm.or(.s64, .rax, .rcx)
        } else {
            asm.and(.s32, .rax, Int32(0x7FFF_FFFF))
            asm.and(.s32, .rcx, Int32(bitPattern: 0x8000_0000))
            asm.or(.s32, .rax, .rcx)
        }
        let d = destination(inst.result, XmmReg.xmm14)
        asm.movGprToXmm(size, d, .rax)
        finish(inst.result, d)
    }

    /// A float value's bits in a general register.
    mutating func gpr64Bits(_ value: Value, _ scratch: X64Reg, _ size: OperandSize) -> X64Reg {
        switch location(value) {
        case .register(let r):
            asm.movXmmToGpr(size, scratch, XmmReg(rawValue: r)!)
        case .slot(let s):
            asm.mov(size, scratch, slotAddress(s))
        case .constant(let bits):
            materialize(scratch, bits, function.type(of: value))
        case .none: break
        }
        return scratch
    }

    mutating func floatCompare(_ inst: Instruction) {
        let is64 = function.type(of: inst.operands[0]) == .f64
        let compare: X64SseOp = is64 ? .ucomisd : .ucomiss
        var a = inst.operands[0], b = inst.operands[1]
        let condition = inst.floatCondition
        // lt/le are gt/ge with swapped operands, so that NaN (CF=ZF=PF=1) reads false.
        if condition == .lt || condition == .le { swap(&a, &b) }
        let left = xmm(a, .xmm14)
        let right = xmm(b, .xmm15)
        asm.sse(compare, left, right)
        switch condition {
        case .eq:
            asm.setcc(.e, .rax)
            asm.setcc(.np, .rcx)
            asm.and(.s32, .rax, .rcx)
        case .ne:
            asm.setcc(.ne, .rax)
            asm.setcc(.p, .rcx)
            asm.or(.s32, .rax, .rcx)
        case .gt, .lt: asm.setcc(.a, .rax)
        case .ge, .le: asm.setcc(.ae, .rax)
        }
        let d = destination(inst.result, X64Reg.rax)
        asm.movzx(.s32, d, .rax, from: .s8)
        finish(inst.result, d)
    }

    mutating func convertFromInteger(_ inst: Instruction) {
        let from = function.type(of: inst.operands[0])
        let to64 = inst.type == .f64
        let d = destination(inst.result, XmmReg.xmm14)
        let r = gpr(inst.operands[0], .rax)
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
            // Halve (keeping the low bit for rounding), convert, double.
            asm.mov(.s64, .rcx, r)
            asm.shr(.s64, .rcx, 1)
            asm.mov(.s64, .rdx, r)
            asm.and(.s32, .rdx, 1)
            asm.or(.s64, .rcx, .rdx)
            convert(.s64, .rcx)
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
        let x = xmm(inst.operands[0], .xmm14)
        if x != .xmm14 { asm.sse(.movaps, .xmm14, x) }
        let compare: X64SseOp = is64Source ? .ucomisd : .ucomiss
        let done = asm.newLabel()
        func truncate(_ size: OperandSize) {
            if is64Source { asm.cvttsd2si(size, .rax, .xmm14) } else { asm.cvttss2si(size, .rax, .xmm14) }
        }
        func floatConstant(_ value: Double) {
            let bits = is64Source ? Int64(bitPattern: value.bitPattern) : Int64(Float(value).bitPattern)
            materialize(.r11, bits, fromType)
            asm.movGprToXmm(is64Source ? .s64 : .s32, .xmm15, .r11)
        }
        // NaN.
        let notNaN = asm.newLabel()
        asm.sse(compare, .xmm14, .xmm14)
        asm.jcc(.np, notNaN)
        if saturating {
            asm.alu(.xor, .s32, .rax, .rax)
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
        asm.sse(compare, .xmm14, .xmm15)
        asm.jcc(.ae, tooHigh)
        // Lower bound: for signed, -2^(n-1) itself is valid; with f32 the
        // next value below is exactly representable only as -2^(n-1) - ulp.
        if signed && (!is64Source || bits == 64) {
            floatConstant(-pow2(bits - 1))
            asm.sse(compare, .xmm14, .xmm15)
            asm.jcc(.b, tooLow)
        } else {
            floatConstant(lower)
            asm.sse(compare, .xmm14, .xmm15)
            asm.jcc(.be, tooLow)
        }
        // In range.
        if signed {
            truncate(toSize)
        } else if bits == 32 {
            truncate(.s64)
            asm.mov(.s32, .rax, .rax)
        } else {
            // u64: values at or above 2^63 are converted after subtracting 2^63.
            let small = asm.newLabel()
            floatConstant(pow2(63))
            asm.sse(compare, .xmm14, .xmm15)
            asm.jcc(.b, small)
            asm.sse(is64Source ? .subsd : .subss, .xmm14, .xmm15)
            truncate(.s64)
            asm.mov(.s64, .rcx, Int64.min)
            asm.alu(.xor, .s64, .rax, .rcx)
            asm.jmp(done)
            asm.bind(small)
            truncate(.s64)
        }
        asm.jmp(done)
        asm.bind(tooHigh)
        if saturating {
            if signed {
                asm.mov(toSize, .rax, bits == 64 ? Int64.max : Int64(Int32.max))
            } else {
                asm.mov(.s64, .rax, bits == 64 ? -1 : Int64(UInt32.max))
            }
            asm.jmp(done)
        } else {
            asm.jmp(trapStub(.integerOverflow, inst.sourceOffset))
        }
        asm.bind(tooLow)
        if saturating {
            if signed {
                asm.mov(toSize, .rax, bits == 64 ? Int64.min : Int64(UInt32(bitPattern: Int32.min)))
            } else {
                asm.alu(.xor, .s32, .rax, .rax)
            }
        } else {
            asm.jmp(trapStub(.integerOverflow, inst.sourceOffset))
        }
        asm.bind(done)
        finish(inst.result, X64Reg.rax)
    }

    func pow2(_ n: Int) -> Double { Double(sign: .plus, exponent: n, significand: 1) }
}
