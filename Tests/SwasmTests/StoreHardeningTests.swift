// The embedding API under hostile or careless use: host functions in tables,
// sizes from the host, stores dropped while their instances live, linker
// definitions that shadow WASI, and limits and interruption that belong to
// the whole store.
import Dispatch
import Foundation
import Testing
import Swasm

/// Calls table entry 0 through `call_indirect` with the type (i32) -> i32,
/// and with the type (f64, i64, f32) -> f64.
let indirectCaller = """
    (module
      (type $unary (func (param i32) (result i32)))
      (type $mixed (func (param f64 i64 f32) (result f64)))
      (table (export "table") 2 funcref)
      (global $g (export "g") (mut funcref) (ref.null func))
      (func (export "call0") (param i32) (result i32)
        (call_indirect (type $unary) (local.get 0) (i32.const 0)))
      (func (export "callMixed") (param f64 i64 f32) (result f64)
        (call_indirect (type $mixed) (local.get 0) (local.get 1) (local.get 2) (i32.const 1)))
      (func (export "callGlobal") (param i32) (result i32)
        (table.set (i32.const 0) (global.get $g))
        (call_indirect (type $unary) (local.get 0) (i32.const 0)))
      (func (export "callArgument") (param funcref i32) (result i32)
        (table.set (i32.const 0) (local.get 0))
        (call_indirect (type $unary) (local.get 1) (i32.const 0))))
    """

@Suite struct HostFunctionsInTables {
    @Test func callIndirectReachesAHostFunctionTheHostStoredInATable() throws {
        let store = Store(engine: engine, data: 0)
        let instance = try Instance(store, module: try Module(engine: engine, text: indirectCaller))
        let table = try #require(instance.table(named: "table"))
        try table.set(0, Func.wrap(store) { (caller: Caller<Int>, x: Int32) -> Int32 in
            caller.data += 1
            return x &* 2
        })
        try table.set(1, Func.wrap(store) { (a: Double, b: Int64, c: Float) -> Double in a + Double(b) + Double(c) })
        #expect(try instance.typedFunc("call0", Int32.self, Int32.self)(21) == 42)
        #expect(try instance.typedFunc("call0", Int32.self, Int32.self)(-4) == -8)
        #expect(store.data == 2)
        #expect(try instance.typedFunc("callMixed", (Double, Int64, Float).self, Double.self)(0.5, 40, 1.5) == 42)
    }

    @Test func aHostFunctionCalledThroughATableSeesTheStoreButNoCallingInstance() throws {
        let store = Store(engine: engine, data: "data")
        let instance = try Instance(store, module: try Module(engine: engine, text: indirectCaller))
        var sawMemory: Bool?
        try instance.table(named: "table")!.set(0, Func.wrap(store) { (caller: Caller<String>, x: Int32) -> Int32 in
            sawMemory = caller.memory != nil
            return Int32(caller.data.count) + x
        })
        #expect(try instance.typedFunc("call0", Int32.self, Int32.self)(1) == 5)
        #expect(sawMemory == false)
    }

    @Test func anErrorThrownThroughATableReachesTheHost() throws {
        struct Refused: Error {}
        let store = Store(engine: engine)
        let instance = try Instance(store, module: try Module(engine: engine, text: indirectCaller))
        try instance.table(named: "table")!.set(0, Func.wrap(store) { (x: Int32) throws -> Int32 in throw Refused() })
        #expect(throws: Refused.self) { try instance.typedFunc("call0", Int32.self, Int32.self)(1) }
        // A trap the host function throws carries the wasm frames below it.
        try instance.table(named: "table")!.set(0, Func.wrap(store) { (x: Int32) throws -> Int32 in throw Trap(.unreachable) })
        let thrown = #expect(throws: Trap.self) { try instance.typedFunc("call0", Int32.self, Int32.self)(1) }
        #expect(thrown?.code == .unreachable)
        #expect(thrown?.backtrace.count == 1, "\(String(describing: thrown))")
        // A host function of another type traps as any mismatched entry does.
        try instance.table(named: "table")!.set(0, Func.wrap(store) { (x: Int64) -> Int32 in 0 })
        let trap = #expect(throws: Trap.self) { try instance.typedFunc("call0", Int32.self, Int32.self)(1) }
        #expect(trap?.code == .indirectCallTypeMismatch)
    }

