// `epoch_check`: the engine's epoch against the store's deadline inline
// (rax and rcx, both reserved temporaries), the deadline helper's call out
// of line. The call saves and restores every caller-saved register the
// function's allocation uses, so to the allocator the check is an ordinary
// instruction with no clobbers: values live through a checked loop keep
// their registers, where a call would push them into callee-saved
// registers or (floats, SysV having no callee-saved XMM) into memory.
import SwasmABI
import SwasmIR

extension X64CodeGen {
    mutating func epochCheck(_ inst: Instruction) {
        let vmctx = gpr(inst.operands[0], .r11)
        asm.mov(.s64, .rax, X64Mem(vmctx, Int32(VMContextLayout.executionLimits)))
        asm.mov(.s64, .rcx, X64Mem(.rax, Int32(ExecutionLimitsLayout.epochCounter)))
        asm.mov(.s64, .rcx, X64Mem(.rcx, 0))
        asm.cmp(.s64, .rcx, X64Mem(.rax, Int32(ExecutionLimitsLayout.epochDeadline)))
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
            // Read the vmctx before rsp moves (a spilled one is rsp-relative).
            let vmctx = gpr(check.vmctx, .r11)
            if vmctx != .r11 { asm.mov(.s64, .r11, vmctx) }
            for register in general { asm.push(register) }
            if floatArea > 0 { asm.sub(.s64, .rsp, Int32(floatArea)) }
            for (i, register) in vector.enumerated() { asm.movsd(X64Mem(.rsp, Int32(i * 8)), register) }
            asm.mov(.s64, .rdi, .r11)
            asm.mov(.s64, .rax, X64Mem(.r11, Int32(VMContextLayout.helpers)))
            asm.call(X64Mem(.rax, Int32(HelperID.epochDeadline.rawValue * 8)))
            returnSites.append(ReturnSite(returnOffset: asm.offset, wasmOffset: check.wasmOffset))
            for (i, register) in vector.enumerated() { asm.movsd(register, X64Mem(.rsp, Int32(i * 8))) }
            if floatArea > 0 { asm.add(.s64, .rsp, Int32(floatArea)) }
            for register in general.reversed() { asm.pop(register) }
            // The helper answers 0 (go on) or 1 (trap): an i32, upper half undefined.
            asm.test(.s32, .rax, .rax)
            asm.jcc(.ne, trapStub(.interrupted, check.wasmOffset))
            asm.jmp(check.resume)
        }
    }
}
