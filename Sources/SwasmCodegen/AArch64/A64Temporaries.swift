// Selection's temporaries on AArch64: how many registers of each class the
// selection of each IR instruction may write besides its operands and
// results (asked of the allocator before it runs), and the registers the
// allocator granted, handed out while the instruction is emitted. No
// register is reserved for selection for a whole function.
//
// A request is the worst case over where the allocator may put the values:
// any value that is not a constant may be spilled, and then needs a
// register to be loaded into or computed in. What is known before
// allocation makes requests smaller: constants that fit an immediate need
// none, float constants that are zero or fit `fmov`'s immediate need no
// general register to be built in, and a frame too small to outgrow a
// load's immediate offset needs no registers to form addresses in.
//
// General temporaries are numbered in the order selection uses them (0,
// 1, 2), vector ones likewise; asking for one beyond the request is a
// precondition failure, so a count too small shows in any test that
// reaches the instruction. Registers that only a spilled operand in a far
// frame or a float constant in a long function needs are asked for, and
// checked, where they are used (`spare`).
import SwasmABI
import SwasmIR

/// The temporaries granted to the instruction being emitted.
struct A64Temporaries {
    var registers = PackedTemporaries.none
    /// What the registers are for, named in failures.
    var owner = TemporaryOwner.none

    init() {}

    init(_ registers: PackedTemporaries, owner: TemporaryOwner) {
        self.registers = registers
        self.owner = owner
    }

    /// General temporary `k`, which the request must include.
    func general(_ k: Int) -> A64Reg { A64Reg(rawValue: registers.required(k, .general, target: "AArch64", owner: owner))! }
    func vector(_ k: Int) -> A64VReg { A64VReg(rawValue: registers.required(k, .vector, target: "AArch64", owner: owner))! }

    /// General temporary `k` if granted: for a use that only some
    /// allocations or frame sizes need, checked where it happens.
    func spare(_ k: Int) -> A64Reg? { registers.register(k, .general).map { A64Reg(rawValue: $0)! } }
}

/// What a parallel move may need besides its sources and destinations: a
/// register per class to park a value in when the moves form a cycle, a
/// carrier per class for moves between two memory locations (or of a
/// constant into one), a general register for a frame address beyond an
/// instruction's reach, and one to build a float constant in or address a
/// vector's slot (the helper; the carrier or the address register serves
/// when there is one).
struct A64MovePlan: Equatable {
    var parkGeneral = false
    var parkVector = false
    var carrierGeneral = false
    var carrierVector = false
    var addressGeneral = false
    var helperGeneral = false

    var generalCount: Int {
        (parkGeneral ? 1 : 0) + (carrierGeneral ? 1 : 0) + (addressGeneral || (helperGeneral && !carrierGeneral) ? 1 : 0)
    }

    var vectorCount: Int { (parkVector ? 1 : 0) + (carrierVector ? 1 : 0) }

    static func | (a: A64MovePlan, b: A64MovePlan) -> A64MovePlan {
        A64MovePlan(parkGeneral: a.parkGeneral || b.parkGeneral, parkVector: a.parkVector || b.parkVector,
                    carrierGeneral: a.carrierGeneral || b.carrierGeneral, carrierVector: a.carrierVector || b.carrierVector,
                    addressGeneral: a.addressGeneral || b.addressGeneral, helperGeneral: a.helperGeneral || b.helperGeneral)
    }

    /// The registers of each role, from general temporary `base` and
    /// vector temporary `vectorBase` on.
    func registers(in temporaries: A64Temporaries, base: Int = 0, vectorBase: Int = 0) -> A64MoveRegisters {
        var g = base, v = vectorBase
        var result = A64MoveRegisters()
        if parkGeneral { result.parkGeneral = temporaries.general(g); g += 1 }
        if carrierGeneral { result.carrierGeneral = temporaries.general(g); g += 1 }
        if addressGeneral || (helperGeneral && !carrierGeneral) { result.addressGeneral = temporaries.general(g) }
        result.helperGeneral = result.addressGeneral ?? result.carrierGeneral
        if parkVector { result.parkVector = temporaries.vector(v); v += 1 }
        if carrierVector { result.carrierVector = temporaries.vector(v) }
        return result
    }
}

