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

    /// The condition of a block's closing `brif` when the icmp computing it
    /// can set the flags early: the condition's only use is the branch, and
    /// every instruction from the icmp to the branch leaves the flags alone
    /// (`leavesFlags`: the target's word on what its selection of an
    /// instruction does to them). Selection then emits the icmp as flags and
    /// the branch tests them, with nothing materialized in between.
    public func heldCompare(in instructions: [Int], of function: Function,
                            leavesFlags: (Instruction) -> Bool) -> Value? {
        guard instructions.count >= 3, let last = instructions.last else { return nil }
        let branch = function.instructions[last]
        guard branch.opcode == .brif, self[branch.operands[0]] == 1 else { return nil }
        for k in stride(from: instructions.count - 2, through: 0, by: -1) {
            let inst = function.instructions[instructions[k]]
            if inst.opcode == .icmp, inst.results.first == branch.operands[0] { return branch.operands[0] }
            guard leavesFlags(inst) else { return nil }
        }
        return nil
    }
}
