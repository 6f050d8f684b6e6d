// Branches, calls and returns.
import SwasmABI
import SwasmIR

extension X64CodeGen {
    func needsMoves(_ target: BlockCall) -> Bool {
        zip(function.parameters(of: target.block), target.arguments).contains { parameter, argument in
            let destination = location(parameter)
            return destination != .none && destination != location(argument)
        }
    }

    mutating func jump(_ target: BlockCall) throws {
        try moveArguments(target, using: temps.moves)
        if target.block != nextBlock { asm.jmp(blockLabels[Int(target.block.index)]) }
    }

    /// The label to jump to for `target`: the block itself, or an out-of-line
    /// edge that first moves the arguments.
    mutating func edgeLabel(_ target: BlockCall) -> X64Label {
        if !needsMoves(target) { return blockLabels[Int(target.block.index)] }
        let label = asm.newLabel()
        outOfLine.edges.append((label, target))
        edgeMoveTemporaries.append(temps.moves)
        return label
    }

    mutating func branchIf(_ inst: Instruction, previous: Instruction?) throws {
        let condition = conditionFlags(inst.operands[0], fusedWith: previous)
        let (taken, notTaken) = (inst.targets[0], inst.targets[1])
        if taken.block == nextBlock && !needsMoves(taken) {
            asm.jcc(condition.inverted, edgeLabel(notTaken))
            return
        }
        if needsMoves(taken) && !needsMoves(notTaken) {
            // Moves inline on the taken path (typically a loop back edge)
            // instead of an out-of-line edge and a second jump.
            asm.jcc(condition.inverted, blockLabels[Int(notTaken.block.index)])
            try jump(taken)
            return
        }
        asm.jcc(condition, edgeLabel(taken))
        try jump(notTaken)
    }

    /// Bounds check to the default, then one indirect jump through a table
    /// of 32-bit offsets from the table (placed after the function, so
    /// `.text` needs no relocation for it). The index, if not in a
    /// register, and the target's address in general temporary 0, the
    /// table's in 1.
    mutating func branchTable(_ inst: Instruction) throws {
        let (target, base) = (temps.gpr(0), temps.gpr(1))
        let index = gpr(inst.operands[0], target)
        let targets = Array(inst.targets.dropFirst())
        let defaultLabel = edgeLabel(inst.targets[0])
        asm.cmp(.s32, index, Int32(truncatingIfNeeded: targets.count))
        asm.jcc(.ae, defaultLabel)
        let table = asm.newLabel()
        asm.lea(.s64, base, X64Mem.label(table))
        asm.movsxd(target, X64Mem(base, index, scale: 4, 0))
        asm.add(.s64, target, base)
        asm.jmp(target)
        let labels = targets.map { edgeLabel($0) }
        outOfLine.jumpTables.append((table, labels))
    }

    mutating func returnInstruction(_ inst: Instruction) throws {
        var moves: [Move] = []
        for (i, value) in inst.operands.enumerated() where i == 0 {
            let regClass = function.type(of: value).regClass
            let register = X64Backend.callingConvention.results[regClass]
            moves.append(Move(destination: .register(register), source: moveSource(value), regClass: regClass))
        }
        if inst.operands.count > 1, let slot = resultPointerSlot {
            // The result area's address in general temporary 0, a value not
            // in a register in general 1 or vector 0; the first result moves
            // alone, so it needs no temporary.
            let area = temps.gpr(0)
            asm.mov(.s64, area, slotAddress(slot))
            for (i, value) in inst.operands.enumerated().dropFirst() {
                let address = X64Mem(area, Int32((i - 1) * 8))
                if function.type(of: value).isFloat {
                    asm.movsd(address, xmm(value, temps.xmm(0)))
                } else {
                    asm.mov(.s64, address, gpr(value, temps.gpr(1)))
                }
            }
        }
        parallelMove(moves, using: temps.moves)
        if frame.frameSize > 0 { asm.add(.s64, .rsp, Int32(frame.frameSize)) }
        for register in saved.reversed() { asm.pop(register) }
        asm.pop(.rbp)
        asm.ret()
    }

