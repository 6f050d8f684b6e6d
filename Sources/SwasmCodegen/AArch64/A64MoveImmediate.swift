// Materializing a constant in a register with the fewest instructions.
//
// Candidates, shortest first:
//   1. one movz or movn (a single non-zero, or non-0xffff, halfword);
//   2. one `orr d, zr, #bitmask` (a logical immediate);
//   3. movz (or movn, when more halfwords are 0xffff than 0) then a movk
//      per remaining halfword, unless
//   4. `orr` of the logical immediate closest to the value (fewest halfwords
//      differ), then a `movk` per differing halfword, is shorter.
// At most four instructions at 64 bits, two at 32.

/// One step of a constant's materialization.
public enum A64MoveImmediateStep: Sendable, Hashable {
    case moveWide(A64MoveWideOp, imm16: UInt16, shift: UInt32)
    case orrImmediate(UInt64)
}

extension A64Assembler {
    /// The instructions that put `value` (truncated to `w`) in a register.
    public static func moveImmediatePlan(_ value: UInt64, _ w: A64Width) -> [A64MoveImmediateStep] {
        let v = value & w.mask
        if let (op, imm16, shift) = singleMoveWide(v, w) { return [.moveWide(op, imm16: imm16, shift: shift)] }
        if A64BitmaskImmediate.isEncodable(v, width: w) { return [.orrImmediate(v)] }

        let halfwords = (0..<w.bits / 16).map { UInt16(truncatingIfNeeded: v >> UInt64($0 * 16)) }
        let zeros = halfwords.filter { $0 == 0 }.count, ones = halfwords.filter { $0 == 0xffff }.count
        let useMovn = ones > zeros
        let background: UInt16 = useMovn ? 0xffff : 0
        var steps: [A64MoveImmediateStep] = []
        for (i, h) in halfwords.enumerated() where h != background {
            let shift = UInt32(i * 16)
            if steps.isEmpty {
                steps.append(.moveWide(useMovn ? .movn : .movz, imm16: useMovn ? ~h : h, shift: shift))
            } else {
                steps.append(.moveWide(.movk, imm16: h, shift: shift))
            }
        }
        // A logical immediate that agrees with v in all but one or two
        // halfwords, then a movk for each, can beat three or four moves.
        if steps.count >= 3, let imm = closestLogicalImmediate(v, differingAtMost: steps.count - 2) {
            var orrSteps: [A64MoveImmediateStep] = [.orrImmediate(imm)]
            for (i, h) in halfwords.enumerated() where UInt16(truncatingIfNeeded: imm >> UInt64(i * 16)) != h {
                orrSteps.append(.moveWide(.movk, imm16: h, shift: UInt32(i * 16)))
            }
            return orrSteps
        }
        return steps
    }

    /// Among the 64-bit logical immediates that differ from `v` in at most
    /// `limit` (1 or 2) of its four halfwords, the one differing in fewest,
    /// the first in `all64` order among equals; nil if there is none.
    /// Such an immediate agrees with `v` in two halfwords at least, so it is
    /// among those filed under one of the six pairs of `v`'s halfwords: a
    /// few lookups instead of a pass over all 5,334 for every constant.
    static func closestLogicalImmediate(_ v: UInt64, differingAtMost limit: Int) -> UInt64? {
        var best: (differing: Int, index: Int32)?
        for (pair, (i, j)) in LogicalImmediatesByHalfwordPair.pairs.enumerated() {
            for index in LogicalImmediatesByHalfwordPair.table[LogicalImmediatesByHalfwordPair.key(pair, v, i, j)] ?? [] {
                let imm = A64BitmaskImmediate.all64[Int(index)]
                var differing = 0
                for k in 0..<4 where (imm ^ v) >> UInt64(k * 16) & 0xffff != 0 { differing += 1 }
                guard differing <= limit else { continue }
                if let current = best, (current.differing, current.index) <= (differing, index) { continue }
                best = (differing, index)
            }
        }
        return best.map { A64BitmaskImmediate.all64[Int($0.index)] }
    }

    /// `d = value` at `w`, in the fewest instructions (see moveImmediatePlan).
    public mutating func movImmediate(_ w: A64Width, _ d: A64Reg, _ value: UInt64) {
        precondition(d != .sp && d != .zr, "movImmediate targets a numbered register")
        for step in Self.moveImmediatePlan(value, w) {
            switch step {
            case let .moveWide(op, imm16, shift): moveWide(op, w, d, imm16: imm16, shift: shift)
            case let .orrImmediate(imm): logical(.orr, w, d, .zr, imm: imm)
            }
        }
    }
}

/// The 64-bit logical immediates filed by the values of each pair of their
/// halfwords (positions i < j): key (pair, halfword i, halfword j), value
/// the indices into `A64BitmaskImmediate.all64`, ascending.
enum LogicalImmediatesByHalfwordPair {
    static let pairs: [(Int, Int)] = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]

    static func key(_ pair: Int, _ value: UInt64, _ i: Int, _ j: Int) -> UInt64 {
        UInt64(pair) << 32 | (value >> UInt64(i * 16) & 0xffff) << 16 | value >> UInt64(j * 16) & 0xffff
    }

    static let table: [UInt64: [Int32]] = {
        var table: [UInt64: [Int32]] = [:]
        for (index, imm) in A64BitmaskImmediate.all64.enumerated() {
            for (pair, (i, j)) in pairs.enumerated() { table[key(pair, imm, i, j), default: []].append(Int32(index)) }
        }
        return table
    }()
}
