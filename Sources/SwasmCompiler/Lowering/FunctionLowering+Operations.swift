// Lowering of numeric operators, memory and table accesses, globals, calls
// and the 0xFC family.
import SwasmABI
import SwasmIR
import WasmModel

extension FunctionLowering {
    mutating func unary(_ opcode: Opcode, _ type: IRType) {
        push(builder.value(opcode, type, [pop()], sourceOffset: source))
    }

    mutating func binary(_ opcode: Opcode, _ type: IRType) {
        let b = pop()
        let a = pop()
        push(builder.value(opcode, type, [a, b], sourceOffset: source))
    }

    mutating func compare(_ condition: IntCondition) {
        let b = pop()
        let a = pop()
        push(builder.icmp(condition, a, b))
    }

    mutating func compare(_ condition: FloatCondition) {
        let b = pop()
        let a = pop()
        push(builder.fcmp(condition, a, b))
    }

    mutating func numeric(_ opcode: UInt8) throws(WasmError) {
        let (intConditions, floatConditions) = (NumericTables.intConditions, NumericTables.floatConditions)
        let (intBinary, floatUnary, floatBinary) = (NumericTables.intBinary, NumericTables.floatUnary, NumericTables.floatBinary)
        switch opcode {
        case 0x45, 0x50: // eqz
            let type: IRType = opcode == 0x45 ? .i32 : .i64
            let zero = builder.iconst(type, 0)
            push(builder.icmp(.eq, pop(), zero))
        case 0x46...0x4F: compare(intConditions[Int(opcode - 0x46)])
        case 0x51...0x5A: compare(intConditions[Int(opcode - 0x51)])
        case 0x5B...0x60: compare(floatConditions[Int(opcode - 0x5B)])
        case 0x61...0x66: compare(floatConditions[Int(opcode - 0x61)])
        case 0x67: unary(.clz, .i32)
        case 0x68: unary(.ctz, .i32)
        case 0x69: unary(.popcnt, .i32)
        case 0x6A...0x78: binary(intBinary[Int(opcode - 0x6A)], .i32)
        case 0x79: unary(.clz, .i64)
        case 0x7A: unary(.ctz, .i64)
        case 0x7B: unary(.popcnt, .i64)
        case 0x7C...0x8A: binary(intBinary[Int(opcode - 0x7C)], .i64)
        case 0x8B...0x91: unary(floatUnary[Int(opcode - 0x8B)], .f32)
        case 0x92...0x98: binary(floatBinary[Int(opcode - 0x92)], .f32)
        case 0x99...0x9F: unary(floatUnary[Int(opcode - 0x99)], .f64)
        case 0xA0...0xA6: binary(floatBinary[Int(opcode - 0xA0)], .f64)
        case 0xA7: unary(.ireduce, .i32)
        case 0xA8, 0xAA: unary(.fcvtToSint, .i32)
        case 0xA9, 0xAB: unary(.fcvtToUint, .i32)
        case 0xAC: unary(.sextend, .i64)
        case 0xAD: unary(.uextend, .i64)
        case 0xAE, 0xB0: unary(.fcvtToSint, .i64)
        case 0xAF, 0xB1: unary(.fcvtToUint, .i64)
        case 0xB2, 0xB4: unary(.fcvtFromSint, .f32)
        case 0xB3, 0xB5: unary(.fcvtFromUint, .f32)
        case 0xB6: unary(.fdemote, .f32)
        case 0xB7, 0xB9: unary(.fcvtFromSint, .f64)
        case 0xB8, 0xBA: unary(.fcvtFromUint, .f64)
        case 0xBB: unary(.fpromote, .f64)
        case 0xBC: unary(.bitcast, .i32)
        case 0xBD: unary(.bitcast, .i64)
        case 0xBE: unary(.bitcast, .f32)
        case 0xBF: unary(.bitcast, .f64)
        case 0xC0: unary(.sext8, .i32)
        case 0xC1: unary(.sext16, .i32)
        case 0xC2: unary(.sext8, .i64)
        case 0xC3: unary(.sext16, .i64)
        case 0xC4: unary(.sext32, .i64)
        default: throw unsupported("opcode 0x\(String(opcode, radix: 16))")
        }
    }

    // MARK: - Memory

