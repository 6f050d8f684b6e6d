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
    var definitions = DefinitionTable()
    var sealed: [Bool] = []
    /// Branches into each block: instruction index and target slot.
    var predecessors: [[(instruction: Int, slot: Int)]] = []
    /// Parameters created for variables in each unsealed block.
    var incomplete: [[(variable: Int, parameter: Value)]] = []

    public init(function: Function) {
        self.function = function
        current = function.layout.first ?? function.makeBlock()
        sealed = Array(repeating: false, count: function.blocks.count)
        predecessors = Array(repeating: [], count: function.blocks.count)
        incomplete = Array(repeating: [], count: function.blocks.count)
    }

    // MARK: - Blocks

    public mutating func makeBlock() -> Block {
        let block = function.makeBlock()
        sealed.append(false)
        predecessors.append([])
        incomplete.append([])
        return block
    }

    public mutating func switchTo(_ block: Block) { current = block }

    public func isSealed(_ block: Block) -> Bool { sealed[Int(block.index)] }

    public func predecessorCount(_ block: Block) -> Int { predecessors[Int(block.index)].count }

    /// Declares that every branch into `block` has been emitted.
    public mutating func seal(_ block: Block) {
        guard !sealed[Int(block.index)] else { return }
        sealed[Int(block.index)] = true
        let parameters = incomplete[Int(block.index)]
        incomplete[Int(block.index)] = []
        for (variable, parameter) in parameters {
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
        definitions.set(Self.key(current, variable), value)
    }

    public mutating func useVariable(_ variable: Int) -> Value {
        read(variable, in: current)
    }

    /// Blocks passed on single-predecessor chains, to be given the value
    /// found. Shared by nested reads as a stack (each uses the part above
    /// where it started) so that a walk allocates nothing.
    var chain: [Block] = []

    mutating func read(_ variable: Int, in start: Block) -> Value {
        // Walk single-predecessor chains iteratively; recursion only at merges.
        var block = start
        let chainBase = chain.count
        var found: Value
        while true {
            if let value = definitions[Self.key(block, variable)] {
                found = value
                break
            }
            let index = Int(block.index)
            if !sealed[index] {
                let parameter = function.addParameter(variableTypes[variable], to: block)
                incomplete[index].append((variable, parameter))
                definitions.set(Self.key(block, variable), parameter)
                found = parameter
                break
            }
            if predecessors[index].count == 1 {
                chain.append(block)
                block = owner(ofInstruction: predecessors[index][0].instruction)
                continue
            }
            let parameter = function.addParameter(variableTypes[variable], to: block)
            definitions.set(Self.key(block, variable), parameter)
            addIncomingArguments(variable: variable, parameter: parameter, block: block)
            found = parameter
            break
        }
        for block in chain[chainBase...] { definitions.set(Self.key(block, variable), found) }
        chain.removeSubrange(chainBase...)
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
    public mutating func append(_ instruction: consuming Instruction, resultTypes: [IRType] = []) -> [Value] {
        noteAppending(instruction)
        return function.append(instruction, resultTypes: resultTypes, to: current)
    }

    public mutating func append(_ instruction: consuming Instruction, resultType: IRType) -> Value {
        noteAppending(instruction)
        return function.append(instruction, resultType: resultType, to: current)
    }

    /// Records the block and the branches of the instruction about to be
    /// appended (before it is handed over, so that it is not copied).
    private mutating func noteAppending(_ instruction: borrowing Instruction) {
        let index = function.instructions.count
        while instructionBlocks.count <= index { instructionBlocks.append(0) }
        instructionBlocks[index] = current.index
        for (slot, target) in instruction.targets.enumerated() {
            precondition(!sealed[Int(target.block.index)], "branch into sealed \(target.block)")
            predecessors[Int(target.block.index)].append((index, slot))
        }
    }

    public mutating func value(_ opcode: Opcode, _ type: IRType, _ operands: [Value], immediate: Int64 = 0,
                               subcode: UInt8 = 0, sourceOffset: UInt32 = 0) -> Value {
        append(Instruction(opcode, type: type, operands: operands, immediate: immediate, subcode: subcode,
                           sourceOffset: sourceOffset), resultType: type)
    }

    public mutating func iconst(_ type: IRType, _ value: Int64) -> Value {
        self.value(.iconst, type, [], immediate: value)
    }

    public mutating func fconst(_ type: IRType, bits: UInt64) -> Value {
        value(.fconst, type, [], immediate: Int64(bitPattern: bits))
    }

    public mutating func icmp(_ condition: IntCondition, _ a: Value, _ b: Value) -> Value {
        append(Instruction(.icmp, type: .i32, operands: [a, b], subcode: condition.rawValue), resultType: .i32)
    }

    public mutating func fcmp(_ condition: FloatCondition, _ a: Value, _ b: Value) -> Value {
        append(Instruction(.fcmp, type: .i32, operands: [a, b], subcode: condition.rawValue), resultType: .i32)
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

/// The builder's map from (block << 32 | variable) to a value: open
/// addressing with linear probing over flat arrays. Every local read and
/// write looks it up, and a Dictionary's SipHash hashing cost more than
/// the rest of the lookup.
struct DefinitionTable {
    private static let empty = UInt64.max
    private var keys: [UInt64]
    private var values: [Value]
    private var count = 0
    /// 64 - log2(capacity): the top bits of the multiplicative hash index.
    private var shift: UInt64
    /// The entry last set for each variable (the key's low half), checked
    /// before the hash table: most reads find a variable defined or read
    /// in the same block just before, and the table is large enough that a
    /// probe usually misses the cache.
    private var recent: [(key: UInt64, value: Value)] = []

    init() {
        keys = Array(repeating: Self.empty, count: 64)
        values = Array(repeating: Value(0), count: 64)
        shift = 64 - 6
    }

    private func slot(_ key: UInt64) -> Int {
        var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while keys[i] != key && keys[i] != Self.empty { i = (i + 1) & (keys.count - 1) }
        return i
    }

    subscript(key: UInt64) -> Value? {
        let variable = Int(truncatingIfNeeded: key & 0xFFFF_FFFF)
        if variable < recent.count && recent[variable].key == key { return recent[variable].value }
        let i = slot(key)
        return keys[i] == key ? values[i] : nil
    }

    mutating func set(_ key: UInt64, _ value: Value) {
        let variable = Int(truncatingIfNeeded: key & 0xFFFF_FFFF)
        while recent.count <= variable { recent.append((Self.empty, Value(0))) }
        recent[variable] = (key, value)
        let i = slot(key)
        if keys[i] == key {
            values[i] = value
            return
        }
        keys[i] = key
        values[i] = value
        count += 1
        if count * 2 > keys.count { grow() }
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = Array(repeating: Self.empty, count: oldKeys.count * 2)
        values = Array(repeating: Value(0), count: oldKeys.count * 2)
        shift -= 1
        for (key, value) in zip(oldKeys, oldValues) where key != Self.empty {
            let i = slot(key)
            keys[i] = key
            values[i] = value
        }
    }
}
