// The instruction loop of function validation: control, variables, calls,
// references and the prefixed (0xFC, 0xFD) families. Fixed-signature
// instructions fall through to the table in `apply`.

extension FunctionValidator {
    mutating func validate(body: FunctionBody, typeIndex: UInt32) throws(WasmError) {
        let parameters = parameterRanges[Int(typeIndex)]
        let results = resultRanges[Int(typeIndex)]
        setUpLocals(parameters: parameters, body: body)
        reader = ByteReader(base: base, position: body.code.lowerBound, end: body.code.upperBound)
        operands.removeAll()
        frames.removeAll(keepingCapacity: true)
        floor = 0
        unreachable = false
        frames.append(ControlFrame(
            opcode: 0, unreachable: false, height: 0, parameterStart: 0, parameterCount: 0,
            resultStart: results.start, resultCount: results.count))

        while true {
            instructionOffset = reader.position
            guard reader.position < reader.end else {
                throw malformed("unexpected end of function: \(frames.count) blocks still open (END opcode expected)")
            }
            let opcode = reader.base[reader.position]
            reader.position += 1
            switch opcode {
            case 0x00: // unreachable
                markUnreachable()
            case 0x01: // nop
                break
            case 0x02, 0x03: // block, loop
                let type = try readBlockType()
                try pop(start: type.parameters.0, count: type.parameters.1)
                pushFrame(opcode, parameters: type.parameters, results: type.results)
            case 0x04: // if
                let type = try readBlockType()
                try pop(ValueType.i32.rawValue)
                try pop(start: type.parameters.0, count: type.parameters.1)
                pushFrame(opcode, parameters: type.parameters, results: type.results)
            case 0x05: // else
                guard frames[frames.count - 1].opcode == 0x04 else {
                    throw malformed("else without a matching if")
                }
                let frame = try popFrame()
                pushFrame(0x05, parameters: (frame.parameterStart, frame.parameterCount),
                          results: (frame.resultStart, frame.resultCount))
            case 0x0B: // end
                let frame = try popFrame()
                if frame.opcode == 0x04 && !sameTypes(frame.parameterStart, frame.parameterCount,
                                                      frame.resultStart, frame.resultCount) {
                    throw invalid("type mismatch: if without else must have equal parameter and result types")
                }
                if frames.isEmpty {
                    if reader.position != reader.end {
                        throw malformed("section size mismatch: \(reader.end - reader.position) bytes after the function's final end")
                    }
                    return
                }
                push(start: frame.resultStart, count: frame.resultCount)
            case 0x0C: // br
                let target = try label(try reader.readU32())
                try pop(start: target.labelStart, count: target.labelCount)
                markUnreachable()
            case 0x0D: // br_if
                let target = try label(try reader.readU32())
                try pop(ValueType.i32.rawValue)
                try pop(start: target.labelStart, count: target.labelCount)
                push(start: target.labelStart, count: target.labelCount)
            case 0x0E:
                try brTable()
            case 0x0F: // return
                let frame = frames[0]
                try pop(start: frame.resultStart, count: frame.resultCount)
                markUnreachable()
            case 0x10: // call
                let type = try functionType(try reader.readU32())
                try call(type)
            case 0x11: // call_indirect
                let typeIndex = try reader.readU32()
                let table = try tableType()
                guard table == ValueType.funcref.rawValue else {
                    throw invalid("type mismatch: call_indirect needs a funcref table, found \(Self.typeName(table))")
                }
                guard Int(typeIndex) < parameterRanges.count else {
                    throw invalid("unknown type \(typeIndex) in call_indirect")
                }
                try pop(ValueType.i32.rawValue)
                try call(Int(typeIndex))
            case 0x1A: // drop
                _ = try pop()
            case 0x1B: // select
                try pop(ValueType.i32.rawValue)
                let first = try pop()
                let second = try pop()
                let firstIsValue = first == 0 || !isReference(first)
                let secondIsValue = second == 0 || !isReference(second)
                guard firstIsValue && secondIsValue else {
                    throw invalid("type mismatch: select without a type needs numeric or vector operands, found \(Self.typeName(second)) and \(Self.typeName(first))")
                }
                guard first == second || first == 0 || second == 0 else {
                    throw mismatch(expected: second, found: first)
                }
                push(first == 0 ? second : first)
            case 0x1C: // select t*
                let count = try reader.readU32()
                guard count == 1 else {
                    throw invalid("invalid result arity: typed select needs exactly one type, found \(count)")
                }
                let typeOffset = reader.position
                let typeByte = try reader.readByte()
                guard ValueType(rawValue: typeByte) != nil else {
                    if let proposal = Proposal.valueType(typeByte) {
                        throw WasmError.unsupported(proposal, .malformed, offset: typeOffset, "select type \(hex(typeByte))")
                    }
                    throw WasmError(.malformed, offset: typeOffset, "malformed value type: \(hex(typeByte))")
                }
                try pop(ValueType.i32.rawValue)
                try pop(typeByte)
                try pop(typeByte)
                push(typeByte)
            case 0x20: // local.get
                push(try localType())
            case 0x21: // local.set
                try pop(try localType())
            case 0x22: // local.tee
                let type = try localType()
                try pop(type)
                push(type)
            case 0x23: // global.get
                push(globalTypes[try globalIndex()])
            case 0x24: // global.set
                let index = try globalIndex()
                guard globalMutable[index] else {
                    throw invalid("global is immutable: global.set of global \(index)")
                }
                try pop(globalTypes[index])
            case 0x25: // table.get
                let type = try tableType()
                try pop(ValueType.i32.rawValue)
                push(type)
            case 0x26: // table.set
                let type = try tableType()
                try pop(type)
                try pop(ValueType.i32.rawValue)
            case 0x3F, 0x40: // memory.size, memory.grow
                try zeroByte()
                try requireMemory()
                try apply(plainEntries[Int(opcode)])
            case 0x41:
                _ = try reader.readS32()
                push(ValueType.i32.rawValue)
            case 0x42:
                _ = try reader.readS64()
                push(ValueType.i64.rawValue)
            case 0x43:
                _ = try reader.readBytes(4)
                push(ValueType.f32.rawValue)
            case 0x44:
                _ = try reader.readBytes(8)
                push(ValueType.f64.rawValue)
            case 0xD0: // ref.null
                let typeOffset = reader.position
                let type = try reader.readByte()
                guard type == ValueType.funcref.rawValue || type == ValueType.externref.rawValue else {
                    if let proposal = Proposal.valueType(type) {
                        throw WasmError.unsupported(proposal, .malformed, offset: typeOffset, "ref.null of heap type \(hex(type))")
                    }
                    throw WasmError(.malformed, offset: typeOffset, "malformed reference type: \(hex(type))")
                }
                push(type)
            case 0xD1: // ref.is_null
                _ = try popReference()
                push(ValueType.i32.rawValue)
            case 0xD2: // ref.func
                let index = try reader.readU32()
                _ = try functionType(index)
                guard context.declaredReferences.contains(index) else {
                    throw invalid("undeclared function reference: function \(index) must appear in an element segment, export or global before ref.func")
                }
                push(ValueType.funcref.rawValue)
            case OpcodePrefix.misc:
                try miscInstruction()
            case OpcodePrefix.simd:
                try simdInstruction()
            default:
                let entry = plainEntries[Int(opcode)]
                switch entry.kind {
                case .simple:
                    try apply(entry)
                case .memarg:
                    try memarg(alignment: entry.alignment)
                    try apply(entry)
                default:
                    throw illegalOpcodeError(opcode, 0, offset: instructionOffset, following: reader)
                }
            }
        }
    }