    mutating func memoryAccess(_ opcode: UInt8) throws(WasmError) {
        _ = try reader.readU32() // alignment: a hint only
        let offset = Int64(try reader.readU32())
        let (loads, stores) = (NumericTables.loads, NumericTables.stores)
        if opcode <= 0x35 {
            let (type, width) = loads[Int(opcode - 0x28)]
            let index = pop()
            checkBounds(index, offset: offset, size: Self.accessSize(type, width))
            push(builder.append(Instruction(.load, type: type, operands: [bases.memoryBase, index], immediate: offset,
                                            subcode: width.rawValue, sourceOffset: source), resultType: type))
        } else {
            let (type, width) = stores[Int(opcode - 0x36)]
            let value = pop()
            let index = pop()
            checkBounds(index, offset: offset, size: Self.accessSize(type, width))
            builder.append(Instruction(.store, type: type, operands: [bases.memoryBase, index, value], immediate: offset,
                                       subcode: width.rawValue, sourceOffset: source))
        }
    }

    static func accessSize(_ type: IRType, _ width: MemoryWidth) -> Int64 {
        switch width {
        case .full: return Int64(type.byteSize)
        case .s8, .u8: return 1
        case .s16, .u16: return 2
        case .s32, .u32: return 4
        }
    }

    /// With explicit bounds checks, traps unless the `size` bytes at `index +
    /// offset` lie inside memory 0's current length. The sum is formed in 64
    /// bits, where a 32-bit index plus a 32-bit offset cannot wrap, and the
    /// check comes before the access so that a store straddling the end
    /// writes nothing. The instruction order (extend, add, length, compare,
    /// trap) is what backends fuse into add, compare-with-memory and branch.
    mutating func checkBounds(_ index: Value, offset: Int64, size: Int64) {
        guard environment.explicitBoundsChecks else { return }
        let reach = offset + size
        if let constant = constantBits(index),
           UInt64(UInt32(truncatingIfNeeded: constant)) + UInt64(reach) <= environment.minimumMemoryBytes {
            return
        }
        let reachValue = builder.iconst(.i64, reach)
        let wide = builder.value(.uextend, .i64, [index])
        let end = builder.value(.iadd, .i64, [wide, reachValue])
        let length = builder.pload(.i64, bases.vmctx, offset: VMContextLayout.memoryLength)
        builder.trapIf(builder.icmp(.ugt, end, length), .memoryOutOfBounds, sourceOffset: source)
    }

    /// The bits of `value` when an `iconst` defines it.
    func constantBits(_ value: Value) -> Int64? {
        guard case .result(instruction: let index, _) = function.values[Int(value.index)].definition,
              function.instructions[index].opcode == .iconst else { return nil }
        return function.instructions[index].immediate
    }

    mutating func memorySize() {
        let length = builder.pload(.i64, bases.vmctx, offset: VMContextLayout.memoryLength)
        let pages = builder.value(.ushr, .i64, [length, builder.iconst(.i64, 16)])
        push(builder.value(.ireduce, .i32, [pages]))
    }

    /// Calls a runtime helper through the helper table.
    mutating func callHelper(_ helper: HelperID, _ arguments: [Value], results: [IRType]) -> [Value] {
        let pointer = builder.pload(.i64, bases.helpers, offset: helper.rawValue * 8)
        let signature = Signature(parameters: [.i64] + arguments.map { function.type(of: $0) }, results: results)
        let index = function.signatureIndex(signature)
        return builder.append(Instruction(.callPtr, type: .i32, operands: [pointer, bases.vmctx] + arguments,
                                          immediate: Int64(index), sourceOffset: source), resultTypes: results)
    }

    /// Calls a helper that returns 0 or non-zero for "trap with `code`".
    mutating func callCheckedHelper(_ helper: HelperID, _ arguments: [Value], trap code: TrapCode) {
        let status = callHelper(helper, arguments, results: [.i32])[0]
        builder.trapIf(status, code, sourceOffset: source)
    }

    mutating func memoryGrow() {
        let delta = pop()
        push(callHelper(.memoryGrow, [builder.iconst(.i32, 0), delta], results: [.i32])[0])
    }

    // MARK: - Globals

    mutating func globalPointer(_ index: Int) -> Value {
        builder.pload(.i64, bases.globals, offset: index * 8)
    }

    mutating func globalGet(_ index: Int) throws(WasmError) {
        let type = ModuleEnvironment.irType(environment.globalTypes[index].valueType)
        if type == .v128 { throw unsupported("v128 globals (SIMD)") }
        push(builder.pload(type, globalPointer(index), offset: 0))
    }

