// Lowering: one validated wasm function body → one IR function.
//
//   wasm operand stack ─ IR values        wasm locals ─ SSA variables
//   block/loop/if     ─ IR blocks with parameters for their results/params
//
// The body is decoded once more here (never re-validated). Code after an
// unconditional branch is skipped up to the end of its enclosing construct.
// Bases read from vmctx (memory, globals, tables, helpers, ...) are loaded
// in the entry block; the ones left unused are removed by dead code
// elimination.
import SwasmABI
import SwasmIR
import WasmModel

public struct LoweringError: Error, CustomStringConvertible {
    public var functionIndex: Int
    public var offset: Int
    public var message: String
    public var description: String {
        "function \(functionIndex): offset 0x\(String(offset, radix: 16)): \(message)"
    }
}

struct LoweringFrame {
    enum Kind { case block, loop, `if`, `else`, function }
    var kind: Kind
    var parameters: [IRType]
    var results: [IRType]
    /// Where `br` goes: the loop header, or the block after `end`.
    var label: Block
    var end: Block
    var elseBlock: Block?
    var elseArguments: [Value]
    /// Operand stack height below the construct's parameters.
    var height: Int
    var reachableAtStart: Bool
    /// Locals changed inside the construct, and the branches to its end
    /// with their values (see FunctionLowering+Locals).
    var changes = LocalChanges()
    var incoming: [IncomingBranch] = []
    /// For a loop: the locals its header has parameters for, in order.
    var loopLocals: [Int] = []

    var labelTypes: [IRType] { kind == .loop ? parameters : results }
}

struct VMContextBases {
    var vmctx: Value
    var memoryBase: Value
    var globals: Value
    var tables: Value
    var helpers: Value
    var imports: Value
    var signatureIDs: Value
    var functionReferences: Value
    /// The store's execution limits, with fuel (FunctionLowering+Fuel).
    var executionLimits: Value? = nil
}

public struct FunctionLowering {
    let environment: ModuleEnvironment
    let functionIndex: Int
    let body: FunctionBody
    var builder: FunctionBuilder
    var reader: ByteReader
    var stack: [Value] = []
    var frames: [LoweringFrame] = []
    var reachable = true
    /// Nesting depth of constructs opened inside unreachable code.
    var deadDepth = 0
    /// Type and current SSA value of each local (see FunctionLowering+Locals).
    var localTypes: [IRType] = []
    var localValues: [Value] = []
    var loopAssignments = LoopAssignments()
    /// Offset of the outermost loop open at the point being lowered.
    var outermostLoop: Int?
    var openLoops = 0
    var bases: VMContextBases!
    var instructionOffset = 0
    /// With fuel: the hidden local holding the fuel left, and the cost of
    /// the current straight-line region not yet subtracted from it.
    var fuelLocal: Int?
    var pendingFuel: Int64 = 0

    public var function: Function { builder.function }

    /// Lowers defined function `functionIndex` (in the full index space).
    public static func lower(_ environment: ModuleEnvironment, functionIndex: Int) throws(LoweringError) -> Function {
        let module = environment.module
        let body = module.bodies[functionIndex - environment.importedFunctionCount]
        let function = Function(name: environment.functionName(functionIndex),
                                signature: environment.signature(ofFunction: functionIndex))
        return try module.bytes.withUnsafeBufferPointer { (buffer) throws(LoweringError) -> Function in
            var lowering = FunctionLowering(
                environment: environment, functionIndex: functionIndex, body: body,
                builder: FunctionBuilder(function: function),
                reader: ByteReader(base: buffer.baseAddress!, position: body.code.lowerBound, end: body.code.upperBound))
            do throws(WasmError) {
                try lowering.run()
            } catch {
                throw LoweringError(functionIndex: functionIndex, offset: error.offset, message: error.message)
            }
            if let failure = lowering.failure { throw failure }
            function.removeUnreachableBlocks()
            return function
        }
    }

    var failure: LoweringError?

    func unsupported(_ what: String) -> WasmError {
        WasmError(.unsupported, offset: instructionOffset, "not supported yet: \(what)")
    }

    var source: UInt32 { UInt32(instructionOffset) }

    // MARK: - Setup