/// The registers a parallel move uses, by role; nil where none was asked
/// for (a move that needs one then fails a precondition).
struct A64MoveRegisters {
    var parkGeneral: A64Reg?
    var parkVector: A64VReg?
    var carrierGeneral: A64Reg?
    var carrierVector: A64VReg?
    var addressGeneral: A64Reg?
    var helperGeneral: A64Reg?
}

/// The temporaries of one function's instructions, worked out from its IR
/// alone (before allocation).
struct A64TemporaryRules {
    let function: Function
    /// Whether some frame offset may lie beyond an 8-byte access's
    /// immediate reach: then spilled values need address registers.
    let farFrame: Bool

    /// - Parameter assumingFarFrame: ask for address registers whatever
    ///   the frame's size (for tests that place slots far on purpose).
    init(_ function: Function, assumingFarFrame: Bool = false) {
        self.function = function
        // Every value spilled, 16 bytes each, plus the frame's other parts
        // at their largest, against the reach of a 4-byte load's scaled
        // offset (incoming i32 arguments are loaded with one).
        var outgoing = 0, extraResults = 0
        for inst in function.instructions where inst.opcode == .call || inst.opcode == .callPtr {
            let signature = Self.callSignature(function, inst)
            outgoing = max(outgoing, AArch64Backend.callingConvention.placement(signature).stackSize)
            extraResults = max(extraResults, signature.results.count)
        }
        let incoming = AArch64Backend.callingConvention.placement(function.signature).stackSize
        let saveArea = 16 * 5 + 16 * 4
        let bound = 16 * (function.values.count + 2) + outgoing + 8 * extraResults + saveArea + 16 + incoming + 16
        farFrame = assumingFarFrame || bound >= 16 * 1024 - 8
    }

    static func callSignature(_ function: Function, _ inst: Instruction) -> Signature {
        if inst.opcode == .call { return function.signatures[function.calleeSignatures[inst.immediate]!] }
        return function.signatures[Int(inst.immediate)]
    }

    // MARK: - Values

    func constantBits(_ value: Value) -> Int64? {
        guard case .result(let index, _) = function.values[Int(value.index)].definition else { return nil }
        let opcode = function.instructions[index].opcode
        return opcode == .iconst || opcode == .fconst ? function.instructions[index].immediate : nil
    }

    func isConstant(_ value: Value) -> Bool { constantBits(value) != nil }

    /// Whether putting `value` in a vector register may need a general one:
    /// to build a float constant in (long functions), or to address a
    /// spilled value in a far frame.
    func vectorNeedsHelper(_ value: Value) -> Bool {
        if let bits = constantBits(value) { return A64CodeGen.floatConstantNeedsRegister(bits, function.type(of: value)) }
        return farFrame
    }

    /// One general register for a spilled result's address, in a far frame.
    var address: Int { farFrame ? 1 : 0 }

    // MARK: - Requests

    /// The request of the incoming parameters' moves: they avoid the
    /// registers the parameters arrive in.
    var entry: TemporaryRequest {
        let plan = entryPlan
        let placement = AArch64Backend.callingConvention.placement(function.signature)
        var avoiding = PerClass<UInt64>(general: 0, vector: 0)
        for place in placement.places + (placement.resultPointer.map { [$0] } ?? []) {
            if case .register(let regClass, let r) = place { avoiding[regClass] |= 1 << UInt64(r) }
        }
        return TemporaryRequest(general: plan.generalCount, vector: plan.vectorCount, avoiding: avoiding)
    }

