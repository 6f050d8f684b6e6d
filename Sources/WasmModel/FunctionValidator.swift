// Function body validation: the spec's algorithm (appendix "Validation
// Algorithm") with an operand stack of value types, where 0 stands for the
// unknown type that unreachable code produces, and a stack of control frames.
//
// Hot path notes: operands are raw type bytes; parameter/result lists live in
// one packed byte array (ValidationContext.typeData); instructions with a fixed
// signature are checked from a precomputed table without a per-opcode case.

/// A fixed-signature instruction, flattened from `Opcodes` for the hot loop.
struct SignatureEntry {
    enum Kind: UInt8 { case illegal, simple, memarg, special, memargLane, lane }
    var kind: Kind = .illegal
    var alignment: UInt8 = 0
    var lanes: UInt8 = 0
    var inputCount: UInt8 = 0
    var input0: UInt8 = 0
    var input1: UInt8 = 0
    var input2: UInt8 = 0
    /// Zero when the instruction pushes nothing.
    var output: UInt8 = 0

    static func table(_ infos: [OpcodeInfo?]) -> [SignatureEntry] {
        infos.map { info in
            guard let info else { return SignatureEntry() }
            var entry = SignatureEntry()
            entry.alignment = info.alignment
            entry.lanes = info.lanes
            if let inputs = info.inputs {
                switch info.immediate {
                case .none: entry.kind = .simple
                case .memarg: entry.kind = .memarg
                case .memargLane: entry.kind = .memargLane
                case .lane: entry.kind = .lane
                default: entry.kind = .special
                }
                entry.inputCount = UInt8(inputs.count)
                if inputs.count > 0 { entry.input0 = inputs[0].rawValue }
                if inputs.count > 1 { entry.input1 = inputs[1].rawValue }
                if inputs.count > 2 { entry.input2 = inputs[2].rawValue }
                entry.output = info.output?.rawValue ?? 0
            } else {
                entry.kind = .special
            }
            return entry
        }
    }

    static let plain = table(Opcodes.plain)
    static let simd = table(Opcodes.simd)
    static let misc = table(Opcodes.misc)
}

struct ControlFrame {
    /// 0 for the function's own frame, else block/loop/if/else opcode.
    var opcode: UInt8
    var unreachable: Bool
    var height: Int
    var parameterStart: Int32
    var parameterCount: Int32
    var resultStart: Int32
    var resultCount: Int32

    /// Branches to a loop carry its parameters; to anything else, its results.
    var labelStart: Int32 { opcode == 0x03 ? parameterStart : resultStart }
    var labelCount: Int32 { opcode == 0x03 ? parameterCount : resultCount }
}

struct FunctionValidator {
    let context: ValidationContext
    let base: UnsafePointer<UInt8>
    let typeData: [UInt8]
    let parameterRanges: [(start: Int32, count: Int32)]
    let resultRanges: [(start: Int32, count: Int32)]
    let functionTypes: [UInt32]
    let globalTypes: [UInt8]
    let globalMutable: [Bool]
    let tableTypes: [UInt8]
    let elementTypes: [UInt8]
    let hasMemory: Bool
    let dataCount: UInt32?
    let dataSegmentCount: Int
    let maxBrTableTargets: Int
    let plainEntries = SignatureEntry.plain
    let simdEntries = SignatureEntry.simd

    var reader: ByteReader
    var operands = TypeStack()
    var frames: [ControlFrame] = []
    /// Type of each local when the function has few enough to list them.
    var localTypes: [UInt8] = []
    /// Otherwise: (first index past the group, type) per declaration group.
    var localGroups: [(end: UInt64, type: UInt8)] = []
    var localCount: UInt64 = 0
    var scratch: [UInt8] = []

    // The innermost frame's height and reachability, cached off `frames`.
    var floor = 0
    var unreachable = false
    /// The instruction being validated, for error messages.
    var instructionOffset = 0

    init(context: ValidationContext, base: UnsafePointer<UInt8>) {
        self.context = context
        self.base = base
        typeData = context.typeData
        parameterRanges = context.parameterRanges
        resultRanges = context.resultRanges
        functionTypes = context.functionTypes
        globalTypes = context.globals.map(\.valueType.rawValue)
        globalMutable = context.globals.map(\.isMutable)
        tableTypes = context.tables.map(\.elementType.rawValue)
        elementTypes = context.module.elements.map(\.elementType.rawValue)
        hasMemory = !context.memories.isEmpty
        dataCount = context.module.dataCount
        dataSegmentCount = context.module.data.count
        maxBrTableTargets = context.limits.brTableTargets
        reader = ByteReader(base: base, position: 0, end: 0)
        frames.reserveCapacity(64)
    }

    // MARK: - Errors

    func invalid(_ message: String) -> WasmError {
        WasmError(.invalid, offset: instructionOffset, message)
    }

    func malformed(_ message: String) -> WasmError {
        WasmError(.malformed, offset: instructionOffset, message)
    }