    mutating func run() throws(WasmError) {
        let signature = function.signature
        let entry = builder.current
        let parameters = signature.parameters.map { function.addParameter($0, to: entry) }
        let vmctx = parameters[0]
        bases = VMContextBases(
            vmctx: vmctx,
            memoryBase: builder.pload(.i64, vmctx, offset: VMContextLayout.memoryBase),
            globals: builder.pload(.i64, vmctx, offset: VMContextLayout.globals),
            tables: builder.pload(.i64, vmctx, offset: VMContextLayout.tables),
            helpers: builder.pload(.i64, vmctx, offset: VMContextLayout.helpers),
            imports: builder.pload(.i64, vmctx, offset: VMContextLayout.importedFunctions),
            signatureIDs: builder.pload(.i64, vmctx, offset: VMContextLayout.signatureIDs),
            functionReferences: builder.pload(.i64, vmctx, offset: VMContextLayout.functionReferences))
        for value in parameters.dropFirst() {
            localTypes.append(function.type(of: value))
            localValues.append(value)
        }
        for group in body.locals {
            let type = ModuleEnvironment.irType(group.type)
            if type == .v128 { throw unsupported("v128 locals (SIMD)") }
            if group.count == 0 { continue }
            let zero = type.isFloat ? builder.fconst(type, bits: 0) : builder.iconst(type, 0)
            localTypes.append(contentsOf: repeatElement(type, count: Int(group.count)))
            localValues.append(contentsOf: repeatElement(zero, count: Int(group.count)))
        }
        setUpExecutionLimits()
        loopAssignments = try LoopAssignments.scan(reader, localCount: localValues.count, assignedInEveryLoop: fuelLocal)
        let end = builder.makeBlock()
        for type in signature.results { function.addParameter(type, to: end) }
        frames.append(LoweringFrame(kind: .function, parameters: [], results: signature.results, label: end, end: end,
                                    elseBlock: nil, elseArguments: [], height: 0, reachableAtStart: true))
        instructionOffset = body.code.lowerBound
        checkExecutionLimits()
        while !frames.isEmpty {
            try instruction()
        }
    }

    // MARK: - Operand stack

    mutating func pop() -> Value { stack.removeLast() }

    mutating func pop(_ count: Int) -> [Value] {
        let values = Array(stack.suffix(count))
        stack.removeLast(count)
        return values
    }

    func peek(_ count: Int) -> [Value] { Array(stack.suffix(count)) }

    mutating func push(_ value: Value) { stack.append(value) }

    // MARK: - Block types

    mutating func blockType() throws(WasmError) -> (parameters: [IRType], results: [IRType]) {
        let byte = reader.peekByte() ?? 0
        if byte == 0x40 {
            reader.position += 1
            return ([], [])
        }
        if let type = ValueType(rawValue: byte) {
            reader.position += 1
            return ([], [ModuleEnvironment.irType(type)])
        }
        let index = Int(try reader.readS33())
        let type = environment.module.types[index]
        return (type.parameters.map(ModuleEnvironment.irType), type.results.map(ModuleEnvironment.irType))
    }

    mutating func makeBlock(parameters types: [IRType]) -> Block {
        let block = builder.makeBlock()
        for type in types { function.addParameter(type, to: block) }
        return block
    }

    // MARK: - Instructions

