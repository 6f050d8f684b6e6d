// Instruction selection for integer operations, memory accesses and
// selects, and the dispatch over all IR opcodes.
import SwasmABI
import SwasmIR

extension A64CodeGen {
    static func condition(_ c: IntCondition) -> A64Cond {
        switch c {
        case .eq: return .eq
        case .ne: return .ne
        case .slt: return .lt
        case .sle: return .le
        case .sgt: return .gt
        case .sge: return .ge
        case .ult: return .lo
        case .ule: return .ls
        case .ugt: return .hi
        case .uge: return .hs
        }
    }

    /// An icmp whose only use is the next instruction is emitted there, as
    /// flags feeding a conditional branch, a trap or a csel.
    func isFused(_ inst: Instruction, next: Instruction?) -> Bool {
        guard inst.opcode == .icmp, let next, useCounts.feedsOnly(inst, into: next, operand: 0) else { return false }
        switch next.opcode {
        case .brif, .trapnz, .trapz, .select: return true
        default: return false
        }
    }

    /// The condition of a block-ending br_if whose icmp (used only there)
    /// is followed by nothing but instructions whose selection leaves the
    /// flags alone (a loop's increment, loads and stores between its
    /// compare and its back edge). The icmp then sets the flags where it
    /// stands and the branch reads them: no cset, no cbnz.
    func heldCompare(in instructions: [Int]) -> Value? {
        guard instructions.count >= 3, let last = instructions.last else { return nil }
        let branch = function.instructions[last]
        guard branch.opcode == .brif, useCounts[branch.operands[0]] == 1 else { return nil }
        for k in stride(from: instructions.count - 2, through: 0, by: -1) {
            let inst = function.instructions[instructions[k]]
            if inst.opcode == .icmp, inst.results.first == branch.operands[0] { return branch.operands[0] }
            guard Self.leavesFlags(inst.opcode) else { return nil }
        }
        return nil
    }

    /// Opcodes whose selection sets no flags (moves, loads and constants
    /// never do).
    static func leavesFlags(_ opcode: Opcode) -> Bool {
        switch opcode {
        case .iconst, .fconst, .iadd, .isub, .imul, .band, .bor, .bxor, .ishl, .ushr, .sshr, .rotl, .rotr,
             .clz, .ctz, .popcnt, .uextend, .sextend, .ireduce, .sext8, .sext16, .sext32,
             .fadd, .fsub, .fmul, .fdiv, .fmin, .fmax, .fabs, .fneg, .fsqrt, .fceil, .ffloor, .ftrunc, .fnearest,
             .fpromote, .fdemote, .fcvtFromSint, .fcvtFromUint, .fcvtToSintSat, .fcvtToUintSat, .bitcast,
             .load, .store, .pload, .pstore:
            return true
        default:
            return false
        }
    }

    /// Emits the compare of an icmp and returns the condition that holds
    /// when the icmp is true.
    mutating func compareFlags(_ inst: Instruction) -> A64Cond {
        var a = inst.operands[0]
        var b = inst.operands[1]
        var condition = inst.intCondition
        if isConstant(a), !isConstant(b) {
            swap(&a, &b)
            condition = condition.swapped
        }
        let w = Self.width(function.type(of: a))
        let left = gpr(a, A64ABI.temporary0)
        if let bits = constantBits(b) {
            let negated = (0 &- bits) & w.mask
            if A64Assembler.isAddSubImmediate(bits) {
                asm.cmp(w, left, imm: bits)
                return Self.condition(condition)
            }
            if A64Assembler.isAddSubImmediate(negated) {
                asm.cmn(w, left, imm: negated)
                return Self.condition(condition)
            }
        }
        asm.cmp(w, left, gpr(b, A64ABI.temporary1, zeroRegister: true))
        return Self.condition(condition)
    }