    mutating func globalSet(_ index: Int) throws(WasmError) {
        let type = ModuleEnvironment.irType(environment.globalTypes[index].valueType)
        if type == .v128 { throw unsupported("v128 globals (SIMD)") }
        let value = pop()
        builder.pstore(type, globalPointer(index), offset: 0, value)
    }

    // MARK: - Tables

    /// Loads a table's element array and count; traps unless index < count.
    /// Returns the address of element `index`.
    mutating func tableElement(_ table: Int, _ index: Value) -> Value {
        let descriptorOffset = table * TableDescriptorLayout.size
        let count = builder.pload(.i64, bases.tables, offset: descriptorOffset + TableDescriptorLayout.count)
        let wide = builder.value(.uextend, .i64, [index])
        builder.trapIf(builder.icmp(.uge, wide, count), .tableOutOfBounds, sourceOffset: source)
        let elements = builder.pload(.i64, bases.tables, offset: descriptorOffset + TableDescriptorLayout.elements)
        let scaled = builder.value(.ishl, .i64, [wide, builder.iconst(.i64, 3)])
        return builder.value(.iadd, .i64, [elements, scaled])
    }

    mutating func tableGet(_ table: Int) {
        let address = tableElement(table, pop())
        push(builder.pload(.i64, address, offset: 0))
    }

    mutating func tableSet(_ table: Int) {
        let value = pop()
        let address = tableElement(table, pop())
        builder.pstore(.i64, address, offset: 0, value)
    }

    // MARK: - Calls

    mutating func directCall(_ callee: Int) throws(WasmError) {
        let signature = environment.signature(ofFunction: callee)
        let arguments = pop(signature.parameters.count - 1)
        saveFuel()
        defer { reloadFuel() }
        let results: [Value]
        if callee < environment.importedFunctionCount {
            let record = callee * ImportedFunctionLayout.size
            let code = builder.pload(.i64, bases.imports, offset: record + ImportedFunctionLayout.code)
            let calleeContext = builder.pload(.i64, bases.imports, offset: record + ImportedFunctionLayout.vmctx)
            let index = function.signatureIndex(signature)
            results = builder.append(Instruction(.callPtr, type: .i32, operands: [code, calleeContext] + arguments,
                                                 immediate: Int64(index), sourceOffset: source), resultTypes: signature.results)
        } else {
            function.calleeSignatures[Int64(callee)] = function.signatureIndex(signature)
            results = builder.append(Instruction(.call, type: .i32, operands: [bases.vmctx] + arguments,
                                                 immediate: Int64(callee), sourceOffset: source), resultTypes: signature.results)
        }
        stack.append(contentsOf: results)
    }

    mutating func indirectCall(typeIndex: Int, table: Int) throws(WasmError) {
        let signature = environment.signature(ofType: typeIndex)
        let index = pop()
        let arguments = pop(signature.parameters.count - 1)
        let reference = builder.pload(.i64, tableElement(table, index), offset: 0)
        let null = builder.icmp(.eq, reference, builder.iconst(.i64, 0))
        builder.trapIf(null, .indirectCallToNull, sourceOffset: source)
        let actual = builder.pload(.i64, reference, offset: FunctionReferenceLayout.signatureID)
        let expected = builder.pload(.i64, bases.signatureIDs, offset: typeIndex * 8)
        builder.trapIf(builder.icmp(.ne, actual, expected), .indirectCallTypeMismatch, sourceOffset: source)
        let code = builder.pload(.i64, reference, offset: FunctionReferenceLayout.code)
        let calleeContext = builder.pload(.i64, reference, offset: FunctionReferenceLayout.vmctx)
        let signatureIndex = function.signatureIndex(signature)
        saveFuel()
        let results = builder.append(Instruction(.callPtr, type: .i32, operands: [code, calleeContext] + arguments,
                                                 immediate: Int64(signatureIndex), sourceOffset: source),
                                     resultTypes: signature.results)
        reloadFuel()
        stack.append(contentsOf: results)
    }

    // MARK: - 0xFC

