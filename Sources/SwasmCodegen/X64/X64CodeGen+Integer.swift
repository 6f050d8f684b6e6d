// Instruction selection for integer operations, memory accesses and
// selects, and the dispatch over all IR opcodes.
import SwasmABI
import SwasmIR

extension X64CodeGen {
    static func condition(_ c: IntCondition) -> X64Cond {
        switch c {
        case .eq: return .e
        case .ne: return .ne
        case .slt: return .l
        case .sle: return .le
        case .sgt: return .g
        case .sge: return .ge
        case .ult: return .b
        case .ule: return .be
        case .ugt: return .a
        case .uge: return .ae
        }
    }

    /// An icmp whose only use is the next instruction is emitted there, as
    /// flags feeding a jump, a trap or a cmov.
    func isFused(_ inst: Instruction, next: Instruction?) -> Bool {
        guard inst.opcode == .icmp, let next, useCounts.feedsOnly(inst, into: next, operand: 0) else { return false }
        switch next.opcode {
        case .brif, .trapnz, .trapz: return true
        case .select: return !next.type.isFloat
        default: return false
        }
    }

    /// The condition of a block-ending br_if whose icmp (used only there)
    /// is followed by nothing but instructions that can leave the flags
    /// alone: constants and adds of an immediate, emitted as `lea` (a loop's
    /// increment between its compare and its back edge). The icmp then sets
    /// the flags where it stands, its operands need not live to the branch,
    /// and no setcc/test pair is needed.
    func heldCompare(in instructions: [Int]) -> Value? {
        useCounts.heldCompare(in: instructions, of: function) { leavesFlags($0) }
    }

    func leavesFlags(_ inst: Instruction) -> Bool {
        switch inst.opcode {
        case .iconst, .fconst:
            return true
        case .iadd, .isub:
            guard inst.results.count == 1, !isConstant(inst.operands[0]),
                  case .immediate(let imm) = peekSource(inst.operands[1]) else { return false }
            return inst.opcode == .iadd || imm != Int32.min
        default:
            return false
        }
    }

    /// Folds that the bounds checks of explicit mode rely on: a pload used
    /// only as the second operand of the next icmp becomes its memory operand
    /// (`cmp end, [vmctx + length]`), and a zero-extension of an i32 used only
    /// by the next `iadd.i64 x, imm` disappears into a 64-bit `lea` (i32s are
    /// kept zero-extended, so the register already holds the i64).
    ///
    /// The icmp computes the folded pload's address with its own
    /// temporaries, so the pload's base must not sit in the one the icmp
    /// loads its first operand into: the base's life ended at the pload.
    func isFolded(_ inst: Instruction, next: Instruction?, nextIndex: Int?) -> Bool {
        guard let next, let nextIndex, inst.results.count == 1, useCounts[inst.result] == 1 else { return false }
        switch inst.opcode {
        case .pload:
            guard inst.width == .full && next.opcode == .icmp && next.operands[1] == inst.result
                && next.operands[0] != inst.result && !isConstant(next.operands[0]) else { return false }
            if case .register = location(next.operands[0]) { return true }
            if case .register(let base) = location(inst.operands[0]),
               allocation.temporaries(at: nextIndex).general.first == base { return false }
            return true
        case .uextend:
            return inst.type == .i64 && function.type(of: inst.operands[0]) == .i32 && next.opcode == .iadd
                && next.type == .i64 && next.operands[0] == inst.result && next.operands[1] != inst.result
                && isImmediate(next.operands[1])
        default:
            return false
        }
    }

    func isImmediate(_ value: Value) -> Bool {
        if case .immediate = peekSource(value) { return true }
        return false
    }

    /// Emits `cmp a, b` for an icmp and returns the x86 condition, in the
    /// icmp's temporaries (`temps` while it is emitted).
    mutating func compareFlags(_ inst: Instruction) -> X64Cond {
        var a = inst.operands[0]
        var b = inst.operands[1]
        var condition = inst.intCondition
        if case .constant = location(a), !isConstant(b) {
            swap(&a, &b)
            condition = condition.swapped
        }
        let size = Self.size(function.type(of: a))
        let left = gpr(a, temps.gpr(0))
        switch source(b, temporary: 1) {
        case .register(let r): asm.cmp(size, left, r)
        case .memory(let m): asm.cmp(size, left, m)
        case .immediate(let i):
            if i == 0 && (condition == .eq || condition == .ne) { asm.test(size, left, left) } else { asm.cmp(size, left, i) }
        }
        return Self.condition(condition)
    }

