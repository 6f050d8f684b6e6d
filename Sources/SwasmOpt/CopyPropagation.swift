// Copy propagation over block parameters: a parameter whose incoming
// arguments are all one value (or the parameter itself, around a loop) is a
// copy of that value. It is removed, with its argument in every branch, and
// its uses renamed. Repeats until nothing changes, since removing one
// parameter can make another trivial.
import SwasmIR

public enum CopyPropagation {
    public static func run(_ function: Function) {
        // Indexed by value: what each removed parameter became (a value maps
        // to itself when it was not removed). Dense rather than a dictionary:
        // it is consulted for every incoming argument on every round.
        var replacements = (0..<UInt32(function.values.count)).map(Value.init)
        // Removing arguments leaves every (instruction, target slot) in
        // place, so the edges hold for all rounds.
        let edges = function.incomingEdges()
        var removedAny = false
        var changed = true
        while changed {
            changed = false
            for block in function.layout where block != function.entry {
                var parameters = function.blocks[Int(block.index)].parameters
                let countBefore = parameters.count
                var position = 0
                while position < parameters.count {
                    let parameter = parameters[position]
                    var unique: Value?
                    var trivial = true
                    for (instruction, slot) in edges[Int(block.index)] {
                        var argument = function.instructions[instruction].targets[slot].arguments[position]
                        while replacements[Int(argument.index)] != argument { argument = replacements[Int(argument.index)] }
                        if argument == parameter { continue }
                        if unique == nil { unique = argument } else if unique != argument { trivial = false; break }
                    }
                    guard trivial, let replacement = unique else {
                        position += 1
                        continue
                    }
                    replacements[Int(parameter.index)] = replacement
                    parameters.remove(at: position)
                    for (instruction, slot) in edges[Int(block.index)] {
                        function.instructions[instruction].targets[slot].arguments.remove(at: position)
                    }
                    changed = true
                    removedAny = true
                }
                // Written back only when changed (a store retains and releases).
                if parameters.count != countBefore { function.blocks[Int(block.index)].parameters = parameters }
            }
        }
        // Parameter positions moved: renumber their definitions.
        for block in function.layout {
            for (i, value) in function.blocks[Int(block.index)].parameters.enumerated() {
                function.values[Int(value.index)].definition = .parameter(block, i)
            }
        }
        if removedAny { function.replaceUses(replacements) }
    }
}