    /// The incoming parameters' moves: from argument registers (i32s
    /// zero-extended on the way) and the caller's stack into their homes.
    var entryPlan: A64MovePlan {
        let placement = AArch64Backend.callingConvention.placement(function.signature)
        let parameters = function.parameters(of: function.entry)
        var plan = A64MovePlan()
        var registerSources = PerClass(general: 0, vector: 0)
        for (value, place) in zip(parameters, placement.places) {
            let regClass = function.type(of: value).regClass
            switch place {
            case .register(let c, _):
                registerSources[c] += 1
                if c == .general && function.type(of: value) == .i32 { plan.carrierGeneral = true }
            case .stack:
                if regClass == .general { plan.carrierGeneral = true } else { plan.carrierVector = true }
            }
            if regClass == .general { plan.addressGeneral = plan.addressGeneral || farFrame }
            if regClass == .vector { plan.helperGeneral = plan.helperGeneral || farFrame }
        }
        if placement.resultPointer != nil { plan.addressGeneral = plan.addressGeneral || farFrame }
        plan.parkGeneral = registerSources.general >= 2
        plan.parkVector = registerSources.vector >= 2
        return plan
    }

    /// The moves of branch arguments into the parameters of `targets`.
    func branchPlan(_ targets: [BlockCall]) -> A64MovePlan {
        var plan = A64MovePlan()
        var values = PerClass(general: 0, vector: 0)
        for target in targets {
            var targetValues = PerClass(general: 0, vector: 0)
            for (parameter, argument) in zip(function.parameters(of: target.block), target.arguments) {
                let bits = constantBits(argument)
                if bits == nil { targetValues[function.type(of: parameter).regClass] += 1 }
                if function.type(of: parameter).regClass == .general {
                    if bits != 0 { plan.carrierGeneral = true }
                    plan.addressGeneral = plan.addressGeneral || farFrame
                } else {
                    // The parameter's slot may be far even for a constant.
                    plan.carrierVector = true
                    plan.helperGeneral = plan.helperGeneral || farFrame || vectorNeedsHelper(argument)
                }
            }
            values.general = max(values.general, targetValues.general)
            values.vector = max(values.vector, targetValues.vector)
        }
        plan.parkGeneral = values.general >= 2
        plan.parkVector = values.vector >= 2
        return plan
    }

    /// The moves of a call's register arguments (all to registers).
    func callPlan(_ inst: Instruction) -> A64MovePlan {
        let placement = AArch64Backend.callingConvention.placement(Self.callSignature(function, inst))
        let arguments = inst.opcode == .callPtr ? Array(inst.operands.dropFirst()) : inst.operands
        var plan = A64MovePlan()
        var values = PerClass(general: 0, vector: 0)
        for (value, place) in zip(arguments, placement.places) {
            guard case .register(let regClass, _) = place else { continue }
            if !isConstant(value) { values[regClass] += 1 }
            if regClass == .vector { plan.helperGeneral = plan.helperGeneral || vectorNeedsHelper(value) }
        }
        plan.parkGeneral = values.general >= 2
        plan.parkVector = values.vector >= 2
        return plan
    }

    /// The move of a return's first value into its result register.
    func returnPlan(_ inst: Instruction) -> A64MovePlan {
        var plan = A64MovePlan()
        if let value = inst.operands.first, function.type(of: value).regClass == .vector {
            plan.helperGeneral = vectorNeedsHelper(value)
        }
        return plan
    }

    /// General temporaries a memory access's address takes: the base, and
    /// the index or an offset no immediate reaches.
    func addressCount(_ inst: Instruction, bytes: Int) -> Int {
        if inst.opcode == .pload || inst.opcode == .pstore {
            return A64Assembler.canAddress(offset: Int(inst.immediate), bytes: bytes) ? 1 : 2
        }
        let offset = UInt64(bitPattern: inst.immediate)
        if let index = constantBits(inst.operands[1]) {
            let type = function.type(of: inst.operands[1])
            let bits = type == .i32 ? UInt64(UInt32(truncatingIfNeeded: index)) : UInt64(bitPattern: index)
            return A64CodeGen.reaches(bits &+ offset, bytes: bytes) ? 1 : 2
        }
        return 2
    }

