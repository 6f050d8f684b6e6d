// Shared rewriting utilities: use replacement and block parameter removal.
import SwasmIR

extension Function {
    /// Replaces every use of each value by `replacements[value]` (following
    /// chains); a value that maps to itself is kept.
    func replaceUses(_ replacements: [Value]) {
        // Chains are followed to their end and then shortened, so that a long
        // chain (a parameter replaced by one replaced in turn, ...) is
        // walked once rather than once per use.
        var replacements = replacements
        func resolve(_ value: Value) -> Value {
            var end = value
            while replacements[Int(end.index)] != end { end = replacements[Int(end.index)] }
            var v = value
            while v != end {
                let next = replacements[Int(v.index)]
                replacements[Int(v.index)] = end
                v = next
            }
            return end
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
