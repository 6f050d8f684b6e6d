// The x86-64 half of parallel moves (Frame/ParallelMove.swift orders them):
// each move as one or two instructions. Slot-to-slot moves and constants
// too wide for an immediate go through rax, not r11: r11 may hold a value
// parked by a cycle.
import SwasmIR

extension X64CodeGen: MoveEmitter {
    var moveScratch: PerClass<UInt8> { X64ABI.registers.moveScratch }

    func moveSource(_ value: Value) -> MoveSource {
        switch location(value) {
        case .register(let r): return .register(r)
        case .slot(let s): return .slot(s)
        case .constant(let bits): return .constant(bits, function.type(of: value))
        case .none: return .constant(0, function.type(of: value))
        }
    }

    /// Moves the arguments of a branch into the target's parameters.
    mutating func moveArguments(_ target: BlockCall) throws {
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
            switch move.destination {
            case .register(let d):
                let dst = XmmReg(rawValue: d)!
                switch move.source {
                case .register(let s): if s != d { asm.sse(.movaps, dst, XmmReg(rawValue: s)!) }
                case .slot(let s): asm.movsd(dst, slotAddress(s))
                case .incoming(let offset), .frame(let offset): asm.movsd(dst, X64Mem(.rsp, Int32(offset)))
                case .constant(let bits, let type): loadFloatConstant(dst, bits, type)
                case .frameAddress: break
                }
            case .slot(let s):
                let src = floatSourceRegister(move.source)
                asm.movsd(slotAddress(s), src)
            default: break
            }
            return
        }
        if move.zeroExtends, emitZeroExtendingMove(move) { return }
        switch move.destination {
        case .register(let d):
            let dst = X64Reg(rawValue: d)!
            switch move.source {
            case .register(let s): if s != d { asm.mov(.s64, dst, X64Reg(rawValue: s)!) }
            case .slot(let s): asm.mov(.s64, dst, slotAddress(s))
            case .incoming(let offset), .frame(let offset): asm.mov(.s64, dst, X64Mem(.rsp, Int32(offset)))
            case .constant(let bits, let type): materialize(dst, bits, type)
            case .frameAddress(let offset): asm.lea(.s64, dst, X64Mem(.rsp, Int32(offset)))
            }
        case .slot(let s):
            switch move.source {
            case .register(let r): asm.mov(.s64, slotAddress(s), X64Reg(rawValue: r)!)
            case .constant(let bits, let type):
                let normalized = type == .i32 ? Int64(UInt32(truncatingIfNeeded: bits)) : bits
                if let imm = Int32(exactly: normalized) {
                    asm.mov(.s64, slotAddress(s), imm)
                } else {
                    materialize(.rax, bits, type)
                    asm.mov(.s64, slotAddress(s), .rax)
                }
            case .slot(let from):
                asm.mov(.s64, .rax, slotAddress(from))
                asm.mov(.s64, slotAddress(s), .rax)
            case .incoming(let offset), .frame(let offset):
                asm.mov(.s64, .rax, X64Mem(.rsp, Int32(offset)))
                asm.mov(.s64, slotAddress(s), .rax)
            case .frameAddress(let offset):
                asm.lea(.s64, .rax, X64Mem(.rsp, Int32(offset)))
                asm.mov(.s64, slotAddress(s), .rax)
            }
        default: break
        }
    }

    /// A 32-bit move of an i32 (x86 clears the upper half of a 32-bit
    /// destination register), through rax into a spill slot; false for
    /// sources that need no extension.
    mutating func emitZeroExtendingMove(_ move: Move) -> Bool {
        let register: X64Reg
        switch move.destination {
        case .register(let d): register = X64Reg(rawValue: d)!
        case .slot: register = .rax
        default: return true
        }
        switch move.source {
        case .register(let s): asm.mov(.s32, register, X64Reg(rawValue: s)!)
        case .incoming(let offset), .frame(let offset): asm.mov(.s32, register, X64Mem(.rsp, Int32(offset)))
        default: return false
        }
        if case .slot(let s) = move.destination { asm.mov(.s64, slotAddress(s), register) }
        return true
    }

    mutating func floatSourceRegister(_ source: MoveSource) -> XmmReg {
        switch source {
        case .register(let s): return XmmReg(rawValue: s)!
        case .slot(let s):
            asm.movsd(.xmm14, slotAddress(s))
        case .incoming(let offset), .frame(let offset):
            asm.movsd(.xmm14, X64Mem(.rsp, Int32(offset)))
        case .constant(let bits, let type):
            loadFloatConstant(.xmm14, bits, type)
        case .frameAddress: break
        }
        return .xmm14
    }
}
