// `epoch_check`: the engine's epoch against the store's deadline inline
// (in the check's two general temporaries), the deadline helper's call out
// of line. The call saves and restores every caller-saved register the
// function's allocation gives a value, so to the allocator the check is an
// ordinary instruction with no clobbers: values live through a checked
// loop keep their registers, where a call would push them into
// callee-saved registers or (floats, SysV having no callee-saved XMM) into
// memory. The stub needs no temporaries: once those registers are saved,
// every caller-saved register is free (the check's own temporaries hold
// nothing after it).
import SwasmABI
import SwasmIR

extension X64CodeGen {
    mutating func epochCheck(_ inst: Instruction) {
        let (limits, epoch) = (temps.gpr(0), temps.gpr(1))
        let vmctx = gpr(inst.operands[0], limits)
        asm.mov(.s64, limits, X64Mem(vmctx, Int32(VMContextLayout.executionLimits)))
        asm.mov(.s64, epoch, X64Mem(limits, Int32(ExecutionLimitsLayout.epochCounter)))
        asm.mov(.s64, epoch, X64Mem(epoch, 0))
        asm.cmp(.s64, epoch, X64Mem(limits, Int32(ExecutionLimitsLayout.epochDeadline)))
        let stub = asm.newLabel(), resume = asm.newLabel()
        asm.jcc(.ae, stub)
        asm.bind(resume)
        outOfLine.epochChecks.append(.init(label: stub, resume: resume, vmctx: inst.operands[0],
                                           wasmOffset: inst.sourceOffset))
    }

    /// Caller-saved registers that hold a value somewhere in the function:
    /// the ones a helper call may destroy and the allocator may have used.
    func callerSavedInUse() -> (general: [X64Reg], vector: [XmmReg]) {
        var general = Set<UInt8>(), vector = Set<UInt8>()
        for (index, location) in allocation.locations.enumerated() {
            guard case .register(let r) = location else { continue }
            if function.type(of: Value(UInt32(index))).regClass == .vector { vector.insert(r) } else { general.insert(r) }
        }
        let file = X64ABI.registers.classes
        return (file.general.allocatable.filter { general.contains($0) && !file.general.calleeSaved.contains($0) }
                    .map { X64Reg(rawValue: $0)! },
                file.vector.allocatable.filter { vector.contains($0) && !file.vector.calleeSaved.contains($0) }
                    .map { XmmReg(rawValue: $0)! })
    }

    /// The out-of-line halves, after the function's body. This backend
    /// keeps only f32 and f64 values in XMM registers (it compiles no
    /// v128): 8 bytes each.
    mutating func emitEpochCheckStubs() {
        guard !outOfLine.epochChecks.isEmpty else { return }
        let (general, vector) = callerSavedInUse()
        // rsp is 16-aligned in the body; the pushes and the float area
        // together keep it so for the call.
        let pushed = general.count * 8
        var floatArea = vector.count * 8
        if (pushed + floatArea) % 16 != 0 { floatArea += 8 }
        for check in outOfLine.epochChecks {
            asm.bind(check.label)
            for register in general { asm.push(register) }
            if floatArea > 0 { asm.sub(.s64, .rsp, Int32(floatArea)) }
            for (i, register) in vector.enumerated() { asm.movsd(X64Mem(.rsp, Int32(i * 8)), register) }
            // Saved or holding nothing, rdi and rax are free now; a
            // register vmctx is unchanged by the pushes, a spilled one
            // further from rsp by what they took.
            switch location(check.vmctx) {
            case .register(let r): if r != X64Reg.rdi.rawValue { asm.mov(.s64, .rdi, X64Reg(rawValue: r)!) }
            case .slot(let s): asm.mov(.s64, .rdi, X64Mem(.rsp, Int32(frame.slotOffset(s) + pushed + floatArea)))
            case .constant(let bits): asm.mov(.s64, .rdi, bits)
            case .none: break
            }
            asm.mov(.s64, .rax, X64Mem(.rdi, Int32(VMContextLayout.helpers)))
            asm.call(X64Mem(.rax, Int32(HelperID.epochDeadline.rawValue * 8)))
            returnSites.append(ReturnSite(returnOffset: asm.offset, wasmOffset: check.wasmOffset))
            // The helper answers 0 (go on) or 1 (trap): an i32, upper half
            // undefined. Tested before rax is restored; the restores leave
            // the flags alone (lea, not add).
            asm.test(.s32, .rax, .rax)
            for (i, register) in vector.enumerated() { asm.movsd(register, X64Mem(.rsp, Int32(i * 8))) }
            if floatArea > 0 { asm.lea(.s64, .rsp, X64Mem(.rsp, Int32(floatArea))) }
            for register in general.reversed() { asm.pop(register) }
            asm.jcc(.ne, trapStub(.interrupted, check.wasmOffset))
            asm.jmp(check.resume)
        }
    }
}
