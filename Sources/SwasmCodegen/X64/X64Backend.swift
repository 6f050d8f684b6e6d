// The x86-64 backend: System V AMD64, SSE4.1, POPCNT, LZCNT and BMI1.
import SwasmABI
import SwasmIR

public enum X64Backend: Backend {
    public static let target = CodeTarget.x86_64
    public static let requiredFeatures = CPUFeatures.x86_64Baseline
    /// int3.
    public static let padding: [UInt8] = [0xCC]
    public static let registers = X64ABI.registers
    public static let callingConvention = CallingConvention.sysV

    /// Register-allocates and encodes one optimized IR function.
    public static func compile(_ function: Function, listing: Bool = false) throws -> CompiledFunction {
        try X64CodeGen.compile(function, listing: listing)
    }
}

/// The registers of x86-64 as the machine layer sees them.
public enum X64ABI {
    /// Every register but rsp and rbp (the stack and the frame chain) is
    /// allocatable. Instruction selection gets the registers it writes
    /// beyond an instruction's result from the allocator, per instruction:
    /// `temporaries` says how many of each class, `clobbers` which fixed
    /// registers an instruction's encoding names (rax and rdx for division,
    /// rcx for a variable shift count). Reserving rax, rcx, r11, xmm14 and
    /// xmm15 for selection instead kept three of fourteen general and two
    /// of sixteen vector registers from values everywhere, though most
    /// instructions need a temporary only where an operand is spilled.
    ///
    /// Caller-saved registers that no argument uses come first: a
    /// temporary starts before its instruction's result, so temporaries
    /// take the first free ones, and r11 and rax (where no argument needs
    /// a value) serve best. The argument registers follow, rcx and rdx last
    /// (a shift's count, a division's clobbers), then the callee-saved ones
    /// a function must save. The order changes code size by under 1%.
    public static let registers = RegisterFile(
        classes: PerClass(
            general: RegisterClass(
                allocatable: [X64Reg.r11, .rax, .r10, .rsi, .rdi, .r8, .r9, .rcx, .rdx,
                              .rbx, .r12, .r13, .r14, .r15].map(\.rawValue),
                calleeSaved: Set([X64Reg.rbx, .r12, .r13, .r14, .r15].map(\.rawValue))),
            vector: RegisterClass(allocatable: (0..<16).map { UInt8($0) }, calleeSaved: [])))
    /// Callee-saved registers in push order.
    static let savedOrder: [X64Reg] = [.rbx, .r12, .r13, .r14, .r15]

    /// The fixed registers instruction `index`'s encoding writes: rax and
    /// rdx for division (rdx:rax), rcx for a shift or rotate by a variable
    /// count (cl). Everything else selection writes is a temporary.
    public static func clobbers(_ function: Function, _ index: Int) -> Clobbers {
        clobbers(OperandView(function), index)
    }

    static func clobbers(_ view: OperandView, _ index: Int) -> Clobbers {
        let none = PerClass<UInt64>(general: 0, vector: 0)
        switch view.instructions[index].opcode {
        case .sdiv, .udiv, .srem, .urem:
            return PerClass(general: bit(.rax) | bit(.rdx), vector: 0)
        case .ishl, .ushr, .sshr, .rotl, .rotr:
            return view.isConstant(view.instructions[index].operands[1]) ? none : PerClass(general: bit(.rcx), vector: 0)
        default:
            return none
        }
    }

    static func bit(_ register: X64Reg) -> UInt64 { 1 << UInt64(register.rawValue) }
    static func bit(_ register: XmmReg) -> UInt64 { 1 << UInt64(register.rawValue) }

    /// A function's values and instructions, read once per question:
    /// each read of a `Function`'s arrays retains them (and checks
    /// exclusive access in debug builds), and these questions are asked
    /// for every instruction.
    struct OperandView {
        let function: Function
        let values: [ValueData]
        let instructions: [Instruction]

        init(_ function: Function) {
            self.function = function
            values = function.values
            instructions = function.instructions
        }

        func type(of value: Value) -> IRType { values[Int(value.index)].type }

        func definingOpcode(_ value: Value) -> Opcode? {
            guard case .result(let instruction, _) = values[Int(value.index)].definition else { return nil }
            return instructions[instruction].opcode
        }

        /// An iconst or fconst (rematerialized at each use).
        func isConstant(_ value: Value) -> Bool {
            let opcode = definingOpcode(value)
            return opcode == .iconst || opcode == .fconst
        }

        /// An integer constant that no 32-bit immediate holds: selection
        /// materializes it in a temporary.
        func isWideConstant(_ value: Value) -> Bool {
            guard case .result(let instruction, _) = values[Int(value.index)].definition,
                  instructions[instruction].opcode == .iconst else { return false }
            return type(of: value) == .i64 && Int32(exactly: instructions[instruction].immediate) == nil
        }

        func isDefined(_ value: Value, by opcode: Opcode) -> Bool { definingOpcode(value) == opcode }
    }

