// `epoch_check`: the engine's epoch against the store's deadline inline
// (x16 and x17, the reserved temporaries), the deadline helper's call out
// of line. The call saves and restores every caller-saved register the
// function's allocation uses (vector registers whole, 128 bits), so to the
// allocator the check is an ordinary instruction with no clobbers and
// values live through a checked loop keep their registers.
import SwasmABI
import SwasmIR

extension A64CodeGen {
    mutating func epochCheck(_ inst: Instruction) {
        let limits = A64ABI.temporary0, epoch = A64ABI.temporary1
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
        let (general, vector) = callerSavedInUse()
        // Vector registers first, at 16-byte offsets (q's scaled form).
        let generalBase = vector.count * 16
        let area = generalBase + (general.count + 1) / 2 * 16
        for check in outOfLine.epochChecks {
            asm.bind(check.label)
            // Read the vmctx before sp moves (a spilled one is sp-relative).
            let vmctx = gpr(check.vmctx, A64ABI.temporary0)
            if vmctx != A64ABI.temporary0 { asm.mov(.x, A64ABI.temporary0, vmctx) }
            adjustStack(by: -area)
            for (i, register) in vector.enumerated() { asm.store(.q, register, .offset(.sp, i * 16)) }
            for (i, register) in general.enumerated() { asm.str(.x, register, .offset(.sp, generalBase + i * 8)) }
            asm.mov(.x, .x0, A64ABI.temporary0)
            asm.ldr(.x, A64ABI.temporary0, .offset(A64ABI.temporary0, VMContextLayout.helpers))
            asm.ldr(.x, A64ABI.temporary0, .offset(A64ABI.temporary0, HelperID.epochDeadline.rawValue * 8))
            asm.blr(A64ABI.temporary0)
            returnSites.append(ReturnSite(returnOffset: asm.offset, wasmOffset: check.wasmOffset))
            // The answer (0: go on, 1: trap) waits in x16 while x0 is restored.
            asm.mov(.w, A64ABI.temporary0, .x0)
            for (i, register) in vector.enumerated() { asm.load(.q, register, .offset(.sp, i * 16)) }
            for (i, register) in general.enumerated() { asm.ldr(.x, register, .offset(.sp, generalBase + i * 8)) }
            adjustStack(by: area)
            branch(ifZero: false, .w, A64ABI.temporary0, trapStub(.interrupted, check.wasmOffset))
            asm.b(check.resume)
        }
    }
}