    func isConstant(_ value: Value) -> Bool {
        if case .constant = location(value) { return true }
        return false
    }

    /// Flags for a condition value: fused compare, or `test c, c` (ne).
    mutating func conditionFlags(_ value: Value, fusedWith previous: Instruction?) -> X64Cond {
        if let held = heldFlags, held.value == value {
            heldFlags = nil
            return held.condition
        }
        if let previous, previous.opcode == .icmp, previous.results.first == value, pendingFusedCompare == value {
            pendingFusedCompare = nil
            // The icmp's operands lived to the icmp only: its temporaries
            // keep clear of them, this instruction's need not.
            let own = temps
            temps = fusedCompareTemporaries
            defer { temps = own }
            return compareFlags(previous)
        }
        switch location(value) {
        case .slot(let s): asm.cmp(.s32, slotAddress(s), 0)
        case .register(let r):
            asm.test(.s32, X64Reg(rawValue: r)!, X64Reg(rawValue: r)!)
        default:
            // A constant condition (left by an unoptimized build).
            let r = gpr(value, temps.gpr(0))
            asm.test(.s32, r, r)
        }
        return .ne
    }

    // MARK: - Dispatch

    mutating func emit(_ inst: Instruction, index: Int, next: Instruction?, nextIndex: Int?) throws {
        temps = temporaries(at: index)
        if let held = heldCompareValue, inst.opcode == .icmp, inst.results.first == held {
            heldCompareValue = nil
            heldFlags = (held, compareFlags(inst))
            return
        }
        if isFolded(inst, next: next, nextIndex: nextIndex) {
            foldedOperand = inst
            return
        }
        if isFused(inst, next: next) {
            pendingFusedCompare = inst.result
            fusedCompare = inst
            fusedCompareTemporaries = temps
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
            multiply(inst)
        case .sdiv, .udiv, .srem, .urem:
            divide(inst)
        case .ishl, .ushr, .sshr, .rotl, .rotr:
            shift(inst)
        case .clz, .ctz, .popcnt:
            bitCount(inst)
        case .icmp:
            let condition = compareFlags(inst)
            // The operands are read: the result's register may be one of theirs.
            let d = destination(inst.result, temps.gpr(0))
            asm.setcc(condition, d)
            asm.movzx(.s32, d, d, from: .s8)
            finish(inst.result, d)
        case .uextend, .ireduce:
            let d = destination(inst.result, temps.gpr(0))
            switch source(inst.operands[0], temporary: 0, allowImmediate: false) {
            case .register(let r): asm.mov(.s32, d, r)
            case .memory(let m): asm.mov(.s32, d, m)
            case .immediate: break
            }
            finish(inst.result, d)
        case .sextend, .sext32:
            let d = destination(inst.result, temps.gpr(0))
            switch source(inst.operands[0], temporary: 0, allowImmediate: false) {
            case .register(let r): asm.movsxd(d, r)
            case .memory(let m): asm.movsxd(d, m)
            case .immediate: break
            }
            finish(inst.result, d)
        case .sext8, .sext16:
            let d = destination(inst.result, temps.gpr(0))
            let r = gpr(inst.operands[0], temps.gpr(0))
            asm.movsx(Self.size(inst.type), d, r, from: inst.opcode == .sext8 ? .s8 : .s16)
            finish(inst.result, d)
        case .select:
            try select(inst, previous: previous)
        case .load:
            heapLoad(inst)
        case .store:
            heapStore(inst)
        case .pload:
            let base = gpr(inst.operands[0], temps.gpr(0))
            load(inst, X64Mem(base, Int32(inst.immediate)))
        case .pstore:
            let base = gpr(inst.operands[0], temps.gpr(0))
            store(inst, X64Mem(base, Int32(inst.immediate)), value: inst.operands[1], valueTemporary: 1)
        case .call, .callPtr:
            try call(inst)
        case .jump:
            try jump(inst.targets[0])
        case .brif:
            try branchIf(inst, previous: previous)
        case .brTable:
            try branchTable(inst)
        case .ret:
            try returnInstruction(inst)
        case .trap:
            recordTrap(inst.trapCode, inst.sourceOffset)
            asm.ud2()
        case .epochCheck:
            epochCheck(inst)
        case .trapnz, .trapz:
            var condition = conditionFlags(inst.operands[0], fusedWith: previous)
            if inst.opcode == .trapz { condition = condition.inverted }
            asm.jcc(condition, trapStub(inst.trapCode, inst.sourceOffset))
        default:
            try floatInstruction(inst)
        }
    }

