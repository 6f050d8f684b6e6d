// Binary decoder: bytes → Module, in one pass.
//
//   header ─ sections in order (custom anywhere) ─ cross-section counts
//
// Everything but function bodies is decoded here; a body is checked only for
// its size and local declarations and kept as a byte range, which the
// validator decodes (and reports malformed instructions in) exactly once.

public enum Decoder {
    /// Decodes a binary module. Throws a `.malformed` error with the offset
    /// of the first byte that breaks the binary format, or an
    /// `.implementationLimit` error for a count or size beyond `limits`.
    public static func decode(_ bytes: [UInt8], limits: ImplementationLimits = .default) throws(WasmError) -> Module {
        var module = Module(bytes: bytes)
        if bytes.isEmpty {
            throw WasmError(.malformed, offset: 0, "unexpected end: magic header not detected (empty input)")
        }
        if bytes.count > limits.moduleSize {
            throw limits.exceeded("module", bytes.count, limits.moduleSize, "bytes", offset: 0)
        }
        let result: Result<Module, WasmError> = bytes.withUnsafeBufferPointer { buffer in
            var decoder = SectionDecoder(
                reader: ByteReader(base: buffer.baseAddress!, position: 0, end: buffer.count), limits: limits)
            do throws(WasmError) {
                try decoder.decodeModule(into: &module)
                return .success(module)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Decodes the contents of a `name` custom section (after its name);
    /// nil when they are malformed.
    public static func decodeNameSection(_ bytes: UnsafeRawBufferPointer) -> NameSection? {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return NameSection() }
        let decoder = SectionDecoder(reader: ByteReader(base: base, position: 0, end: bytes.count))
        var reader = decoder.reader
        return try? decoder.readNameSection(&reader)
    }
}

/// Section ids of the binary format.
enum SectionID: UInt8 {
    case custom = 0, type, `import`, function, table, memory, global, export, start, element, code, data, dataCount

    /// Position in the required section order (data count sits before code).
    var order: Int {
        switch self {
        case .custom: return 0
        case .dataCount: return 10
        case .code: return 11
        case .data: return 12
        default: return Int(rawValue)
        }
    }

    var name: String {
        switch self {
        case .custom: return "custom"
        case .type: return "type"
        case .import: return "import"
        case .function: return "function"
        case .table: return "table"
        case .memory: return "memory"
        case .global: return "global"
        case .export: return "export"
        case .start: return "start"
        case .element: return "element"
        case .code: return "code"
        case .data: return "data"
        case .dataCount: return "data count"
        }
    }
}

struct SectionDecoder {
    var reader: ByteReader
    var limits = ImplementationLimits.default

    /// Throws when `count` things (`what`, counted in `unit`s) exceed `limit`.
    func check(_ count: Int, against limit: Int, _ what: String, _ unit: String, offset: Int) throws(WasmError) {
        if count > limit { throw limits.exceeded(what, count, limit, unit, offset: offset) }
    }

    mutating func decodeModule(into module: inout Module) throws(WasmError) {
        try readHeader()
        var lastOrder = 0
        while !reader.isAtEnd {
            let idOffset = reader.position
            let idByte = try reader.readByte()
            guard let id = SectionID(rawValue: idByte) else {
                if let proposal = Proposal.section(idByte) {
                    throw WasmError.unsupported(proposal, .malformed, offset: idOffset, "tag section (section id \(idByte))")
                }
                throw WasmError(.malformed, offset: idOffset, "malformed section id: \(hex(idByte)) is not a section id (0 to 12)")
            }
            let sizeOffset = reader.position
            let size = Int(try reader.readU32())
            guard size <= reader.remaining else {
                throw WasmError(.malformed, offset: sizeOffset,
                                "length out of bounds: \(id.name) section declares \(size) bytes, \(reader.remaining) left")
            }
            if id != .custom {
                guard id.order > lastOrder else {
                    throw WasmError(.malformed, offset: idOffset,
                                    "unexpected content after last section: \(id.name) section out of order or repeated")
                }
                lastOrder = id.order
            }
            let end = reader.position + size
            if id != .custom { module.sectionOffsets[id.rawValue] = reader.position }
            var section = ByteReader(base: reader.base, position: reader.position, end: end)
            switch id {
            case .custom: try decodeCustom(&section, into: &module)
            case .type: try decodeTypes(&section, into: &module)
            case .import: try decodeImports(&section, into: &module)
            case .function:
                let countOffset = section.position
                let count = try section.readCount()
                try check(count, against: limits.functions, "function section", "functions", offset: countOffset)
                module.functions.reserveCapacity(count)
                for _ in 0..<count { module.functions.append(try section.readU32()) }
            case .table:
                let countOffset = section.position
                let count = try section.readCount()
                try check(module.importedTableCount + count, against: limits.tables, "module", "tables", offset: countOffset)
                for _ in 0..<count { module.tables.append(try readTableType(&section)) }
            case .memory:
                let countOffset = section.position
                let count = try section.readCount()
                try check(module.importedMemoryCount + count, against: limits.memories, "module", "memories", offset: countOffset)
                for _ in 0..<count { module.memories.append(try readMemoryType(&section)) }
            case .global:
                let countOffset = section.position
                let count = try section.readCount()
                try check(count, against: limits.globals, "global section", "globals", offset: countOffset)
                for _ in 0..<count {
                    let offset = section.position
                    let type = try readGlobalType(&section)
                    let initializer = try readConstantExpression(&section)
                    module.globals.append(Global(type: type, initializer: initializer, offset: offset))
                }
            case .export: try decodeExports(&section, into: &module)
            case .start: module.start = try section.readU32()
            case .element: try decodeElements(&section, into: &module)
            case .dataCount: module.dataCount = try section.readU32()
            case .code:
                try decodeCode(&section, into: &module)
            case .data: try decodeData(&section, into: &module)
            }
            if section.position != end {
                throw WasmError(.malformed, offset: section.position,
                                "section size mismatch: \(id.name) section ends at 0x\(String(section.position, radix: 16)), declared end is 0x\(String(end, radix: 16))")
            }
            reader.position = end
        }
        if module.functions.count != module.bodies.count {
            throw WasmError(.malformed, offset: reader.position,
                            "function and code section have inconsistent lengths: \(module.functions.count) functions declared, \(module.bodies.count) bodies")
        }
        if let dataCount = module.dataCount, Int(dataCount) != module.data.count {
            throw WasmError(.malformed, offset: reader.position,
                            "data count and data section have inconsistent lengths: data count \(dataCount), \(module.data.count) segments")
        }
    }

    mutating func readHeader() throws(WasmError) {
        let magic: [UInt8] = [0x00, 0x61, 0x73, 0x6D]
        for (i, expected) in magic.enumerated() {
            guard let byte = reader.peekByte() else {
                throw WasmError(.malformed, offset: i, "unexpected end: magic header not detected")
            }
            guard byte == expected else {
                throw WasmError(.malformed, offset: i, "magic header not detected: expected \\0asm")
            }
            reader.position += 1
        }
        guard reader.remaining >= 4 else {
            throw WasmError(.malformed, offset: 4, "unexpected end: binary version missing")
        }
        let version = try reader.readF32Bits()
        guard version == 1 else {
            throw WasmError(.malformed, offset: 4, "unknown binary version: expected 1, found \(version)")
        }
    }

    // MARK: - Types

    func readValueType(_ r: inout ByteReader) throws(WasmError) -> ValueType {
        let offset = r.position
        let byte = try r.readByte()
        guard let type = ValueType(rawValue: byte) else {
            if let proposal = Proposal.valueType(byte) {
                throw WasmError.unsupported(proposal, .malformed, offset: offset, "value type \(hex(byte))")
            }
            throw WasmError(.malformed, offset: offset, "malformed value type: \(hex(byte)) is not a value type")
        }
        return type
    }

    func readReferenceType(_ r: inout ByteReader) throws(WasmError) -> ValueType {
        let offset = r.position
        let byte = try r.readByte()
        guard let type = ValueType(rawValue: byte), type.isReference else {
            if let proposal = Proposal.valueType(byte) {
                throw WasmError.unsupported(proposal, .malformed, offset: offset, "reference type \(hex(byte))")
            }
            throw WasmError(.malformed, offset: offset, "malformed reference type: expected 0x70 (funcref) or 0x6f (externref), found \(hex(byte))")
        }
        return type
    }

    func readLimits(_ r: inout ByteReader) throws(WasmError) -> Limits {
        let offset = r.position
        let flags = try r.readByte()
        switch flags {
        case 0x00:
            return Limits(min: UInt64(try r.readU32()))
        case 0x01:
            let min = UInt64(try r.readU32())
            let max = UInt64(try r.readU32())
            return Limits(min: min, max: max)
        default:
            if let proposal = Proposal.limitsFlags(flags) {
                throw WasmError.unsupported(proposal, .malformed, offset: offset, "limits flags \(hex(flags))")
            }
            throw WasmError(.malformed, offset: offset, "integer too large: limits flags must be 0x00 or 0x01, found \(hex(flags))")
        }
    }

    func readTableType(_ r: inout ByteReader) throws(WasmError) -> TableType {
        let elementType = try readReferenceType(&r)
        return TableType(elementType: elementType, limits: try readLimits(&r))
    }

    func readMemoryType(_ r: inout ByteReader) throws(WasmError) -> MemoryType {
        MemoryType(limits: try readLimits(&r))
    }

    func readGlobalType(_ r: inout ByteReader) throws(WasmError) -> GlobalType {
        let type = try readValueType(&r)
        let offset = r.position
        let mutability = try r.readByte()
        guard mutability <= 1 else {
            throw WasmError(.malformed, offset: offset, "malformed mutability: expected 0x00 or 0x01, found \(hex(mutability))")
        }
        return GlobalType(valueType: type, isMutable: mutability == 1)
    }

    // MARK: - Sections

    mutating func decodeTypes(_ r: inout ByteReader, into module: inout Module) throws(WasmError) {
        let countOffset = r.position
        let count = try r.readCount(minimumElementSize: 3)
        try check(count, against: limits.types, "type section", "types", offset: countOffset)
        module.types.reserveCapacity(count)
        for _ in 0..<count {
            let offset = r.position
            let form = try r.readByte()
            guard form == 0x60 else {
                if let proposal = Proposal.typeForm(form) {
                    throw WasmError.unsupported(proposal, .malformed, offset: offset, "type form \(hex(form))")
                }
                throw WasmError(.malformed, offset: offset, "malformed function type: expected 0x60, found \(hex(form))")
            }
            let parameterCountOffset = r.position
            let parameterCount = try r.readCount()
            try check(parameterCount, against: limits.parameters, "function type", "parameters", offset: parameterCountOffset)
            var parameters: [ValueType] = []
            parameters.reserveCapacity(parameterCount)
            for _ in 0..<parameterCount { parameters.append(try readValueType(&r)) }
            let resultCountOffset = r.position
            let resultCount = try r.readCount()
            try check(resultCount, against: limits.results, "function type", "results", offset: resultCountOffset)
            var results: [ValueType] = []
            results.reserveCapacity(resultCount)
            for _ in 0..<resultCount { results.append(try readValueType(&r)) }
            module.types.append(FunctionType(parameters: parameters, results: results))
            module.typeOffsets.append(offset)
        }
    }

    mutating func decodeImports(_ r: inout ByteReader, into module: inout Module) throws(WasmError) {
        let countOffset = r.position
        let count = try r.readCount(minimumElementSize: 4)
        try check(count, against: limits.imports, "import section", "imports", offset: countOffset)
        module.imports.reserveCapacity(count)
        // Counted as they come: recounting the imports per entry would be quadratic.
        var tables = 0
        var memories = 0
        for _ in 0..<count {
            let offset = r.position
            let moduleName = try r.readName()
            let name = try r.readName()
            let kindOffset = r.position
            let kind = try r.readByte()
            let descriptor: Import.Descriptor
            switch kind {
            case 0x00: descriptor = .function(typeIndex: try r.readU32())
            case 0x01:
                tables += 1
                try check(tables, against: limits.tables, "module", "tables", offset: kindOffset)
                descriptor = .table(try readTableType(&r))
            case 0x02:
                memories += 1
                try check(memories, against: limits.memories, "module", "memories", offset: kindOffset)
                descriptor = .memory(try readMemoryType(&r))
            case 0x03: descriptor = .global(try readGlobalType(&r))
            default:
                if let proposal = Proposal.externalKind(kind) {
                    throw WasmError.unsupported(proposal, .malformed, offset: kindOffset, "tag import")
                }
                throw WasmError(.malformed, offset: kindOffset, "malformed import kind: expected 0x00 to 0x03, found \(hex(kind))")
            }
            module.imports.append(Import(module: moduleName, name: name, descriptor: descriptor, offset: offset))
        }
    }

    mutating func decodeExports(_ r: inout ByteReader, into module: inout Module) throws(WasmError) {
        let countOffset = r.position
        let count = try r.readCount(minimumElementSize: 3)
        try check(count, against: limits.exports, "export section", "exports", offset: countOffset)
        module.exports.reserveCapacity(count)
        for _ in 0..<count {
            let offset = r.position
            let name = try r.readName()
            let kindOffset = r.position
            let kindByte = try r.readByte()
            guard let kind = ExternalKind(rawValue: kindByte) else {
                if let proposal = Proposal.externalKind(kindByte) {
                    throw WasmError.unsupported(proposal, .malformed, offset: kindOffset, "tag export")
                }
                throw WasmError(.malformed, offset: kindOffset, "malformed export kind: expected 0x00 to 0x03, found \(hex(kindByte))")
            }
            module.exports.append(Export(name: name, kind: kind, index: try r.readU32(), offset: offset))
        }
    }

    mutating func decodeElements(_ r: inout ByteReader, into module: inout Module) throws(WasmError) {
        let count = try r.readCount()
        for _ in 0..<count {
            let offset = r.position
            let flags = try r.readU32()
            guard flags <= 7 else {
                throw WasmError(.malformed, offset: offset, "malformed elements segment kind: expected 0 to 7, found \(flags)")
            }
            let isPassiveOrDeclarative = flags & 1 != 0
            let hasTableIndex = flags & 2 != 0
            let usesExpressions = flags & 4 != 0
            var mode: ElementSegment.Mode
            if isPassiveOrDeclarative {
                mode = hasTableIndex ? .declarative : .passive
            } else {
                let table = hasTableIndex ? try r.readU32() : 0
                mode = .active(table: table, offset: try readConstantExpression(&r))
            }
            var elementType = ValueType.funcref
            // Flags 0 and 4 imply funcref; the others spell out an element kind or type.
            if isPassiveOrDeclarative || hasTableIndex {
                if usesExpressions {
                    elementType = try readReferenceType(&r)
                } else {
                    let kindOffset = r.position
                    let kind = try r.readByte()
                    guard kind == 0x00 else {
                        throw WasmError(.malformed, offset: kindOffset, "malformed element kind: expected 0x00 (funcref), found \(hex(kind))")
                    }
                }
            }
            let itemCountOffset = r.position
            let itemCount = try r.readCount()
            try check(itemCount, against: limits.elementSegmentEntries, "element segment", "entries", offset: itemCountOffset)
            let items: ElementSegment.Items
            if usesExpressions {
                var expressions: [ConstantExpression] = []
                expressions.reserveCapacity(itemCount)
                for _ in 0..<itemCount { expressions.append(try readConstantExpression(&r)) }
                items = .expressions(expressions)
            } else {
                var functions: [UInt32] = []
                functions.reserveCapacity(itemCount)
                for _ in 0..<itemCount { functions.append(try r.readU32()) }
                items = .functions(functions)
            }
            module.elements.append(ElementSegment(mode: mode, elementType: elementType, items: items, offset: offset))
        }
    }

    mutating func decodeCode(_ r: inout ByteReader, into module: inout Module) throws(WasmError) {
        let count = try r.readCount(minimumElementSize: 2)
        module.bodies.reserveCapacity(count)
        for _ in 0..<count {
            let offset = r.position
            let size = Int(try r.readU32())
            guard size <= r.remaining else {
                throw WasmError(.malformed, offset: offset, "length out of bounds: function body of \(size) bytes, \(r.remaining) left")
            }
            try check(size, against: limits.functionBodySize, "function body", "bytes", offset: offset)
            let end = r.position + size
            var body = ByteReader(base: r.base, position: r.position, end: end)
            let groupCount = try body.readCount(minimumElementSize: 2)
            var locals: [(count: UInt32, type: ValueType)] = []
            // (Reserving on an empty array allocates even for zero.)
            if groupCount > 0 { locals.reserveCapacity(groupCount) }
            var total: UInt64 = 0
            for _ in 0..<groupCount {
                let countOffset = body.position
                let n = try body.readU32()
                total += UInt64(n)
                guard total <= UInt64(UInt32.max) else {
                    throw WasmError(.malformed, offset: countOffset, "too many locals: more than 2^32-1 declared")
                }
                locals.append((n, try readValueType(&body)))
            }
            try checkLocals(total, function: module.bodies.count, in: module, offset: offset)
            module.bodies.append(FunctionBody(locals: locals, localCount: Int(total), code: body.position..<end, offset: offset))
            r.position = end
        }
    }

    /// Locals are limited with the parameters counted, as the JS API does:
    /// both become variables of the compiled function.
    func checkLocals(_ declared: UInt64, function: Int, in module: Module, offset: Int) throws(WasmError) {
        var parameters = 0
        if function < module.functions.count, Int(module.functions[function]) < module.types.count {
            parameters = module.types[Int(module.functions[function])].parameters.count
        }
        let total = declared + UInt64(parameters)
        if total > UInt64(limits.locals) {
            throw WasmError(.implementationLimit, offset: offset,
                            "function with \(total) locals (\(parameters) parameters, \(declared) declared) exceeds the implementation limit of \(limits.locals) locals")
        }
    }

    mutating func decodeData(_ r: inout ByteReader, into module: inout Module) throws(WasmError) {
        let countOffset = r.position
        let count = try r.readCount()
        try check(count, against: limits.dataSegments, "data section", "segments", offset: countOffset)
        for _ in 0..<count {
            let offset = r.position
            let flags = try r.readU32()
            let mode: DataSegment.Mode
            switch flags {
            case 0: mode = .active(memory: 0, offset: try readConstantExpression(&r))
            case 1: mode = .passive
            case 2:
                let memory = try r.readU32()
                mode = .active(memory: memory, offset: try readConstantExpression(&r))
            default:
                throw WasmError(.malformed, offset: offset, "malformed data segment kind: expected 0 to 2, found \(flags)")
            }
            let lengthOffset = r.position
            let length = Int(try r.readU32())
            guard length <= r.remaining else {
                throw WasmError(.malformed, offset: lengthOffset, "unexpected end of section or function: data segment of \(length) bytes, \(r.remaining) left")
            }
            let range = try r.readBytes(length)
            module.data.append(DataSegment(mode: mode, range: range, offset: offset))
        }
    }

    mutating func decodeCustom(_ r: inout ByteReader, into module: inout Module) throws(WasmError) {
        let name = try r.readName()
        let contents = r.position..<r.end
        module.customSections.append(CustomSection(name: name, range: contents))
        if name == "name" {
            var names = ByteReader(base: r.base, position: r.position, end: r.end)
            if let parsed = try? readNameSection(&names) { module.names = parsed }
        }
        r.position = r.end
    }

    func readNameSection(_ r: inout ByteReader) throws(WasmError) -> NameSection {
        var names = NameSection()
        while !r.isAtEnd {
            let id = try r.readByte()
            let size = Int(try r.readU32())
            guard size <= r.remaining else { throw WasmError(.malformed, offset: r.position, "name subsection too long") }
            var sub = ByteReader(base: r.base, position: r.position, end: r.position + size)
            switch id {
            case 0: names.moduleName = try sub.readName()
            case 1:
                for _ in 0..<(try sub.readCount()) {
                    let index = try sub.readU32()
                    names.functionNames[index] = try sub.readName()
                }
            case 2:
                for _ in 0..<(try sub.readCount()) {
                    let function = try sub.readU32()
                    var map: [UInt32: String] = [:]
                    for _ in 0..<(try sub.readCount()) {
                        let index = try sub.readU32()
                        map[index] = try sub.readName()
                    }
                    names.localNames[function] = map
                }
            default: break
            }
            r.position += size
        }
        return names
    }

    // MARK: - Constant expressions

    /// Reads an expression up to its `end`. Instructions that are not constant
    /// are skipped over (so that malformed bytes are still found here) and
    /// recorded for the validator to reject.
    func readConstantExpression(_ r: inout ByteReader) throws(WasmError) -> ConstantExpression {
        var expression = ConstantExpression(instructions: [], offset: r.position)
        var depth = 0
        while true {
            let offset = r.position
            let opcode = try r.readByte()
            switch opcode {
            case 0x0B:
                if depth == 0 { return expression }
                depth -= 1
            case 0x41: expression.instructions.append(.i32Const(try r.readS32()))
            case 0x42: expression.instructions.append(.i64Const(try r.readS64()))
            case 0x43: expression.instructions.append(.f32Const(try r.readF32Bits()))
            case 0x44: expression.instructions.append(.f64Const(try r.readF64Bits()))
            case 0x23: expression.instructions.append(.globalGet(try r.readU32()))
            case 0xD0: expression.instructions.append(.refNull(try readReferenceType(&r)))
            case 0xD2: expression.instructions.append(.refFunc(try r.readU32()))
            default:
                var sub: UInt32 = 0
                if opcode == OpcodePrefix.misc || opcode == OpcodePrefix.simd { sub = try r.readU32() }
                if opcode == OpcodePrefix.simd && sub == 0x0C {
                    expression.instructions.append(.v128Const(try r.readV128()))
                    continue
                }
                guard let info = Opcodes.info(opcode, sub) else {
                    throw illegalOpcodeError(opcode, sub, offset: offset, following: r)
                }
                if expression.nonConstant == nil { expression.nonConstant = (offset, info.name) }
                if opcode == 0x02 || opcode == 0x03 || opcode == 0x04 { depth += 1 }
                try skipImmediate(info.immediate, &r)
            }
        }
    }

    func skipImmediate(_ immediate: Immediate, _ r: inout ByteReader) throws(WasmError) {
        try r.skipImmediate(immediate)
    }
}

extension ByteReader {
    /// Steps over the immediates of an instruction whose opcode was just read.
    public mutating func skipImmediate(_ immediate: Immediate) throws(WasmError) {
        var r = self
        defer { self = r }
        switch immediate {
        case .none: break
        case .blockType: _ = try r.readS33()
        case .labelIndex, .functionIndex, .localIndex, .globalIndex, .tableIndex, .dataIndex, .elementIndex:
            _ = try r.readU32()
        case .brTable:
            for _ in 0..<(try r.readCount()) { _ = try r.readU32() }
            _ = try r.readU32()
        case .callIndirect, .tableInit, .tableCopy, .memarg:
            _ = try r.readU32(); _ = try r.readU32()
        case .zeroByte: _ = try r.readByte()
        case .i32: _ = try r.readS32()
        case .i64: _ = try r.readS64()
        case .f32: _ = try r.readBytes(4)
        case .f64: _ = try r.readBytes(8)
        case .selectTypes:
            for _ in 0..<(try r.readCount()) { _ = try r.readByte() }
        case .referenceType: _ = try r.readByte()
        case .memoryInit: _ = try r.readU32(); _ = try r.readByte()
        case .memoryCopy: _ = try r.readByte(); _ = try r.readByte()
        case .v128, .shuffle: _ = try r.readBytes(16)
        case .lane: _ = try r.readByte()
        case .memargLane: _ = try r.readU32(); _ = try r.readU32(); _ = try r.readByte()
        }
    }
}

/// The error for an opcode WebAssembly 2.0 does not define: named after its
/// proposal when a later one defines it. `r` is positioned after the opcode
/// byte (and after `sub` for the 0xFC and 0xFD prefixes, which 2.0 knows);
/// the sub-opcode of the GC and threads prefixes is read from it.
func illegalOpcodeError(_ opcode: UInt8, _ sub: UInt32, offset: Int, following r: ByteReader) -> WasmError {
    var sub = sub
    if opcode == 0xFB || opcode == 0xFE {
        var peek = r
        sub = (try? peek.readU32()) ?? 0
    }
    if let (proposal, name) = Proposal.instruction(opcode, sub) {
        return WasmError.unsupported(proposal, .malformed, offset: offset, name)
    }
    return WasmError(.malformed, offset: offset, "illegal opcode \(hex(opcode))\(opcode >= 0xFC ? " \(sub)" : "")")
}
