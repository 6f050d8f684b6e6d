// The registers one instruction's selection may write besides its result:
// the allocator's temporaries for that instruction (X64ABI.temporaries
// says how many). They hold no value live at the instruction, none of its
// operands and not its result, so selection uses them freely and only
// within the instruction (or its out-of-line parts: edge moves, stubs).
import SwasmIR

/// What temporaries belong to, named in a failure message: an instruction
/// (by index into the function's instructions), or the entry's moves.
enum TemporaryOwner: CustomStringConvertible {
    case none
    case instruction(Opcode, Int)
    case entry

    var description: String {
        switch self {
        case .none: return "no instruction"
        case .instruction(let opcode, let index): return "\(opcode) (instruction \(index))"
        case .entry: return "the incoming parameters' moves"
        }
    }
}

struct Temporaries {
    static let none = Temporaries(PerClass(general: [], vector: []), owner: .none)

    /// Register numbers, as the allocation gives them (one array per
    /// class, not converted: this is built for every instruction).
    let registers: PerClass<[UInt8]>
    let owner: TemporaryOwner

    init(_ registers: PerClass<[UInt8]>, owner: TemporaryOwner) {
        self.registers = registers
        self.owner = owner
    }

    /// General temporary `k`. Asking for more than were granted is a bug
    /// in X64ABI.temporaries' count for the instruction.
    func gpr(_ k: Int) -> X64Reg {
        precondition(k < registers.general.count,
                     "x86-64 selection of \(owner) uses general temporary \(k + 1) but X64ABI.temporaries grants \(registers.general.count)")
        return X64Reg(rawValue: registers.general[k])!
    }

    func xmm(_ k: Int) -> XmmReg {
        precondition(k < registers.vector.count,
                     "x86-64 selection of \(owner) uses vector temporary \(k + 1) but X64ABI.temporaries grants \(registers.vector.count)")
        return XmmReg(rawValue: registers.vector[k])!
    }

    /// The registers of a parallel move: per class, where a value of a
    /// cycle parks, and what carries a value between two memory places.
    /// With one temporary of a class it serves as both: a move set that
    /// needs both has two moves or more of that class, and asked for two.
    var moves: MoveTemporaries {
        MoveTemporaries(parking: PerClass(general: registers.general.first, vector: registers.vector.first),
                        carrier: PerClass(general: registers.general.last, vector: registers.vector.last),
                        owner: owner)
    }
}

struct MoveTemporaries {
    static let none = MoveTemporaries(parking: PerClass(general: nil, vector: nil),
                                      carrier: PerClass(general: nil, vector: nil), owner: .none)

    var parking: PerClass<UInt8?>
    var carrier: PerClass<UInt8?>
    var owner: TemporaryOwner

    func carrierGPR() -> X64Reg {
        guard let r = carrier.general else {
            preconditionFailure("x86-64 parallel move of \(owner) needs a general carrier but X64ABI.temporaries grants none")
        }
        return X64Reg(rawValue: r)!
    }

    func carrierXMM() -> XmmReg {
        guard let r = carrier.vector else {
            preconditionFailure("x86-64 parallel move of \(owner) needs a vector carrier but X64ABI.temporaries grants none")
        }
        return XmmReg(rawValue: r)!
    }
}
