// The registers one instruction's selection may write besides its result:
// the allocator's temporaries for that instruction (X64ABI.temporaries
// says how many). They hold no value live at the instruction, none of its
// operands and not its result, so selection uses them freely and only
// within the instruction (or its out-of-line parts: edge moves, stubs).
import SwasmIR

struct Temporaries {
    static let none = Temporaries(.none, owner: .none)

    let registers: PackedTemporaries
    let owner: TemporaryOwner

    init(_ registers: PackedTemporaries, owner: TemporaryOwner) {
        self.registers = registers
        self.owner = owner
    }

    /// General temporary `k`. Asking for more than were granted is a bug
    /// in X64ABI.temporaries' count for the instruction.
    func gpr(_ k: Int) -> X64Reg { X64Reg(rawValue: registers.required(k, .general, target: "x86-64", owner: owner))! }
    func xmm(_ k: Int) -> XmmReg { XmmReg(rawValue: registers.required(k, .vector, target: "x86-64", owner: owner))! }

    /// The registers of a parallel move: per class, where a value of a
    /// cycle parks, and what carries a value between two memory places.
    /// With one temporary of a class it serves as both: a move set that
    /// needs both has two moves or more of that class, and asked for two.
    var moves: MoveTemporaries {
        func last(_ regClass: RegClass) -> UInt8? {
            let n = registers.count(regClass)
            return n == 0 ? nil : registers.register(n - 1, regClass)
        }
        return MoveTemporaries(parking: PerClass(general: registers.register(0, .general), vector: registers.register(0, .vector)),
                               carrier: PerClass(general: last(.general), vector: last(.vector)), owner: owner)
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