    mutating func instruction() throws(WasmError) {
        instructionOffset = reader.position
        let opcode = try reader.readByte()
        if !reachable {
            try skipDead(opcode)
            return
        }
        chargeFuel(for: opcode)
        switch opcode {
        case 0x00:
            saveFuel()
            builder.trap(.unreachable, sourceOffset: source)
            markUnreachable()
        case 0x01: break
        case 0x02: // block
            let type = try blockType()
            let end = makeBlock(parameters: type.results)
            frames.append(LoweringFrame(kind: .block, parameters: type.parameters, results: type.results, label: end, end: end,
                                        elseBlock: nil, elseArguments: [], height: stack.count - type.parameters.count,
                                        reachableAtStart: true))
        case 0x03: // loop
            let type = try blockType()
            let header = makeBlock(parameters: type.parameters)
            let arguments = pop(type.parameters.count)
            let loopLocals = enterLoop(header: header, arguments: arguments, loopOffset: instructionOffset)
            if openLoops == 0 { outermostLoop = instructionOffset }
            openLoops += 1
            builder.switchTo(header)
            checkExecutionLimits()
            if environment.interruptible {
                // One load and branch per iteration: the host may set the flag
                // from another thread to stop a runaway guest.
                let flag = builder.pload(.i64, bases.vmctx, offset: VMContextLayout.interruptFlag)
                builder.trapIf(builder.icmp(.ne, flag, builder.iconst(.i64, 0)), .interrupted, sourceOffset: source)
            }
            let height = stack.count
            stack.append(contentsOf: function.parameters(of: header).prefix(type.parameters.count))
            let end = makeBlock(parameters: type.results)
            frames.append(LoweringFrame(kind: .loop, parameters: type.parameters, results: type.results, label: header, end: end,
                                        elseBlock: nil, elseArguments: [], height: height, reachableAtStart: true,
                                        loopLocals: loopLocals))
        case 0x04: // if
            let type = try blockType()
            let condition = pop()
            let arguments = peek(type.parameters.count)
            let thenBlock = builder.makeBlock()
            let elseBlock = builder.makeBlock()
            let end = makeBlock(parameters: type.results)
            builder.brif(condition, BlockCall(thenBlock), BlockCall(elseBlock))
            builder.switchTo(thenBlock)
            frames.append(LoweringFrame(kind: .if, parameters: type.parameters, results: type.results, label: end, end: end,
                                        elseBlock: elseBlock, elseArguments: arguments, height: stack.count - type.parameters.count,
                                        reachableAtStart: true))
        case 0x05:
            elseInstruction()
        case 0x0B:
            endInstruction()
        case 0x0C: // br
            branch(to: Int(try reader.readU32()))
            markUnreachable()
        case 0x0D: // br_if
            let depth = Int(try reader.readU32())
            let condition = pop()
            let labelCount = frames[frames.count - 1 - depth].labelTypes.count
            let target = branchTarget(depth: depth, operands: peek(labelCount), instruction: function.instructions.count, slot: 0)
            let continuation = builder.makeBlock()
            builder.brif(condition, target, BlockCall(continuation))
            builder.switchTo(continuation)
        case 0x0E:
            try branchTable()
        case 0x0F: // return
            saveFuel()
            builder.append(Instruction(.ret, type: .i32, operands: peek(function.signature.results.count)))
            markUnreachable()
        case 0x10:
            try directCall(Int(try reader.readU32()))
        case 0x11:
            let typeIndex = Int(try reader.readU32())
            let table = Int(try reader.readU32())
            try indirectCall(typeIndex: typeIndex, table: table)
        case 0x1A:
            _ = pop()
        case 0x1B, 0x1C:
            if opcode == 0x1C {
                let count = try reader.readU32()
                for _ in 0..<count { _ = try reader.readByte() }
            }
            let condition = pop()
            let second = pop()
            let first = pop()
            if function.type(of: first) == .v128 { throw unsupported("v128 select (SIMD)") }
            push(builder.value(.select, function.type(of: first), [condition, first, second]))
        case 0x20:
            push(localValues[Int(try reader.readU32())])
        case 0x21:
            setLocal(Int(try reader.readU32()), pop())
        case 0x22:
            setLocal(Int(try reader.readU32()), stack[stack.count - 1])
        case 0x23:
            try globalGet(Int(try reader.readU32()))
        case 0x24:
            try globalSet(Int(try reader.readU32()))
        case 0x25:
            tableGet(Int(try reader.readU32()))
        case 0x26:
            tableSet(Int(try reader.readU32()))
        case 0x28...0x3E:
            try memoryAccess(opcode)
        case 0x3F:
            _ = try reader.readByte()
            memorySize()
        case 0x40:
            _ = try reader.readByte()
            memoryGrow()
        case 0x41:
            push(builder.iconst(.i32, Int64(try reader.readS32())))
        case 0x42:
            push(builder.iconst(.i64, try reader.readS64()))
        case 0x43:
            push(builder.fconst(.f32, bits: UInt64(try reader.readF32Bits())))
        case 0x44:
            push(builder.fconst(.f64, bits: try reader.readF64Bits()))
        case 0x45...0xC4:
            try numeric(opcode)
        case 0xD0:
            _ = try reader.readByte()
            push(builder.iconst(.i64, 0))
        case 0xD1:
            let zero = builder.iconst(.i64, 0)
            push(builder.icmp(.eq, pop(), zero))
        case 0xD2:
            let index = Int(try reader.readU32())
            push(builder.value(.iadd, .i64, [bases.functionReferences, builder.iconst(.i64, Int64(index * FunctionReferenceLayout.size))]))
        case OpcodePrefix.misc:
            try miscInstruction(try reader.readU32())
        case OpcodePrefix.simd:
            let sub = try reader.readU32()
            throw unsupported("SIMD instruction \(Opcodes.info(opcode, sub)?.name ?? "0xfd \(sub)")")
        default:
            throw unsupported("opcode 0x\(String(opcode, radix: 16))")
        }
    }

