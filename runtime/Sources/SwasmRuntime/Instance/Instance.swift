// Instantiation: link the imports, build the VM context compiled code runs
// against, initialize tables and memories from the segments, run the start
// function (WebAssembly 2.0, section 4.5.4).
//
// The VM context (VMContextLayout) points at arrays this instance owns:
// imported functions {code, vmctx}, pointers to global storage (imported
// globals: the exporter's storage), table descriptor copies (kept current
// by Table.grow), canonical signature ids per type, FunctionReference
// records per function, and the process-wide helper table.
import SwasmABI
import WasmModel

public final class Instance {
    public let module: CompiledModule
    /// The VM context compiled code receives (16-aligned, VMContextLayout).
    public var vmContext: UnsafeMutableRawPointer { native.vmctx }
    /// Memories, tables and globals in index order (imports first).
    public let memories: [Memory]
    public let tables: [Table]
    public let globals: [Global]
    let importedFunctions: [Function]
    let functionTypeIndices: [UInt32]
    let native: NativeState
    /// Element segments' references; emptied by elem.drop.
    var elementSegments: [[UInt64]]
    /// Data segments' contents (inside the module's metadata); emptied by data.drop.
    var dataSegments: [UnsafeRawBufferPointer]
    /// The embedder's state for host functions that receive this instance's
    /// VM context (`Function(hostCode:type:)`), e.g. a WASI context. Set
    /// before the start function runs when given to `init`.
    public var hostContext: AnyObject?