    /// Names the instruction at `instructionOffset` for messages.
    var instructionName: String {
        let opcode = base[instructionOffset]
        var sub: UInt32 = 0
        if opcode == OpcodePrefix.misc || opcode == OpcodePrefix.simd {
            var r = ByteReader(base: base, position: instructionOffset + 1, end: reader.end)
            sub = (try? r.readU32()) ?? 0
        }
        return Opcodes.info(opcode, sub)?.name ?? hex(opcode)
    }

    static func typeName(_ byte: UInt8) -> String {
        if byte == 0 { return "unknown" }
        return ValueType(rawValue: byte)?.description ?? hex(byte)
    }

    func mismatch(expected: UInt8, found: UInt8) -> WasmError {
        invalid("type mismatch in \(instructionName): expected \(Self.typeName(expected)), found \(Self.typeName(found))")
    }

    func underflow(expected: UInt8) -> WasmError {
        let what = expected == 0 ? "an operand" : Self.typeName(expected)
        return invalid("type mismatch in \(instructionName): expected \(what), found an empty stack")
    }

    // MARK: - Operand stack

    @inline(__always)
    mutating func pop() throws(WasmError) -> UInt8 {
        if operands.count == floor {
            if unreachable { return 0 }
            throw underflow(expected: 0)
        }
        return operands.removeLast()
    }

    @inline(__always)
    mutating func pop(_ expected: UInt8) throws(WasmError) {
        if operands.count == floor {
            if unreachable { return }
            throw underflow(expected: expected)
        }
        let actual = operands.removeLast()
        if actual != expected && actual != 0 {
            throw mismatch(expected: expected, found: actual)
        }
    }

    @inline(__always)
    mutating func push(_ type: UInt8) {
        operands.append(type)
    }

    /// Pops a list of types from `typeData`, last first.
    mutating func pop(start: Int32, count: Int32) throws(WasmError) {
        var i = Int(start + count) - 1
        while i >= Int(start) {
            try pop(typeData[i])
            i -= 1
        }
    }

    mutating func push(start: Int32, count: Int32) {
        var i = Int(start)
        let end = Int(start + count)
        while i < end {
            operands.append(typeData[i])
            i += 1
        }
    }

    mutating func popReference() throws(WasmError) -> UInt8 {
        let type = try pop()
        if type != 0 && type != ValueType.funcref.rawValue && type != ValueType.externref.rawValue {
            throw invalid("type mismatch in \(instructionName): expected a reference, found \(Self.typeName(type))")
        }
        return type
    }

    // MARK: - Control stack

    mutating func pushFrame(_ opcode: UInt8, parameters: (Int32, Int32), results: (Int32, Int32)) {
        frames.append(ControlFrame(
            opcode: opcode, unreachable: false, height: operands.count,
            parameterStart: parameters.0, parameterCount: parameters.1,
            resultStart: results.0, resultCount: results.1))
        floor = operands.count
        unreachable = false
        push(start: parameters.0, count: parameters.1)
    }

    mutating func popFrame() throws(WasmError) -> ControlFrame {
        let frame = frames[frames.count - 1]
        try pop(start: frame.resultStart, count: frame.resultCount)
        if operands.count != frame.height {
            throw invalid("type mismatch at \(instructionName): block leaves \(operands.count - frame.height) more values than its \(frame.resultCount) results")
        }
        frames.removeLast()
        if let outer = frames.last {
            floor = outer.height
            unreachable = outer.unreachable
        }
        return frame
    }

    mutating func markUnreachable() {
        operands.truncate(to: floor)
        unreachable = true
        frames[frames.count - 1].unreachable = true
    }

    mutating func label(_ depth: UInt32) throws(WasmError) -> ControlFrame {
        guard Int(depth) < frames.count else {
            throw invalid("unknown label \(depth): only \(frames.count) enclosing blocks")
        }
        return frames[frames.count - 1 - Int(depth)]
    }

    /// Reads a block type: empty, one value type, or a type index.
    mutating func readBlockType() throws(WasmError) -> (parameters: (Int32, Int32), results: (Int32, Int32)) {
        let byte = reader.peekByte() ?? 0
        if byte == 0x40 {
            reader.position += 1
            return ((0, 0), (0, 0))
        }
        if ValueType(rawValue: byte) != nil {
            reader.position += 1
            return ((0, 0), (ValidationContext.singleTypeSlot(byte), 1))
        }
        let offset = reader.position
        let value = try reader.readS33()
        guard value >= 0 else {
            if let proposal = Proposal.valueType(byte) {
                throw WasmError.unsupported(proposal, .malformed, offset: offset, "block type \(hex(byte))")
            }
            throw WasmError(.malformed, offset: offset, "malformed block type: \(hex(byte)) is neither 0x40, a value type nor a type index")
        }
        guard value < Int64(parameterRanges.count) else {
            throw invalid("unknown type \(value) in block type (module has \(parameterRanges.count) types)")
        }
        return (parameterRanges[Int(value)], resultRanges[Int(value)])
    }

