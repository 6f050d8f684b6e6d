// One instruction's temporaries as the allocator packs them: general
// registers in bytes 0-3, vector ones in bytes 4-7, 0xFF where there is
// none. Selection reads them in place for every instruction, so they are
// one word, not arrays.
import SwasmIR

struct PackedTemporaries {
    static let none = PackedTemporaries(UInt64.max)

    private(set) var word: UInt64

    init(_ word: UInt64) { self.word = word }

    init(_ registers: PerClass<[UInt8]>) {
        word = UInt64.max
        for regClass in RegClass.allCases {
            for (k, r) in registers[regClass].enumerated() { set(k, regClass, r) }
        }
    }

    private static func shift(_ k: Int, _ regClass: RegClass) -> UInt64 {
        (regClass == .general ? 0 : 32) + 8 * UInt64(k)
    }

    /// Makes `register` temporary `k` of the class.
    mutating func set(_ k: Int, _ regClass: RegClass, _ register: UInt8) {
        let shift = Self.shift(k, regClass)
        word = word & ~(0xFF << shift) | UInt64(register) << shift
    }

    /// Temporary `k` of the class, nil if not granted.
    func register(_ k: Int, _ regClass: RegClass) -> UInt8? {
        guard k < TemporaryRequest.maximum else { return nil }
        let byte = UInt8(truncatingIfNeeded: word >> Self.shift(k, regClass))
        return byte == 0xFF ? nil : byte
    }

    /// Temporary `k` of the class, which the instruction's request must
    /// have included: asking beyond it is a bug in the target's count, and
    /// stops with a message naming the target and what the registers
    /// belong to.
    func required(_ k: Int, _ regClass: RegClass, target: String, owner: TemporaryOwner) -> UInt8 {
        guard let r = register(k, regClass) else {
            preconditionFailure("\(target) selection of \(owner) uses \(regClass) temporary \(k + 1) but was granted \(count(regClass))")
        }
        return r
    }

    /// How many of the class were granted.
    func count(_ regClass: RegClass) -> Int {
        (0..<TemporaryRequest.maximum).reduce(0) { $0 + (register($1, regClass) == nil ? 0 : 1) }
    }
}