    /// A WASI function needs the context of the instance that imported it,
    /// which only import records carry: re-exported, it cannot be placed
    /// where another module would call it through a funcref.
    @Test func aReexportedWASIFunctionIsRefusedInATable() throws {
        let linker = Linker<Void>(engine: engine)
        try linker.defineWASI()
        let store = Store(engine: engine)
        let reexporter = try linker.instantiate(store, try Module(engine: engine, text: """
            (module (import "wasi_snapshot_preview1" "random_get" (func $r (param i32 i32) (result i32)))
              (memory (export "memory") 1)
              (export "random_get" (func $r))
              (func (export "viaOwnTable") (result i32)
                (call_indirect (param i32 i32) (result i32) (i32.const 0) (i32.const 8) (i32.const 0)))
              (table 1 funcref) (elem (i32.const 0) $r))
            """))
        let randomGet = try #require(reexporter.func("random_get"))
        let caller = try Instance(store, module: try Module(engine: engine, text: """
            (module (table (export "table") 1 funcref))
            """))
        let error = #expect(throws: InstanceError.self) { try caller.table(named: "table")!.set(0, randomGet) }
        #expect(error == .notCallableFromWasm)
        #expect(throws: InstanceError.notCallableFromWasm) { try caller.table(named: "table")!.grow(by: 1, initialValue: randomGet.runtime.value) }
        // Through the importing instance's own table it works.
        #expect(try reexporter.func("viaOwnTable")?.call() == [.i32(0)])
    }

    @Test func aHostFunctionReachesWasmThroughAGlobalOrAnArgument() throws {
        let store = Store(engine: engine)
        let instance = try Instance(store, module: try Module(engine: engine, text: indirectCaller))
        let triple = Func.wrap(store) { (x: Int32) -> Int32 in x &* 3 }
        try instance.global(named: "g")!.set(triple.runtime.value)
        #expect(try instance.typedFunc("callGlobal", Int32.self, Int32.self)(5) == 15)
        let square = Func.wrap(store) { (x: Int32) -> Int32 in x &* x }
        #expect(try instance.func("callArgument")!.call([square.runtime.value, .i32(7)]) == [.i32(49)])
        let global = try Global(store, type: GlobalType(valueType: .funcref, isMutable: false), value: square.runtime.value)
        #expect(global.get() == square.runtime.value)
    }
}

@Suite struct HostSuppliedSizes {
    @Test func tableGrowByTheLargestDeltaFails() throws {
        let store = Store(engine: engine)
        let table = try Table(store, type: TableType(elementType: .funcref, limits: Limits(min: 1, max: nil)))
        #expect(throws: TableAccessError.growFailed(delta: .max, count: 1)) { try table.grow(by: .max) }
        #expect(throws: TableAccessError.self) { try table.grow(by: .max - 1) }
        #expect(throws: InstanceError.self) { try table.grow(by: 1, initialValue: .i32(0)) }
        #expect(try table.grow(by: 2) == 1)
        #expect(table.count == 3)
        store.limits = StoreLimits(maximumTableElements: 10)
        #expect(throws: ResourceLimitError.self) { try table.grow(by: .max) }
        #expect(throws: ResourceLimitError.self) { try table.grow(by: 8) }
        #expect(table.get(.max) == nil)
        #expect(table.get(.min) == nil)
        #expect(throws: InstanceError.self) { try table.set(.min, .funcref(nil)) }
        #expect(throws: InstanceError.self) { try table.set(.max, .funcref(nil)) }
    }

    @Test func memoryGrowByTheLargestDeltaFails() throws {
        let store = Store(engine: engine)
        let memory = try Memory(store, type: MemoryType(limits: Limits(min: 1, max: nil)))
        #expect(throws: MemoryAccessError.growFailed(delta: .max, pages: 1)) { try memory.grow(by: .max) }
        store.limits = StoreLimits(maximumMemoryPages: 4)
        #expect(throws: ResourceLimitError.self) { try memory.grow(by: .max) }
        #expect(throws: ResourceLimitError.self) { try memory.grow(by: .max - 2) }
        #expect(throws: ResourceLimitError.self) { try memory.grow(by: 4) }
        #expect(try memory.grow(by: 3) == 1)
        // The runtime's memory obeys the limit too, whatever the delta.
        #expect(memory.runtime.grow(by: .max) == nil)
        #expect(memory.runtime.grow(by: 1) == nil)
    }

