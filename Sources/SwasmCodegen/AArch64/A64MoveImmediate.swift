// Materializing a constant in a register with the fewest instructions.
//
// Candidates, shortest first:
//   1. one movz or movn (a single non-zero, or non-0xffff, halfword);
//   2. one `orr d, zr, #bitmask` (a logical immediate);
//   3. `orr` of a logical immediate, then one `movk` fixing a halfword;
//   4. movz (or movn, when more halfwords are 0xffff than 0) then a movk
//      per remaining halfword.
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
        if w == .x {
            // A logical immediate that differs from v in one halfword, which a movk then fixes.
            for i in 0..<4 {
                let shift = UInt64(i * 16)
                let others = v & ~(0xffff << shift)
                // Fillers for halfword i that could complete a repeating pattern.
                var fillers: Set<UInt64> = [0, 0xffff]
                for h in halfwords { fillers.insert(UInt64(h)) }
                for filler in fillers.sorted() {
                    let candidate = others | filler << shift
                    if A64BitmaskImmediate.isEncodable(candidate, width: .x) {
                        return [.orrImmediate(candidate), .moveWide(.movk, imm16: halfwords[i], shift: UInt32(shift))]
                    }
                }
            }
        }

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
