// Array-call trampolines: the one way the host calls compiled code.
//
//   void trampoline(void *vmctx, uint64_t *frame)
//   frame[0]   the callee's code address
//   frame[1..] arguments, one 8-byte slot each (i32 zero-extended, f32 in
//              the low 4 bytes); the results are written back from frame[1]
//
// One trampoline per signature, so the runtime needs a single Swift function
// type to call anything.
import SwasmIR

extension X64Backend {
    /// Machine code of the array-call trampoline for `signature` (vmctx first).
    public static func arrayCallTrampoline(_ signature: Signature, listing: Bool = false) -> (code: [UInt8], listing: [String]) {
        var asm = X64Assembler(recordsListing: listing)
        let (places, resultPointer, stackSlots) = X64CodeGen.argumentPlaces(signature)
        let resultArea = max(0, signature.results.count - 1) * 8
        var frame = stackSlots * 8 + resultArea
        // Entry: rsp ≡ 8 (mod 16); after push rbx ≡ 0; keep the frame a multiple of 16.
        if frame % 16 != 0 { frame += 8 }
        asm.push(.rbx)
        if frame > 0 { asm.sub(.s64, .rsp, Int32(frame)) }
        asm.mov(.s64, .rbx, .rsi)
        for (i, (type, place)) in zip(signature.parameters, places).enumerated() where i > 0 {
            let slot = X64Mem(.rbx, Int32(i * 8))
            switch place {
            case .gpr(let r): asm.mov(type == .i32 ? .s32 : .s64, r, slot)
            case .xmm(let x): if type == .f32 { asm.movss(x, slot) } else { asm.movsd(x, slot) }
            case .stack(let k):
                asm.mov(.s64, .rax, slot)
                asm.mov(.s64, X64Mem(.rsp, Int32(k * 8)), .rax)
            }
        }
        if let resultPointer, case .gpr(let r) = resultPointer {
            asm.lea(.s64, r, X64Mem(.rsp, Int32(stackSlots * 8)))
        }
        asm.call(X64Mem(.rbx, 0))
        for (i, type) in signature.results.enumerated() {
            let slot = X64Mem(.rbx, Int32((i + 1) * 8))
            if i == 0 {
                if type.isFloat { asm.movsd(slot, .xmm0) } else { asm.mov(.s64, slot, .rax) }
            } else {
                asm.mov(.s64, .rax, X64Mem(.rsp, Int32(stackSlots * 8 + (i - 1) * 8)))
                asm.mov(.s64, slot, .rax)
            }
        }
        if frame > 0 { asm.add(.s64, .rsp, Int32(frame)) }
        asm.pop(.rbx)
        asm.ret()
        return (asm.finish(), asm.listing)
    }
}
