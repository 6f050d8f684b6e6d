// Validator: a decoded Module → accepted, or the first rule it breaks.
//
//   module-level rules (indices, limits, constant expressions, exports, start)
//   ─ each function body, by the spec's operand/control stack algorithm
//
// Function bodies are decoded here for the first time, so malformed
// instruction encodings are reported from here as `.malformed` errors.

/// Which WebAssembly features to accept. Only 2.0 exists so far.
public struct FeatureSet: Sendable, Hashable {
    public static let wasm2 = FeatureSet()
    public init() {}
}

public enum Validator {
    /// Validates `module`; throws the first rule broken. `limits` bounds what
    /// the decoder cannot see (`br_table` sizes); pass the decoder's.
    public static func validate(_ module: Module, features: FeatureSet = .wasm2,
                                limits: ImplementationLimits = .default) throws(WasmError) {
        let context = ValidationContext(module, limits: limits)
        try context.validateModuleFields()
        try module.bytes.withUnsafeBufferPointer { (buffer: UnsafeBufferPointer<UInt8>) throws(WasmError) in
            guard let base = buffer.baseAddress else { return }
            var validator = FunctionValidator(context: context, base: base)
            defer { validator.operands.deallocate() }
            for (i, body) in module.bodies.enumerated() {
                let functionIndex = UInt32(context.importedFunctionCount + i)
                do throws(WasmError) {
                    try validator.validate(body: body, typeIndex: module.functions[i])
                } catch {
                    var error = error
                    error.functionIndex = functionIndex
                    error.functionName = module.names.functionNames[functionIndex]
                    throw error
                }
            }
        }
    }

    /// Validates everything but the function bodies: the module-level rules
    /// (type indices, limits, constant expressions and their types, exports,
    /// start function, element and data segments). For a module whose code
    /// was compiled from a validated module, with its bodies left out.
    public static func validateDeclarations(_ module: Module, limits: ImplementationLimits = .default) throws(WasmError) {
        try ValidationContext(module, limits: limits).validateModuleFields(collectingReferences: false)
    }

    /// Decodes and validates in one call.
    public static func decodeAndValidate(_ bytes: [UInt8], limits: ImplementationLimits = .default) throws(WasmError) -> Module {
        let module = try Decoder.decode(bytes, limits: limits)
        try validate(module, limits: limits)
        return module
    }
}

/// The module's index spaces flattened for fast lookup during validation.
final class ValidationContext {
    let module: Module
    let limits: ImplementationLimits
    let types: [FunctionType]
    /// Types of every function (imports first) as type indices.
    let functionTypes: [UInt32]
    let tables: [TableType]
    let memories: [MemoryType]
    let globals: [GlobalType]
    let importedFunctionCount: Int
    let importedGlobalCount: Int
    /// Functions that `ref.func` may name: those referenced outside function bodies.
    var declaredReferences = Set<UInt32>()

    /// Every parameter and result list, packed; `typeData` starts with one
    /// entry per value type so that single-result block types index it too.
    var typeData: [UInt8] = []
    var parameterRanges: [(start: Int32, count: Int32)] = []
    var resultRanges: [(start: Int32, count: Int32)] = []

    init(_ module: Module, limits: ImplementationLimits) {
        self.module = module
        self.limits = limits
        types = module.types
        functionTypes = module.allFunctionTypeIndices
        tables = module.allTables
        memories = module.allMemories
        globals = module.allGlobalTypes
        importedFunctionCount = module.importedFunctionCount
        importedGlobalCount = module.importedGlobalCount
        for byte in Self.singleTypeOrder { typeData.append(byte) }
        for type in types {
            parameterRanges.append((Int32(typeData.count), Int32(type.parameters.count)))
            typeData.append(contentsOf: type.parameters.map(\.rawValue))
            resultRanges.append((Int32(typeData.count), Int32(type.results.count)))
            typeData.append(contentsOf: type.results.map(\.rawValue))
        }
    }

    static let singleTypeOrder: [UInt8] = [0x7F, 0x7E, 0x7D, 0x7C, 0x7B, 0x70, 0x6F]