    // MARK: - Arithmetic

    mutating func aluBinary(_ inst: Instruction) {
        let op: X64AluOp
        switch inst.opcode {
        case .iadd: op = .add
        case .isub: op = .sub
        case .band: op = .and
        case .bor: op = .or
        default: op = .xor
        }
        let size = Self.size(inst.type)
        let a = inst.operands[0], b = inst.operands[1]
        if heldFlags != nil, op == .add || op == .sub, case .immediate(let imm) = peekSource(b) {
            let d = destination(inst.result, temps.gpr(0))
            asm.lea(size, d, X64Mem(gpr(a, temps.gpr(0)), op == .add ? imm : -imm))
            finish(inst.result, d)
            return
        }
        if let widened = foldedOperand, widened.opcode == .uextend, widened.result == a,
           case .immediate(let imm) = peekSource(b) {
            foldedOperand = nil
            // The extended value's life ended at the uextend, but lea reads
            // it before writing anything.
            let d = destination(inst.result, temps.gpr(0))
            asm.lea(.s64, d, X64Mem(gpr(widened.operands[0], temps.gpr(0)), imm))
            finish(inst.result, d)
            return
        }
        var d = destination(inst.result, temps.gpr(0))
        let commutative = op != .sub
        if case .register(let rb) = location(b), rb == d.rawValue, location(a) != location(b) {
            if commutative {
                applyAlu(op, size, d, a)
                finish(inst.result, d)
                return
            }
            d = temps.gpr(0)
        }
        // lea for three-address add of a register and a small constant.
        if op == .add, case .register(let ra) = location(a), case .immediate(let imm) = peekSource(b), ra != d.rawValue {
            asm.lea(size, d, X64Mem(X64Reg(rawValue: ra)!, imm))
            finish(inst.result, d)
            return
        }
        load(d, a)
        applyAlu(op, size, d, b)
        finish(inst.result, d)
    }

    func peekSource(_ value: Value) -> Source {
        if case .constant(let bits) = location(value) {
            let normalized = function.type(of: value) == .i32 ? Int64(Int32(truncatingIfNeeded: bits)) : bits
            if let imm = Int32(exactly: normalized) { return .immediate(imm) }
        }
        return .register(.rax)
    }

    mutating func applyAlu(_ op: X64AluOp, _ size: OperandSize, _ d: X64Reg, _ value: Value) {
        switch source(value, temporary: 1) {
        case .register(let r): asm.alu(op, size, d, r)
        case .memory(let m): asm.alu(op, size, d, m)
        case .immediate(let i): asm.alu(op, size, d, i)
        }
    }

    mutating func multiply(_ inst: Instruction) {
        let size = Self.size(inst.type)
        let a = inst.operands[0], b = inst.operands[1]
        let d = destination(inst.result, temps.gpr(0))
        if case .immediate(let imm) = peekSource(b) {
            let r = gpr(a, d)
            asm.imul(size, d, r, imm)
            finish(inst.result, d)
            return
        }
        if case .register(let rb) = location(b), rb == d.rawValue {
            switch source(a, temporary: 1, allowImmediate: false) {
            case .register(let r): asm.imul(size, d, r)
            case .memory(let m): asm.imul(size, d, m)
            case .immediate: break
            }
            finish(inst.result, d)
            return
        }
        load(d, a)
        switch source(b, temporary: 1, allowImmediate: false) {
        case .register(let r): asm.imul(size, d, r)
        case .memory(let m): asm.imul(size, d, m)
        case .immediate: break
        }
        finish(inst.result, d)
    }

