// The AArch64 half of parallel moves (Frame/ParallelMove.swift orders them):
// each move as one or two instructions. Moves that need a register on the
// way (slot to slot, constants into slots) go through x16 or v30, never
// through x15 or v31, which may hold a value parked by a cycle; x17 forms
// frame addresses beyond an instruction's reach.
import SwasmIR

extension A64CodeGen: MoveEmitter {
    var moveScratch: PerClass<UInt8> { A64ABI.registers.moveScratch }

    func moveSource(_ value: Value) -> MoveSource {
        switch location(value) {
        case .register(let r): return .register(r)
        case .slot(let s): return .slot(s)
        case .constant(let bits): return .constant(bits, function.type(of: value))
        case .none: return .constant(0, function.type(of: value))
        }
    }

    /// Moves the arguments of a branch into the target's parameters.
    mutating func moveArguments(_ target: BlockCall) {
        let parameters = function.parameters(of: target.block)
        var moves: [Move] = []
        for (parameter, argument) in zip(parameters, target.arguments) {
            let destination = location(parameter)
            if destination == .none { continue }
            moves.append(Move(destination: destination, source: moveSource(argument), regClass: function.type(of: parameter).regClass))
        }
        parallelMove(moves)
    }

    mutating func emitMove(_ move: Move) {
        if move.regClass == .vector {
            emitVectorMove(move)
            return
        }
        let width: A64Width = move.zeroExtends ? .w : .x
        switch move.destination {
        case .register(let d):
            let dst = A64Reg(rawValue: d)!
            switch move.source {
            case .register(let s): if s != d || move.zeroExtends { asm.mov(width, dst, A64Reg(rawValue: s)!) }
            case .slot(let s): asm.ldr(.x, dst, slotAddress(s, temp: dst))
            case .incoming(let offset), .frame(let offset): asm.ldr(width, dst, frameAddress(offset, temp: dst))
            case .constant(let bits, let type): materialize(dst, bits, type)
            case .frameAddress(let offset): addFrameAddress(dst, offset)
            }
        case .slot(let s):
            let value: A64Reg
            switch move.source {
            case .register(let r):
                value = A64Reg(rawValue: r)!
                if move.zeroExtends { asm.mov(.w, A64ABI.temporary0, value) }
            case .constant(let bits, let type):
                if bits == 0 || (type == .i32 && UInt32(truncatingIfNeeded: bits) == 0) {
                    value = .zr
                } else {
                    value = A64ABI.temporary0
                    materialize(value, bits, type)
                }
            case .slot(let from):
                value = A64ABI.temporary0
                asm.ldr(.x, value, slotAddress(from, temp: value))
            case .incoming(let offset), .frame(let offset):
                value = A64ABI.temporary0
                asm.ldr(width, value, frameAddress(offset, temp: value))
            case .frameAddress(let offset):
                value = A64ABI.temporary0
                addFrameAddress(value, offset)
            }
            let stored = move.zeroExtends && move.source.isRegister ? A64ABI.temporary0 : value
            asm.str(.x, stored, slotAddress(s, temp: A64ABI.temporary1))
        default: break
        }
    }

    /// d = sp + offset.
    mutating func addFrameAddress(_ d: A64Reg, _ offset: Int) {
        precondition(offset >= 0 && offset < 1 << 24, "frame offset \(offset) beyond 16 MiB")
        if offset >> 12 != 0 {
            asm.add(.x, d, .sp, imm: UInt64(offset) & 0xff_f000)
            if offset & 0xfff != 0 { asm.add(.x, d, d, imm: UInt64(offset & 0xfff)) }
        } else {
            asm.add(.x, d, .sp, imm: UInt64(offset))
        }
    }

    mutating func emitVectorMove(_ move: Move) {
        switch move.destination {
        case .register(let d):
            let dst = A64VReg(rawValue: d)!
            switch move.source {
            case .register(let s): if s != d { asm.fmov(.d, dst, A64VReg(rawValue: s)!) }
            case .slot(let s): asm.load(.d, dst, slotAddress(s, temp: A64ABI.temporary1))
            case .incoming(let offset), .frame(let offset): asm.load(.d, dst, frameAddress(offset, temp: A64ABI.temporary1))
            case .constant(let bits, let type): loadFloatConstant(dst, bits, type, via: A64ABI.temporary1)
            case .frameAddress: break
            }
        case .slot(let s):
            let value: A64VReg
            switch move.source {
            case .register(let r): value = A64VReg(rawValue: r)!
            case .slot(let from):
                value = A64ABI.floatTemporary0
                asm.load(.d, value, slotAddress(from, temp: A64ABI.temporary1))
            case .incoming(let offset), .frame(let offset):
                value = A64ABI.floatTemporary0
                asm.load(.d, value, frameAddress(offset, temp: A64ABI.temporary1))
            case .constant(let bits, let type):
                value = A64ABI.floatTemporary0
                loadFloatConstant(value, bits, type, via: A64ABI.temporary1)
            case .frameAddress: return
            }
            asm.store(.d, value, slotAddress(s, temp: A64ABI.temporary1))
        default: break
        }
    }
}

extension MoveSource {
    var isRegister: Bool {
        if case .register = self { return true }
        return false
    }
}
