// The target-neutral half of fusing instructions: which values have exactly
// one use, and whether that use is the very next instruction. A target
// decides which pairs it fuses (x86: an icmp into the following jump,
// trap or cmov; AArch64 would add cbz and csel), but a value can only
// disappear into its user when nothing else reads it and nothing runs in
// between.
import SwasmIR

public struct UseCounts {
    private var counts: [Int]

    /// Uses of every value in the blocks of `order`: operands and branch
    /// arguments.
    public init(_ function: Function, order: [Block]) {
        counts = Array(repeating: 0, count: function.values.count)
        for block in order {
            for index in function.blocks[Int(block.index)].instructions {
                for v in function.instructions[index].operands { counts[Int(v.index)] += 1 }
                for t in function.instructions[index].targets { for v in t.arguments { counts[Int(v.index)] += 1 } }
            }
        }
    }

    public subscript(_ value: Value) -> Int { counts[Int(value.index)] }

    /// True when `inst`'s single result is used exactly once, as operand
    /// `operand` of `next`.
    public func feedsOnly(_ inst: Instruction, into next: Instruction?, operand: Int) -> Bool {
        guard let next, inst.results.count == 1, self[inst.results[0]] == 1, operand < next.operands.count else { return false }
        return next.operands[operand] == inst.results[0]
    }
}