    /// The temporaries instruction `index`'s selection may use, each class
    /// counted for the worst case over where its operands and result live
    /// (a spilled operand is loaded into one, a spilled result computed in
    /// one). Constants are known here, so a count leaves out what an
    /// immediate spares.
    public static func temporaries(_ function: Function, _ index: Int) -> TemporaryRequest {
        temporaries(OperandView(function), index)
    }

    /// Register allocation as compilation runs it: each instruction's
    /// clobbers and temporaries, the entry's temporaries, returned values
    /// hinted to rax or xmm0.
    public static func allocate(_ function: Function) -> Allocation {
        let rules = allocationRules(function)
        return LinearScan(function: function, registers: registers, clobbers: rules.clobbers, temporaries: rules.temporaries,
                          entryTemporaries: entryTemporaries(function),
                          resultRegisters: X64Backend.callingConvention.results).allocate()
    }

    /// The allocator's questions for one function, its arrays read once
    /// (not once per instruction).
    static func allocationRules(_ function: Function)
        -> (temporaries: (Function, Int) -> TemporaryRequest, clobbers: (Function, Int) -> Clobbers) {
        let view = OperandView(function)
        return ({ _, index in temporaries(view, index) }, { _, index in clobbers(view, index) })
    }

    static func temporaries(_ view: OperandView, _ index: Int) -> TemporaryRequest {
        // Fields are read in place: copying the instruction out retains
        // every array it holds, and this runs for every instruction.
        let instructions = view.instructions
        let operands = instructions[index].operands
        switch instructions[index].opcode {
        case .iconst, .fconst, .trap:
            return .none
        case .iadd, .isub, .band, .bor, .bxor:
            // The result (or a copy when the second operand holds the
            // result's register), and a wide operand (either, since a
            // commutative one may swap them).
            let wide = view.isWideConstant(operands[0]) || view.isWideConstant(operands[1])
            return TemporaryRequest(general: wide ? 2 : 1)
        case .imul:
            // The result; a constant first operand, or a second one no
            // immediate holds, in a register of its own.
            return TemporaryRequest(general: view.isConstant(operands[0]) || view.isWideConstant(operands[1]) ? 2 : 1)
        case .sdiv, .udiv, .srem, .urem:
            // rax and rdx are clobbers; a constant divisor needs a register.
            return TemporaryRequest(general: view.isConstant(operands[1]) ? 1 : 0)
        case .ishl, .ushr, .sshr, .rotl, .rotr, .clz, .ctz, .popcnt,
             .uextend, .sextend, .ireduce, .sext8, .sext16, .sext32:
            return TemporaryRequest(general: 1)
        case .icmp:
            // The first operand, and the second when it is wide or a folded
            // pload's base. A fused or held compare uses these too.
            let second = view.isWideConstant(operands[0]) || view.isWideConstant(operands[1])
                || view.isDefined(operands[1], by: .pload)
            return TemporaryRequest(general: second ? 2 : 1)
        case .select:
            // A constant condition (general 0); the result: a float in
            // vector 0, an integer in general 0 (the condition is in the
            // flags by then), with a constant value cmov cannot read in 1.
            let constantCondition = view.isConstant(operands[0])
            if instructions[index].type.isFloat { return TemporaryRequest(general: constantCondition ? 1 : 0, vector: 1) }
            return TemporaryRequest(general: view.isConstant(operands[1]) || view.isConstant(operands[2]) ? 2 : 1)
        case .load:
            return TemporaryRequest(general: 2, vector: instructions[index].type.isFloat ? 1 : 0)
        case .store:
            // Base, index and the stored value.
            if instructions[index].type.isFloat { return TemporaryRequest(general: 2, vector: 1) }
            return TemporaryRequest(general: view.isConstant(operands[2]) && !view.isWideConstant(operands[2]) ? 2 : 3)
        case .pload:
            return TemporaryRequest(general: 1, vector: instructions[index].type.isFloat ? 1 : 0)
        case .pstore:
            return instructions[index].type.isFloat ? TemporaryRequest(general: 1, vector: 1) : TemporaryRequest(general: 2)
        case .call, .callPtr:
            return callTemporaries(view.function, instructions[index])
        case .jump, .brif, .brTable:
            var general = 0, vector = 0
            for target in instructions[index].targets {
                let (g, v) = branchMoveTemporaries(view, target.arguments)
                general = max(general, g)
                vector = max(vector, v)
            }
            if instructions[index].opcode == .brTable { general = max(general, 2) }
            if instructions[index].opcode == .brif, view.isConstant(operands[0]) { general = max(general, 1) }
            return TemporaryRequest(general: general, vector: vector)
        case .ret:
            // Several results: the result area's address and a spilled
            // value; the first result moves alone (no cycle, no carrier).
            guard operands.count > 1 else { return .none }
            let extra = operands.dropFirst().map { view.type(of: $0).regClass }
            return TemporaryRequest(general: extra.contains(.general) ? 2 : 1, vector: extra.contains(.vector) ? 1 : 0)
        case .trapnz, .trapz:
            return TemporaryRequest(general: view.isConstant(operands[0]) ? 1 : 0)
        case .epochCheck:
            return TemporaryRequest(general: 2)
        case .fadd, .fsub, .fmul, .fdiv:
            // The result (the second operand is read from memory if need be).
            return TemporaryRequest(vector: 1)
        case .fmin, .fmax, .fcopysign:
            return TemporaryRequest(vector: 2)
        case .fabs, .fneg, .fsqrt, .fceil, .ffloor, .ftrunc, .fnearest, .fpromote, .fdemote:
            return TemporaryRequest(vector: 1)
        case .fcmp:
            // The first operand (the second is read from memory if need
            // be); the result, and a second flag for eq and ne.
            let condition = instructions[index].floatCondition
            return TemporaryRequest(general: condition == .eq || condition == .ne ? 2 : 1, vector: 1)
        case .bitcast:
            return TemporaryRequest(general: 1, vector: 1)
        case .fcvtFromSint:
            return TemporaryRequest(general: 1, vector: 1)
        case .fcvtFromUint:
            // u64: the halved value and its low bit.
            return TemporaryRequest(general: view.type(of: operands[0]) == .i64 ? 2 : 1, vector: 1)
        case .fcvtToSint, .fcvtToUint, .fcvtToSintSat, .fcvtToUintSat:
            // The source and a bound; the result, and 2^63 for u64.
            let u64 = instructions[index].type == .i64 && (instructions[index].opcode == .fcvtToUint || instructions[index].opcode == .fcvtToUintSat)
            return TemporaryRequest(general: u64 ? 2 : 1, vector: 2)
        }
    }