    // MARK: - Locals, globals, tables, memory

    mutating func setUpLocals(parameters: (start: Int32, count: Int32), body: FunctionBody) {
        localCount = UInt64(parameters.count) + UInt64(body.localCount)
        localTypes.removeAll(keepingCapacity: true)
        localGroups.removeAll(keepingCapacity: true)
        if localCount <= 1 << 16 {
            for i in 0..<Int(parameters.count) { localTypes.append(typeData[Int(parameters.start) + i]) }
            for group in body.locals {
                for _ in 0..<group.count { localTypes.append(group.type.rawValue) }
            }
        } else {
            var end = UInt64(0)
            for i in 0..<Int(parameters.count) {
                end += 1
                localGroups.append((end, typeData[Int(parameters.start) + i]))
            }
            for group in body.locals where group.count > 0 {
                end += UInt64(group.count)
                localGroups.append((end, group.type.rawValue))
            }
        }
    }

    mutating func localType() throws(WasmError) -> UInt8 {
        let index = try reader.readU32()
        guard UInt64(index) < localCount else {
            throw invalid("unknown local \(index): function has \(localCount) locals")
        }
        if localGroups.isEmpty { return localTypes[Int(index)] }
        var low = 0
        var high = localGroups.count - 1
        while low < high {
            let middle = (low + high) / 2
            if localGroups[middle].end > UInt64(index) { high = middle } else { low = middle + 1 }
        }
        return localGroups[low].type
    }

    mutating func globalIndex() throws(WasmError) -> Int {
        let index = try reader.readU32()
        guard Int(index) < globalTypes.count else {
            throw invalid("unknown global \(index): module has \(globalTypes.count) globals")
        }
        return Int(index)
    }

    mutating func tableType() throws(WasmError) -> UInt8 {
        let index = try reader.readU32()
        guard Int(index) < tableTypes.count else {
            throw invalid("unknown table \(index): module has \(tableTypes.count) tables")
        }
        return tableTypes[Int(index)]
    }

    mutating func elementType() throws(WasmError) -> UInt8 {
        let index = try reader.readU32()
        guard Int(index) < elementTypes.count else {
            throw invalid("unknown elem segment \(index): module has \(elementTypes.count) element segments")
        }
        return elementTypes[Int(index)]
    }

    func requireMemory() throws(WasmError) {
        if !hasMemory { throw invalid("unknown memory 0: \(instructionName) needs a memory and the module has none") }
    }

    mutating func zeroByte() throws(WasmError) {
        let offset = reader.position
        let byte = try reader.readByte()
        if byte != 0 {
            // Multi-memory turns the reserved byte into a memory index.
            throw WasmError.unsupported(.multiMemory, .malformed, offset: offset,
                                        "zero byte expected in \(instructionName), found memory index \(hex(byte))")
        }
    }

    mutating func memarg(alignment natural: UInt8) throws(WasmError) {
        let alignmentOffset = reader.position
        let alignment = try reader.readU32()
        // 2.0 encodes alignment as a plain exponent; bit 6 and up are the
        // multi-memory flag and beyond, which this feature level lacks.
        guard alignment < 32 else {
            if alignment & 0x40 != 0 && alignment < 0x60 {
                throw WasmError.unsupported(.multiMemory, .malformed, offset: alignmentOffset,
                                            "memory index in \(instructionName) (memarg flags \(alignment))")
            }
            throw WasmError(.malformed, offset: alignmentOffset, "malformed memop flags: alignment exponent \(alignment) (must be below 32)")
        }
        _ = try reader.readU32()
        try requireMemory()
        if alignment > UInt32(natural) {
            throw invalid("alignment must not be larger than natural: \(instructionName) allows 2^\(natural), found 2^\(alignment)")
        }
    }

    /// Reads a data index. Without a data count section the binary format
    /// forbids data indices altogether; an index that is out of range anyway
    /// is reported as the validation error it also is.
    mutating func dataIndex() throws(WasmError) {
        let index = try reader.readU32()
        let segments = dataCount ?? UInt32(dataSegmentCount)
        guard index < segments else {
            throw invalid("unknown data segment \(index): module has \(segments)")
        }
        guard dataCount != nil else {
            throw malformed("data count section required for \(instructionName)")
        }
    }

    mutating func functionType(_ index: UInt32) throws(WasmError) -> Int {
        guard Int(index) < functionTypes.count else {
            throw invalid("unknown function \(index): module has \(functionTypes.count) functions")
        }
        return Int(functionTypes[Int(index)])
    }

    // MARK: - Fixed-signature instructions

    @inline(__always)
    mutating func apply(_ entry: SignatureEntry) throws(WasmError) {
        switch entry.inputCount {
        case 0: break
        case 1: try pop(entry.input0)
        case 2:
            try pop(entry.input1)
            try pop(entry.input0)
        default:
            try pop(entry.input2)
            try pop(entry.input1)
            try pop(entry.input0)
        }
        if entry.output != 0 { push(entry.output) }
    }
}