    /// Index into `typeData` of the one-element list holding value type `byte`.
    static func singleTypeSlot(_ byte: UInt8) -> Int32 {
        switch byte {
        case 0x7F: return 0
        case 0x7E: return 1
        case 0x7D: return 2
        case 0x7C: return 3
        case 0x7B: return 4
        case 0x70: return 5
        default: return 6
        }
    }

    func invalid(_ offset: Int, _ message: String) -> WasmError {
        WasmError(.invalid, offset: offset, message)
    }

    // MARK: - Module-level rules

    /// `collectingReferences`: also gather the functions that bodies may
    /// name with `ref.func` (only bodies need them).
    func validateModuleFields(collectingReferences: Bool = true) throws(WasmError) {
        if collectingReferences { collectDeclaredReferences() }

        for entry in module.imports {
            switch entry.descriptor {
            case .function(let typeIndex):
                guard Int(typeIndex) < types.count else {
                    throw invalid(entry.offset, "unknown type \(typeIndex) in import \(entry.module).\(entry.name) (module has \(types.count) types)")
                }
            case .table(let table):
                try checkTableLimits(table.limits, offset: entry.offset)
            case .memory(let memory):
                try checkMemoryLimits(memory.limits, offset: entry.offset)
            case .global:
                break
            }
        }
        for (i, typeIndex) in module.functions.enumerated() where Int(typeIndex) >= types.count {
            let offset = i < module.bodies.count ? module.bodies[i].offset : 0
            throw invalid(offset, "unknown type \(typeIndex) for function \(importedFunctionCount + i) (module has \(types.count) types)")
        }
        let tableSection = module.sectionOffsets[SectionID.table.rawValue] ?? 0
        let memorySection = module.sectionOffsets[SectionID.memory.rawValue] ?? module.sectionOffsets[SectionID.import.rawValue] ?? 0
        let startSection = module.sectionOffsets[SectionID.start.rawValue] ?? 0
        for table in module.tables {
            try checkTableLimits(table.limits, offset: tableSection)
        }
        if memories.count > 1 {
            throw WasmError.unsupported(.multiMemory, .invalid, offset: memorySection,
                                        "module has \(memories.count) memories; WebAssembly 2.0 allows at most one")
        }
        for memory in module.memories {
            try checkMemoryLimits(memory.limits, offset: memorySection)
        }
        for global in module.globals {
            try checkConstant(global.initializer, type: global.type.valueType)
        }
        // Names are compared as bytes: Swift's String equality would merge
        // canonically equivalent spellings, which are distinct names in wasm.
        var exportNames = Set<[UInt8]>()
        for export in module.exports {
            guard exportNames.insert(Array(export.name.utf8)).inserted else {
                throw invalid(export.offset, "duplicate export name \"\(export.name)\"")
            }
            let count: Int
            switch export.kind {
            case .function: count = functionTypes.count
            case .table: count = tables.count
            case .memory: count = memories.count
            case .global: count = globals.count
            }
            guard Int(export.index) < count else {
                throw invalid(export.offset, "unknown \(export.kind) \(export.index) in export \"\(export.name)\"")
            }
        }
        if let start = module.start {
            guard Int(start) < functionTypes.count else {
                throw invalid(startSection, "unknown function \(start) as start function")
            }
            let type = types[Int(functionTypes[Int(start)])]
            guard type.parameters.isEmpty && type.results.isEmpty else {
                throw invalid(startSection, "start function \(start) must have type [] -> [], has \(type)")
            }
        }
        for segment in module.elements {
            try checkElementSegment(segment)
        }
        for segment in module.data {
            if case .active(let memory, let offset) = segment.mode {
                guard Int(memory) < memories.count else {
                    throw invalid(segment.offset, "unknown memory \(memory) in data segment")
                }
                try checkConstant(offset, type: .i32)
            }
        }
    }