    func isReference(_ type: UInt8) -> Bool {
        type == ValueType.funcref.rawValue || type == ValueType.externref.rawValue
    }

    func sameTypes(_ aStart: Int32, _ aCount: Int32, _ bStart: Int32, _ bCount: Int32) -> Bool {
        guard aCount == bCount else { return false }
        for i in 0..<Int(aCount) where typeData[Int(aStart) + i] != typeData[Int(bStart) + i] {
            return false
        }
        return true
    }

    mutating func call(_ typeIndex: Int) throws(WasmError) {
        let parameters = parameterRanges[typeIndex]
        let results = resultRanges[typeIndex]
        try pop(start: parameters.start, count: parameters.count)
        push(start: results.start, count: results.count)
    }

    mutating func brTable() throws(WasmError) {
        let countOffset = reader.position
        let count = try reader.readU32()
        guard Int(count) <= reader.remaining else {
            throw WasmError(.malformed, offset: countOffset, "unexpected end: br_table lists \(count) labels, \(reader.remaining) bytes left")
        }
        if Int(count) > maxBrTableTargets {
            throw WasmError(.implementationLimit, offset: countOffset,
                            "br_table of \(count) labels exceeds the implementation limit of \(maxBrTableTargets) labels")
        }
        try pop(ValueType.i32.rawValue)
        // The default label is last in the encoding; read the targets first.
        var targets: [UInt32] = []
        targets.reserveCapacity(Int(count))
        for _ in 0..<count { targets.append(try reader.readU32()) }
        let defaultTarget = try label(try reader.readU32())
        let arity = defaultTarget.labelCount
        for depth in targets {
            let target = try label(depth)
            guard target.labelCount == arity else {
                throw invalid("type mismatch: br_table targets have different arities (\(target.labelCount) and \(arity))")
            }
            // Check the operands against this label and put back what was there.
            scratch.removeAll(keepingCapacity: true)
            var i = Int(target.labelStart + target.labelCount) - 1
            while i >= Int(target.labelStart) {
                let expected = typeData[i]
                if operands.count == floor {
                    guard unreachable else { throw underflow(expected: expected) }
                    scratch.append(0)
                } else {
                    let actual = operands.removeLast()
                    if actual != expected && actual != 0 { throw mismatch(expected: expected, found: actual) }
                    scratch.append(actual)
                }
                i -= 1
            }
            for type in scratch.reversed() { operands.append(type) }
        }
        try pop(start: defaultTarget.labelStart, count: defaultTarget.labelCount)
        markUnreachable()
    }

