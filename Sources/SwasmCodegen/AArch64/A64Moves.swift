// The AArch64 half of parallel moves (Frame/ParallelMove.swift orders them):
// each move as one or two instructions. Every register a move needs on the
// way comes from its instruction's temporaries (A64MovePlan names the
// roles): a value parked to break a cycle waits in the parking register of
// its class; moves between two memory locations, or of a constant into
// one, go through the carrier of their class, never the parking one; a
// general address register forms frame addresses beyond an instruction's
// reach, and builds float constants in a long function.
import SwasmIR

/// Stands for a parking register the move's instruction did not ask for:
/// no location has it, so a schedule that parks a value shows it.
private let noParkingRegister: UInt8 = 0xFE

extension A64CodeGen: MoveEmitter {
    var moveScratch: PerClass<UInt8> {
        PerClass(general: moveRegisters.parkGeneral?.rawValue ?? noParkingRegister,
                 vector: moveRegisters.parkVector?.rawValue ?? noParkingRegister)
    }

    /// Emits `moves` at once with the registers of `registers`.
    mutating func parallelMove(using registers: A64MoveRegisters, _ moves: [Move]) {
        moveRegisters = registers
        parallelMove(moves)
        moveRegisters = A64MoveRegisters()
    }

    func moveSource(_ value: Value) -> MoveSource { allocation.moveSource(value, in: function) }

    /// Moves the arguments of a branch into the target's parameters.
    mutating func moveArguments(_ target: BlockCall, using registers: A64MoveRegisters) {
        parallelMove(using: registers, allocation.argumentMoves(target, in: function))
    }

    /// The general carrier, which the move's plan must include.
    var carrier: A64Reg {
        guard let r = moveRegisters.carrierGeneral else {
            preconditionFailure("AArch64 parallel move of \(temporaries.owner) needs a general carrier; none was granted")
        }
        return r
    }

    var vectorCarrier: A64VReg {
        guard let r = moveRegisters.carrierVector else {
            preconditionFailure("AArch64 parallel move of \(temporaries.owner) needs a vector carrier; none was granted")
        }
        return r
    }

    mutating func emitMove(_ move: Move) {
        if case .register(noParkingRegister) = move.destination {
            preconditionFailure("AArch64 parallel move of \(temporaries.owner) parks a \(move.regClass) value; no parking register was granted")
        }
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
            var value: A64Reg
            switch move.source {
            case .register(let r):
                value = A64Reg(rawValue: r)!
                if move.zeroExtends {
                    asm.mov(.w, carrier, value)
                    value = carrier
                }
            case .constant(let bits, let type):
                if bits == 0 || (type == .i32 && UInt32(truncatingIfNeeded: bits) == 0) {
                    value = .zr
                } else {
                    value = carrier
                    materialize(value, bits, type)
                }
            case .slot(let from):
                value = carrier
                asm.ldr(.x, value, slotAddress(from, temp: value))
            case .incoming(let offset), .frame(let offset):
                value = carrier
                asm.ldr(width, value, frameAddress(offset, temp: value))
            case .frameAddress(let offset):
                value = carrier
                addFrameAddress(value, offset)
            }
            asm.str(.x, value, slotAddress(s, temp: moveRegisters.addressGeneral))
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
        let helper = moveRegisters.helperGeneral
        switch move.destination {
        case .register(let d):
            let dst = A64VReg(rawValue: d)!
            switch move.source {
            case .register(let s): if s != d { asm.fmov(.d, dst, A64VReg(rawValue: s)!) }
            case .slot(let s): asm.load(.d, dst, slotAddress(s, temp: helper))
            case .incoming(let offset), .frame(let offset): asm.load(.d, dst, frameAddress(offset, temp: helper))
            case .constant(let bits, let type): loadFloatConstant(dst, bits, type, via: helper)
            case .frameAddress: break
            }
        case .slot(let s):
            let value: A64VReg
            switch move.source {
            case .register(let r): value = A64VReg(rawValue: r)!
            case .slot(let from):
                value = vectorCarrier
                asm.load(.d, value, slotAddress(from, temp: helper))
            case .incoming(let offset), .frame(let offset):
                value = vectorCarrier
                asm.load(.d, value, frameAddress(offset, temp: helper))
            case .constant(let bits, let type):
                value = vectorCarrier
                loadFloatConstant(value, bits, type, via: helper)
            case .frameAddress: return
            }
            asm.store(.d, value, slotAddress(s, temp: helper))
        default: break
        }
    }
}