    /// Branches to `label` when the condition value is true (or false): on
    /// the flags of a fused icmp, else by cbnz/cbz.
    mutating func branch(on value: Value, fusedWith previous: Instruction?, ifTrue: Bool, to label: A64Label) {
        if let held = heldFlags, held.value == value {
            heldFlags = nil
            branch(ifTrue ? held.condition : held.condition.inverted, label)
            return
        }
        if let previous, previous.opcode == .icmp, previous.results.first == value {
            if let (operand, equal) = comparisonWithZero(previous) {
                // x == 0 or x != 0: one cbz/cbnz, no flags.
                let w = Self.width(function.type(of: operand))
                let r = gpr(operand, A64ABI.temporary0)
                branch(ifZero: ifTrue == equal, w, r, label)
                return
            }
            let condition = compareFlags(previous)
            branch(ifTrue ? condition : condition.inverted, label)
            return
        }
        let r = gpr(value, A64ABI.temporary0)
        branch(ifZero: !ifTrue, .w, r, label)
    }

    /// The operand an `icmp eq/ne x, 0` tests, and whether it is eq.
    func comparisonWithZero(_ inst: Instruction) -> (Value, Bool)? {
        let condition = inst.intCondition
        guard condition == .eq || condition == .ne else { return nil }
        let (a, b) = (inst.operands[0], inst.operands[1])
        if constantBits(b) == 0, !isConstant(a) { return (a, condition == .eq) }
        if constantBits(a) == 0, !isConstant(b) { return (b, condition == .eq) }
        return nil
    }

    /// The flags for a condition value: a fused icmp's, or `cmp c, #0` (ne).
    mutating func conditionFlags(_ value: Value, fusedWith previous: Instruction?) -> A64Cond {
        if let previous, previous.opcode == .icmp, previous.results.first == value { return compareFlags(previous) }
        asm.cmp(.w, gpr(value, A64ABI.temporary0), imm: 0)
        return .ne
    }

    // MARK: - Dispatch

    mutating func emit(_ inst: Instruction, next: Instruction?) throws {
        if let held = heldCompareValue, inst.opcode == .icmp, inst.results.first == held {
            heldCompareValue = nil
            heldFlags = (held, compareFlags(inst))
            return
        }
        if isFused(inst, next: next) {
            fusedCompare = inst
            return
        }
        if inst.opcode == .uextend, function.type(of: inst.operands[0]) == .i32, let next, next.opcode == .iadd,
           useCounts.feedsOnly(inst, into: next, operand: 0), next.operands[1] != inst.result {
            // Explicit bounds checks add the access's end to the index in 64 bits.
            foldedExtension = inst
            return
        }
        if isMultiplyAdd(inst, next: next) {
            fusedMultiply = inst
            return
        }
        let previous = fusedCompare
        fusedCompare = nil
        switch inst.opcode {
        case .iconst, .fconst:
            break // rematerialized at each use
        case .iadd, .isub, .band, .bor, .bxor:
            aluBinary(inst)
        case .imul:
            let w = Self.width(inst.type)
            let a = gpr(inst.operands[0], A64ABI.temporary0)
            let b = gpr(inst.operands[1], A64ABI.temporary1)
            let d = destination(inst.result, A64ABI.temporary0)
            asm.mul(w, d, a, b)
            finish(inst.result, d)
        case .sdiv, .udiv, .srem, .urem:
            divide(inst)
        case .ishl, .ushr, .sshr, .rotl, .rotr:
            shift(inst)
        case .clz, .ctz, .popcnt:
            bitCount(inst)
        case .icmp:
            let condition = compareFlags(inst)
            let d = destination(inst.result, A64ABI.temporary0)
            asm.cset(.w, d, condition)
            finish(inst.result, d)
        case .uextend, .ireduce:
            let a = gpr(inst.operands[0], A64ABI.temporary0)
            let d = destination(inst.result, A64ABI.temporary0)
            // An i32 is already zero-extended in its register (see the
            // invariants): widening it is at most a copy.
            if inst.opcode == .ireduce || function.type(of: inst.operands[0]) != .i32 {
                asm.mov(.w, d, a)
            } else if d != a {
                asm.mov(.x, d, a)
            }
            finish(inst.result, d)
        case .sextend, .sext32, .sext8, .sext16:
            let bits: UInt32 = inst.opcode == .sext8 ? 8 : inst.opcode == .sext16 ? 16 : 32
            let a = gpr(inst.operands[0], A64ABI.temporary0)
            let d = destination(inst.result, A64ABI.temporary0)
            asm.signExtend(bits == 32 ? .x : Self.width(inst.type), d, a, fromBits: bits)
            finish(inst.result, d)
        case .select:
            select(inst, previous: previous)
        case .load:
            let address = heapAddress(inst, bytes: accessBytes(inst))
            load(inst, address, trap: true)
        case .store:
            let address = heapAddress(inst, bytes: accessBytes(inst))
            store(inst, address, value: inst.operands[2], trap: true)
        case .pload:
            let address = pointerAddress(inst, bytes: accessBytes(inst))
            load(inst, address)
        case .pstore:
            let address = pointerAddress(inst, bytes: accessBytes(inst))
            store(inst, address, value: inst.operands[1])
        case .call, .callPtr:
            call(inst)
        case .jump:
            jump(inst.targets[0])
        case .brif:
            branchIf(inst, previous: previous)
        case .brTable:
            branchTable(inst)
        case .ret:
            returnInstruction(inst)
        case .trap:
            recordTrap(inst.trapCode, inst.sourceOffset)
            asm.udf()
        case .epochCheck:
            epochCheck(inst)
        case .trapnz, .trapz:
            branch(on: inst.operands[0], fusedWith: previous, ifTrue: inst.opcode == .trapnz,
                   to: trapStub(inst.trapCode, inst.sourceOffset))
        default:
            try floatInstruction(inst)
        }
    }