    mutating func divide(_ inst: Instruction) {
        let size = Self.size(inst.type)
        let signed = inst.opcode == .sdiv || inst.opcode == .srem
        let remainder = inst.opcode == .srem || inst.opcode == .urem
        // rax and rdx are the instruction's clobbers: no operand is there.
        load(.rax, inst.operands[0])
        let divisor: Source = source(inst.operands[1], temporary: 0, allowImmediate: false)
        let done = asm.newLabel()
        if signed {
            // x86 faults on MIN / -1: sdiv traps (overflow), srem yields 0.
            let normal = asm.newLabel()
            switch divisor {
            case .register(let r): asm.cmp(size, r, -1)
            case .memory(let m): asm.cmp(size, m, -1)
            case .immediate: break
            }
            asm.jcc(.ne, normal)
            if remainder {
                asm.alu(.xor, .s32, .rdx, .rdx)
            } else {
                if size == .s32 {
                    asm.cmp(.s32, .rax, Int32.min)
                } else {
                    asm.mov(.s64, .rdx, Int64.min)
                    asm.cmp(.s64, .rax, .rdx)
                }
                asm.jcc(.e, trapStub(.integerOverflow, inst.sourceOffset))
                asm.neg(size, .rax)
            }
            asm.jmp(done)
            asm.bind(normal)
            if size == .s32 { asm.cdq() } else { asm.cqo() }
        } else {
            asm.alu(.xor, .s32, .rdx, .rdx)
        }
        recordTrap(.integerDivideByZero, inst.sourceOffset)
        switch divisor {
        case .register(let r): signed ? asm.idiv(size, r) : asm.div(size, r)
        case .memory(let m): signed ? asm.idiv(size, m) : asm.div(size, m)
        case .immediate: break
        }
        asm.bind(done)
        finish(inst.result, remainder ? .rdx : .rax)
    }

    mutating func shift(_ inst: Instruction) {
        let size = Self.size(inst.type)
        let op: X64ShiftOp
        switch inst.opcode {
        case .ishl: op = .shl
        case .ushr: op = .shr
        case .sshr: op = .sar
        case .rotl: op = .rol
        default: op = .ror
        }
        let mask: Int64 = size == .s32 ? 31 : 63
        if case .constant(let bits) = location(inst.operands[1]) {
            let d = destination(inst.result, temps.gpr(0))
            load(d, inst.operands[0])
            let amount = UInt8(bits & mask)
            if amount != 0 { asm.shift(op, size, d, amount) } else if size == .s32 { asm.mov(.s32, d, d) }
            finish(inst.result, d)
            return
        }
        // rcx is the instruction's clobber: neither operand nor the result is there.
        load(.rcx, inst.operands[1])
        let d = destination(inst.result, temps.gpr(0))
        load(d, inst.operands[0])
        asm.shiftByCL(op, size, d)
        finish(inst.result, d)
    }

    mutating func bitCount(_ inst: Instruction) {
        let size = Self.size(inst.type)
        let d = destination(inst.result, temps.gpr(0))
        let r = gpr(inst.operands[0], d)
        switch inst.opcode {
        case .clz: asm.lzcnt(size, d, r)
        case .ctz: asm.tzcnt(size, d, r)
        default: asm.popcnt(size, d, r)
        }
        finish(inst.result, d)
    }

    mutating func select(_ inst: Instruction, previous: Instruction?) throws {
        let (c, a, b) = (inst.operands[0], inst.operands[1], inst.operands[2])
        if inst.type.isFloat {
            let d = destination(inst.result, temps.xmm(0))
            let condition = conditionFlags(c, fusedWith: previous)
            let skip = asm.newLabel()
            let done = asm.newLabel()
            asm.jcc(condition.inverted, skip)
            load(d, a)
            asm.jmp(done)
            asm.bind(skip)
            load(d, b)
            asm.bind(done)
            finish(inst.result, d)
            return
        }
        let size: OperandSize = inst.type == .i32 ? .s32 : .s64
        // Flags first (moves leave them alone), then one value in the
        // result's register and a cmov of the other over it. The result's
        // register may be the true value's: then the false one moves over
        // it on the inverted condition.
        let condition = conditionFlags(c, fusedWith: previous)
        let d = destination(inst.result, temps.gpr(0))
        let (kept, moved, cond): (Value, Value, X64Cond)
        if case .register(let r) = location(a), r == d.rawValue { (kept, moved, cond) = (a, b, condition.inverted) }
        else { (kept, moved, cond) = (b, a, condition) }
        load(d, kept)
        switch source(moved, temporary: 1, allowImmediate: false) {
        case .register(let r): asm.cmovcc(cond, size, d, r)
        case .memory(let m): asm.cmovcc(cond, size, d, m)
        case .immediate: break
        }
        finish(inst.result, d)
    }

