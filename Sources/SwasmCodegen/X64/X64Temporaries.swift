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
    static let none = Temporaries(packed: UInt64.max, owner: .none)

    /// As `Allocation` packs them: general registers in bytes 0-3, vector
    /// ones in bytes 4-7, 0xFF where there is none (read in place: this is
    /// made for every instruction).
    let packed: UInt64
    let owner: TemporaryOwner

    init(packed: UInt64, owner: TemporaryOwner) {
        self.packed = packed
        self.owner = owner
    }

    init(_ registers: PerClass<[UInt8]>, owner: TemporaryOwner) {
        var packed = UInt64.max
        for (k, r) in registers.general.enumerated() { packed = packed & ~(0xFF << (8 * UInt64(k))) | UInt64(r) << (8 * UInt64(k)) }
        for (k, r) in registers.vector.enumerated() {
            packed = packed & ~(0xFF << (32 + 8 * UInt64(k))) | UInt64(r) << (32 + 8 * UInt64(k))
        }
        self.init(packed: packed, owner: owner)
    }

    /// Register `k` of the class at bit `shift` (0 or 32), nil if not granted.
    private func register(_ k: Int, _ shift: UInt64) -> UInt8? {
        guard k < TemporaryRequest.maximum else { return nil }
        let byte = UInt8(truncatingIfNeeded: packed >> (shift + 8 * UInt64(k)))
        return byte == 0xFF ? nil : byte
    }

    private func count(_ shift: UInt64) -> Int {
        (0..<TemporaryRequest.maximum).reduce(0) { $0 + (register($1, shift) == nil ? 0 : 1) }
    }

    /// General temporary `k`. Asking for more than were granted is a bug
    /// in X64ABI.temporaries' count for the instruction.
    func gpr(_ k: Int) -> X64Reg {
        guard let r = register(k, 0) else {
            preconditionFailure("x86-64 selection of \(owner) uses general temporary \(k + 1) but X64ABI.temporaries grants \(count(0))")
        }
        return X64Reg(rawValue: r)!
    }

    func xmm(_ k: Int) -> XmmReg {
        guard let r = register(k, 32) else {
            preconditionFailure("x86-64 selection of \(owner) uses vector temporary \(k + 1) but X64ABI.temporaries grants \(count(32))")
        }
        return XmmReg(rawValue: r)!
    }

    /// The registers of a parallel move: per class, where a value of a
    /// cycle parks, and what carries a value between two memory places.
    /// With one temporary of a class it serves as both: a move set that
    /// needs both has two moves or more of that class, and asked for two.
    var moves: MoveTemporaries {
        func last(_ shift: UInt64) -> UInt8? {
            let n = count(shift)
            return n == 0 ? nil : register(n - 1, shift)
        }
        return MoveTemporaries(parking: PerClass(general: register(0, 0), vector: register(0, 32)),
                               carrier: PerClass(general: last(0), vector: last(32)), owner: owner)
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