    mutating func miscInstruction() throws(WasmError) {
        let sub = try reader.readU32()
        let i32 = ValueType.i32.rawValue
        switch sub {
        case 0...7:
            try apply(SignatureEntry.misc[Int(sub)])
        case 8: // memory.init
            let dataOffset = reader.position
            _ = try reader.readU32()
            try zeroByte()
            try requireMemory()
            let afterImmediates = reader.position
            reader.position = dataOffset
            try dataIndex()
            reader.position = afterImmediates
            try pop(i32); try pop(i32); try pop(i32)
        case 9: // data.drop
            try dataIndex()
        case 10: // memory.copy
            try zeroByte()
            try zeroByte()
            try requireMemory()
            try pop(i32); try pop(i32); try pop(i32)
        case 11: // memory.fill
            try zeroByte()
            try requireMemory()
            try pop(i32); try pop(i32); try pop(i32)
        case 12: // table.init
            let element = try elementType()
            let table = try tableType()
            guard element == table else {
                throw invalid("type mismatch: table.init of \(Self.typeName(element)) elements into a table of \(Self.typeName(table))")
            }
            try pop(i32); try pop(i32); try pop(i32)
        case 13: // elem.drop
            _ = try elementType()
        case 14: // table.copy
            let destination = try tableType()
            let source = try tableType()
            guard destination == source else {
                throw invalid("type mismatch: table.copy from a table of \(Self.typeName(source)) to one of \(Self.typeName(destination))")
            }
            try pop(i32); try pop(i32); try pop(i32)
        case 15: // table.grow
            let type = try tableType()
            try pop(i32)
            try pop(type)
            push(i32)
        case 16: // table.size
            _ = try tableType()
            push(i32)
        case 17: // table.fill
            let type = try tableType()
            try pop(i32)
            try pop(type)
            try pop(i32)
        default:
            throw illegalOpcodeError(OpcodePrefix.misc, sub, offset: instructionOffset, following: reader)
        }
    }

    mutating func simdInstruction() throws(WasmError) {
        let sub = try reader.readU32()
        guard sub < UInt32(simdEntries.count) else {
            throw illegalOpcodeError(OpcodePrefix.simd, sub, offset: instructionOffset, following: reader)
        }
        let entry = simdEntries[Int(sub)]
        switch entry.kind {
        case .simple:
            try apply(entry)
        case .memarg:
            try memarg(alignment: entry.alignment)
            try apply(entry)
        case .memargLane:
            try memarg(alignment: entry.alignment)
            try laneIndex(below: entry.lanes)
            try apply(entry)
        case .lane:
            try laneIndex(below: entry.lanes)
            try apply(entry)
        case .special:
            if sub == 0x0C { // v128.const
                _ = try reader.readBytes(16)
            } else { // i8x16.shuffle
                for _ in 0..<16 { try laneIndex(below: 32) }
            }
            try apply(entry)
        case .illegal:
            throw illegalOpcodeError(OpcodePrefix.simd, sub, offset: instructionOffset, following: reader)
        }
    }

    mutating func laneIndex(below lanes: UInt8) throws(WasmError) {
        let lane = try reader.readByte()
        guard lane < lanes else {
            throw invalid("invalid lane index \(lane) in \(instructionName): must be below \(lanes)")
        }
    }
}