    func collectDeclaredReferences() {
        func scan(_ expression: ConstantExpression) {
            for instruction in expression.instructions {
                if case .refFunc(let index) = instruction { declaredReferences.insert(index) }
            }
        }
        for export in module.exports where export.kind == .function {
            declaredReferences.insert(export.index)
        }
        for global in module.globals { scan(global.initializer) }
        for segment in module.elements {
            switch segment.items {
            case .functions(let functions): declaredReferences.formUnion(functions)
            case .expressions(let expressions): expressions.forEach(scan)
            }
            if case .active(_, let offset) = segment.mode { scan(offset) }
        }
        for segment in module.data {
            if case .active(_, let offset) = segment.mode { scan(offset) }
        }
    }

    func checkTableLimits(_ table: Limits, offset: Int) throws(WasmError) {
        if let max = table.max, table.min > max {
            throw invalid(offset, "size minimum must not be greater than maximum: table min \(table.min) > max \(max)")
        }
        // Only the minimum: a larger declared maximum just bounds growth.
        if table.min > limits.tableSize {
            throw limits.exceeded("table with a minimum", table.min, limits.tableSize, "elements", offset: offset)
        }
    }

    func checkMemoryLimits(_ limits: Limits, offset: Int) throws(WasmError) {
        guard limits.min <= MemoryType.maxPages else {
            throw invalid(offset, "memory size must be at most 65536 pages (4GiB): min is \(limits.min)")
        }
        if let max = limits.max {
            guard max <= MemoryType.maxPages else {
                throw invalid(offset, "memory size must be at most 65536 pages (4GiB): max is \(max)")
            }
            guard limits.min <= max else {
                throw invalid(offset, "size minimum must not be greater than maximum: memory min \(limits.min) > max \(max)")
            }
        }
    }

    func checkElementSegment(_ segment: ElementSegment) throws(WasmError) {
        if case .active(let table, let offset) = segment.mode {
            guard Int(table) < tables.count else {
                throw invalid(segment.offset, "unknown table \(table) in element segment")
            }
            try checkConstant(offset, type: .i32)
            guard tables[Int(table)].elementType == segment.elementType else {
                throw invalid(segment.offset, "type mismatch: element segment of \(segment.elementType) for table \(table) of \(tables[Int(table)].elementType)")
            }
        }
        switch segment.items {
        case .functions(let functions):
            for function in functions where Int(function) >= functionTypes.count {
                throw invalid(segment.offset, "unknown function \(function) in element segment")
            }
        case .expressions(let expressions):
            for expression in expressions {
                try checkConstant(expression, type: segment.elementType)
            }
        }
    }

    /// Types a constant expression: it must be constant, produce exactly one
    /// value of `type`, and read only imported immutable globals.
    func checkConstant(_ expression: ConstantExpression, type: ValueType) throws(WasmError) {
        if let nonConstant = expression.nonConstant {
            if ["i32.add", "i32.sub", "i32.mul", "i64.add", "i64.sub", "i64.mul"].contains(nonConstant.name) {
                throw WasmError.unsupported(.extendedConst, .invalid, offset: nonConstant.offset,
                                            "\(nonConstant.name) in a constant expression")
            }
            throw invalid(nonConstant.offset, "constant expression required: \(nonConstant.name) is not a constant instruction")
        }
        var stack: [ValueType] = []
        for instruction in expression.instructions {
            switch instruction {
            case .i32Const: stack.append(.i32)
            case .i64Const: stack.append(.i64)
            case .f32Const: stack.append(.f32)
            case .f64Const: stack.append(.f64)
            case .v128Const: stack.append(.v128)
            case .refNull(let t): stack.append(t)
            case .refFunc(let index):
                guard Int(index) < functionTypes.count else {
                    throw invalid(expression.offset, "unknown function \(index) in ref.func")
                }
                stack.append(.funcref)
            case .globalGet(let index):
                guard Int(index) < importedGlobalCount else {
                    throw invalid(expression.offset, "unknown global \(index): constant expressions may only read imported globals (\(importedGlobalCount) here)")
                }
                guard !globals[Int(index)].isMutable else {
                    throw invalid(expression.offset, "constant expression required: global \(index) is mutable")
                }
                stack.append(globals[Int(index)].valueType)
            }
        }
        guard stack == [type] else {
            throw invalid(expression.offset, "type mismatch: constant expression must produce [\(type)], produces [\(stack.map(\.description).joined(separator: " "))]")
        }
    }
}
