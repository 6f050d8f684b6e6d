// A function in SSA form: blocks with parameters (no phi nodes), each a list
// of instructions ending in one terminator. Values are numbered densely; an
// instruction is referenced by its index in `instructions`.
import SwasmABI

/// A branch target with the values passed to the block's parameters.
public struct BlockCall: Hashable, Sendable {
    public var block: Block
    public var arguments: [Value]

    public init(_ block: Block, _ arguments: [Value] = []) {
        self.block = block
        self.arguments = arguments
    }
}

public struct Instruction: Sendable {
    public var opcode: Opcode
    /// The controlling type: the result type, or for stores the stored type.
    public var type: IRType
    public var operands: [Value]
    public var results: [Value]
    /// Constant bits, memory offset, function or signature index, or trap code.
    public var immediate: Int64
    /// Condition for compares, memory width for loads and stores, trap code
    /// for conditional traps.
    public var subcode: UInt8
    public var targets: [BlockCall]
    /// Offset of the originating wasm instruction (for traps), 0 when none.
    public var sourceOffset: UInt32

    public init(_ opcode: Opcode, type: IRType, operands: [Value] = [], results: [Value] = [],
                immediate: Int64 = 0, subcode: UInt8 = 0, targets: [BlockCall] = [], sourceOffset: UInt32 = 0) {
        self.opcode = opcode
        self.type = type
        self.operands = operands
        self.results = results
        self.immediate = immediate
        self.subcode = subcode
        self.targets = targets
        self.sourceOffset = sourceOffset
    }

    public var result: Value { results[0] }
    public var intCondition: IntCondition { IntCondition(rawValue: subcode)! }
    public var floatCondition: FloatCondition { FloatCondition(rawValue: subcode)! }
    public var width: MemoryWidth { MemoryWidth(rawValue: subcode)! }
    public var trapCode: TrapCode {
        TrapCode(rawValue: UInt32(opcode == .trap ? UInt32(truncatingIfNeeded: immediate) : UInt32(subcode)))!
    }
}

public struct BlockData: Sendable {
    public var parameters: [Value] = []
    /// Indices into `Function.instructions`, in order; the last is the terminator.
    public var instructions: [Int] = []
}

public enum ValueDefinition: Sendable, Hashable {
    case parameter(Block, Int)
    case result(instruction: Int, Int)
}

public struct ValueData: Sendable {
    public var type: IRType
    public var definition: ValueDefinition
}

public final class Function: @unchecked Sendable {
    public var name: String
    public var signature: Signature
    /// Signatures referenced by calls (`call fnN` and `call_ptr sigN`).
    public var signatures: [Signature] = []
    /// For `call fnN`: the signature index of each callee named so far.
    public var calleeSignatures: [Int64: Int] = [:]
    public var values: [ValueData] = []
    public var blocks: [BlockData] = []
    public var instructions: [Instruction] = []
    /// Block order for printing and code layout; the first is the entry.
    public var layout: [Block] = []

    public init(name: String, signature: Signature) {
        self.name = name
        self.signature = signature
    }

    public var entry: Block { layout[0] }

    public func type(of value: Value) -> IRType { values[Int(value.index)].type }

    public func parameters(of block: Block) -> [Value] { blocks[Int(block.index)].parameters }

    public func terminator(of block: Block) -> Instruction? {
        guard let last = blocks[Int(block.index)].instructions.last else { return nil }
        return instructions[last]
    }

    public func successors(of block: Block) -> [Block] {
        // Reads the targets in place (copying the terminator out would
        // retain and release all of its arrays).
        guard let last = blocks[Int(block.index)].instructions.last else { return [] }
        return instructions[last].targets.map(\.block)
    }

    // MARK: - Construction

    public func makeBlock() -> Block {
        blocks.append(BlockData())
        let block = Block(UInt32(blocks.count - 1))
        layout.append(block)
        return block
    }

    @discardableResult
    public func addParameter(_ type: IRType, to block: Block) -> Value {
        let value = Value(UInt32(values.count))
        values.append(ValueData(type: type, definition: .parameter(block, blocks[Int(block.index)].parameters.count)))
        blocks[Int(block.index)].parameters.append(value)
        return value
    }

    /// Appends an instruction to `block`, creating values for `resultTypes`.
    @discardableResult
    public func append(_ instruction: consuming Instruction, resultTypes: [IRType] = [], to block: Block) -> [Value] {
        let index = instructions.count
        instruction.results = resultTypes.enumerated().map { (i, type) in
            let value = Value(UInt32(values.count))
            values.append(ValueData(type: type, definition: .result(instruction: index, i)))
            return value
        }
        let results = instruction.results
        instructions.append(instruction)
        blocks[Int(block.index)].instructions.append(index)
        return results
    }

    /// Appends an instruction with one result of type `resultType`: most
    /// instructions, spared the arrays of result types and results.
    public func append(_ instruction: consuming Instruction, resultType: IRType, to block: Block) -> Value {
        let index = instructions.count
        let value = Value(UInt32(values.count))
        values.append(ValueData(type: resultType, definition: .result(instruction: index, 0)))
        instruction.results = [value]
        instructions.append(instruction)
        blocks[Int(block.index)].instructions.append(index)
        return value
    }

    /// Index of the signature, adding it if new.
    public func signatureIndex(_ signature: Signature) -> Int {
        if let index = signatures.firstIndex(of: signature) { return index }
        signatures.append(signature)
        return signatures.count - 1
    }

    /// Blocks reachable from the entry, in reverse post-order.
    public func reversePostOrder() -> [Block] {
        var visited = [Bool](repeating: false, count: blocks.count)
        var order: [Block] = []
        var stack: [(Block, Int)] = [(entry, 0)]
        visited[Int(entry.index)] = true
        while let top = stack.popLast() {
            let block = top.0
            var next = top.1
            // A block is revisited once per successor: index the terminator's
            // targets rather than building a successor list each time.
            let last = blocks[Int(block.index)].instructions.last
            if let last, next < instructions[last].targets.count {
                let successor = instructions[last].targets[next].block
                next += 1
                stack.append((block, next))
                if !visited[Int(successor.index)] {
                    visited[Int(successor.index)] = true
                    stack.append((successor, 0))
                }
            } else {
                order.append(block)
            }
        }
        return order.reversed()
    }

    /// Drops blocks that the entry cannot reach from the layout.
    public func removeUnreachableBlocks() {
        var reachable = [Bool](repeating: false, count: blocks.count)
        for block in reversePostOrder() { reachable[Int(block.index)] = true }
        layout.removeAll { !reachable[Int($0.index)] }
    }
}
