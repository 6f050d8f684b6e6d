// Branches, calls and returns.
import SwasmABI
import SwasmIR

extension A64CodeGen {
    func needsMoves(_ target: BlockCall) -> Bool {
        zip(function.parameters(of: target.block), target.arguments).contains { parameter, argument in
            let destination = location(parameter)
            return destination != .none && destination != location(argument)
        }
    }

    /// The move registers of the branch being emitted: one plan for all
    /// its targets (A64TemporaryRules.branchPlan), so that out-of-line
    /// edges use the same roles.
    mutating func branchMoveRegisters(_ inst: Instruction) -> A64MoveRegisters {
        rules.branchPlan(inst.targets).registers(in: temporaries)
    }

    mutating func jump(_ target: BlockCall, using registers: A64MoveRegisters) {
        moveArguments(target, using: registers)
        if target.block != nextBlock { asm.b(blockLabels[Int(target.block.index)]) }
    }

    /// The label to branch to for `target`: the block itself, or an
    /// out-of-line edge that first moves the arguments.
    mutating func edgeLabel(_ target: BlockCall, using registers: A64MoveRegisters) -> A64Label {
        if !needsMoves(target) { return blockLabels[Int(target.block.index)] }
        let label = asm.newLabel()
        outOfLine.edges.append((label, target))
        edgeMoveRegisters.append(registers)
        return label
    }

    mutating func branchIf(_ inst: Instruction, previous: Instruction?) {
        let registers = branchMoveRegisters(inst)
        let condition = inst.operands[0]
        let (taken, notTaken) = (inst.targets[0], inst.targets[1])
        if taken.block == nextBlock && !needsMoves(taken) {
            branch(on: condition, fusedWith: previous, ifTrue: false, to: edgeLabel(notTaken, using: registers))
            return
        }
        if needsMoves(taken) && !needsMoves(notTaken) {
            // Moves inline on the taken path (typically a loop back edge)
            // instead of an out-of-line edge and a second branch.
            branch(on: condition, fusedWith: previous, ifTrue: false, to: blockLabels[Int(notTaken.block.index)])
            jump(taken, using: registers)
            return
        }
        branch(on: condition, fusedWith: previous, ifTrue: true, to: edgeLabel(taken, using: registers))
        jump(notTaken, using: registers)
    }

    /// Bounds check to the default, then one indirect branch through a
    /// table of 32-bit offsets from the table (placed after the function,
    /// so `.text` needs no relocation for it).
    mutating func branchTable(_ inst: Instruction) {
        let registers = branchMoveRegisters(inst)
        let index = gpr(inst.operands[0], temporary(0))
        let (base, entry) = (temporary(1), temporary(2))
        let targets = Array(inst.targets.dropFirst())
        let defaultLabel = edgeLabel(inst.targets[0], using: registers)
        let count = UInt64(targets.count)
        if A64Assembler.isAddSubImmediate(count) {
            asm.cmp(.w, index, imm: count)
        } else {
            asm.movImmediate(.w, base, count)
            asm.cmp(.w, index, base)
        }
        branch(.hs, defaultLabel)
        let table = asm.newLabel()
        asm.adr(base, table)
        asm.loadStore(.ldrsw, entry, .register(base, index, .uxtw, scaled: true))
        asm.add(.x, base, base, entry)
        asm.br(base)
        let labels = targets.map { edgeLabel($0, using: registers) }
        if longReach {
            // Beside the br, within adr's reach whatever the function's size.
            asm.bind(table)
            for label in labels { asm.emitLabelDifference32(label, minus: table) }
        } else {
            outOfLine.jumpTables.append((table, labels))
        }
    }

