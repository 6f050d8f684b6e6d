// Copy propagation over block parameters: a parameter whose incoming
// arguments are all one value (or the parameter itself, around a loop) is a
// copy of that value. It is removed, with its argument in every branch, and
// its uses renamed. Removing one parameter can make another trivial: the
// blocks that receive the removed parameter as an argument are examined
// again (a worklist, so that a chain of n parameters costs n steps rather
// than n passes over the function).
import SwasmIR

public enum CopyPropagation {
    public static func run(_ function: Function) {
        // Indexed by value: what each removed parameter became (a value maps
        // to itself when it was not removed). Dense rather than a dictionary:
        // it is consulted for every incoming argument.
        var replacements = (0..<UInt32(function.values.count)).map(Value.init)
        // Removing arguments leaves every (instruction, target slot) in
        // place, so the edges hold throughout.
        let edges = function.incomingEdges()
        // Blocks that receive each value as a branch argument: the ones to
        // examine again when the value is replaced.
        var receivers = [[Int32]](repeating: [], count: function.values.count)
        for block in function.layout {
            for (instruction, slot) in edges[Int(block.index)] {
                for argument in function.instructions[instruction].targets[slot].arguments {
                    receivers[Int(argument.index)].append(Int32(block.index))
                }
            }
        }
        var worklist = function.layout.filter { $0 != function.entry }.map { Int32($0.index) }
        var queued = [Bool](repeating: false, count: function.blocks.count)
        for block in worklist { queued[Int(block)] = true }
        var next = 0
        var removedAny = false
        while next < worklist.count {
            let blockIndex = Int(worklist[next])
            next += 1
            queued[blockIndex] = false
            let block = Block(UInt32(blockIndex))
            var parameters = function.blocks[blockIndex].parameters
            let countBefore = parameters.count
            var position = 0
            while position < parameters.count {
                let parameter = parameters[position]
                var unique: Value?
                var trivial = true
                for (instruction, slot) in edges[blockIndex] {
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
                for (instruction, slot) in edges[blockIndex] {
                    function.instructions[instruction].targets[slot].arguments.remove(at: position)
                }
                removedAny = true
                // The blocks that received the parameter now receive its
                // replacement (moved smaller into larger, so that a long chain
                // of replacements does not copy one list again and again).
                var affected = receivers[Int(parameter.index)]
                receivers[Int(parameter.index)] = []
                for receiver in affected where !queued[Int(receiver)] {
                    queued[Int(receiver)] = true
                    worklist.append(receiver)
                }
                if receivers[Int(replacement.index)].count < affected.count {
                    affected.append(contentsOf: receivers[Int(replacement.index)])
                    receivers[Int(replacement.index)] = affected
                } else {
                    receivers[Int(replacement.index)].append(contentsOf: affected)
                }
            }
            // Written back only when changed (a store retains and releases).
            if parameters.count != countBefore { function.blocks[Int(block.index)].parameters = parameters }
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