    /// Instantiates `module` with `imports` given in the module's import
    /// order. Throws `LinkError` for a missing or mismatched import, `Trap`
    /// when a segment is out of bounds or the start function traps (effects
    /// on imported memories and tables stay, as the spec requires), and
    /// `MemoryError`/`InstanceError` when resources cannot be had.
    ///
    /// Memories the module defines get guard regions, or explicit bounds
    /// checks when the module was compiled with them (`memoryReservation`
    /// then caps each one's reserved address space, in bytes).
    ///
    /// With `interruptSignal` the instance is interrupted whenever the
    /// signal is raised (from the start function on), besides `interrupt()`.
    ///
    /// Code compiled with fuel or epoch checks draws on `limits` (shared
    /// with the other instances given the same limits); without, on limits
    /// of its own that never stop it (`ExecutionLimits()`).
    public init(module: CompiledModule, imports: [ExternValue], hostContext: AnyObject? = nil,
                memoryReservation: UInt64? = nil, interruptSignal: InterruptSignal? = nil,
                limits: ExecutionLimits? = nil) throws {
        guard module.runsHere else {
            throw CompiledModuleError("the module was compiled for \(ObjectImage.machineName(module.metadata.machine)) and cannot be instantiated on this host (\(ObjectImage.machineName(ObjectImage.hostMachine))); serialize it and load it on its machine")
        }
        let wasm = module.module
        try Self.link(module, imports)

        // Imports by kind.
        var importedFunctions: [Function] = []
        var memories: [Memory] = []
        var tables: [Table] = []
        var globals: [Global] = []
        for value in imports {
            switch value {
            case .function(let f): importedFunctions.append(f)
            case .memory(let m): memories.append(m)
            case .table(let t): tables.append(t)
            case .global(let g): globals.append(g)
            }
        }
        let importedTableCount = tables.count
        let typeIndices = wasm.allFunctionTypeIndices
        let native = NativeState(functions: typeIndices.count, globals: wasm.allGlobalTypes.count,
                                 tables: wasm.allTables.count, types: wasm.types.count)
        let vmctx = native.vmctx
        if let interruptSignal { native.follow(interruptSignal) }
        if module.settings.consumeFuel || module.settings.epochInterruption {
            native.use(limits ?? ExecutionLimits())
        }

        // Signature ids and function references (imports: copies of theirs).
        for (index, id) in module.signatureIDs.enumerated() { native.signatureIDs[index] = id }
        for (index, function) in importedFunctions.enumerated() where function.hostClosure != nil {
            // Swift closures: this module's host-call trampoline for the
            // import's type, with a block naming the closure and this instance.
            guard let trampoline = module.hostCallTrampoline(forType: Int(typeIndices[index])) else {
                throw InstanceError.unsupported("module has no host-call trampoline for import \(index); recompile it")
            }
            let block = native.makeHostCallBlock(function.hostClosure!, caller: vmctx)
            let imported = native.importedFunctions + index * ImportedFunctionLayout.size
            imported.storeBytes(of: trampoline, toByteOffset: ImportedFunctionLayout.code, as: UnsafeRawPointer?.self)
            imported.storeBytes(of: block, toByteOffset: ImportedFunctionLayout.vmctx, as: UnsafeMutableRawPointer?.self)
            native.writeReference(index, code: trampoline, vmctx: block, signatureID: function.signatureID)
        }
        for (index, function) in importedFunctions.enumerated() where function.hostClosure == nil {
            let code = function.callerContextCode ?? function.code
            // Host functions that act on their caller get this instance's context.
            let context = function.receivesCallerContext ? vmctx : function.vmctx
            let imported = native.importedFunctions + index * ImportedFunctionLayout.size
            imported.storeBytes(of: code, toByteOffset: ImportedFunctionLayout.code, as: UnsafeRawPointer?.self)
            imported.storeBytes(of: context, toByteOffset: ImportedFunctionLayout.vmctx, as: UnsafeMutableRawPointer?.self)
            native.writeReference(index, code: code, vmctx: context, signatureID: function.signatureID)
        }
        for index in importedFunctions.count..<typeIndices.count {
            native.writeReference(index, code: module.code(ofFunction: index), vmctx: vmctx,
                                  signatureID: module.signatureIDs[Int(typeIndices[index])])
        }

        // Defined memories and tables.
        let strategy: BoundsCheckStrategy = module.usesExplicitBoundsChecks ? .explicit : .guardRegion
        for type in wasm.memories {
            memories.append(try Memory(type: type, strategy: strategy, reservation: memoryReservation))
        }
        for type in wasm.tables { tables.append(try Table(type: type)) }

        // Globals, in order (initializers may read earlier globals).
        let references = native.functionReferences
        func evaluate(_ expression: ConstantExpression) throws -> (low: UInt64, high: UInt64) {
            var stack: [(low: UInt64, high: UInt64)] = []
            for instruction in expression.instructions {
                switch instruction {
                case .i32Const(let v): stack.append((UInt64(UInt32(bitPattern: v)), 0))
                case .i64Const(let v): stack.append((UInt64(bitPattern: v), 0))
                case .f32Const(let v): stack.append((UInt64(v), 0))
                case .f64Const(let v): stack.append((v, 0))
                case .v128Const(let v): stack.append((v.low, v.high))
                case .refNull: stack.append((0, 0))
                case .refFunc(let index):
                    guard Int(index) < typeIndices.count else {
                        throw CompiledModuleError("ref.func \(index) is out of range")
                    }
                    stack.append((UInt64(UInt(bitPattern: references + Int(index) * FunctionReferenceLayout.size)), 0))
                case .globalGet(let index):
                    guard Int(index) < globals.count else { throw CompiledModuleError("global.get \(index) in a constant expression is out of range") }
                    stack.append(globals[Int(index)].rawBits)
                }
            }
            guard let value = stack.last else { throw CompiledModuleError("empty constant expression at offset \(expression.offset)") }
            return value
        }
        for global in wasm.globals {
            let (low, high) = try evaluate(global.initializer)
            globals.append(Global(type: global.type, low: low, high: high))
        }
        for (index, global) in globals.enumerated() { native.globals[index] = global.storage }

        // Element segments' references, evaluated now (spec: before any is written).
        var elementSegments: [[UInt64]] = []
        for segment in wasm.elements {
            switch segment.items {
            case .functions(let indices):
                elementSegments.append(try indices.map { index in
                    guard Int(index) < typeIndices.count else { throw CompiledModuleError("element refers to function \(index), out of range") }
                    return UInt64(UInt(bitPattern: references + Int(index) * FunctionReferenceLayout.size))
                })
            case .expressions(let expressions):
                elementSegments.append(try expressions.map { try evaluate($0).low })
            }
        }

        self.module = module
        self.memories = memories
        self.tables = tables
        self.globals = globals
        self.importedFunctions = importedFunctions
        self.functionTypeIndices = typeIndices
        self.native = native
        self.elementSegments = elementSegments
        self.dataSegments = wasm.data.indices.map(module.dataSegment)
        self.hostContext = hostContext

        // The VM context.
        vmctx.storeBytes(of: UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque()),
                         toByteOffset: VMContextLayout.instance, as: UnsafeRawPointer.self)
        if let memory = memories.first { memory.attach(vmctx) }
        for (index, table) in tables.enumerated() { table.attach(native.tableDescriptor(index)) }

