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

    mutating func jump(_ target: BlockCall) {
        moveArguments(target)
        if target.block != nextBlock { asm.b(blockLabels[Int(target.block.index)]) }
    }

    /// The label to branch to for `target`: the block itself, or an
    /// out-of-line edge that first moves the arguments.
    mutating func edgeLabel(_ target: BlockCall) -> A64Label {
        if !needsMoves(target) { return blockLabels[Int(target.block.index)] }
        let label = asm.newLabel()
        outOfLine.edges.append((label, target))
        return label
    }

    mutating func branchIf(_ inst: Instruction, previous: Instruction?) {
        let condition = inst.operands[0]
        let (taken, notTaken) = (inst.targets[0], inst.targets[1])
        if taken.block == nextBlock && !needsMoves(taken) {
            branch(on: condition, fusedWith: previous, ifTrue: false, to: edgeLabel(notTaken))
            return
        }
        if needsMoves(taken) && !needsMoves(notTaken) {
            // Moves inline on the taken path (typically a loop back edge)
            // instead of an out-of-line edge and a second branch.
            branch(on: condition, fusedWith: previous, ifTrue: false, to: blockLabels[Int(notTaken.block.index)])
            jump(taken)
            return
        }
        branch(on: condition, fusedWith: previous, ifTrue: true, to: edgeLabel(taken))
        jump(notTaken)
    }

    /// Bounds check to the default, then one indirect branch through a
    /// table of 32-bit offsets from the table (placed after the function,
    /// so `.text` needs no relocation for it).
    mutating func branchTable(_ inst: Instruction) {
        let index = gpr(inst.operands[0], A64ABI.temporary0)
        let targets = Array(inst.targets.dropFirst())
        let defaultLabel = edgeLabel(inst.targets[0])
        let count = UInt64(targets.count)
        if A64Assembler.isAddSubImmediate(count) {
            asm.cmp(.w, index, imm: count)
        } else {
            asm.movImmediate(.w, A64ABI.temporary1, count)
            asm.cmp(.w, index, A64ABI.temporary1)
        }
        branch(.hs, defaultLabel)
        let table = asm.newLabel()
        asm.adr(A64ABI.temporary1, table)
        asm.loadStore(.ldrsw, A64ABI.temporary2, .register(A64ABI.temporary1, index, .uxtw, scaled: true))
        asm.add(.x, A64ABI.temporary1, A64ABI.temporary1, A64ABI.temporary2)
        asm.br(A64ABI.temporary1)
        let labels = targets.map { edgeLabel($0) }
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
            let pointer = A64ABI.temporary0
            asm.ldr(.x, pointer, slotAddress(slot, temp: pointer))
            for (i, value) in inst.operands.enumerated().dropFirst() {
                let address = address(pointer, plus: UInt64((i - 1) * 8), bytes: 8)
                if function.type(of: value).isFloat {
                    asm.store(.d, vreg(value, A64ABI.floatTemporary0), address)
                } else {
                    asm.str(.x, gpr(value, A64ABI.temporary2, zeroRegister: true), address)
                }
            }
        }
        var moves: [Move] = []
        if let value = inst.operands.first {
            let regClass = function.type(of: value).regClass
            let register = AArch64Backend.callingConvention.results[regClass]
            moves.append(Move(destination: .register(register), source: moveSource(value), regClass: regClass))
        }
        parallelMove(moves)
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
                let r = vreg(value, A64ABI.floatTemporary0)
                asm.store(.d, r, frameAddress(offset, temp: A64ABI.temporary1))
            } else {
                let r = gpr(value, A64ABI.temporary0, zeroRegister: true)
                asm.str(.x, r, frameAddress(offset, temp: A64ABI.temporary1))
            }
        }
        var moves: [Move] = []
        for (value, place) in zip(arguments, placement.places) {
            guard case .register(let regClass, let r) = place else { continue }
            moves.append(Move(destination: .register(r), source: moveSource(value), regClass: regClass))
        }
        if let calleePointer {
            // The callee waits in x16 while the arguments move: every move
            // here has a register destination, which no move emits through x16.
            load(A64ABI.temporary0, calleePointer)
        }
        if let resultPointer = placement.resultPointer, case .register(_, let r) = resultPointer {
            moves.append(Move(destination: .register(r), source: .frameAddress(frame.outgoingSize), regClass: .general))
        }
        parallelMove(moves)
        if calleePointer != nil {
            asm.blr(A64ABI.temporary0)
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
                if type.isFloat {
                    finish(result, A64VReg.v0)
                } else {
                    if zeroExtends { asm.mov(.w, .x0, .x0) }
                    finish(result, A64Reg.x0)
                }
            } else {
                let address = frameAddress(frame.outgoingSize + (i - 1) * 8, temp: A64ABI.temporary1)
                if type.isFloat {
                    asm.load(.d, A64ABI.floatTemporary0, address)
                    finish(result, A64ABI.floatTemporary0)
                } else {
                    asm.ldr(zeroExtends ? .w : .x, A64ABI.temporary0, address)
                    finish(result, A64ABI.temporary0)
                }
            }
        }
    }
}
