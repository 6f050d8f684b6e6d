// Builds SSA directly from code with mutable variables (wasm locals), by the
// algorithm of Braun et al., "Simple and Efficient Construction of SSA Form"
// (CC 2013): a variable read in a block with several predecessors becomes a
// block parameter; in a block whose predecessors are not all known yet
// ("unsealed", e.g. a loop header) the parameter is created at once and its
// incoming arguments are filled in when the block is sealed. Trivial
// parameters (all incoming values equal) are left for copy propagation.
import SwasmABI

public struct FunctionBuilder {
    public let function: Function
    /// The block instructions are appended to.
    public private(set) var current: Block

    var variableTypes: [IRType] = []
    /// (block << 32 | variable) → value defined or last read there.
    var definitions: [UInt64: Value] = [:]
    var sealed: [Bool] = []
    /// Branches into each block: instruction index and target slot.
    var predecessors: [[(instruction: Int, slot: Int)]] = []
    /// Parameters created for variables in unsealed blocks.
    var incomplete: [Int: [(variable: Int, parameter: Value)]] = [:]

    public init(function: Function) {
        self.function = function
        current = function.layout.first ?? function.makeBlock()
        sealed = Array(repeating: false, count: function.blocks.count)
        predecessors = Array(repeating: [], count: function.blocks.count)
    }

    // MARK: - Blocks

    public mutating func makeBlock() -> Block {
        let block = function.makeBlock()
        sealed.append(false)
        predecessors.append([])
        return block
    }

    public mutating func switchTo(_ block: Block) { current = block }

    public func isSealed(_ block: Block) -> Bool { sealed[Int(block.index)] }

    public func predecessorCount(_ block: Block) -> Int { predecessors[Int(block.index)].count }

    /// Declares that every branch into `block` has been emitted.
    public mutating func seal(_ block: Block) {
        guard !sealed[Int(block.index)] else { return }
        sealed[Int(block.index)] = true
        for (variable, parameter) in incomplete.removeValue(forKey: Int(block.index)) ?? [] {
            addIncomingArguments(variable: variable, parameter: parameter, block: block)
        }
    }

    // MARK: - Variables

    public mutating func declareVariable(_ type: IRType) -> Int {
        variableTypes.append(type)
        return variableTypes.count - 1
    }

    static func key(_ block: Block, _ variable: Int) -> UInt64 {
        UInt64(block.index) << 32 | UInt64(variable)
    }

    public mutating func setVariable(_ variable: Int, _ value: Value) {
        definitions[Self.key(current, variable)] = value
    }

    public mutating func useVariable(_ variable: Int) -> Value {
        read(variable, in: current)
    }

    mutating func read(_ variable: Int, in start: Block) -> Value {
        // Walk single-predecessor chains iteratively; recursion only at merges.
        var block = start
        var visited: [Block] = []
        var found: Value
        while true {
            if let value = definitions[Self.key(block, variable)] {
                found = value
                break
            }
            let index = Int(block.index)
            if !sealed[index] {
                let parameter = function.addParameter(variableTypes[variable], to: block)
                incomplete[index, default: []].append((variable, parameter))
                definitions[Self.key(block, variable)] = parameter
                found = parameter
                break
            }
            let incoming = predecessors[index]
            if incoming.count == 1 {
                visited.append(block)
                block = owner(ofInstruction: incoming[0].instruction)
                continue
            }
            let parameter = function.addParameter(variableTypes[variable], to: block)
            definitions[Self.key(block, variable)] = parameter
            addIncomingArguments(variable: variable, parameter: parameter, block: block)
            found = parameter
            break
        }
        for block in visited { definitions[Self.key(block, variable)] = found }
        return found
    }

    mutating func addIncomingArguments(variable: Int, parameter: Value, block: Block) {
        for (instruction, slot) in predecessors[Int(block.index)] {
            let from = owner(ofInstruction: instruction)
            let value = read(variable, in: from)
            function.instructions[instruction].targets[slot].arguments.append(value)
        }
    }

    /// Block of each instruction, filled as instructions are appended.
    var instructionBlocks: [UInt32] = []

    func owner(ofInstruction index: Int) -> Block { Block(instructionBlocks[index]) }

    // MARK: - Instructions

    @discardableResult
    public mutating func append(_ instruction: Instruction, resultTypes: [IRType] = []) -> [Value] {
        let results = function.append(instruction, resultTypes: resultTypes, to: current)
        let index = function.instructions.count - 1
        while instructionBlocks.count <= index { instructionBlocks.append(0) }
        instructionBlocks[index] = current.index
        for (slot, target) in instruction.targets.enumerated() {
            precondition(!sealed[Int(target.block.index)], "branch into sealed \(target.block)")
            predecessors[Int(target.block.index)].append((index, slot))
        }
        return results
    }

    public mutating func value(_ opcode: Opcode, _ type: IRType, _ operands: [Value], immediate: Int64 = 0,
                               subcode: UInt8 = 0, sourceOffset: UInt32 = 0) -> Value {
        append(Instruction(opcode, type: type, operands: operands, immediate: immediate, subcode: subcode,
                           sourceOffset: sourceOffset), resultTypes: [type])[0]
    }

    public mutating func iconst(_ type: IRType, _ value: Int64) -> Value {
        self.value(.iconst, type, [], immediate: value)
    }

    public mutating func fconst(_ type: IRType, bits: UInt64) -> Value {
        value(.fconst, type, [], immediate: Int64(bitPattern: bits))
    }

    public mutating func icmp(_ condition: IntCondition, _ a: Value, _ b: Value) -> Value {
        append(Instruction(.icmp, type: .i32, operands: [a, b], subcode: condition.rawValue), resultTypes: [.i32])[0]
    }

    public mutating func fcmp(_ condition: FloatCondition, _ a: Value, _ b: Value) -> Value {
        append(Instruction(.fcmp, type: .i32, operands: [a, b], subcode: condition.rawValue), resultTypes: [.i32])[0]
    }

    public mutating func pload(_ type: IRType, _ pointer: Value, offset: Int, width: MemoryWidth = .full) -> Value {
        value(.pload, type, [pointer], immediate: Int64(offset), subcode: width.rawValue)
    }

    public mutating func pstore(_ type: IRType, _ pointer: Value, offset: Int, _ stored: Value) {
        append(Instruction(.pstore, type: type, operands: [pointer, stored], immediate: Int64(offset)))
    }

    public mutating func jump(_ target: Block, _ arguments: [Value] = []) {
        append(Instruction(.jump, type: .i32, targets: [BlockCall(target, arguments)]))
    }

    public mutating func brif(_ condition: Value, _ then: BlockCall, _ otherwise: BlockCall) {
        append(Instruction(.brif, type: .i32, operands: [condition], targets: [then, otherwise]))
    }

    public mutating func trap(_ code: TrapCode, sourceOffset: UInt32) {
        append(Instruction(.trap, type: .i32, immediate: Int64(code.rawValue), sourceOffset: sourceOffset))
    }

    public mutating func trapIf(_ condition: Value, _ code: TrapCode, sourceOffset: UInt32) {
        append(Instruction(.trapnz, type: .i32, operands: [condition], subcode: UInt8(code.rawValue), sourceOffset: sourceOffset))
    }
}
