// Instantiation, linking, segments, helpers and the spectest host, on
// modules assembled by hand (InstanceSupport.swift).
import SwasmABI
@testable import SwasmRuntime
import Testing
import WasmModel

@Suite struct InstanceTests {
    /// Exports "add": [i32 i32] -> [i32].
    func adder() throws -> CompiledModule {
        var m = TestModule()
        let t = m.type([.i32, .i32], [.i32])
        m.function(t, X64.add)
        m.export("add", .function, 0)
        return try m.compile()
    }

    @Test func codeNeedingMissingCPUFeaturesIsRefused() throws {
        var m = TestModule()
        m.function(m.type([.i32, .i32], [.i32]), X64.add)
        m.requiredCPUFeatures = .x86_64Baseline
        _ = try m.compile()  // every machine that runs these tests has them
        m.requiredCPUFeatures = [.popcnt, CPUFeatures(rawValue: 1 << 30)]
        let error = #expect(throws: CompiledModuleError.self) { try m.compile() }
        #expect(error?.description == "the code needs CPU features this machine lacks: bit30")
    }

    @Test func callsAnExportedFunction() throws {
        let module = try adder()
        #expect(module.exports == [ExportDescription(name: "add", type: .function(FunctionType(parameters: [.i32, .i32], results: [.i32])))])
        let instance = try Instance(module: module, imports: [])
        let add = try instance.exportedFunction("add")
        #expect(try instance.call(add, [.i32(3), .i32(4)]) == [.i32(7)])
        #expect(try add.call([.i32(0xFFFF_FFFF), .i32(2)]) == [.i32(1)])
        #expect(add.signatureID == SignatureRegistry.id(of: FunctionType(parameters: [.i32, .i32], results: [.i32])))
        #expect(try instance.call("add", [.i32(1), .i32(1)]) == [.i32(2)])
        #expect(instance.exports.map(\.0) == ["add"])
        #expect(instance.export(named: "nope") == nil)
        #expect(throws: InstanceError.argumentMismatch(expected: [.i32, .i32], found: [.i32])) { try add.call([.i32(1)]) }
        #expect(throws: InstanceError.argumentMismatch(expected: [.i32, .i32], found: [.i32, .i64])) {
            try add.call([.i32(1), .i64(2)])
        }
        // The funcref of an exported function maps back to it.
        let again = try #require(instance.function(forReference: add.reference))
        #expect(try again.call([.i32(20), .i32(22)]) == [.i32(42)])
        // By index: the one function, and nothing (not a crash) around it.
        #expect(try instance.function(at: 0)?.call([.i32(1), .i32(2)]) == [.i32(3)])
        #expect(instance.function(at: 1) == nil)
        #expect(instance.function(at: -1) == nil)
    }

    @Test func signatureIDsAreCanonical() {
        let a = SignatureRegistry.id(of: FunctionType(parameters: [.i32], results: [.f64]))
        let b = SignatureRegistry.id(of: FunctionType(parameters: [.i32], results: [.f64]))
        let c = SignatureRegistry.id(of: FunctionType(parameters: [.f64], results: [.i32]))
        #expect(a == b && a != c && a != 0 && c != 0)
    }

    @Test func callsAcrossInstancesThroughImports() throws {
        let a = try Instance(module: try adder(), imports: [])
        var m = TestModule()
        let t = m.type([.i32, .i32], [.i32])
        m.importFunction("a", "add", type: t)
        m.function(t, X64.callImport0)
        m.export("viaImport", .function, 1)
        m.export("reexport", .function, 0)
        let b = try Instance(module: try m.compile(), imports: [.function(try a.exportedFunction("add"))])
        #expect(try b.exportedFunction("viaImport").call([.i32(40), .i32(2)]) == [.i32(42)])
        // A re-exported import is the imported Function itself.
        #expect(try b.exportedFunction("reexport").reference == (try a.exportedFunction("add")).reference)
        // The instance's own record for the import is a copy of the import's.
        let record = b.native.functionReferences
        #expect(record.load(as: UInt.self) == UInt(bitPattern: try a.exportedFunction("add").code))
        #expect(record.load(fromByteOffset: 8, as: UInt.self) == UInt(bitPattern: a.vmContext))
    }

    @Test func linkErrors() throws {
        let add = try Instance(module: try adder(), imports: []).exportedFunction("add")
        var m = TestModule()
        let t = m.type([.i32], [.i32])
        m.importFunction("env", "f", type: t)
        let module = try m.compile()
        // Missing.
        let missing = try #require(throws: LinkError.self) { try Instance(module: module, imports: []) }
        #expect(missing.module == "env" && missing.name == "f" && missing.found == nil && missing.reason == "unknown import")
        // Wrong function type.
        let wrongType = try #require(throws: LinkError.self) { try Instance(module: module, imports: [.function(add)]) }
        #expect(wrongType.expected == .function(FunctionType(parameters: [.i32], results: [.i32])))
        #expect(wrongType.found == .function(FunctionType(parameters: [.i32, .i32], results: [.i32])))
        #expect(wrongType.reason == "incompatible import type")
        #expect(wrongType.description.contains("\"env\" \"f\""))
        // Wrong kind.
        let memory = try Memory(type: MemoryType(limits: Limits(min: 1)))
        #expect(throws: LinkError.self) { try Instance(module: module, imports: [.memory(memory)]) }
        // Too many.
        #expect(throws: LinkError.self) {
            try Instance(module: try adder(), imports: [.memory(memory)])
        }
    }

    @Test func limitsAndGlobalTypesMatchPerTheSpec() throws {
        func memoryModule(_ min: UInt64, _ max: UInt64?) throws -> CompiledModule {
            var m = TestModule()
            m.importMemory("env", "memory", min, max)
            return try m.compile()
        }
        let oneNoMax = try Memory(type: MemoryType(limits: Limits(min: 1)))
        let twoMaxThree = try Memory(type: MemoryType(limits: Limits(min: 2, max: 3)))
        #expect(throws: LinkError.self) { try Instance(module: try memoryModule(2, nil), imports: [.memory(oneNoMax)]) }
        #expect(throws: LinkError.self) { try Instance(module: try memoryModule(1, 2), imports: [.memory(oneNoMax)]) }
        #expect(throws: LinkError.self) { try Instance(module: try memoryModule(1, 2), imports: [.memory(twoMaxThree)]) }
        _ = try Instance(module: try memoryModule(1, 3), imports: [.memory(twoMaxThree)])
        _ = try Instance(module: try memoryModule(0, nil), imports: [.memory(twoMaxThree)])
        // The current size counts: a grown memory satisfies a larger minimum.
        #expect(oneNoMax.grow(by: 1) == 1)
        _ = try Instance(module: try memoryModule(2, nil), imports: [.memory(oneNoMax)])

        func tableModule(_ element: ValueType, _ min: UInt64, _ max: UInt64?) throws -> CompiledModule {
            var m = TestModule()
            m.importTable("env", "table", element, min, max)
            return try m.compile()
        }
        let table = try Table(type: TableType(elementType: .funcref, limits: Limits(min: 10, max: 20)))
        _ = try Instance(module: try tableModule(.funcref, 10, 20), imports: [.table(table)])
        _ = try Instance(module: try tableModule(.funcref, 5, nil), imports: [.table(table)])
        #expect(throws: LinkError.self) { try Instance(module: try tableModule(.externref, 10, 20), imports: [.table(table)]) }
        #expect(throws: LinkError.self) { try Instance(module: try tableModule(.funcref, 11, 20), imports: [.table(table)]) }
        #expect(throws: LinkError.self) { try Instance(module: try tableModule(.funcref, 10, 15), imports: [.table(table)]) }

        func globalModule(_ type: ValueType, mutable: Bool) throws -> CompiledModule {
            var m = TestModule()
            m.importGlobal("env", "g", type, mutable: mutable)
            return try m.compile()
        }
        let immutable = try SwasmRuntime.Global(type: GlobalType(valueType: .i32, isMutable: false), value: .i32(1))
        _ = try Instance(module: try globalModule(.i32, mutable: false), imports: [.global(immutable)])
        #expect(throws: LinkError.self) { try Instance(module: try globalModule(.i32, mutable: true), imports: [.global(immutable)]) }
        #expect(throws: LinkError.self) { try Instance(module: try globalModule(.i64, mutable: false), imports: [.global(immutable)]) }
    }

    @Test func dataSegmentsInitializeMemory() throws {
        var m = TestModule()
        m.memory(1, 2)
        m.export("mem", .memory, 0)
        m.activeData(offset: Wasm.i32(0), Array("hello".utf8))
        m.activeData(offset: Wasm.i32(100), [0xAB, 0xCD])
        m.passiveData([1, 2, 3])
        let instance = try Instance(module: try m.compile(), imports: [])
        let memory = try #require(instance.export(named: "mem")?.memory)
        #expect(memory.read(at: 0, count: 5) == Array("hello".utf8))
        #expect(memory.read(at: 100, count: 3) == [0xAB, 0xCD, 0])
        #expect(memory.type == MemoryType(limits: Limits(min: 1, max: 2)))
        #expect(memory.base == instance.vmContext.load(as: UnsafeMutableRawPointer.self))
        #expect(memoryLength(instance.vmContext) == 65536)
        // Active segments are dropped, passive ones are not.
        #expect(instance.dataSegments.map(\.count) == [0, 0, 3])
    }

    @Test func outOfBoundsDataSegmentTrapsAfterEarlierOnesAreWritten() throws {
        let memory = try Memory(type: MemoryType(limits: Limits(min: 1)))
        var m = TestModule()
        m.importMemory("env", "memory", 1, nil)
        m.activeData(offset: Wasm.i32(0), Array("abc".utf8))
        m.activeData(offset: Wasm.i32(65535), Array("zz".utf8))
        m.activeData(offset: Wasm.i32(10), Array("never".utf8))
        let trap = try #require(throws: Trap.self) { try Instance(module: try m.compile(), imports: [.memory(memory)]) }
        #expect(trap.code == .memoryOutOfBounds)
        #expect(memory.read(at: 0, count: 3) == Array("abc".utf8))
        #expect(memory.read(at: 10, count: 5) == [0, 0, 0, 0, 0])
        #expect(memory.read(at: 65535, count: 1) == [0])
    }

    @Test func outOfBoundsElementSegmentKeepsEarlierReferencesUsable() throws {
        let table = try Table(type: TableType(elementType: .funcref, limits: Limits(min: 2)))
        var m = TestModule()
        let t = m.type([.i32, .i32], [.i32])
        m.importTable("env", "table", .funcref, 2, nil)
        m.function(t, X64.add)
        m.activeElements(offset: Wasm.i32(1), [0])
        m.activeElements(offset: Wasm.i32(2), [0])
        m.memory(1, nil)
        m.activeData(offset: Wasm.i32(0), [1]) // not reached
        let module = try m.compile()
        let trap = try #require(throws: Trap.self) { try Instance(module: module, imports: [.table(table)]) }
        #expect(trap.code == .tableOutOfBounds)
        #expect(table.get(0) == .funcref(nil))
        guard case .funcref(let reference)? = table.get(1), let reference else {
            Issue.record("element 1 was not written")
            return
        }
        // The failed instance stays alive with the table: its function is callable.
        #expect(table.retainedOwners.count == 1)
        let type = FunctionType(parameters: [.i32, .i32], results: [.i32])
        #expect(reference.load(fromByteOffset: FunctionReferenceLayout.signatureID, as: UInt64.self) == SignatureRegistry.id(of: type))
        let function = Function(reference: reference, type: type, trampoline: module.trampoline(forType: 0), owner: table)
        #expect(try function.call([.i32(5), .i32(6)]) == [.i32(11)])
    }

    @Test func elementSegmentsAndTableExports() throws {
        var m = TestModule()
        let t = m.type([.i32, .i32], [.i32])
        m.function(t, X64.add)
        m.table(.funcref, 4, 8)
        m.export("table", .table, 0)
        m.activeElements(offset: Wasm.i32(2), [0, 0])
        m.passiveElements([0])
        let instance = try Instance(module: try m.compile(), imports: [])
        let table = try #require(instance.export(named: "table")?.table)
        let record = UnsafeRawPointer(instance.native.functionReferences)
        #expect(table.get(0) == .funcref(nil))
        #expect(table.get(2) == .funcref(record))
        #expect(table.get(3) == .funcref(record))
        #expect(table.get(4) == nil)
        let descriptor = tableDescriptor(instance.vmContext, 0)
        #expect(descriptor.count == 4 && descriptor.maximum == 8)
        #expect(descriptor.elements == UInt64(UInt(bitPattern: table.elements)))
        #expect(instance.elementSegments.map(\.count) == [0, 1])
        #expect(instance.function(forReference: record) != nil)
    }

    @Test func globalsAreInitializedFromImportsAndConstants() throws {
        let imported = try SwasmRuntime.Global(type: GlobalType(valueType: .i32, isMutable: false), value: .i32(1234))
        var m = TestModule()
        let t = m.type([], [.i32])
        m.importGlobal("env", "g", .i32, mutable: false)
        m.function(t, X64.getGlobal(1))
        m.global(.i32, mutable: true, Wasm.globalGet(0))
        m.global(.i64, mutable: false, Wasm.i64(-5))
        m.global(.funcref, mutable: false, Wasm.refFunc(0))
        m.global(.funcref, mutable: true, Wasm.refNullFunc)
        for index: UInt32 in 0..<5 { m.export("g\(index)", .global, index) }
        m.export("get1", .function, 0)
        let instance = try Instance(module: try m.compile(), imports: [.global(imported)])
        func global(_ name: String) throws -> SwasmRuntime.Global { try #require(instance.export(named: name)?.global) }
        #expect(try global("g0") === imported)
        #expect(try global("g1").get() == .i32(1234))
        #expect(try global("g2").get() == .i64(UInt64(bitPattern: -5)))
        #expect(try global("g3").get() == .funcref(UnsafeRawPointer(instance.native.functionReferences)))
        #expect(try global("g4").get() == .funcref(nil))
        #expect(try instance.exportedFunction("get1").call([]) == [.i32(1234)])
        try global("g1").set(.i32(99))
        #expect(try instance.exportedFunction("get1").call([]) == [.i32(99)])
        #expect(throws: InstanceError.immutableGlobal) { try global("g2").set(.i64(1)) }
        #expect(throws: InstanceError.typeMismatch(expected: .i32, found: .i64)) { try global("g1").set(.i64(1)) }
        // The VM context points at the imported global's own storage.
        #expect(instance.native.globals[0] == imported.storage)
    }

    @Test func memoryGrowUpdatesEveryInstanceSharingTheMemory() throws {
        var a = TestModule()
        let grow = a.type([.i32], [.i32])
        let size = a.type([], [.i32])
        a.memory(1, 4)
        a.export("memory", .memory, 0)
        a.function(grow, X64.grow)
        a.function(size, X64.size)
        a.export("grow", .function, 0)
        a.export("size", .function, 1)
        let first = try Instance(module: try a.compile(), imports: [])
        let memory = try #require(first.export(named: "memory")?.memory)

        var b = TestModule()
        b.importMemory("a", "memory", 1, nil)
        let second = try Instance(module: try b.compile(), imports: [.memory(memory)])
        #expect(memoryLength(second.vmContext) == 65536)

        // Called directly through the helper table, as compiled code would.
        let growHelper = helper(second.vmContext, .memoryGrow, as: GrowHelper.self)
        #expect(growHelper(second.vmContext, 0, 1) == 1)
        #expect(memoryLength(first.vmContext) == 2 * 65536)
        #expect(memoryLength(second.vmContext) == 2 * 65536)
        #expect(memory.pageCount == 2)
        #expect(growHelper(second.vmContext, 0, 3) == UInt32.max)
        #expect(growHelper(second.vmContext, 0, 0) == 2)

        // From compiled code: tail call into the helper.
        #expect(try first.exportedFunction("grow").call([.i32(2)]) == [.i32(2)])
        #expect(try first.exportedFunction("size").call([]) == [.i32(4)])
        #expect(memoryLength(second.vmContext) == 4 * 65536)
        #expect(try first.exportedFunction("grow").call([.i32(1)]) == [.i32(0xFFFF_FFFF)])
        #expect(memory.write([7], at: 4 * 65536 - 1))
    }

    @Test func memoryHelpersCheckBoundsBeforeWriting() throws {
        var m = TestModule()
        m.memory(1, 1)
        m.export("memory", .memory, 0)
        m.passiveData([1, 2, 3, 4])
        m.activeData(offset: Wasm.i32(0), [9])
        let instance = try Instance(module: try m.compile(), imports: [])
        let memory = try #require(instance.export(named: "memory")?.memory)
        let vmctx = instance.vmContext
        let fill = helper(vmctx, .memoryFill, as: FillHelper.self)
        let copy = helper(vmctx, .memoryCopy, as: FiveArgumentHelper.self)
        let initialize = helper(vmctx, .memoryInit, as: FiveArgumentHelper.self)
        let drop = helper(vmctx, .dataDrop, as: DropHelper.self)
        let oob = TrapCode.memoryOutOfBounds.rawValue

        #expect(fill(vmctx, 0, 10, 0x1FF, 3) == 0)
        #expect(memory.read(at: 10, count: 4) == [0xFF, 0xFF, 0xFF, 0])
        #expect(fill(vmctx, 0, 65534, 5, 3) == oob)
        #expect(memory.read(at: 65534, count: 2) == [0, 0])
        #expect(fill(vmctx, 0, 65536, 5, 0) == 0)
        #expect(fill(vmctx, 0, 65537, 5, 0) == oob)

        #expect(copy(vmctx, 0, 0, 11, 10, 3) == 0) // overlapping
        #expect(memory.read(at: 10, count: 5) == [0xFF, 0xFF, 0xFF, 0xFF, 0])
        #expect(copy(vmctx, 0, 0, 65535, 0, 2) == oob)
        #expect(copy(vmctx, 0, 0, 0, 0xFFFF_FFFF, 2) == oob)

        #expect(initialize(vmctx, 0, 0, 100, 1, 3) == 0)
        #expect(memory.read(at: 100, count: 4) == [2, 3, 4, 0])
        #expect(initialize(vmctx, 0, 0, 200, 2, 3) == oob)
        #expect(memory.read(at: 200, count: 2) == [0, 0])
        // The active segment was dropped at instantiation.
        #expect(initialize(vmctx, 0, 1, 0, 0, 1) == oob)
        #expect(initialize(vmctx, 0, 1, 0, 0, 0) == 0)
        drop(vmctx, 0)
        #expect(initialize(vmctx, 0, 0, 0, 0, 1) == oob)
        #expect(initialize(vmctx, 0, 0, 65536, 0, 0) == 0)
    }

    @Test func tableGrowUpdatesEveryDescriptorAndTableHelpersCheckBounds() throws {
        var a = TestModule()
        let t = a.type([.i32, .i32], [.i32])
        a.function(t, X64.add)
        a.table(.funcref, 2, 100)
        a.export("table", .table, 0)
        a.passiveElements([0, 0, 0])
        let first = try Instance(module: try a.compile(), imports: [])
        let table = try #require(first.export(named: "table")?.table)
        var b = TestModule()
        b.importTable("a", "table", .funcref, 1, nil)
        b.table(.externref, 0, nil)
        let second = try Instance(module: try b.compile(), imports: [.table(table)])
        let record = UInt64(UInt(bitPattern: first.native.functionReferences))

        let grow = helper(second.vmContext, .tableGrow, as: TableGrowHelper.self)
        #expect(grow(second.vmContext, 0, 30, record) == 2)
        for vmctx in [first.vmContext, second.vmContext] {
            let descriptor = tableDescriptor(vmctx, 0)
            #expect(descriptor.count == 32)
            #expect(descriptor.elements == UInt64(UInt(bitPattern: table.elements)))
        }
        #expect(table.get(1) == .funcref(nil))
        #expect(table.get(31) == .funcref(UnsafeRawPointer(bitPattern: UInt(record))))
        #expect(grow(second.vmContext, 0, 69, 0) == UInt32.max)
        #expect(grow(second.vmContext, 0, 0xFFFF_FFFF, 0) == UInt32.max)
        #expect(table.count == 32)
        // The second instance's own externref table.
        #expect(grow(second.vmContext, 1, 3, 77) == 0)
        #expect(second.tables[1].get(2) == .externref(77))
        #expect(tableDescriptor(second.vmContext, 1).count == 3)
        #expect(table.grow(by: 1, initialValue: .externref(1)) == nil) // wrong type

        let vmctx = first.vmContext
        let fill = helper(vmctx, .tableFill, as: TableFillHelper.self)
        let copy = helper(vmctx, .tableCopy, as: FiveArgumentHelper.self)
        let initialize = helper(vmctx, .tableInit, as: FiveArgumentHelper.self)
        let drop = helper(vmctx, .elementDrop, as: DropHelper.self)
        let oob = TrapCode.tableOutOfBounds.rawValue
        #expect(fill(vmctx, 0, 0, record, 2) == 0)
        #expect(table.get(1) == .funcref(UnsafeRawPointer(bitPattern: UInt(record))))
        #expect(fill(vmctx, 0, 31, 0, 2) == oob)
        #expect(table.get(31) != .funcref(nil))
        #expect(copy(vmctx, 0, 0, 5, 0, 1) == 0)
        #expect(table.get(5) == .funcref(UnsafeRawPointer(bitPattern: UInt(record))))
        #expect(copy(vmctx, 0, 0, 0, 31, 2) == oob)
        #expect(initialize(vmctx, 0, 0, 10, 1, 2) == 0)
        #expect(initialize(vmctx, 0, 0, 10, 2, 2) == oob)
        #expect(initialize(vmctx, 0, 0, 31, 0, 2) == oob)
        drop(vmctx, 0)
        #expect(initialize(vmctx, 0, 0, 0, 0, 1) == oob)
        #expect(initialize(vmctx, 0, 0, 32, 0, 0) == 0)
    }

    @Test func startFunctionRunsAndTrapsSurface() throws {
        var m = TestModule()
        let t = m.type([], [])
        m.memory(1, nil)
        m.export("memory", .memory, 0)
        m.function(t, X64.store42)
        m.function(t, X64.trap, traps: [(0, .unreachable)])
        m.export("trap", .function, 1)
        m.start = 0
        let module = try m.compile()
        let instance = try Instance(module: module, imports: [])
        #expect(try #require(instance.export(named: "memory")?.memory).read(at: 0, count: 4) == [42, 0, 0, 0])
        let trap = try #require(throws: Trap.self) { try instance.exportedFunction("trap").call([]) }
        #expect(trap.code == .unreachable && trap.functionIndex == 1 && trap.bytecodeOffset == 0x40)
        // The instance stays usable.
        #expect(throws: Trap.self) { try instance.exportedFunction("trap").call([]) }

        var failing = TestModule()
        let u = failing.type([], [])
        failing.function(u, X64.trap, traps: [(0, .unreachable)])
        failing.start = 0
        let startTrap = try #require(throws: Trap.self) { try Instance(module: try failing.compile(), imports: []) }
        #expect(startTrap.code == .unreachable && startTrap.functionIndex == 0)
    }

    @Test func specTestHost() throws {
        let exports = SpecTestHost.exports()
        let names = ["print", "print_i32", "print_i64", "print_f32", "print_f64", "print_i32_f32", "print_f64_f64",
                     "global_i32", "global_i64", "global_f32", "global_f64", "table", "memory"]
        #expect(Set(exports.keys) == Set(names))
        #expect(exports["print_i32_f32"]?.type == .function(FunctionType(parameters: [.i32, .f32], results: [])))
        #expect(exports["print_f64_f64"]?.type == .function(FunctionType(parameters: [.f64, .f64], results: [])))
        #expect(exports["print"]?.type == .function(FunctionType(parameters: [], results: [])))
        #expect(exports["global_i32"]?.global?.get() == .i32(666))
        #expect(exports["global_i64"]?.global?.get() == .i64(666))
        #expect(exports["global_f32"]?.global?.get() == .f32(0x4426_A666))
        #expect(exports["global_f64"]?.global?.get() == .f64(0x4084_D4CC_CCCC_CCCD))
        #expect(exports["global_f32"]?.type == .global(GlobalType(valueType: .f32, isMutable: false)))
        #expect(exports["table"]?.type == .table(TableType(elementType: .funcref, limits: Limits(min: 10, max: 20))))
        #expect(exports["memory"]?.type == .memory(MemoryType(limits: Limits(min: 1, max: 2))))
        let print = try #require(exports["print_f64"]?.function)
        #expect(try print.call([.f64(0)]) == [])
        #expect(print.signatureID == SignatureRegistry.id(of: FunctionType(parameters: [.f64], results: [])))

        // Compiled code calls the no-op through its import record.
        var m = TestModule()
        let t = m.type([.i32], [])
        m.importFunction("spectest", "print_i32", type: t)
        m.function(t, X64.callImport0)
        m.export("f", .function, 1)
        let instance = try Instance(module: try m.compile(), imports: [exports["print_i32"]!])
        #expect(try instance.exportedFunction("f").call([.i32(5)]) == [])
    }

    @Test func objectsOutliveWhatCreatedThemAndNothingLeaks() throws {
        weak var weakInstance: Instance?
        weak var weakModule: CompiledModule?
        weak var weakMemory: Memory?
        var add: Function?
        do {
            var m = TestModule()
            let t = m.type([.i32, .i32], [.i32])
            m.function(t, X64.add)
            m.export("add", .function, 0)
            m.memory(1, nil)
            m.export("memory", .memory, 0)
            let module = try m.compile()
            let instance = try Instance(module: module, imports: [])
            weakInstance = instance
            weakModule = module
            weakMemory = instance.export(named: "memory")?.memory
            add = try instance.exportedFunction("add")
        }
        #expect(weakInstance != nil && weakModule != nil)
        #expect(weakMemory != nil)
        #expect(try add?.call([.i32(1), .i32(2)]) == [.i32(3)])
        add = nil
        #expect(weakInstance == nil)
        #expect(weakModule == nil)
        #expect(weakMemory == nil)

        // A memory detaches from instances that go away.
        let memory = try Memory(type: MemoryType(limits: Limits(min: 1)))
        do {
            var b = TestModule()
            b.importMemory("a", "memory", 1, nil)
            _ = try Instance(module: try b.compile(), imports: [.memory(memory)])
        }
        #expect(memory.grow(by: 1) == 1)
    }
}