    mutating func miscInstruction(_ sub: UInt32) throws(WasmError) {
        switch sub {
        case 0, 2: unary(.fcvtToSintSat, .i32)
        case 1, 3: unary(.fcvtToUintSat, .i32)
        case 4, 6: unary(.fcvtToSintSat, .i64)
        case 5, 7: unary(.fcvtToUintSat, .i64)
        case 8: // memory.init
            let segment = Int64(try reader.readU32())
            _ = try reader.readByte()
            let (destination, source, length) = (stack[stack.count - 3], stack[stack.count - 2], stack[stack.count - 1])
            stack.removeLast(3)
            callCheckedHelper(.memoryInit, [builder.iconst(.i32, 0), builder.iconst(.i32, segment), destination, source, length],
                              trap: .memoryOutOfBounds)
        case 9:
            let segment = Int64(try reader.readU32())
            _ = callHelper(.dataDrop, [builder.iconst(.i32, segment)], results: [])
        case 10: // memory.copy
            _ = try reader.readByte()
            _ = try reader.readByte()
            let arguments = pop(3)
            callCheckedHelper(.memoryCopy, [builder.iconst(.i32, 0), builder.iconst(.i32, 0)] + arguments, trap: .memoryOutOfBounds)
        case 11: // memory.fill
            _ = try reader.readByte()
            let arguments = pop(3)
            callCheckedHelper(.memoryFill, [builder.iconst(.i32, 0)] + arguments, trap: .memoryOutOfBounds)
        case 12: // table.init
            let segment = Int64(try reader.readU32())
            let table = Int64(try reader.readU32())
            let arguments = pop(3)
            callCheckedHelper(.tableInit, [builder.iconst(.i32, table), builder.iconst(.i32, segment)] + arguments,
                              trap: .tableOutOfBounds)
        case 13:
            let segment = Int64(try reader.readU32())
            _ = callHelper(.elementDrop, [builder.iconst(.i32, segment)], results: [])
        case 14: // table.copy
            let destination = Int64(try reader.readU32())
            let sourceTable = Int64(try reader.readU32())
            let arguments = pop(3)
            callCheckedHelper(.tableCopy, [builder.iconst(.i32, destination), builder.iconst(.i32, sourceTable)] + arguments,
                              trap: .tableOutOfBounds)
        case 15: // table.grow
            let table = Int64(try reader.readU32())
            let delta = pop()
            let value = pop()
            push(callHelper(.tableGrow, [builder.iconst(.i32, table), delta, value], results: [.i32])[0])
        case 16: // table.size
            let table = Int(try reader.readU32())
            let count = builder.pload(.i64, bases.tables, offset: table * TableDescriptorLayout.size + TableDescriptorLayout.count)
            push(builder.value(.ireduce, .i32, [count]))
        case 17: // table.fill
            let table = Int64(try reader.readU32())
            let arguments = pop(3)
            callCheckedHelper(.tableFill, [builder.iconst(.i32, table)] + arguments, trap: .tableOutOfBounds)
        default:
            throw unsupported("0xfc \(sub)")
        }
    }
}

/// Opcode-ordered tables for lowering, built once rather than per instruction.
enum NumericTables {
    static let intConditions: [IntCondition] = [.eq, .ne, .slt, .ult, .sgt, .ugt, .sle, .ule, .sge, .uge]
    static let floatConditions: [FloatCondition] = [.eq, .ne, .lt, .gt, .le, .ge]
    static let intBinary: [Opcode] = [.iadd, .isub, .imul, .sdiv, .udiv, .srem, .urem, .band, .bor, .bxor, .ishl, .sshr, .ushr, .rotl, .rotr]
    static let floatUnary: [Opcode] = [.fabs, .fneg, .fceil, .ffloor, .ftrunc, .fnearest, .fsqrt]
    static let floatBinary: [Opcode] = [.fadd, .fsub, .fmul, .fdiv, .fmin, .fmax, .fcopysign]
    static let loads: [(IRType, MemoryWidth)] = [
        (.i32, .full), (.i64, .full), (.f32, .full), (.f64, .full),
        (.i32, .s8), (.i32, .u8), (.i32, .s16), (.i32, .u16),
        (.i64, .s8), (.i64, .u8), (.i64, .s16), (.i64, .u16), (.i64, .s32), (.i64, .u32),
    ]
    static let stores: [(IRType, MemoryWidth)] = [
        (.i32, .full), (.i64, .full), (.f32, .full), (.f64, .full),
        (.i32, .u8), (.i32, .u16), (.i64, .u8), (.i64, .u16), (.i64, .u32),
    ]
}