    /// Whether the second operand of an icmp (after constants move right)
    /// is an immediate of `cmp` or `cmn`.
    func compareTakesImmediate(_ inst: Instruction) -> Bool {
        var b = inst.operands[1]
        if isConstant(inst.operands[0]), !isConstant(b) { b = inst.operands[0] }
        guard let bits = constantBits(b) else { return false }
        let w = A64CodeGen.width(function.type(of: b))
        let value = UInt64(bitPattern: bits) & w.mask
        return A64Assembler.isAddSubImmediate(value) || A64Assembler.isAddSubImmediate((0 &- value) & w.mask)
    }

    func request(_ index: Int, next: Instruction?) -> TemporaryRequest {
        let inst = function.instructions[index]
        func count(_ general: Int, _ vector: Int = 0) -> TemporaryRequest {
            TemporaryRequest(general: general, vector: vector)
        }
        switch inst.opcode {
        case .iadd, .isub, .band, .bor, .bxor:
            var (a, b) = (inst.operands[0], inst.operands[1])
            if inst.opcode != .isub, isConstant(a), !isConstant(b) { swap(&a, &b) }
            let w = A64CodeGen.width(inst.type)
            if let bits = constantBits(b), A64CodeGen.aluTakesImmediate(inst.opcode, UInt64(bitPattern: bits) & w.mask, w) {
                return count(1 + address)
            }
            return count(2)
        case .imul:
            // Fused into the next iadd as madd, it loads the addend too.
            if let next, next.opcode == .iadd, next.type == inst.type, next.operands.contains(inst.result) { return count(3) }
            return count(2)
        case .sdiv, .udiv: return count(2)
        case .srem, .urem: return count(3)
        case .ishl, .ushr, .sshr, .rotl, .rotr: return count(isConstant(inst.operands[1]) ? 1 + address : 2)
        case .clz: return count(1 + address)
        case .ctz: return count(2)
        case .popcnt: return count(1 + address, 1)
        case .icmp: return count(compareTakesImmediate(inst) ? 1 + address : 2)
        case .uextend:
            // Folded into the next iadd, which then reads both its operands.
            if function.type(of: inst.operands[0]) == .i32, let next, next.opcode == .iadd { return count(2) }
            return count(1 + address)
        case .ireduce, .sextend, .sext32, .sext8, .sext16: return count(1 + address)
        case .select: return inst.type.isFloat ? count(1, 2) : count(2)
        case .load, .pload:
            let addressing = addressCount(inst, bytes: A64CodeGen.accessBytes(inst))
            return inst.type.isFloat ? count(addressing, 1) : count(max(addressing, 1 + address))
        case .store, .pstore:
            let addressing = addressCount(inst, bytes: A64CodeGen.accessBytes(inst))
            return inst.type.isFloat ? count(addressing, 1) : count(addressing + 1)
        case .call, .callPtr: return callRequest(inst)
        case .ret:
            let plan = returnPlan(inst)
            let multiple = inst.operands.count > 1
            let floats = inst.operands.dropFirst().contains { function.type(of: $0).isFloat }
            return count(max(multiple ? 2 : 0, plan.generalCount), floats ? 1 : 0)
        case .jump:
            let plan = branchPlan(inst.targets)
            return count(plan.generalCount, plan.vectorCount)
        case .brif:
            let plan = branchPlan(inst.targets)
            return count(max(1, plan.generalCount), plan.vectorCount)
        case .brTable:
            let plan = branchPlan(inst.targets)
            return count(max(3, plan.generalCount), plan.vectorCount)
        case .trapnz, .trapz: return count(1)
        case .epochCheck: return count(2)
        case .fadd, .fsub, .fmul, .fdiv, .fmin, .fmax:
            let helper = farFrame || inst.operands.contains { vectorNeedsHelper($0) }
            return count(helper ? 1 : 0, 2)
        case .fcopysign: return count(2, 1)
        case .fabs, .fneg, .fsqrt, .fceil, .ffloor, .ftrunc, .fnearest, .fpromote, .fdemote:
            return count(farFrame || vectorNeedsHelper(inst.operands[0]) ? 1 : 0, 1)
        case .fcmp: return count(1 + address, 2)
        case .bitcast: return inst.type.isFloat ? count(1, 1) : count(1 + address, 1)
        case .fcvtFromSint, .fcvtFromUint: return count(1, 1)
        case .fcvtToSint, .fcvtToUint: return count(1 + address, 2)
        case .fcvtToSintSat, .fcvtToUintSat: return count(1 + address, 1)
        default: return .none
        }
    }