    // MARK: - Arithmetic

    /// An imul whose only use is the next instruction, an iadd of the same
    /// type, becomes part of it: `madd d, a, b, c`.
    func isMultiplyAdd(_ inst: Instruction, next: Instruction?) -> Bool {
        guard inst.opcode == .imul, let next, next.opcode == .iadd, next.type == inst.type,
              next.operands[0] != next.operands[1] else { return false }
        return useCounts.feedsOnly(inst, into: next, operand: 0) || useCounts.feedsOnly(inst, into: next, operand: 1)
    }

    mutating func aluBinary(_ inst: Instruction) {
        let w = Self.width(inst.type)
        if let product = fusedMultiply {
            fusedMultiply = nil
            let addend = inst.operands[0] == product.result ? inst.operands[1] : inst.operands[0]
            let a = gpr(product.operands[0], A64ABI.temporary0)
            let b = gpr(product.operands[1], A64ABI.temporary1)
            let c = gpr(addend, A64ABI.temporary2, zeroRegister: true)
            let d = destination(inst.result, A64ABI.temporary0)
            asm.madd(w, d, a, b, c)
            finish(inst.result, d)
            return
        }
        var a = inst.operands[0], b = inst.operands[1]
        if let widened = foldedExtension {
            foldedExtension = nil
            a = widened.operands[0]
        }
        if inst.opcode != .isub, isConstant(a), !isConstant(b) { swap(&a, &b) }
        let left = gpr(a, A64ABI.temporary0)
        let d = destination(inst.result, A64ABI.temporary0)
        if let bits = constantBits(b) {
            let negated = (0 &- bits) & w.mask
            if bits == 0 && inst.opcode != .band {
                if d != left { asm.mov(w, d, left) }
                finish(inst.result, d)
                return
            }
            switch inst.opcode {
            case .iadd, .isub:
                let op: A64AddSubOp = inst.opcode == .iadd ? .add : .sub
                if A64Assembler.isAddSubImmediate(bits) {
                    asm.addSub(op, w, d, left, imm: bits)
                    finish(inst.result, d)
                    return
                }
                if A64Assembler.isAddSubImmediate(negated) {
                    asm.addSub(op == .add ? .sub : .add, w, d, left, imm: negated)
                    finish(inst.result, d)
                    return
                }
            default:
                if A64BitmaskImmediate.isEncodable(bits, width: w) {
                    asm.logical(Self.logicalOp(inst.opcode), w, d, left, imm: bits)
                    finish(inst.result, d)
                    return
                }
            }
        }
        let right = gpr(b, A64ABI.temporary1, zeroRegister: true)
        switch inst.opcode {
        case .iadd: asm.add(w, d, left, right)
        case .isub: asm.sub(w, d, left, right)
        default: asm.logical(Self.logicalOp(inst.opcode), w, d, left, right)
        }
        finish(inst.result, d)
    }

    static func logicalOp(_ opcode: Opcode) -> A64LogicalOp {
        switch opcode {
        case .band: return .and
        case .bor: return .orr
        default: return .eor
        }
    }