    /// A branch's moves into one target's parameters: per class, a carrier
    /// for a move between slots (or of a wide constant into one) and, with
    /// two moves or more, a register to park a value of a cycle in.
    static func branchMoveTemporaries(_ view: OperandView, _ arguments: [Value]) -> (general: Int, vector: Int) {
        var general = 0, vector = 0
        for argument in arguments {
            if view.type(of: argument).regClass == .general { general += 1 } else { vector += 1 }
        }
        return (min(general, 2), min(vector, 2))
    }

    /// A call: per class, one register, for a stack argument, the callee
    /// pointer, a result beyond the first, or to park a value of a cycle
    /// among the argument moves; never an argument register, which the
    /// moves write while it holds a value.
    static func callTemporaries(_ function: Function, _ inst: Instruction) -> TemporaryRequest {
        let signature = inst.opcode == .call ? function.signatures[function.calleeSignatures[inst.immediate]!]
                                             : function.signatures[Int(inst.immediate)]
        let placement = X64Backend.callingConvention.placement(signature)
        var registerMoves = PerClass(general: 0, vector: 0)
        var needs = PerClass(general: inst.opcode == .callPtr, vector: false)
        var avoiding = PerClass<UInt64>(general: 0, vector: 0)
        for (parameter, place) in zip(signature.parameters, placement.places) {
            switch place {
            case .register(let regClass, let r):
                registerMoves[regClass] += 1
                avoiding[regClass] |= 1 << UInt64(r)
            case .stack:
                needs[parameter.regClass] = true
            }
        }
        if let resultPointer = placement.resultPointer, case .register(let regClass, let r) = resultPointer {
            registerMoves[regClass] += 1
            avoiding[regClass] |= 1 << UInt64(r)
        }
        for result in signature.results.dropFirst() { needs[result.regClass] = true }
        // Nor the first result's register: a temporary there would keep the
        // result from arriving where it stays.
        for regClass in RegClass.allCases {
            avoiding[regClass] |= 1 << UInt64(X64Backend.callingConvention.results[regClass])
        }
        for regClass in RegClass.allCases where registerMoves[regClass] >= 2 { needs[regClass] = true }
        return TemporaryRequest(general: needs.general ? 1 : 0, vector: needs.vector ? 1 : 0, avoiding: avoiding)
    }

    /// The incoming parameters' moves: per class, a carrier (a stack
    /// parameter or an i32 to zero-extend into a spill slot) and, with two
    /// moves or more, a register to park a value of a cycle in; never an
    /// incoming argument register, which the moves read.
    public static func entryTemporaries(_ function: Function) -> TemporaryRequest {
        let placement = X64Backend.callingConvention.placement(function.signature)
        var moves = PerClass(general: 0, vector: 0)
        var avoiding = PerClass<UInt64>(general: 0, vector: 0)
        for place in placement.places {
            if case .register(let regClass, let r) = place { avoiding[regClass] |= 1 << UInt64(r) }
        }
        for parameter in function.signature.parameters { moves[parameter.regClass] += 1 }
        if let resultPointer = placement.resultPointer, case .register(let regClass, let r) = resultPointer {
            moves[regClass] += 1
            avoiding[regClass] |= 1 << UInt64(r)
        }
        return TemporaryRequest(general: min(moves.general, 2), vector: min(moves.vector, 2), avoiding: avoiding)
    }
}