    mutating func markUnreachable() {
        reachable = false
        stack.removeSubrange(frames[frames.count - 1].height...)
    }

    /// In unreachable code: track nesting only, until the construct's else or end.
    mutating func skipDead(_ opcode: UInt8) throws(WasmError) {
        switch opcode {
        case 0x02, 0x03, 0x04:
            _ = try blockType()
            deadDepth += 1
        case 0x05:
            if deadDepth == 0 { elseInstruction() }
        case 0x0B:
            if deadDepth == 0 { endInstruction() } else { deadDepth -= 1 }
        default:
            var sub: UInt32 = 0
            if opcode == OpcodePrefix.misc || opcode == OpcodePrefix.simd { sub = try reader.readU32() }
            guard let info = Opcodes.info(opcode, sub) else { throw unsupported("opcode 0x\(String(opcode, radix: 16))") }
            try reader.skipImmediate(info.immediate)
        }
    }

    mutating func elseInstruction() {
        if reachable { fallThrough() }
        var frame = frames.removeLast()
        stack.removeSubrange(frame.height...)
        restoreLocalsForElse(of: frame)
        builder.switchTo(frame.elseBlock!)
        stack.append(contentsOf: frame.elseArguments)
        frame.kind = .else
        frame.elseBlock = nil
        reachable = frame.reachableAtStart
        frames.append(frame)
    }

    mutating func endInstruction() {
        if reachable { fallThrough() }
        if frames[frames.count - 1].kind == .if, let elseBlock = frames[frames.count - 1].elseBlock {
            // No else: the false path passes the parameters through, and
            // the locals' values at the if.
            restoreLocalsForElse(of: frames[frames.count - 1])
            builder.switchTo(elseBlock)
            let target = branchTarget(depth: 0, operands: frames[frames.count - 1].elseArguments,
                                      instruction: function.instructions.count, slot: 0)
            builder.append(Instruction(.jump, type: .i32, targets: [target]))
        }
        let frame = frames.removeLast()
        stack.removeSubrange(frame.height...)
        mergeLocals(at: frame)
        if frame.kind == .loop {
            openLoops -= 1
            if openLoops == 0 { outermostLoop = nil }
        }
        if frame.incoming.isEmpty {
            reachable = false
            if frame.kind == .function { return }
            // The enclosing construct continues unreachable.
            return
        }
        builder.switchTo(frame.end)
        reachable = true
        if frame.kind == .function {
            saveFuel()
            let results = Array(function.parameters(of: frame.end).prefix(frame.results.count))
            builder.append(Instruction(.ret, type: .i32, operands: results))
            return
        }
        stack.append(contentsOf: function.parameters(of: frame.end).prefix(frame.results.count))
    }

    /// Jumps from the end of the innermost construct's code to its end block.
    mutating func fallThrough() {
        let index = frames.count - 1
        let operands = pop(frames[index].results.count)
        let changed = frames[index].changes.locals
        frames[index].incoming.append(IncomingBranch(instruction: function.instructions.count, slot: 0,
                                                     values: changed.map { localValues[$0] }))
        builder.jump(frames[index].end, operands)
    }

    mutating func branch(to depth: Int) {
        let labelCount = frames[frames.count - 1 - depth].labelTypes.count
        let target = branchTarget(depth: depth, operands: peek(labelCount), instruction: function.instructions.count, slot: 0)
        builder.append(Instruction(.jump, type: .i32, targets: [target]))
    }

    mutating func branchTable() throws(WasmError) {
        let count = Int(try reader.readU32())
        var depths: [Int] = []
        depths.reserveCapacity(count)
        for _ in 0..<count { depths.append(Int(try reader.readU32())) }
        let defaultDepth = Int(try reader.readU32())
        let index = pop()
        let instruction = function.instructions.count
        var targets: [BlockCall] = []
        targets.reserveCapacity(count + 1)
        for (slot, depth) in ([defaultDepth] + depths).enumerated() {
            let labelCount = frames[frames.count - 1 - depth].labelTypes.count
            targets.append(branchTarget(depth: depth, operands: peek(labelCount), instruction: instruction, slot: slot))
        }
        builder.append(Instruction(.brTable, type: .i32, operands: [index], targets: targets))
        markUnreachable()
    }
}
