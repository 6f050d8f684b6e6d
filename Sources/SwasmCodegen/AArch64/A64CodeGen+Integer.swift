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
        useCounts.heldCompare(in: instructions, of: function) { Self.leavesFlags($0.opcode) }
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
        let left = gpr(a, temporary(0))
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
        asm.cmp(w, left, gpr(b, temporary(1), zeroRegister: true))
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
            // The icmp's own temporaries: its operands may have died at
            // the icmp, and this instruction's temporaries reuse their registers.
            let own = temporaries
            temporaries = fusedCompareTemporaries
            defer { temporaries = own }
            if let (operand, equal) = comparisonWithZero(previous) {
                // x == 0 or x != 0: one cbz/cbnz, no flags.
                let w = Self.width(function.type(of: operand))
                let r = gpr(operand, temporary(0))
                branch(ifZero: ifTrue == equal, w, r, label)
                return
            }
            let condition = compareFlags(previous)
            branch(ifTrue ? condition : condition.inverted, label)
            return
        }
        let r = gpr(value, temporary(0))
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
        if let previous, previous.opcode == .icmp, previous.results.first == value {
            let own = temporaries
            temporaries = fusedCompareTemporaries
            defer { temporaries = own }
            return compareFlags(previous)
        }
        asm.cmp(.w, gpr(value, temporary(0)), imm: 0)
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
            fusedCompareTemporaries = temporaries
            return
        }
        if inst.opcode == .uextend, function.type(of: inst.operands[0]) == .i32, let next, next.opcode == .iadd,
           useCounts.feedsOnly(inst, into: next, operand: 0), next.operands[1] != inst.result {
            // Explicit bounds checks add the access's end to the index in 64 bits.
            foldedExtension = inst
            foldedExtensionTemporaries = temporaries
            return
        }
        if isMultiplyAdd(inst, next: next) {
            fusedMultiply = inst
            fusedMultiplyTemporaries = temporaries
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
            let a = gpr(inst.operands[0], temporary(0))
            let b = gpr(inst.operands[1], temporary(1))
            let d = destination(inst.result, temporary(0))
            asm.mul(w, d, a, b)
            finish(inst.result, d, via: spare(1))
        case .sdiv, .udiv, .srem, .urem:
            divide(inst)
        case .ishl, .ushr, .sshr, .rotl, .rotr:
            shift(inst)
        case .clz, .ctz, .popcnt:
            bitCount(inst)
        case .icmp:
            let condition = compareFlags(inst)
            let d = destination(inst.result, temporary(0))
            asm.cset(.w, d, condition)
            finish(inst.result, d, via: spare(1))
        case .uextend, .ireduce:
            let a = gpr(inst.operands[0], temporary(0))
            let d = destination(inst.result, temporary(0))
            // An i32 is already zero-extended in its register (see the
            // invariants): widening it is at most a copy.
            if inst.opcode == .ireduce || function.type(of: inst.operands[0]) != .i32 {
                asm.mov(.w, d, a)
            } else if d != a {
                asm.mov(.x, d, a)
            }
            finish(inst.result, d, via: spare(1))
        case .sextend, .sext32, .sext8, .sext16:
            let bits: UInt32 = inst.opcode == .sext8 ? 8 : inst.opcode == .sext16 ? 16 : 32
            let a = gpr(inst.operands[0], temporary(0))
            let d = destination(inst.result, temporary(0))
            asm.signExtend(bits == 32 ? .x : Self.width(inst.type), d, a, fromBits: bits)
            finish(inst.result, d, via: spare(1))
        case .select:
            select(inst, previous: previous)
        case .load, .pload:
            load(inst, trap: inst.opcode == .load)
        case .store, .pstore:
            store(inst, trap: inst.opcode == .store)
        case .call, .callPtr:
            call(inst)
        case .jump:
            jump(inst.targets[0], using: branchMoveRegisters(inst))
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
            // All in the imul's temporaries: its operands may have died at
            // the imul, and this instruction's temporaries reuse their
            // registers; the addend is live across the imul, so they keep
            // clear of it.
            temporaries = fusedMultiplyTemporaries
            let a = gpr(product.operands[0], temporary(0))
            let b = gpr(product.operands[1], temporary(1))
            let c = gpr(addend, temporary(2), zeroRegister: true)
            let d = destination(inst.result, temporary(0))
            asm.madd(w, d, a, b, c)
            finish(inst.result, d, via: spare(1))
            return
        }
        var a = inst.operands[0], b = inst.operands[1]
        if let widened = foldedExtension {
            foldedExtension = nil
            a = widened.operands[0]
            // The extension's temporaries, for the same reason as madd's.
            temporaries = foldedExtensionTemporaries
        }
        if inst.opcode != .isub, isConstant(a), !isConstant(b) { swap(&a, &b) }
        let left = gpr(a, temporary(0))
        let d = destination(inst.result, temporary(0))
        if let bits = constantBits(b) {
            let negated = (0 &- bits) & w.mask
            if bits == 0 && inst.opcode != .band {
                if d != left { asm.mov(w, d, left) }
                finish(inst.result, d, via: spare(1))
                return
            }
            switch inst.opcode {
            case .iadd, .isub:
                let op: A64AddSubOp = inst.opcode == .iadd ? .add : .sub
                if A64Assembler.isAddSubImmediate(bits) {
                    asm.addSub(op, w, d, left, imm: bits)
                    finish(inst.result, d, via: spare(1))
                    return
                }
                if A64Assembler.isAddSubImmediate(negated) {
                    asm.addSub(op == .add ? .sub : .add, w, d, left, imm: negated)
                    finish(inst.result, d, via: spare(1))
                    return
                }
            default:
                if A64BitmaskImmediate.isEncodable(bits, width: w) {
                    asm.logical(Self.logicalOp(inst.opcode), w, d, left, imm: bits)
                    finish(inst.result, d, via: spare(1))
                    return
                }
            }
        }
        let right = gpr(b, temporary(1), zeroRegister: true)
        switch inst.opcode {
        case .iadd: asm.add(w, d, left, right)
        case .isub: asm.sub(w, d, left, right)
        default: asm.logical(Self.logicalOp(inst.opcode), w, d, left, right)
        }
        finish(inst.result, d, via: spare(1))
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
        let a = gpr(inst.operands[0], temporary(0))
        let b = gpr(inst.operands[1], temporary(1))
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
        if remainder {
            let quotient = temporary(2)
            let d = destination(inst.result, quotient)
            asm.binary(op, w, quotient, a, b)
            asm.msub(w, d, quotient, b, a)
            finish(inst.result, d, via: spare(0))
        } else {
            let d = destination(inst.result, temporary(0))
            asm.binary(op, w, d, a, b)
            finish(inst.result, d, via: spare(1))
        }
    }

    /// Shifts and rotates take their amount modulo the width, as wasm does.
    mutating func shift(_ inst: Instruction) {
        let w = Self.width(inst.type)
        let mask = UInt64(w.bits - 1)
        let a = gpr(inst.operands[0], temporary(0))
        let d = destination(inst.result, temporary(0))
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
            finish(inst.result, d, via: spare(1))
            return
        }
        var amount = gpr(inst.operands[1], temporary(1))
        let op: A64Binary
        switch inst.opcode {
        case .ishl: op = .lslv
        case .ushr: op = .lsrv
        case .sshr: op = .asrv
        case .rotr: op = .rorv
        default:
            // Left by n is right by -n (mod the width).
            asm.neg(w, temporary(1), amount)
            amount = temporary(1)
            op = .rorv
        }
        asm.binary(op, w, d, a, amount)
        finish(inst.result, d, via: spare(1))
    }

    mutating func bitCount(_ inst: Instruction) {
        let w = Self.width(inst.type)
        let a = gpr(inst.operands[0], temporary(0))
        let d = destination(inst.result, temporary(0))
        switch inst.opcode {
        case .clz:
            asm.unary(.clz, w, d, a)
        case .ctz:
            asm.unary(.rbit, w, temporary(1), a)
            asm.unary(.clz, w, d, temporary(1))
        default:
            // Bits per byte in the vector unit, then their sum.
            let v = vectorTemporary(0)
            asm.fmov(w == .x ? .d : .s, v, a)
            asm.cnt(v, v)
            asm.addv(v, v)
            asm.fmov(.s, d, v)
        }
        finish(inst.result, d, via: spare(1))
    }

    mutating func select(_ inst: Instruction, previous: Instruction?) {
        let (c, a, b) = (inst.operands[0], inst.operands[1], inst.operands[2])
        // Flags first: the loads and constants below leave them alone.
        let condition = conditionFlags(c, fusedWith: previous)
        if inst.type.isFloat {
            let t = Self.floatType(inst.type)
            let x = vreg(a, vectorTemporary(0), via: spare(0))
            let y = vreg(b, vectorTemporary(1), via: spare(0))
            let d = destination(inst.result, vectorTemporary(0))
            asm.fcsel(t, d, x, y, condition)
            finish(inst.result, d, via: spare(0))
            return
        }
        let w = Self.width(inst.type)
        let x = gpr(a, temporary(0), zeroRegister: true)
        let y = gpr(b, temporary(1), zeroRegister: true)
        let d = destination(inst.result, temporary(0))
        asm.csel(w, d, x, y, condition)
        finish(inst.result, d, via: spare(1))
    }

    // MARK: - Memory

    func accessBytes(_ inst: Instruction) -> Int { Self.accessBytes(inst) }

    static func accessBytes(_ inst: Instruction) -> Int {
        switch inst.width {
        case .full: return inst.type.byteSize
        case .s8, .u8: return 1
        case .s16, .u16: return 2
        case .s32, .u32: return 4
        }
    }

    /// Whether `[base + offset]` needs no register for the offset.
    static func reaches(_ offset: UInt64, bytes: Int) -> Bool {
        offset < 1 << 24 && A64Assembler.canAddress(offset: Int(offset), bytes: bytes)
    }

    /// Whether an integer ALU operation takes `bits` (its type's width) as
    /// an immediate, or needs no second operand at all (adding zero).
    static func aluTakesImmediate(_ opcode: Opcode, _ bits: UInt64, _ w: A64Width) -> Bool {
        if bits == 0 && opcode != .band { return true }
        switch opcode {
        case .iadd, .isub:
            return A64Assembler.isAddSubImmediate(bits) || A64Assembler.isAddSubImmediate((0 &- bits) & w.mask)
        default:
            return A64BitmaskImmediate.isEncodable(bits, width: w)
        }
    }

    /// The address of a load or store, in general temporaries 0 and 1
    /// (`rules.addressCount` of them).
    mutating func accessAddress(_ inst: Instruction) -> A64Mem {
        let bytes = accessBytes(inst)
        return inst.opcode == .load || inst.opcode == .store ? heapAddress(inst, bytes: bytes) : pointerAddress(inst, bytes: bytes)
    }

    /// [memory base + zero-extended index + offset]: one `uxtw` register
    /// address when there is no offset, else base + index in a temporary first.
    mutating func heapAddress(_ inst: Instruction, bytes: Int) -> A64Mem {
        let base = gpr(inst.operands[0], temporary(0))
        let offset = UInt64(bitPattern: inst.immediate)
        if let index = constantBits(inst.operands[1]) {
            return address(base, plus: index &+ offset, bytes: bytes, temp: spare(1))
        }
        let index = gpr(inst.operands[1], temporary(1))
        if offset == 0 { return .register(base, index, .uxtw, scaled: false) }
        asm.addSub(.add, .x, temporary(0), base, index, extend: .uxtw)
        return address(temporary(0), plus: offset, bytes: bytes, temp: spare(1))
    }

    /// [base + offset], with the offset in `temp` when no immediate reaches it.
    mutating func address(_ base: A64Reg, plus offset: UInt64, bytes: Int, temp: A64Reg?) -> A64Mem {
        if Self.reaches(offset, bytes: bytes) { return .offset(base, Int(offset)) }
        guard let temp else {
            preconditionFailure("AArch64 selection of \(temporaries.owner): offset \(offset) needs a temporary; none was granted")
        }
        asm.movImmediate(.x, temp, offset)
        return .register(base, temp, .lsl, scaled: false)
    }

    mutating func pointerAddress(_ inst: Instruction, bytes: Int) -> A64Mem {
        let base = gpr(inst.operands[0], temporary(0))
        if A64Assembler.canAddress(offset: Int(inst.immediate), bytes: bytes) { return .offset(base, Int(inst.immediate)) }
        asm.movImmediate(.x, temporary(1), UInt64(bitPattern: inst.immediate))
        return .register(base, temporary(1), .lsl, scaled: false)
    }

    mutating func load(_ inst: Instruction, trap: Bool) {
        let address = accessAddress(inst)
        if inst.type.isFloat {
            let d = destination(inst.result, vectorTemporary(0))
            if trap { recordTrap(.memoryOutOfBounds, inst.sourceOffset) }
            asm.load(inst.type == .f32 ? .s : .d, d, address)
            finish(inst.result, d, via: spare(0))
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
        // A load may overwrite its own base register.
        let d = destination(inst.result, temporary(0))
        if trap { recordTrap(.memoryOutOfBounds, inst.sourceOffset) }
        asm.loadStore(kind, d, address)
        finish(inst.result, d, via: spare(1))
    }

    mutating func store(_ inst: Instruction, trap: Bool) {
        let value = inst.operands[inst.opcode == .store ? 2 : 1]
        if inst.type.isFloat {
            // The value first, so that its load may use general temporary
            // 0 before the address takes it.
            let r = vreg(value, vectorTemporary(0), via: spare(0))
            let address = accessAddress(inst)
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
        let address = accessAddress(inst)
        let r = gpr(value, temporary(rules.addressCount(inst, bytes: accessBytes(inst))), zeroRegister: true)
        if trap { recordTrap(.memoryOutOfBounds, inst.sourceOffset) }
        asm.loadStore(kind, r, address)
    }
}
