// `epoch_check`: the engine's epoch against the store's deadline inline
// (in the check's two general temporaries), the deadline helper's call out
// of line. The call saves and restores every caller-saved register the
// function's allocation gives a value (vector registers whole, 128 bits),
// but the check's first temporary, which carries the VM context in and the
// answer out: no value lives there at the check. To the allocator the
// check is an ordinary instruction with no clobbers, and values live
// through a checked loop keep their registers.
import SwasmABI
import SwasmIR

extension A64CodeGen {
    mutating func epochCheck(_ inst: Instruction) {
        let limits = temporary(0), epoch = temporary(1)
        let vmctx = gpr(inst.operands[0], limits)
        asm.ldr(.x, limits, .offset(vmctx, VMContextLayout.executionLimits))
        asm.ldr(.x, epoch, .offset(limits, ExecutionLimitsLayout.epochCounter))
        asm.ldr(.x, epoch, .offset(epoch, 0))
        asm.ldr(.x, limits, .offset(limits, ExecutionLimitsLayout.epochDeadline))
        asm.cmp(.x, epoch, limits)
        let stub = asm.newLabel(), resume = asm.newLabel()
        branch(.hs, stub)
        asm.bind(resume)
        outOfLine.epochChecks.append(.init(label: stub, resume: resume, vmctx: inst.operands[0],
                                           wasmOffset: inst.sourceOffset))
        epochCheckTemporaries.append(temporaries)
    }

    /// Caller-saved registers that hold a value somewhere in the function:
    /// the ones a helper call may destroy and the allocator may have used.
    func callerSavedInUse() -> (general: [A64Reg], vector: [A64VReg]) {
        var general = Set<UInt8>(), vector = Set<UInt8>()
        for (index, location) in allocation.locations.enumerated() {
            guard case .register(let r) = location else { continue }
            if function.type(of: Value(UInt32(index))).regClass == .vector { vector.insert(r) } else { general.insert(r) }
        }
        let file = A64ABI.registers.classes
        return (file.general.allocatable.filter { general.contains($0) && !file.general.calleeSaved.contains($0) }
                    .map { A64Reg(rawValue: $0)! },
                file.vector.allocatable.filter { vector.contains($0) && !A64ABI.calleeSavedVector.map(\.rawValue).contains($0) }
                    .map { A64VReg(rawValue: $0)! })
    }

    /// The out-of-line halves, after the function's body.
    mutating func emitEpochCheckStubs() {
        guard !outOfLine.epochChecks.isEmpty else { return }
        let (inUse, vector) = callerSavedInUse()
        // Vector registers first, at 16-byte offsets (q's scaled form).
        let generalBase = vector.count * 16
        for (check, checkTemporaries) in zip(outOfLine.epochChecks, epochCheckTemporaries) {
            temporaries = checkTemporaries
            let carrier = temporary(0)
            let general = inUse.filter { $0 != carrier }
            let area = generalBase + (general.count + 1) / 2 * 16
            asm.bind(check.label)
            // Read the vmctx before sp moves (a spilled one is sp-relative).
            let vmctx = gpr(check.vmctx, carrier)
            if vmctx != carrier { asm.mov(.x, carrier, vmctx) }
            adjustStack(by: -area)
            for (i, register) in vector.enumerated() { asm.store(.q, register, .offset(.sp, i * 16)) }
            for (i, register) in general.enumerated() { asm.str(.x, register, .offset(.sp, generalBase + i * 8)) }
            asm.mov(.x, .x0, carrier)
            asm.ldr(.x, carrier, .offset(carrier, VMContextLayout.helpers))
            asm.ldr(.x, carrier, .offset(carrier, HelperID.epochDeadline.rawValue * 8))
            asm.blr(carrier)
            returnSites.append(ReturnSite(returnOffset: asm.offset, wasmOffset: check.wasmOffset))
            // The answer (0: go on, 1: trap) waits in the carrier while x0
            // is restored.
            asm.mov(.w, carrier, .x0)
            for (i, register) in vector.enumerated() { asm.load(.q, register, .offset(.sp, i * 16)) }
            for (i, register) in general.enumerated() { asm.ldr(.x, register, .offset(.sp, generalBase + i * 8)) }
            adjustStack(by: area)
            branch(ifZero: false, .w, carrier, trapStub(.interrupted, check.wasmOffset))
            asm.b(check.resume)
        }
        temporaries = A64Temporaries()
    }
}