    @Test func memoryAccessAtExtremeAddressesAndCountsFails() throws {
        let store = Store(engine: engine)
        let memory = try Memory(store, type: MemoryType(limits: Limits(min: 1, max: 1)))
        #expect(throws: MemoryAccessError.self) { try memory.read(at: .max, count: 1) }
        #expect(throws: MemoryAccessError.self) { try memory.read(at: 1, count: .max) }
        #expect(throws: MemoryAccessError.self) { try memory.read(at: 0, count: -1) }
        #expect(throws: MemoryAccessError.self) { try memory.write([1, 2], at: .max - 1) }
        #expect(throws: MemoryAccessError.self) { try memory.load(UInt64.self, at: .max - 3) }
        #expect(throws: MemoryAccessError.self) { try memory.store(UInt32(1), at: 65_533) }
        #expect(throws: MemoryAccessError.self) { try memory.readCString(at: .max) }
        #expect(throws: MemoryAccessError.self) { try memory.readString(at: 65_536, count: 1) }
        #expect(try memory.read(at: 65_536, count: 0) == [])
    }

    @Test func hostCreatedObjectsOfExtremeSizesAreRefused() throws {
        let store = Store(engine: engine)
        #expect(throws: (any Error).self) { try Memory(store, type: MemoryType(limits: Limits(min: .max, max: nil))) }
        #expect(throws: (any Error).self) { try Table(store, type: TableType(elementType: .funcref, limits: Limits(min: .max, max: nil))) }
        #expect(throws: InstanceError.invalidLimits(min: 5, max: 2)) { try Memory(store, type: MemoryType(limits: Limits(min: 5, max: 2))) }
        #expect(throws: InstanceError.invalidLimits(min: 5, max: 2)) {
            try Table(store, type: TableType(elementType: .funcref, limits: Limits(min: 5, max: 2)))
        }
    }
}

@Suite struct StoreLifetime {
    static let caller = """
        (module (import "host" "next" (func $next (result i32)))
          (func (export "run") (result i32) (call $next)))
        """

    static func instanceInADroppedStore(_ observe: (AnyObject) -> Void = { _ in }) throws -> Instance {
        let store = Store(engine: engine, data: Int32(41))
        observe(store)
        let linker = Linker<Int32>(engine: engine)
        try linker.defineFunc(module: "host", name: "next") { (caller: Caller<Int32>) -> Int32 in
            caller.data += 1
            return caller.data
        }
        return try linker.instantiate(store, try Module(engine: engine, text: caller))
    }

    @Test func anInstanceKeptAfterItsStoreStillCallsItsHostFunctions() throws {
        let instance = try Self.instanceInADroppedStore()
        let run = try #require(instance.func("run"))
        #expect(try run.call() == [.i32(42)])
        #expect(try run.call() == [.i32(43)])
    }

    @Test func aFunctionKeptAfterItsInstanceAndStoreStillWorks() throws {
        let run = try #require(try Self.instanceInADroppedStore().func("run"))
        #expect(try run.call() == [.i32(42)])
    }

    @Test func aStoreNothingHoldsIsFreed() throws {
        weak var weakStore: AnyObject?
        weak var weakInstance: AnyObject?
        do {
            let instance = try Self.instanceInADroppedStore { weakStore = $0 }
            weakInstance = instance.runtime
            #expect(try instance.func("run")?.call() == [.i32(42)])
            #expect(weakStore != nil)
        }
        #expect(weakStore == nil, "the store and its instances keep each other alive")
        #expect(weakInstance == nil)
    }

    @Test func aHostCallAfterTheStoreWasFreedSaysSo() throws {
        let runtime = try Self.instanceInADroppedStore().runtime
        let error = #expect(throws: Trap.self) { try runtime.call("run", []) }
        #expect(error?.hostError is StoreFreedError)
        #expect(error?.hostError.map { "\($0)" }?.contains("after its Store was freed") == true)
    }
}

@Suite struct LinkerWASIDefinitions {
    static let randomUser = """
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "run") (result i32) (call $random (i32.const 0) (i32.const 4))))
        """

    @Test func aFunctionDefinedAfterDefineWASIReplacesTheWASIOne() throws {
        let linker = Linker<Int>(engine: engine)
        linker.allowShadowing = true
        try linker.defineWASI()
        try linker.defineFunc(module: "wasi_snapshot_preview1", name: "random_get") { (caller: Caller<Int>, _: Int32, _: Int32) -> Int32 in
            caller.data += 1
            return 77
        }
        let store = Store(engine: engine, data: 0)
        let instance = try linker.instantiate(store, try Module(engine: engine, text: Self.randomUser))
        #expect(try instance.func("run")?.call() == [.i32(77)])
        #expect(store.data == 1)
        #expect(instance.wasi != nil, "fd_write still comes from WASI")
        // A WASI program all of whose WASI imports the host replaced is still one.
        let command = try linker.instantiate(store, try Module(engine: engine, text: """
            (module (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
              (func (export "_start") (drop (call $random (i32.const 0) (i32.const 0)))))
            """))
        #expect(try command.runStart() == 0)
        #expect(store.data == 2)
    }

