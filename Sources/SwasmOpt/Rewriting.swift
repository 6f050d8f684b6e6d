// Shared rewriting utilities: use replacement and block parameter removal.
import SwasmIR

extension Function {
    /// Replaces every use of each value by `replacements[value]` (following
    /// chains); a value that maps to itself is kept.
    func replaceUses(_ replacements: [Value]) {
        func resolve(_ value: Value) -> Value {
            var v = value
            var steps = 0
            while replacements[Int(v.index)] != v, steps < 1000 {
                v = replacements[Int(v.index)]
                steps += 1
            }
            return v
        }
        // Rewritten in place: copying an instruction out and back would copy
        // its operand arrays on write.
        for block in layout {
            for index in blocks[Int(block.index)].instructions {
                for i in instructions[index].operands.indices {
                    let operand = instructions[index].operands[i]
                    let r = resolve(operand)
                    if r != operand { instructions[index].operands[i] = r }
                }
                for t in instructions[index].targets.indices {
                    for i in instructions[index].targets[t].arguments.indices {
                        let argument = instructions[index].targets[t].arguments[i]
                        let r = resolve(argument)
                        if r != argument { instructions[index].targets[t].arguments[i] = r }
                    }
                }
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
