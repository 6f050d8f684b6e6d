// Dead code elimination: removes blocks the entry cannot reach, then
// instructions without side effects whose results are never used, and block
// parameters never used (with their argument in every branch). Found by
// marking from the roots, the side-effecting instructions: a branch
// argument is used only if its parameter is. SSA construction gives a
// merge or loop header a parameter for each local changed on the way,
// whether or not anything reads it later; this is where the unread ones go.
import SwasmIR

public enum DeadCodeElimination {
    public static func run(_ function: Function) {
        function.removeUnreachableBlocks()
        // Read-only snapshot for the marking (indexing through the class
        // checks exclusive access and retains on every access).
        let instructions = function.instructions
        let edges = function.incomingEdges()
        var live = [Bool](repeating: false, count: function.values.count)
        var instructionWorklist: [Int] = []
        var valueWorklist: [Value] = []
        var definingInstruction = [Int](repeating: -1, count: function.values.count)
        for block in function.layout {
            for index in function.blocks[Int(block.index)].instructions {
                // Fields are read in place: binding the instruction to a
                // local copies it, retaining and releasing its arrays.
                for result in instructions[index].results { definingInstruction[Int(result.index)] = index }
                if instructions[index].opcode.hasSideEffects { instructionWorklist.append(index) }
            }
        }
        // The entry's parameters are the function's: always kept.
        for value in function.parameters(of: function.entry) { live[Int(value.index)] = true }
        // Indexed by instruction (a flat array: hashing showed in profiles).
        var marked = [Bool](repeating: false, count: instructions.count)
        func markValue(_ value: Value) {
            if live[Int(value.index)] { return }
            live[Int(value.index)] = true
            valueWorklist.append(value)
        }
        while true {
            if let index = instructionWorklist.popLast() {
                guard !marked[index] else { continue }
                marked[index] = true
                instructions[index].operands.forEach(markValue)
            } else if let value = valueWorklist.popLast() {
                switch function.values[Int(value.index)].definition {
                case .result:
                    let definer = definingInstruction[Int(value.index)]
                    if definer >= 0 && !marked[definer] { instructionWorklist.append(definer) }
                case .parameter(let block, let position):
                    for (instruction, slot) in edges[Int(block.index)] {
                        markValue(instructions[instruction].targets[slot].arguments[position])
                    }
                }
            } else {
                break
            }
        }
        for block in function.layout {
            function.blocks[Int(block.index)].instructions.removeAll { !marked[$0] }
        }
        for block in function.layout where block != function.entry {
            let b = Int(block.index)
            let parameters = function.blocks[b].parameters
            guard parameters.contains(where: { !live[Int($0.index)] }) else { continue }
            for (instruction, slot) in edges[b] {
                let arguments = function.instructions[instruction].targets[slot].arguments
                function.instructions[instruction].targets[slot].arguments =
                    zip(arguments, parameters).filter { live[Int($0.1.index)] }.map(\.0)
            }
            let kept = parameters.filter { live[Int($0.index)] }
            function.blocks[b].parameters = kept
            for (position, value) in kept.enumerated() {
                function.values[Int(value.index)].definition = .parameter(block, position)
            }
        }
    }
}
