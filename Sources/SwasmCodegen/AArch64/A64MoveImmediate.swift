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
        if steps.count >= 3 {
            var best: (imm: UInt64, differing: Int)?
            for imm in A64BitmaskImmediate.all64 {
                var differing = 0
                for i in 0..<4 where (imm ^ v) >> UInt64(i * 16) & 0xffff != 0 { differing += 1 }
                if differing + 1 < (best.map { $0.differing + 1 } ?? steps.count) { best = (imm, differing) }
            }
            if let (imm, _) = best {
                var orrSteps: [A64MoveImmediateStep] = [.orrImmediate(imm)]
                for (i, h) in halfwords.enumerated() where UInt16(truncatingIfNeeded: imm >> UInt64(i * 16)) != h {
                    orrSteps.append(.moveWide(.movk, imm16: h, shift: UInt32(i * 16)))
                }
                return orrSteps
            }
        }
        return steps
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
