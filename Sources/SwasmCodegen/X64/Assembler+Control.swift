// Control flow and stack: jumps and calls (labels always rel32, so offsets
// are final when emitted), indirect jumps/calls, push/pop, ret, traps, nop.
//
// Label jumps are listed as `{disp32} jmp .L3`, which makes GNU as keep the
// 32-bit form instead of relaxing it to rel8.

extension X64Assembler {
    public mutating func jmp(_ target: X64Label) {
        encode(Forms.jmp, target: target, [.l(target)])
    }

    public mutating func jcc(_ cond: X64Cond, _ target: X64Label) {
        encode(Forms.jcc, target: target, opcodeAdd: cond.rawValue, suffix: "\(cond)", [.l(target)])
    }

    public mutating func call(_ target: X64Label) {
        encode(Forms.call, target: target, [.l(target)])
    }

    public mutating func jmp(_ target: X64Reg) {
        encode(Forms.jmpRM, rm: .reg(target.rawValue), [.r(target, .s64)])
    }

    public mutating func jmp(_ target: X64Mem) {
        encode(Forms.jmpRM, rm: .mem(target), [.m(target, .s64)])
    }

    public mutating func call(_ target: X64Reg) {
        encode(Forms.callRM, rm: .reg(target.rawValue), [.r(target, .s64)])
    }

    public mutating func call(_ target: X64Mem) {
        encode(Forms.callRM, rm: .mem(target), [.m(target, .s64)])
    }

    public mutating func ret() { encode(Forms.ret, .s32, []) }

    public mutating func push(_ r: X64Reg) {
        encode(Forms.push, rm: .reg(r.rawValue), [.r(r, .s64)])
    }

    public mutating func pop(_ r: X64Reg) {
        encode(Forms.pop, rm: .reg(r.rawValue), [.r(r, .s64)])
    }

    /// The defined-invalid instruction (traps with SIGILL).
    public mutating func ud2() { encode(Forms.ud2, .s32, []) }
    public mutating func int3() { encode(Forms.int3, .s32, []) }
    public mutating func nop() { encode(Forms.nop, .s32, []) }
}
