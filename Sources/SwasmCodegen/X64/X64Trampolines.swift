// Array-call trampolines: the one way the host calls compiled code.
//
//   void trampoline(void *vmctx, uint64_t *frame)
//   frame[0]   the callee's code address
//   frame[1..] arguments, one 8-byte slot each (i32 zero-extended, f32 in
//              the low 4 bytes); the results are written back from frame[1]
//
// One trampoline per signature, so the runtime needs a single Swift function
// type to call anything.
import SwasmABI
import SwasmIR

extension X64Backend {
    /// Machine code of the array-call trampoline for `signature` (vmctx first).
    public static func arrayCallTrampoline(_ signature: Signature, listing: Bool = false) -> MachineCode {
        var asm = X64Assembler(recordsListing: listing)
        let placement = callingConvention.placement(signature)
        let stackSize = placement.stackSize
        var frame = stackSize + CallingConvention.resultAreaSize(signature)
        // Entry: rsp ≡ 8 (mod 16); after push rbp and rbx ≡ 8; the frame makes it 0.
        // The frame link ends the wasm part of a backtrace here: the return
        // address beside it lies outside compiled code.
        if frame % 16 == 0 { frame += 8 }
        asm.push(.rbp)
        asm.mov(.s64, .rbp, .rsp)
        asm.push(.rbx)
        if frame > 0 { asm.sub(.s64, .rsp, Int32(frame)) }
        asm.mov(.s64, .rbx, .rsi)
        for (i, (type, place)) in zip(signature.parameters, placement.places).enumerated() where i > 0 {
            let slot = X64Mem(.rbx, Int32(i * 8))
            switch place {
            case .register(.general, let r): asm.mov(type == .i32 ? .s32 : .s64, X64Reg(rawValue: r)!, slot)
            case .register(.vector, let r):
                if type == .f32 { asm.movss(XmmReg(rawValue: r)!, slot) } else { asm.movsd(XmmReg(rawValue: r)!, slot) }
            case .stack(let offset):
                asm.mov(.s64, .rax, slot)
                asm.mov(.s64, X64Mem(.rsp, Int32(offset)), .rax)
            }
        }
        if let resultPointer = placement.resultPointer, case .register(_, let r) = resultPointer {
            asm.lea(.s64, X64Reg(rawValue: r)!, X64Mem(.rsp, Int32(stackSize)))
        }
        asm.call(X64Mem(.rbx, 0))
        for (i, type) in signature.results.enumerated() {
            let slot = X64Mem(.rbx, Int32((i + 1) * 8))
            if i == 0 {
                if type.isFloat { asm.movsd(slot, .xmm0) } else { asm.mov(.s64, slot, .rax) }
            } else {
                asm.mov(.s64, .rax, X64Mem(.rsp, Int32(stackSize + (i - 1) * 8)))
                asm.mov(.s64, slot, .rax)
            }
        }
        if frame > 0 { asm.add(.s64, .rsp, Int32(frame)) }
        asm.pop(.rbx)
        asm.pop(.rbp)
        asm.ret()
        return MachineCode(code: asm.finish(), listing: asm.listing)
    }
}

// Host-call trampolines: how compiled code calls a host function of any
// signature. The import record's vmctx is a host-call block
//
//   block[0]  uint32_t entry(void *block, uint64_t *slots)   (C ABI)
//   block[1]  the calling instance's vmctx (for traps and for the host's Caller)
//
// The trampoline spills the wasm arguments into slots (one 8-byte slot per
// value, as array-call trampolines use), calls the entry, and returns the
// results it wrote back into the slots. A non-zero entry result is a trap
// code: the trampoline raises it through the caller's helper table.
extension X64Backend {
    public static func hostCallTrampoline(_ signature: Signature, listing: Bool = false) -> MachineCode {
        var asm = X64Assembler(recordsListing: listing)
        let placement = callingConvention.placement(signature)
        let slotCount = max(signature.parameters.count - 1, signature.results.count, 1)
        var frame = slotCount * 8
        // Entry rsp ≡ 8 (mod 16); three pushes make it 0; the frame keeps it.
        // The frame link lets a trap raised below (a throwing host function)
        // walk on into the wasm caller.
        if frame % 16 != 0 { frame += 8 }
        asm.push(.rbp)
        asm.mov(.s64, .rbp, .rsp)
        asm.push(.rbx)
        asm.push(.r12)
        asm.sub(.s64, .rsp, Int32(frame))
        asm.mov(.s64, .rbx, .rdi)
        if let resultPointer = placement.resultPointer, case .register(_, let r) = resultPointer {
            asm.mov(.s64, .r12, X64Reg(rawValue: r)!)
        }
        for (i, place) in placement.places.enumerated() where i > 0 {
            let slot = X64Mem(.rsp, Int32((i - 1) * 8))
            switch place {
            case .register(.general, let r): asm.mov(.s64, slot, X64Reg(rawValue: r)!)
            case .register(.vector, let r): asm.movsd(slot, XmmReg(rawValue: r)!)
            case .stack(let offset):
                asm.mov(.s64, .rax, X64Mem(.rbp, Int32(FrameLayout.frameLinkSize + offset)))
                asm.mov(.s64, slot, .rax)
            }
        }
        asm.mov(.s64, .rdi, .rbx)
        asm.mov(.s64, .rsi, .rsp)
        asm.call(X64Mem(.rbx, 0))
        let trap = asm.newLabel()
        asm.test(.s32, .rax, .rax)
        asm.jcc(.ne, trap)
        for (i, type) in signature.results.enumerated() {
            let slot = X64Mem(.rsp, Int32(i * 8))
            if i == 0 {
                if type.isFloat { asm.movsd(.xmm0, slot) } else { asm.mov(type == .i32 ? .s32 : .s64, .rax, slot) }
            } else {
                asm.mov(.s64, .rcx, slot)
                asm.mov(.s64, X64Mem(.r12, Int32((i - 1) * 8)), .rcx)
            }
        }
        asm.add(.s64, .rsp, Int32(frame))
        asm.pop(.r12)
        asm.pop(.rbx)
        asm.pop(.rbp)
        asm.ret()
        asm.bind(trap)
        asm.mov(.s64, .rdi, X64Mem(.rbx, 8))
        asm.mov(.s32, .rsi, .rax)
        asm.mov(.s64, .rax, X64Mem(.rdi, Int32(VMContextLayout.helpers)))
        asm.call(X64Mem(.rax, Int32(HelperID.raiseTrap.rawValue * 8)))
        asm.ud2()
        return MachineCode(code: asm.finish(), listing: asm.listing)
    }
}