    // MARK: - Memory

    /// [memory base + zero-extended index + offset], base and index in
    /// general temporaries 0 and 1 if not in registers; offsets past 2 GiB
    /// are added into temporary 0 first.
    mutating func heapAddress(_ inst: Instruction) -> X64Mem {
        let base = gpr(inst.operands[0], temps.gpr(0))
        // A constant address (static data) needs no index register.
        if case .constant(let bits) = location(inst.operands[1]),
           let displacement = Int32(exactly: Int64(UInt32(truncatingIfNeeded: bits)) + inst.immediate) {
            return X64Mem(base, displacement)
        }
        let index = gpr(inst.operands[1], temps.gpr(1))
        if inst.immediate <= Int64(Int32.max) {
            return X64Mem(base, index, scale: 1, Int32(inst.immediate))
        }
        asm.lea(.s64, temps.gpr(0), X64Mem(base, index, scale: 1, 0))
        asm.mov(.s64, temps.gpr(1), inst.immediate)
        asm.add(.s64, temps.gpr(0), temps.gpr(1))
        return X64Mem(temps.gpr(0), 0)
    }

    mutating func heapLoad(_ inst: Instruction) {
        let address = heapAddress(inst)
        load(inst, address, trap: true)
    }

    mutating func heapStore(_ inst: Instruction) {
        let address = heapAddress(inst)
        store(inst, address, value: inst.operands[2], valueTemporary: 2, trap: true)
    }

    /// A load into the result's register, or into temporary 0 of its
    /// class (which the address may use: the load reads it first).
    mutating func load(_ inst: Instruction, _ address: X64Mem, trap: Bool = false) {
        if inst.type.isFloat {
            let d = destination(inst.result, temps.xmm(0))
            if trap { recordTrap(.memoryOutOfBounds, inst.sourceOffset) }
            if inst.type == .f32 { asm.movss(d, address) } else { asm.movsd(d, address) }
            finish(inst.result, d)
            return
        }
        let d = destination(inst.result, temps.gpr(0))
        let size = Self.size(inst.type)
        if trap { recordTrap(.memoryOutOfBounds, inst.sourceOffset) }
        switch inst.width {
        case .full: asm.mov(size, d, address)
        case .s8: asm.movsx(size, d, address, from: .s8)
        case .u8: asm.movzx(.s32, d, address, from: .s8)
        case .s16: asm.movsx(size, d, address, from: .s16)
        case .u16: asm.movzx(.s32, d, address, from: .s16)
        case .s32: asm.movsxd(d, address)
        case .u32: asm.mov(.s32, d, address)
        }
        finish(inst.result, d)
    }

    /// A store of `value`: a float through vector temporary 0, an integer
    /// through general temporary `valueTemporary` (the address may use the
    /// ones before it) unless it is in a register or an immediate.
    mutating func store(_ inst: Instruction, _ address: X64Mem, value: Value, valueTemporary: Int, trap: Bool = false) {
        if inst.type.isFloat {
            let r = xmm(value, temps.xmm(0))
            if trap { recordTrap(.memoryOutOfBounds, inst.sourceOffset) }
            if inst.type == .f32 { asm.movss(address, r) } else { asm.movsd(address, r) }
            return
        }
        let size: OperandSize
        switch inst.width {
        case .full: size = Self.size(inst.type)
        case .s8, .u8: size = .s8
        case .s16, .u16: size = .s16
        case .s32, .u32: size = .s32
        }
        if case .immediate(let imm) = peekSource(value), size != .s64 || Int64(imm) == constantBits(value) {
            if trap { recordTrap(.memoryOutOfBounds, inst.sourceOffset) }
            let narrowed: Int32
            switch size {
            case .s8: narrowed = Int32(Int8(truncatingIfNeeded: imm))
            case .s16: narrowed = Int32(Int16(truncatingIfNeeded: imm))
            default: narrowed = imm
            }
            asm.mov(size, address, narrowed)
            return
        }
        let r = gpr(value, temps.gpr(valueTemporary))
        if trap { recordTrap(.memoryOutOfBounds, inst.sourceOffset) }
        asm.mov(size, address, r)
    }

    func constantBits(_ value: Value) -> Int64? {
        if case .constant(let bits) = location(value) { return bits }
        return nil
    }
}