    @Test func defineWASIAfterAFunctionReplacesTheFunction() throws {
        let linker = Linker<Void>(engine: engine)
        linker.allowShadowing = true
        try linker.defineFunc(module: "wasi_snapshot_preview1", name: "random_get") { (_: Int32, _: Int32) -> Int32 in 77 }
        try linker.defineWASI()
        let instance = try linker.instantiate(Store(engine: engine), try Module(engine: engine, text: Self.randomUser))
        #expect(try instance.func("run")?.call() == [.i32(0)], "WASI's random_get succeeds with errno 0")
    }

    @Test func withoutShadowingRedefiningAWASIFunctionIsAnError() throws {
        let linker = Linker<Void>(engine: engine)
        try linker.defineWASI()
        let error = #expect(throws: Linker<Void>.DuplicateDefinition.self) {
            try linker.defineFunc(module: "wasi_snapshot_preview1", name: "random_get") { (_: Int32, _: Int32) -> Int32 in 77 }
        }
        #expect(error?.name == "random_get")
        #expect(throws: Linker<Void>.DuplicateDefinition.self) { try linker.defineWASI() }
        // A name WASI does not define is free.
        try linker.defineFunc(module: "wasi_snapshot_preview1", name: "extra") { () -> Int32 in 1 }
    }

    @Test func anUnknownWASIImportIsNamed() throws {
        let linker = Linker<Void>(engine: engine)
        try linker.defineWASI()
        let module = try Module(engine: engine, text: """
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "no_such_call" (func (param i32) (result i32))))
            """)
        let error = #expect(throws: LinkError.self) { try linker.instantiate(Store(engine: engine), module) }
        #expect(error?.name == "no_such_call")
        #expect(error?.description.contains("not a WASI preview 1 function") == true)
    }

    @Test func aMistypedWASIImportIsNamedWithBothTypes() throws {
        let linker = Linker<Void>(engine: engine)
        try linker.defineWASI()
        let module = try Module(engine: engine, text: """
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "random_get" (func (param i64) (result i32))))
            """)
        let error = #expect(throws: LinkError.self) { try linker.instantiate(Store(engine: engine), module) }
        #expect(error?.name == "random_get")
        #expect(error?.expected == .function(FunctionType(parameters: [.i64], results: [.i32])))
        #expect(error?.found == .function(FunctionType(parameters: [.i32, .i32], results: [.i32])))
    }

    @Test func aWASIImportWithoutDefineWASISaysSo() throws {
        let module = try Module(engine: engine, text: Self.randomUser)
        let error = #expect(throws: LinkError.self) { try Linker<Void>(engine: engine).instantiate(Store(engine: engine), module) }
        #expect(error?.name == "fd_write")
        #expect(error?.description.contains("defineWASI") == true)
    }
}

@Suite struct StoreWideLimits {
    static let grower = """
        (module (memory (export "memory") 1) (table (export "table") 1 funcref)
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
          (func (export "growTable") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))
        """

    @Test func changingTheLimitsAppliesToExistingInstances() throws {
        let store = Store(engine: engine)
        let instance = try Instance(store, module: try Module(engine: engine, text: Self.grower))
        let memory = try #require(instance.memory(named: "memory"))
        let table = try #require(instance.table(named: "table"))
        store.limits = StoreLimits(maximumMemoryPages: 3, maximumTableElements: 3)
        let grow = try instance.typedFunc("grow", Int32.self, Int32.self)
        let growTable = try instance.typedFunc("growTable", Int32.self, Int32.self)
        #expect(try grow(5) == -1)
        #expect(try growTable(5) == -1)
        #expect(throws: ResourceLimitError.self) { try memory.grow(by: 3) }
        #expect(throws: ResourceLimitError.self) { try table.grow(by: 3) }
        #expect(try grow(2) == 1)
        #expect(try growTable(2) == 1)
        // Lowered below the current sizes: growing by nothing still works.
        store.limits = StoreLimits(maximumMemoryPages: 1, maximumTableElements: 1)
        #expect(try grow(0) == 3)
        #expect(try growTable(0) == 3)
        #expect(try memory.grow(by: 0) == 3)
        #expect(try table.grow(by: 0) == 3)
        #expect(try grow(1) == -1)
        // Raised again: growth resumes, by wasm and by the host.
        store.limits = StoreLimits()
        #expect(try grow(2) == 3)
        #expect(try memory.grow(by: 1) == 5)
        #expect(try growTable(4) == 3)
    }