        // Active and declarative element segments, then active data segments.
        var exposedTables: [Table] = []
        do {
            for (index, segment) in wasm.elements.enumerated() {
                switch segment.mode {
                case .passive:
                    continue
                case .declarative:
                    self.elementSegments[index] = []
                case .active(let tableIndex, let offsetExpression):
                    guard Int(tableIndex) < tables.count else { throw CompiledModuleError("element segment \(index) refers to table \(tableIndex), out of range") }
                    let offset = UInt32(truncatingIfNeeded: try evaluate(offsetExpression).low)
                    let items = self.elementSegments[index]
                    let table = tables[Int(tableIndex)]
                    guard UInt64(offset) + UInt64(items.count) <= UInt64(table.count) else { throw Trap(.tableOutOfBounds) }
                    if !items.isEmpty {
                        items.withUnsafeBufferPointer { (table.elements + Int(offset)).update(from: $0.baseAddress!, count: $0.count) }
                        if Int(tableIndex) < importedTableCount && segment.elementType == .funcref { exposedTables.append(table) }
                    }
                    self.elementSegments[index] = []
                }
            }
            for (index, segment) in wasm.data.enumerated() {
                guard case .active(let memoryIndex, let offsetExpression) = segment.mode else { continue }
                guard Int(memoryIndex) < memories.count else { throw CompiledModuleError("data segment \(index) refers to memory \(memoryIndex), out of range") }
                let offset = UInt32(truncatingIfNeeded: try evaluate(offsetExpression).low)
                let memory = memories[Int(memoryIndex)]
                let contents = self.dataSegments[index]
                guard UInt64(offset) + UInt64(contents.count) <= UInt64(memory.byteCount) else { throw Trap(.memoryOutOfBounds) }
                if let source = contents.baseAddress, !contents.isEmpty {
                    (memory.base + Int(offset)).copyMemory(from: source, byteCount: contents.count)
                }
                self.dataSegments[index] = UnsafeRawBufferPointer(start: nil, count: 0)
            }
            if let start = wasm.start {
                _ = try function(validIndex: Int(start)).call([])
            }
        } catch {
            // References to this instance's functions now live in imported
            // tables, which the spec lets callers use after the failure: keep
            // the instance alive as long as those tables.
            for table in exposedTables where !table.retainedOwners.contains(where: { $0 === self }) {
                table.retainedOwners.append(self)
            }
            throw error
        }
    }

    deinit {
        let vmctx = native.vmctx
        if let memory = memories.first { memory.detach(vmctx) }
        for (index, table) in tables.enumerated() { table.detach(native.tableDescriptor(index)) }
    }

    /// The instance whose VM context is `vmctx` (for helpers called by compiled code).
    static func owning(_ vmctx: UnsafeMutableRawPointer?) -> Instance {
        let raw = vmctx.unsafelyUnwrapped.load(fromByteOffset: VMContextLayout.instance, as: UnsafeRawPointer.self)
        return Unmanaged<Instance>.fromOpaque(raw).takeUnretainedValue()
    }

    // MARK: Linking

    static func link(_ module: CompiledModule, _ imports: [ExternValue]) throws(LinkError) {
        let declared = module.imports
        for (index, entry) in declared.enumerated() {
            guard index < imports.count else {
                throw LinkError(module: entry.module, name: entry.name, expected: entry.type, found: nil, reason: "unknown import")
            }
            let provided = imports[index]
            let found = provided.type
            if !matches(found, entry.type) {
                throw LinkError(module: entry.module, name: entry.name, expected: entry.type, found: found,
                                reason: "incompatible import type")
            }
            // Unchecked accesses to a memory without a guard region would
            // reach whatever lies past its reservation.
            if case .memory(let memory) = provided, memory.storage.strategy == .explicit, !module.usesExplicitBoundsChecks {
                throw LinkError(module: entry.module, name: entry.name, expected: entry.type, found: found,
                                reason: "memory without a guard region imported by code compiled for guard regions"
                                    + " (compile it with `--bounds-checks explicit`):")
            }
        }
        if imports.count > declared.count {
            throw LinkError(module: "", name: "", expected: nil, found: imports[declared.count].type,
                            reason: "\(imports.count) imports given, the module declares \(declared.count):")
        }
    }

    /// Import matching (spec 4.5.3): `found` is the provided object's current type.
    public static func matches(_ found: ExternType, _ expected: ExternType) -> Bool {
        func limitsMatch(_ a: Limits, _ b: Limits) -> Bool {
            guard a.min >= b.min else { return false }
            guard let bMax = b.max else { return true }
            guard let aMax = a.max else { return false }
            return aMax <= bMax
        }
        switch (found, expected) {
        case (.function(let a), .function(let b)): return a == b
        case (.table(let a), .table(let b)): return a.elementType == b.elementType && limitsMatch(a.limits, b.limits)
        case (.memory(let a), .memory(let b)): return limitsMatch(a.limits, b.limits)
        case (.global(let a), .global(let b)): return a == b
        default: return false
        }
    }

    // MARK: Exports and calls

    /// Function `index` (imports first), nil past the last one. Imported
    /// functions are returned as given.
    public func function(at index: Int) -> Function? {
        guard index >= 0 && index < functionTypeIndices.count else { return nil }
        return function(validIndex: index)
    }

    /// Function `index`, which the module's validation has checked.
    func function(validIndex index: Int) -> Function {
        if index < importedFunctions.count { return importedFunctions[index] }
        let typeIndex = Int(functionTypeIndices[index])
        return Function(reference: native.functionReferences + index * FunctionReferenceLayout.size,
                        type: module.module.types[typeIndex], trampoline: module.trampoline(forType: typeIndex), owner: self)
    }

    /// The function a funcref value produced by this instance (a pointer to
    /// one of its records) stands for; nil for other pointers.
    public func function(forReference reference: UnsafeRawPointer) -> Function? {
        let start = UnsafeRawPointer(native.functionReferences)
        let offset = reference - start
        guard offset >= 0, offset % FunctionReferenceLayout.size == 0,
              offset / FunctionReferenceLayout.size < functionTypeIndices.count else { return nil }
        let index = offset / FunctionReferenceLayout.size
        if index < importedFunctions.count {
            // This instance's copy of an import's record: call the import.
            return importedFunctions[index]
        }
        return function(validIndex: index)
    }

    func externValue(_ kind: ExternalKind, _ index: Int) -> ExternValue {
        switch kind {
        case .function: return .function(function(validIndex: index))
        case .table: return .table(tables[index])
        case .memory: return .memory(memories[index])
        case .global: return .global(globals[index])
        }
    }

    /// The export called `name`.
    public func export(named name: String) -> ExternValue? {
        // Byte comparison: canonically equivalent spellings are distinct names in wasm.
        guard let entry = module.module.exports.first(where: { $0.name.utf8.elementsEqual(name.utf8) }) else { return nil }
        return externValue(entry.kind, Int(entry.index))
    }

    /// All exports, in the module's order.
    public var exports: [(String, ExternValue)] {
        module.module.exports.map { ($0.name, externValue($0.kind, Int($0.index))) }
    }

    /// Calls `function` (of this or any instance) with `arguments`.
    public func call(_ function: Function, _ arguments: [Value]) throws -> [Value] {
        try function.call(arguments)
    }

    /// Calls the exported function `name`.
    public func call(_ name: String, _ arguments: [Value]) throws -> [Value]? {
        guard let function = export(named: name)?.function else { return nil }
        return try function.call(arguments)
    }
}

