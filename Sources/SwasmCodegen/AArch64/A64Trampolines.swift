// AArch64 trampolines: the two places where the host and compiled code meet
// across signatures (docs/abi.md), in AAPCS64 as `CallingConvention.aapcs64`
// places arguments. Both keep the frame-record chain (x29 points at the
// saved x29/x30 pair), so a backtrace walks through them as through
// compiled functions.
//
// Scratch registers: x16 and x17 (IP0/IP1, which AAPCS64 lets any call
// clobber) carry values and computed addresses; x19 and x20 are
// callee-saved and saved here, so they survive the call.
import SwasmABI
import SwasmIR

public enum A64Trampolines {
    static let convention = CallingConvention.aapcs64

    /// The array-call trampoline for `signature` (vmctx first):
    ///
    ///     void trampoline(void *vmctx /*x0*/, uint64_t *frame /*x1*/)
    ///     frame[0]   the callee's code address
    ///     frame[1..] arguments, one 8-byte slot each (i32 zero-extended,
    ///                f32 in the low 4 bytes); results written back from frame[1]
    ///
    /// Frame, from sp after the prologue: the callee's stack arguments, then
    /// the result area (results 2..n), then x19/x20, then the frame record.
    /// The frame record's return address lies in `swasm_enter`, outside
    /// compiled code, which ends the wasm part of a backtrace.
    public static func arrayCall(_ signature: Signature, listing: Bool = false) -> MachineCode {
        var asm = A64Assembler(recordsListing: listing)
        let placement = convention.placement(signature)
        let stackSize = placement.stackSize
        let frame = roundUp16(stackSize + CallingConvention.resultAreaSize(signature))
        asm.stp(.x, .fp, .lr, .preIndex(.sp, -16))
        asm.mov(.x, .fp, .sp)
        asm.stp(.x, .x19, .x20, .preIndex(.sp, -16))
        adjustStackPointer(&asm, by: -frame)
        asm.mov(.x, .x19, .x1)
        // vmctx stays in x0: the frame pointer moved out of x1 first, and no
        // argument goes to x0 but vmctx.
        for (i, (type, place)) in zip(signature.parameters, placement.places).enumerated() where i > 0 {
            switch place {
            case .register(.general, let r):
                let slot = address(&asm, .x19, i * 8, bytes: type == .i32 ? 4 : 8)
                asm.ldr(type == .i32 ? .w : .x, register(r), slot)
            case .register(.vector, let r):
                let slot = address(&asm, .x19, i * 8, bytes: type == .f32 ? 4 : 8)
                asm.load(type == .f32 ? .s : .d, vectorRegister(r), slot)
            case .stack(let offset):
                copy(&asm, from: .x19, i * 8, to: .sp, offset, zeroExtending: type == .i32)
            }
        }
        if let resultPointer = placement.resultPointer, case .register(_, let r) = resultPointer {
            addOffset(&asm, register(r), .sp, stackSize)
        }
        asm.ldr(.x, .x16, .base(.x19))
        asm.blr(.x16)
        for (i, type) in signature.results.enumerated() {
            if i == 0 {
                let slot = address(&asm, .x19, 8, bytes: 8)
                if type.isFloat { asm.store(.d, .v0, slot) } else { asm.str(.x, .x0, slot) }
            } else {
                copy(&asm, from: .sp, stackSize + (i - 1) * 8, to: .x19, (i + 1) * 8)
            }
        }
        adjustStackPointer(&asm, by: frame)
        asm.ldp(.x, .x19, .x20, .postIndex(.sp, 16))
        asm.ldp(.x, .fp, .lr, .postIndex(.sp, 16))
        asm.ret()
        return MachineCode(code: finish(asm), listing: asm.listing)
    }