    @Test func aMemoryTheHostCreatedObeysTheLimitWhenWasmGrowsIt() throws {
        let store = Store(engine: engine)
        let memory = try Memory(store, type: MemoryType(limits: Limits(min: 1, max: nil)))
        let module = try Module(engine: engine, text: """
            (module (import "env" "memory" (memory 1))
              (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
            """)
        let instance = try Instance(store, module: module, imports: [.memory(memory)])
        store.limits = StoreLimits(maximumMemoryPages: 2)
        #expect(try instance.typedFunc("grow", Int32.self, Int32.self)(2) == -1)
        #expect(try instance.typedFunc("grow", Int32.self, Int32.self)(1) == 1)
    }
}

@Suite struct StoreWideInterruption {
    struct Box: @unchecked Sendable { let function: Func }

    static let interruptible: Engine = {
        var config = Engine.Config()
        config.interruptible = true
        return Engine(config)
    }()

    /// An application instance whose `run` calls a library's endless loop.
    static func applicationCallingALibraryLoop(_ store: Store<Void>) throws -> (application: Instance, library: Instance) {
        let engine = Self.interruptible
        let library = try Instance(store, module: try Module(engine: engine, text: """
            (module (func (export "spin") (loop (br 0))))
            """))
        let application = try Instance(store, module: try Module(engine: engine, text: """
            (module (import "lib" "spin" (func $spin))
              (func (export "run") (call $spin))
              (func (export "one") (result i32) (i32.const 1)))
            """), imports: [try #require(library.export(named: "spin"))])
        return (application, library)
    }

    /// Runs `function` on another thread, calls `interrupt` once it is
    /// running, and returns what the call threw (nil: it did not end).
    static func interrupting(_ function: Func, _ interrupt: () -> Void) -> Error? {
        let box = Box(function: function)
        let finished = DispatchSemaphore(value: 0)
        final class Outcome: @unchecked Sendable { var error: Error? }
        let outcome = Outcome()
        Thread {
            do { _ = try box.function.call() } catch { outcome.error = error }
            finished.signal()
        }.start()
        Thread.sleep(forTimeInterval: 0.05)
        interrupt()
        guard finished.wait(timeout: .now() + 10) == .success else { return nil }
        return outcome.error
    }

    @Test func interruptingAnInstanceStopsTheLibraryLoopItCalled() throws {
        let store = Store(engine: Self.interruptible)
        let (application, _) = try Self.applicationCallingALibraryLoop(store)
        let error = Self.interrupting(try #require(application.func("run"))) { application.interrupt() }
        #expect((error as? Trap)?.code == .interrupted)
        application.clearInterrupt()
        #expect(try application.func("one")?.call() == [.i32(1)])
    }

    @Test func theStoresInterruptHandleStopsAnyOfItsInstances() throws {
        let store = Store(engine: Self.interruptible)
        let (application, library) = try Self.applicationCallingALibraryLoop(store)
        let handle = store.interruptHandle
        let error = Self.interrupting(try #require(application.func("run"))) { handle.interrupt() }
        #expect((error as? Trap)?.code == .interrupted)
        // Still interrupted until cleared: the library's own loop stops at once.
        let again = Self.interrupting(try #require(library.func("spin"))) {}
        #expect((again as? Trap)?.code == .interrupted)
        store.clearInterrupt()
        #expect(try application.func("one")?.call() == [.i32(1)])
    }

    @Test func interruptingOneStoreLeavesAnotherRunning() throws {
        let interrupted = Store(engine: Self.interruptible)
        let running = Store(engine: Self.interruptible)
        let module = try Module(engine: Self.interruptible, text: """
            (module (func (export "count") (result i32) (local i32)
              (loop (local.set 0 (i32.add (local.get 0) (i32.const 1)))
                    (br_if 0 (i32.lt_u (local.get 0) (i32.const 10))))
              (local.get 0)))
            """)
        let stopped = try Instance(interrupted, module: module)
        let free = try Instance(running, module: module)
        interrupted.interrupt()
        let trap = #expect(throws: Trap.self) { try stopped.func("count")?.call() }
        #expect(trap?.code == .interrupted)
        #expect(try free.func("count")?.call() == [.i32(10)])
        // An instance made while its store is interrupted starts interrupted.
        let late = try Instance(interrupted, module: module)
        #expect(throws: Trap.self) { try late.func("count")?.call() }
        interrupted.clearInterrupt()
        #expect(try late.func("count")?.call() == [.i32(10)])
    }
}