    /// Stack arguments (stored first), the callee (a call through a
    /// pointer holds it in general temporary 0), the register arguments'
    /// moves, then the results. The temporaries avoid the registers the
    /// moves write and the result registers, which hold the results while
    /// the temporaries store them.
    func callRequest(_ inst: Instruction) -> TemporaryRequest {
        let signature = Self.callSignature(function, inst)
        let placement = AArch64Backend.callingConvention.placement(signature)
        let arguments = inst.opcode == .callPtr ? Array(inst.operands.dropFirst()) : inst.operands
        var general = 0, vector = 0
        var avoiding = PerClass<UInt64>(general: 0, vector: 0)
        for (value, place) in zip(arguments, placement.places) {
            switch place {
            case .register(let regClass, let r):
                avoiding[regClass] |= 1 << UInt64(r)
            case .stack:
                if function.type(of: value).isFloat {
                    vector = max(vector, 1)
                    general = max(general, vectorNeedsHelper(value) ? 1 : 0)
                } else {
                    general = max(general, 1)
                }
            }
        }
        if let resultPointer = placement.resultPointer, case .register(_, let r) = resultPointer {
            avoiding.general |= 1 << UInt64(r)
        }
        let results = AArch64Backend.callingConvention.results
        avoiding.general |= 1 << UInt64(results.general)
        avoiding.vector |= 1 << UInt64(results.vector)
        let plan = callPlan(inst)
        let callee = inst.opcode == .callPtr ? 1 : 0
        general = max(general, callee + plan.generalCount)
        vector = max(vector, plan.vectorCount)
        for (i, type) in signature.results.enumerated() {
            if i == 0 {
                general = max(general, address)
            } else if type.isFloat {
                general = max(general, address)
                vector = max(vector, 1)
            } else {
                general = max(general, 1 + address)
            }
        }
        return TemporaryRequest(general: general, vector: vector, avoiding: avoiding)
    }

    /// Every instruction's request, by index into the function's instructions.
    func requests() -> [TemporaryRequest] {
        var requests = [TemporaryRequest](repeating: .none, count: function.instructions.count)
        for block in function.blocks {
            for (k, index) in block.instructions.enumerated() {
                let next = k + 1 < block.instructions.count ? function.instructions[block.instructions[k + 1]] : nil
                requests[index] = request(index, next: next)
            }
        }
        return requests
    }
}

extension A64ABI {
    /// The temporaries each instruction of `function` asks for (see
    /// A64TemporaryRules), worked out once: LinearScan's `temporaries`.
    public static func temporaries(for function: Function) -> (Function, Int) -> TemporaryRequest {
        let requests = A64TemporaryRules(function).requests()
        return { _, index in requests[index] }
    }

    /// The allocation the backend compiles `function` with.
    public static func allocate(_ function: Function) -> Allocation {
        A64CodeGen.allocate(function, rules: A64TemporaryRules(function))
    }

    /// The temporaries of `function`'s incoming parameters' moves.
    public static func entryTemporaries(_ function: Function) -> TemporaryRequest { A64TemporaryRules(function).entry }
}