    /// AArch64 division never faults: division by zero and the one signed
    /// overflow (MIN / -1) are checked here. MIN rem -1 needs no check:
    /// sdiv gives MIN and msub then yields the 0 wasm wants.
    mutating func divide(_ inst: Instruction) {
        let w = Self.width(inst.type)
        let signed = inst.opcode == .sdiv || inst.opcode == .srem
        let remainder = inst.opcode == .srem || inst.opcode == .urem
        let a = gpr(inst.operands[0], A64ABI.temporary0)
        let b = gpr(inst.operands[1], A64ABI.temporary1)
        let divisor = constantBits(inst.operands[1])
        if divisor == nil || divisor == 0 {
            branch(ifZero: true, w, b, trapStub(.integerDivideByZero, inst.sourceOffset))
        }
        if signed && !remainder && (divisor == nil || divisor == w.mask) {
            // b == -1 ? flags of (a - 1) : nothing set; a - 1 overflows only for MIN.
            asm.cmn(w, b, imm: 1)
            asm.condCompare(negate: false, w, a, imm5: 1, nzcv: 0, .eq)
            branch(.vs, trapStub(.integerOverflow, inst.sourceOffset))
        }
        let op: A64Binary = signed ? .sdiv : .udiv
        let d = destination(inst.result, A64ABI.temporary2)
        if remainder {
            asm.binary(op, w, A64ABI.temporary2, a, b)
            asm.msub(w, d, A64ABI.temporary2, b, a)
        } else {
            asm.binary(op, w, d, a, b)
        }
        finish(inst.result, d)
    }

    /// Shifts and rotates take their amount modulo the width, as wasm does.
    mutating func shift(_ inst: Instruction) {
        let w = Self.width(inst.type)
        let mask = UInt64(w.bits - 1)
        let a = gpr(inst.operands[0], A64ABI.temporary0)
        let d = destination(inst.result, A64ABI.temporary0)
        if let bits = constantBits(inst.operands[1]) {
            let amount = UInt32(bits & mask)
            if amount == 0 {
                asm.mov(w, d, a)
            } else {
                switch inst.opcode {
                case .ishl: asm.lsl(w, d, a, amount)
                case .ushr: asm.lsr(w, d, a, amount)
                case .sshr: asm.asr(w, d, a, amount)
                case .rotr: asm.ror(w, d, a, amount)
                default: asm.ror(w, d, a, UInt32(w.bits) - amount)
                }
            }
            finish(inst.result, d)
            return
        }
        var amount = gpr(inst.operands[1], A64ABI.temporary1)
        let op: A64Binary
        switch inst.opcode {
        case .ishl: op = .lslv
        case .ushr: op = .lsrv
        case .sshr: op = .asrv
        case .rotr: op = .rorv
        default:
            // Left by n is right by -n (mod the width).
            asm.neg(w, A64ABI.temporary1, amount)
            amount = A64ABI.temporary1
            op = .rorv
        }
        asm.binary(op, w, d, a, amount)
        finish(inst.result, d)
    }

    mutating func bitCount(_ inst: Instruction) {
        let w = Self.width(inst.type)
        let a = gpr(inst.operands[0], A64ABI.temporary0)
        let d = destination(inst.result, A64ABI.temporary0)
        switch inst.opcode {
        case .clz:
            asm.unary(.clz, w, d, a)
        case .ctz:
            asm.unary(.rbit, w, A64ABI.temporary1, a)
            asm.unary(.clz, w, d, A64ABI.temporary1)
        default:
            // Bits per byte in the vector unit, then their sum.
            let v = A64ABI.floatTemporary0
            asm.fmov(w == .x ? .d : .s, v, a)
            asm.cnt(v, v)
            asm.addv(v, v)
            asm.fmov(.s, d, v)
        }
        finish(inst.result, d)
    }

    mutating func select(_ inst: Instruction, previous: Instruction?) {
        let (c, a, b) = (inst.operands[0], inst.operands[1], inst.operands[2])
        // Flags first: the loads and constants below leave them alone.
        let condition = conditionFlags(c, fusedWith: previous)
        if inst.type.isFloat {
            let t = Self.floatType(inst.type)
            let x = vreg(a, A64ABI.floatTemporary0)
            let y = vreg(b, A64ABI.floatTemporary1)
            let d = destination(inst.result, A64ABI.floatTemporary0)
            asm.fcsel(t, d, x, y, condition)
            finish(inst.result, d)
            return
        }
        let w = Self.width(inst.type)
        let x = gpr(a, A64ABI.temporary0, zeroRegister: true)
        let y = gpr(b, A64ABI.temporary1, zeroRegister: true)
        let d = destination(inst.result, A64ABI.temporary0)
        asm.csel(w, d, x, y, condition)
        finish(inst.result, d)
    }

