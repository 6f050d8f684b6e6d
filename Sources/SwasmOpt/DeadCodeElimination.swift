// Dead code elimination: removes blocks the entry cannot reach, then
// instructions without side effects whose results are never used (found by
// marking from the roots: side-effecting instructions and branch arguments).
import SwasmIR

public enum DeadCodeElimination {
    public static func run(_ function: Function) {
        function.removeUnreachableBlocks()
        // Read-only snapshot for the marking (indexing through the class
        // checks exclusive access and retains on every access).
        let instructions = function.instructions
        var live = [Bool](repeating: false, count: function.values.count)
        var worklist: [Int] = []
        var definingInstruction = [Int](repeating: -1, count: function.values.count)
        for block in function.layout {
            for index in function.blocks[Int(block.index)].instructions {
                // Fields are read in place: binding the instruction to a
                // local copies it, retaining and releasing its arrays.
                for result in instructions[index].results { definingInstruction[Int(result.index)] = index }
                if instructions[index].opcode.hasSideEffects { worklist.append(index) }
            }
        }
        // Indexed by instruction (a flat array: hashing showed in profiles).
        var marked = [Bool](repeating: false, count: instructions.count)
        func markValue(_ value: Value) {
            if live[Int(value.index)] { return }
            live[Int(value.index)] = true
            let definer = definingInstruction[Int(value.index)]
            if definer >= 0 && !marked[definer] { worklist.append(definer) }
        }
        while let index = worklist.popLast() {
            guard !marked[index] else { continue }
            marked[index] = true
            instructions[index].operands.forEach(markValue)
            instructions[index].targets.forEach { $0.arguments.forEach(markValue) }
        }
        for block in function.layout {
            function.blocks[Int(block.index)].instructions.removeAll { !marked[$0] }
        }
    }
}