    mutating func call(_ inst: Instruction) throws {
        let signature = callSignature(inst)
        var arguments = inst.operands
        var calleePointer: Value?
        if inst.opcode == .callPtr { calleePointer = arguments.removeFirst() }
        let placement = X64Backend.callingConvention.placement(signature)
        // Stack arguments first (their sources may sit in argument registers).
        for (value, place) in zip(arguments, placement.places) {
            guard case .stack(let offset) = place else { continue }
            let address = X64Mem(.rsp, Int32(offset))
            if function.type(of: value).isFloat {
                asm.movsd(address, xmm(value, temps.xmm(0)))
            } else {
                asm.mov(.s64, address, gpr(value, temps.gpr(0)))
            }
        }
        var moves: [Move] = []
        for (value, place) in zip(arguments, placement.places) {
            guard case .register(let regClass, let r) = place else { continue }
            moves.append(Move(destination: .register(r), source: moveSource(value), regClass: regClass))
        }
        if let calleePointer {
            // Park the callee in its frame slot before the argument moves
            // overwrite registers; call through memory afterwards.
            let pointer = gpr(calleePointer, temps.gpr(0))
            asm.mov(.s64, slotAddress(calleeParkingSlot), pointer)
        }
        if let resultPointer = placement.resultPointer, case .register(_, let r) = resultPointer {
            moves.append(Move(destination: .register(r), source: .frameAddress(frame.outgoingSize), regClass: .general))
        }
        // The call's temporaries keep clear of the argument registers, so
        // one of each class parks a value of a cycle among these moves.
        parallelMove(moves, using: temps.moves)
        if calleePointer != nil {
            asm.call(slotAddress(calleeParkingSlot))
        } else {
            asm.emit(bytes: [0xE8, 0, 0, 0, 0])
            callSites.append(CallSite(offset: asm.offset - 4, callee: Int(inst.immediate), kind: .x86Rel32))
        }
        returnSites.append(ReturnSite(returnOffset: asm.offset, wasmOffset: inst.sourceOffset))
        // Results: the first in rax/xmm0, the rest in the result area. A
        // call through a pointer may reach native code (imports, host
        // functions, runtime helpers, foreign table entries), which leaves
        // an i32's upper half undefined: it is cleared here.
        let foreign = calleePointer != nil
        for (i, result) in inst.results.enumerated() {
            let type = function.type(of: result)
            let zeroExtends = foreign && type == .i32
            if i == 0 {
                if type.isFloat {
                    finish(result, XmmReg.xmm0)
                } else if zeroExtends {
                    finishZeroExtended(result, .rax)
                } else {
                    finish(result, X64Reg.rax)
                }
            } else {
                // The first result has left rax/xmm0 by now, and temporaries
                // are none of the results' homes.
                let address = X64Mem(.rsp, Int32(frame.outgoingSize + (i - 1) * 8))
                if type.isFloat {
                    let scratch = destination(result, temps.xmm(0))
                    asm.movsd(scratch, address)
                    finish(result, scratch)
                } else {
                    let scratch = destination(result, temps.gpr(0))
                    asm.mov(zeroExtends ? .s32 : .s64, scratch, address)
                    finish(result, scratch)
                }
            }
        }
    }

    /// `finish` of an i32 whose upper half may be dirty: a 32-bit move.
    mutating func finishZeroExtended(_ value: Value, _ register: X64Reg) {
        switch location(value) {
        case .register(let r): asm.mov(.s32, X64Reg(rawValue: r)!, register)
        case .slot(let s):
            asm.mov(.s32, register, register)
            asm.mov(.s64, slotAddress(s), register)
        default: break
        }
    }
}