/// The native allocations of an instance, freed when it goes away (also
/// when instantiation fails half-way).
final class NativeState {
    let vmctx: UnsafeMutableRawPointer
    let importedFunctions: UnsafeMutableRawPointer
    let globals: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    let tables: UnsafeMutableRawPointer
    let signatureIDs: UnsafeMutablePointer<UInt64>
    let functionReferences: UnsafeMutableRawPointer
    /// Host-call blocks of closure imports (HostFunctions.swift).
    var hostCallBlocks: [UnsafeMutableRawPointer] = []
    /// The closures those blocks name (held here: the blocks do not retain).
    var hostClosures: [AnyObject] = []
    /// The signal whose raising sets this context's interrupt flag.
    private var interruptSignal: InterruptSignal?

    init(functions: Int, globals globalCount: Int, tables tableCount: Int, types: Int) {
        func zeroed(_ bytes: Int) -> UnsafeMutableRawPointer {
            let pointer = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 16), alignment: 16)
            pointer.initializeMemory(as: UInt8.self, repeating: 0, count: max(bytes, 16))
            return pointer
        }
        vmctx = zeroed(VMContextLayout.headerSize)
        importedFunctions = zeroed(functions * ImportedFunctionLayout.size)
        globals = zeroed(globalCount * 8).bindMemory(to: UnsafeMutableRawPointer?.self, capacity: max(globalCount, 2))
        tables = zeroed(tableCount * TableDescriptorLayout.size)
        signatureIDs = zeroed(types * 8).bindMemory(to: UInt64.self, capacity: max(types, 2))
        functionReferences = zeroed(functions * FunctionReferenceLayout.size)
        vmctx.storeBytes(of: UnsafeRawPointer(InstanceHelpers.table), toByteOffset: VMContextLayout.helpers, as: UnsafeRawPointer.self)
        vmctx.storeBytes(of: importedFunctions, toByteOffset: VMContextLayout.importedFunctions, as: UnsafeMutableRawPointer.self)
        vmctx.storeBytes(of: UnsafeMutableRawPointer(globals), toByteOffset: VMContextLayout.globals, as: UnsafeMutableRawPointer.self)
        vmctx.storeBytes(of: tables, toByteOffset: VMContextLayout.tables, as: UnsafeMutableRawPointer.self)
        vmctx.storeBytes(of: UnsafeMutableRawPointer(signatureIDs), toByteOffset: VMContextLayout.signatureIDs, as: UnsafeMutableRawPointer.self)
        vmctx.storeBytes(of: functionReferences, toByteOffset: VMContextLayout.functionReferences, as: UnsafeMutableRawPointer.self)
    }

    /// The store's fuel and epoch deadline, read and written by compiled code.
    private var limits: ExecutionLimits?

    func use(_ limits: ExecutionLimits) {
        self.limits = limits
        vmctx.storeBytes(of: limits.block, toByteOffset: VMContextLayout.executionLimits, as: UnsafeMutableRawPointer.self)
    }

    func follow(_ signal: InterruptSignal) {
        interruptSignal = signal
        signal.attach(vmctx)
    }

    deinit {
        interruptSignal?.detach(vmctx)
        vmctx.deallocate()
        importedFunctions.deallocate()
        UnsafeMutableRawPointer(globals).deallocate()
        tables.deallocate()
        UnsafeMutableRawPointer(signatureIDs).deallocate()
        functionReferences.deallocate()
        for block in hostCallBlocks { block.deallocate() }
    }

    func tableDescriptor(_ index: Int) -> UnsafeMutableRawPointer { tables + index * TableDescriptorLayout.size }

    func writeReference(_ index: Int, code: UnsafeRawPointer?, vmctx context: UnsafeMutableRawPointer?, signatureID: UInt64) {
        let record = functionReferences + index * FunctionReferenceLayout.size
        record.storeBytes(of: code, toByteOffset: FunctionReferenceLayout.code, as: UnsafeRawPointer?.self)
        record.storeBytes(of: context, toByteOffset: FunctionReferenceLayout.vmctx, as: UnsafeMutableRawPointer?.self)
        record.storeBytes(of: signatureID, toByteOffset: FunctionReferenceLayout.signatureID, as: UInt64.self)
    }
}
