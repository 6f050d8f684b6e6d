// Appends blocks and instructions to a function under construction. SSA
// values for mutable variables (wasm locals) are the lowering's business:
// it knows the structured control flow and places block parameters only
// where a changed variable meets another value (see LocalValues).
import SwasmABI

public struct FunctionBuilder {
    public let function: Function
    /// The block instructions are appended to.
    public private(set) var current: Block

    public init(function: Function) {
        self.function = function
        current = function.layout.first ?? function.makeBlock()
    }

    public mutating func makeBlock() -> Block { function.makeBlock() }

    public mutating func switchTo(_ block: Block) { current = block }

    // MARK: - Instructions

    @discardableResult
    public mutating func append(_ instruction: consuming Instruction, resultTypes: [IRType] = []) -> [Value] {
        function.append(instruction, resultTypes: resultTypes, to: current)
    }

    public mutating func append(_ instruction: consuming Instruction, resultType: IRType) -> Value {
        function.append(instruction, resultType: resultType, to: current)
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