@Suite struct InterruptSignalTests {
    func instance(_ signal: InterruptSignal) throws -> Instance {
        var m = TestModule()
        m.function(m.type([.i32, .i32], [.i32]), X64.add)
        return try Instance(module: try m.compile(), imports: [], interruptSignal: signal)
    }

    func flag(_ instance: Instance) -> UInt64 {
        instance.vmContext.load(fromByteOffset: VMContextLayout.interruptFlag, as: UInt64.self)
    }

    @Test func raisingSetsTheFlagOfEveryAttachedInstanceUntilCleared() throws {
        let signal = InterruptSignal(), other = InterruptSignal()
        let a = try instance(signal), b = try instance(signal), outsider = try instance(other)
        signal.raise()
        #expect(flag(a) == 1 && flag(b) == 1)
        #expect(flag(outsider) == 0)
        // Attached while raised: interrupted from the start.
        let late = try instance(signal)
        #expect(flag(late) == 1)
        signal.clear()
        #expect(flag(a) == 0 && flag(b) == 0 && flag(late) == 0)
        #expect(!signal.isRaised)
    }

    @Test func aFreedInstanceIsDetached() throws {
        let signal = InterruptSignal()
        weak var freed: Instance?
        do {
            let instance = try instance(signal)
            freed = instance
            #expect(signal.attachedCount == 1)
        }
        #expect(freed == nil)
        #expect(signal.attachedCount == 0)
        // Nothing left to write to: raising touches no freed context.
        signal.raise()
        let kept = try instance(signal)
        #expect(flag(kept) == 1)
    }
}
