// Shared rewriting utilities: use replacement and block parameter removal.
import SwasmIR

extension Function {
    /// Replaces every use of each key with its value (following chains).
    func replaceUses(_ replacements: [Value: Value]) {
        guard !replacements.isEmpty else { return }
        func resolve(_ value: Value) -> Value {
            var v = value
            var steps = 0
            while let next = replacements[v], next != v, steps < 1000 {
                v = next
                steps += 1
            }
            return v
        }
        for block in layout {
            for index in blocks[Int(block.index)].instructions {
                var inst = instructions[index]
                var changed = false
                for (i, operand) in inst.operands.enumerated() {
                    let r = resolve(operand)
                    if r != operand { inst.operands[i] = r; changed = true }
                }
                for t in inst.targets.indices {
                    for (i, argument) in inst.targets[t].arguments.enumerated() {
                        let r = resolve(argument)
                        if r != argument { inst.targets[t].arguments[i] = r; changed = true }
                    }
                }
                if changed { instructions[index] = inst }
            }
        }
    }

    /// Every branch slot that targets each block: (instruction, target slot).
    func incomingEdges() -> [[(instruction: Int, slot: Int)]] {
        var edges = [[(instruction: Int, slot: Int)]](repeating: [], count: blocks.count)
        for block in layout {
            if let last = blocks[Int(block.index)].instructions.last {
                for (slot, target) in instructions[last].targets.enumerated() {
                    edges[Int(target.block.index)].append((last, slot))
                }
            }
        }
        return edges
    }
}