    // MARK: - Memory

    func accessBytes(_ inst: Instruction) -> Int {
        switch inst.width {
        case .full: return inst.type.byteSize
        case .s8, .u8: return 1
        case .s16, .u16: return 2
        case .s32, .u32: return 4
        }
    }

    /// [memory base + zero-extended index + offset]: one `uxtw` register
    /// address when there is no offset, else base + index in x16 first.
    mutating func heapAddress(_ inst: Instruction, bytes: Int) -> A64Mem {
        let base = gpr(inst.operands[0], A64ABI.temporary0)
        let offset = UInt64(bitPattern: inst.immediate)
        if let index = constantBits(inst.operands[1]) {
            return address(base, plus: index + offset, bytes: bytes)
        }
        let index = gpr(inst.operands[1], A64ABI.temporary1)
        if offset == 0 { return .register(base, index, .uxtw, scaled: false) }
        asm.addSub(.add, .x, A64ABI.temporary0, base, index, extend: .uxtw)
        return address(A64ABI.temporary0, plus: offset, bytes: bytes)
    }

    /// [base + offset], with the offset in x17 when no immediate reaches it.
    mutating func address(_ base: A64Reg, plus offset: UInt64, bytes: Int) -> A64Mem {
        if offset < 1 << 24, A64Assembler.canAddress(offset: Int(offset), bytes: bytes) { return .offset(base, Int(offset)) }
        asm.movImmediate(.x, A64ABI.temporary1, offset)
        return .register(base, A64ABI.temporary1, .lsl, scaled: false)
    }

    mutating func pointerAddress(_ inst: Instruction, bytes: Int) -> A64Mem {
        let base = gpr(inst.operands[0], A64ABI.temporary0)
        if A64Assembler.canAddress(offset: Int(inst.immediate), bytes: bytes) { return .offset(base, Int(inst.immediate)) }
        asm.movImmediate(.x, A64ABI.temporary1, UInt64(bitPattern: inst.immediate))
        return .register(base, A64ABI.temporary1, .lsl, scaled: false)
    }

    mutating func load(_ inst: Instruction, _ address: A64Mem, trap: Bool = false) {
        if inst.type.isFloat {
            let d = destination(inst.result, A64ABI.floatTemporary0)
            if trap { recordTrap(.memoryOutOfBounds, inst.sourceOffset) }
            asm.load(inst.type == .f32 ? .s : .d, d, address)
            finish(inst.result, d)
            return
        }
        let is64 = inst.type == .i64
        let kind: A64IntAccess
        switch inst.width {
        case .full: kind = is64 ? .ldrX : .ldrW
        case .s8: kind = is64 ? .ldrsbX : .ldrsbW
        case .u8: kind = .ldrb
        case .s16: kind = is64 ? .ldrshX : .ldrshW
        case .u16: kind = .ldrh
        case .s32: kind = .ldrsw
        case .u32: kind = .ldrW
        }
        let d = destination(inst.result, A64ABI.temporary2)
        if trap { recordTrap(.memoryOutOfBounds, inst.sourceOffset) }
        asm.loadStore(kind, d, address)
        finish(inst.result, d)
    }

    mutating func store(_ inst: Instruction, _ address: A64Mem, value: Value, trap: Bool = false) {
        if inst.type.isFloat {
            let r = vreg(value, A64ABI.floatTemporary0)
            if trap { recordTrap(.memoryOutOfBounds, inst.sourceOffset) }
            asm.store(inst.type == .f32 ? .s : .d, r, address)
            return
        }
        let kind: A64IntAccess
        switch accessBytes(inst) {
        case 1: kind = .strb
        case 2: kind = .strh
        case 4: kind = .strW
        default: kind = .strX
        }
        let r = gpr(value, A64ABI.temporary2, zeroRegister: true)
        if trap { recordTrap(.memoryOutOfBounds, inst.sourceOffset) }
        asm.loadStore(kind, r, address)
    }
}
