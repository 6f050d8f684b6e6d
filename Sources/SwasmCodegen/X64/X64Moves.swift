// The x86-64 half of parallel moves (Frame/ParallelMove.swift orders them):
// each move as one or two instructions. The registers come from the
// temporaries of the instruction the moves belong to (a branch, a call, a
// return, or the entry's for the incoming parameters), which the allocator
// keeps clear of every register the moves read or write: a value of a
// cycle parks in one, and slot-to-slot moves, incoming stack arguments and
// constants too wide for an immediate go through the other (the carrier),
// since the parked value may still be waiting.
import SwasmIR

extension X64CodeGen: MoveEmitter {
    /// The current move's parking registers; a class without one gets a
    /// number no register has, so a cycle there fails loudly in `emitMove`.
    var moveScratch: PerClass<UInt8> {
        PerClass(general: moveTemporaries.parking.general ?? Self.noParking,
                 vector: moveTemporaries.parking.vector ?? Self.noParking)
    }

    static let noParking: UInt8 = 0xFF

    /// Emits `moves` at once with `registers` to park and carry values.
    mutating func parallelMove(_ moves: [Move], using registers: MoveTemporaries) {
        moveTemporaries = registers
        parallelMove(moves)
        moveTemporaries = .none
    }

    func moveSource(_ value: Value) -> MoveSource { allocation.moveSource(value, in: function) }

    /// Moves the arguments of a branch into the target's parameters.
    mutating func moveArguments(_ target: BlockCall, using registers: MoveTemporaries) throws {
        parallelMove(allocation.argumentMoves(target, in: function), using: registers)
    }

    mutating func emitMove(_ move: Move) {
        if case .register(let d) = move.destination {
            precondition(d != Self.noParking,
                         "x86-64 parallel move of \(moveTemporaries.owner) has a \(move.regClass) cycle but X64ABI.temporaries grants no register to break it")
        }
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
                    let carrier = moveTemporaries.carrierGPR()
                    materialize(carrier, bits, type)
                    asm.mov(.s64, slotAddress(s), carrier)
                }
            case .slot(let from):
                let carrier = moveTemporaries.carrierGPR()
                asm.mov(.s64, carrier, slotAddress(from))
                asm.mov(.s64, slotAddress(s), carrier)
            case .incoming(let offset), .frame(let offset):
                let carrier = moveTemporaries.carrierGPR()
                asm.mov(.s64, carrier, X64Mem(.rsp, Int32(offset)))
                asm.mov(.s64, slotAddress(s), carrier)
            case .frameAddress(let offset):
                let carrier = moveTemporaries.carrierGPR()
                asm.lea(.s64, carrier, X64Mem(.rsp, Int32(offset)))
                asm.mov(.s64, slotAddress(s), carrier)
            }
        default: break
        }
    }

    /// A 32-bit move of an i32 (x86 clears the upper half of a 32-bit
    /// destination register), through the carrier into a spill slot; false
    /// for sources that need no extension.
    mutating func emitZeroExtendingMove(_ move: Move) -> Bool {
        let register: X64Reg
        switch move.destination {
        case .register(let d): register = X64Reg(rawValue: d)!
        case .slot: register = moveTemporaries.carrierGPR()
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
        if case .register(let s) = source { return XmmReg(rawValue: s)! }
        let carrier = moveTemporaries.carrierXMM()
        switch source {
        case .register: break
        case .slot(let s):
            asm.movsd(carrier, slotAddress(s))
        case .incoming(let offset), .frame(let offset):
            asm.movsd(carrier, X64Mem(.rsp, Int32(offset)))
        case .constant(let bits, let type):
            loadFloatConstant(carrier, bits, type)
        case .frameAddress: break
        }
        return carrier
    }
}