    /// The host-call trampoline for `signature`: how compiled code calls a
    /// host function. The import record's vmctx (x0) is a host-call block
    ///
    ///     block[0]  uint32_t entry(void *block, uint64_t *slots)   (C ABI)
    ///     block[1]  the calling instance's vmctx (for traps and the host's Caller)
    ///
    /// The trampoline spills the wasm arguments into slots (one 8-byte slot
    /// per value, as array-call trampolines use), calls the entry, and
    /// returns the results it wrote back into the slots: the first in x0/v0,
    /// the others through the result pointer (x8). A non-zero entry result
    /// is a trap code, raised through the caller's helper table.
    ///
    /// Frame, from sp after the prologue: the slots, then x19/x20, then the
    /// frame record, above which lie the caller's stack arguments.
    public static func hostCall(_ signature: Signature, listing: Bool = false) -> MachineCode {
        var asm = A64Assembler(recordsListing: listing)
        let placement = convention.placement(signature)
        let slotCount = max(signature.parameters.count - 1, signature.results.count, 1)
        let frame = roundUp16(slotCount * 8)
        // Incoming stack arguments, from x29: past the frame record.
        let incoming = FrameLayout.frameLinkSize
        asm.stp(.x, .fp, .lr, .preIndex(.sp, -16))
        asm.mov(.x, .fp, .sp)
        asm.stp(.x, .x19, .x20, .preIndex(.sp, -16))
        adjustStackPointer(&asm, by: -frame)
        asm.mov(.x, .x19, .x0)
        if let resultPointer = placement.resultPointer, case .register(_, let r) = resultPointer {
            asm.mov(.x, .x20, register(r))
        }
        for (i, place) in placement.places.enumerated() where i > 0 {
            switch place {
            case .register(.general, let r):
                let slot = address(&asm, .sp, (i - 1) * 8, bytes: 8)
                asm.str(.x, register(r), slot)
            case .register(.vector, let r):
                let slot = address(&asm, .sp, (i - 1) * 8, bytes: 8)
                asm.store(.d, vectorRegister(r), slot)
            case .stack(let offset):
                copy(&asm, from: .fp, incoming + offset, to: .sp, (i - 1) * 8)
            }
        }
        asm.mov(.x, .x0, .x19)
        asm.mov(.x, .x1, .sp)
        asm.ldr(.x, .x16, .base(.x19))
        asm.blr(.x16)
        let trap = asm.newLabel()
        asm.cbnz(.w, .x0, trap)
        for (i, type) in signature.results.enumerated() {
            // i32 (and f32) results are loaded as 32 bits: whatever the host
            // left in the upper half of its slot, compiled code gets them
            // zero-extended.
            if i == 0 {
                let slot = address(&asm, .sp, 0, bytes: 8)
                switch type {
                case .f32: asm.load(.s, .v0, slot)
                case .f64: asm.load(.d, .v0, slot)
                case .i32: asm.ldr(.w, .x0, slot)
                default: asm.ldr(.x, .x0, slot)
                }
            } else {
                copy(&asm, from: .sp, i * 8, to: .x20, (i - 1) * 8, zeroExtending: type == .i32 || type == .f32)
            }
        }
        adjustStackPointer(&asm, by: frame)
        asm.ldp(.x, .x19, .x20, .postIndex(.sp, 16))
        asm.ldp(.x, .fp, .lr, .postIndex(.sp, 16))
        asm.ret()
        asm.bind(trap)
        asm.mov(.w, .x1, .x0)
        asm.ldr(.x, .x0, .offset(.x19, 8))
        asm.ldr(.x, .x16, .offset(.x0, VMContextLayout.helpers))
        asm.ldr(.x, .x16, .offset(.x16, Int(HelperID.raiseTrap.rawValue) * 8))
        asm.blr(.x16)
        // raiseTrap unwinds and never returns.
        asm.udf()
        return MachineCode(code: finish(asm), listing: asm.listing)
    }

    // MARK: Helpers

    static func roundUp16(_ n: Int) -> Int { (n + 15) / 16 * 16 }

    static func register(_ r: UInt8) -> A64Reg { A64Reg(rawValue: r)! }
    static func vectorRegister(_ r: UInt8) -> A64VReg { A64VReg(rawValue: r)! }

    /// `[base, #offset]` for an access of `bytes`, or, beyond the immediate
    /// forms' reach (signatures of thousands of values), `[x17]` with the
    /// address computed into x17 first.
    static func address(_ asm: inout A64Assembler, _ base: A64Reg, _ offset: Int, bytes: Int) -> A64Mem {
        if A64Assembler.canAddress(offset: offset, bytes: bytes) { return .offset(base, offset) }
        addOffset(&asm, .x17, base, offset)
        return .base(.x17)
    }

    /// Copies an 8-byte slot through x16; `zeroExtending` copies only its
    /// low 4 bytes and clears the upper half (an i32 or f32 from the host,
    /// which may leave anything there).
    static func copy(_ asm: inout A64Assembler, from source: A64Reg, _ sourceOffset: Int, to target: A64Reg, _ targetOffset: Int,
                     zeroExtending: Bool = false) {
        let from = address(&asm, source, sourceOffset, bytes: zeroExtending ? 4 : 8)
        asm.ldr(zeroExtending ? .w : .x, .x16, from)
        let to = address(&asm, target, targetOffset, bytes: 8)
        asm.str(.x, .x16, to)
    }

    /// d = n + offset, for 0 ≤ offset < 16 MiB (one or two adds).
    static func addOffset(_ asm: inout A64Assembler, _ d: A64Reg, _ n: A64Reg, _ offset: Int) {
        precondition(offset >= 0 && offset < 1 << 24, "trampoline offset \(offset) beyond 16 MiB")
        let high = UInt64(offset) & ~0xfff, low = UInt64(offset) & 0xfff
        if high != 0 {
            asm.add(.x, d, n, imm: high)
            if low != 0 { asm.add(.x, d, d, imm: low) }
        } else {
            asm.add(.x, d, n, imm: low)
        }
    }

    /// sp += delta (a multiple of 16, |delta| < 16 MiB); nothing for 0.
    static func adjustStackPointer(_ asm: inout A64Assembler, by delta: Int) {
        precondition(delta % 16 == 0 && abs(delta) < 1 << 24, "trampoline frame \(delta) beyond 16 MiB")
        let magnitude = UInt64(abs(delta))
        for part in [magnitude & ~0xfff, magnitude & 0xfff] where part != 0 {
            if delta < 0 { asm.sub(.x, .sp, .sp, imm: part) } else { asm.add(.x, .sp, .sp, imm: part) }
        }
    }

    /// Trampolines branch only to labels a few instructions away.
    static func finish(_ asm: A64Assembler) -> [UInt8] {
        do { return try asm.finish() } catch { preconditionFailure("trampoline: \(error)") }
    }
}