    mutating func returnInstruction(_ inst: Instruction) {
        if inst.operands.count > 1, let slot = resultPointerSlot {
            let pointer = temporary(0)
            asm.ldr(.x, pointer, slotAddress(slot, temp: pointer))
            for (i, value) in inst.operands.enumerated().dropFirst() {
                // Values first: the address may need no register, the
                // values' loads may.
                let offset = UInt64((i - 1) * 8)
                if function.type(of: value).isFloat {
                    let r = vreg(value, vectorTemporary(0), via: spare(1))
                    asm.store(.d, r, address(pointer, plus: offset, bytes: 8, temp: spare(1)))
                } else {
                    let r = gpr(value, temporary(1), zeroRegister: true)
                    asm.str(.x, r, address(pointer, plus: offset, bytes: 8, temp: nil))
                }
            }
        }
        var moves: [Move] = []
        if let value = inst.operands.first {
            let regClass = function.type(of: value).regClass
            let register = AArch64Backend.callingConvention.results[regClass]
            moves.append(Move(destination: .register(register), source: moveSource(value), regClass: regClass))
        }
        parallelMove(using: rules.returnPlan(inst).registers(in: temporaries), moves)
        epilogue()
    }

    mutating func call(_ inst: Instruction) {
        let signature = callSignature(inst)
        var arguments = inst.operands
        var calleePointer: Value?
        if inst.opcode == .callPtr { calleePointer = arguments.removeFirst() }
        let placement = AArch64Backend.callingConvention.placement(signature)
        // Stack arguments first (their sources may sit in argument registers).
        for (value, place) in zip(arguments, placement.places) {
            guard case .stack(let offset) = place else { continue }
            if function.type(of: value).isFloat {
                let r = vreg(value, vectorTemporary(0), via: spare(0))
                asm.store(.d, r, frameAddress(offset, temp: spare(0)))
            } else {
                let r = gpr(value, temporary(0), zeroRegister: true)
                asm.str(.x, r, frameAddress(offset, temp: spare(1)))
            }
        }
        var moves: [Move] = []
        for (value, place) in zip(arguments, placement.places) {
            guard case .register(let regClass, let r) = place else { continue }
            moves.append(Move(destination: .register(r), source: moveSource(value), regClass: regClass))
        }
        // The callee waits in general temporary 0 while the arguments
        // move, with the moves' own temporaries after it.
        let callee = calleePointer == nil ? nil : temporary(0)
        if let calleePointer, let callee { load(callee, calleePointer) }
        if let resultPointer = placement.resultPointer, case .register(_, let r) = resultPointer {
            moves.append(Move(destination: .register(r), source: .frameAddress(frame.outgoingSize), regClass: .general))
        }
        parallelMove(using: rules.callPlan(inst).registers(in: temporaries, base: callee == nil ? 0 : 1), moves)
        if let callee {
            asm.blr(callee)
        } else {
            let at = asm.blToBePatched("function\(inst.immediate)")
            callSites.append(CallSite(offset: at, callee: Int(inst.immediate), kind: .aarch64Call26))
        }
        returnSites.append(ReturnSite(returnOffset: asm.offset, wasmOffset: inst.sourceOffset))
        // Results: the first in x0/v0, the rest in the result area. A call
        // through a pointer may reach native code (imports, host functions,
        // runtime helpers, foreign table entries), which leaves an i32's
        // upper half unspecified: it is cleared here.
        let foreign = calleePointer != nil
        for (i, result) in inst.results.enumerated() {
            let type = function.type(of: result)
            let zeroExtends = foreign && type == .i32
            if i == 0 {
                // The temporaries avoid x0 and v0 (A64TemporaryRules.callRequest).
                if type.isFloat {
                    finish(result, A64VReg.v0, via: spare(0))
                } else {
                    if zeroExtends { asm.mov(.w, .x0, .x0) }
                    finish(result, A64Reg.x0, via: spare(0))
                }
            } else {
                let offset = frame.outgoingSize + (i - 1) * 8
                if type.isFloat {
                    let r = destination(result, vectorTemporary(0))
                    asm.load(.d, r, frameAddress(offset, temp: spare(0)))
                    finish(result, r, via: spare(0))
                } else {
                    let r = destination(result, temporary(0))
                    asm.ldr(zeroExtends ? .w : .x, r, frameAddress(offset, temp: r))
                    finish(result, r, via: spare(1))
                }
            }
        }
    }
}
