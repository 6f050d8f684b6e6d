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
        // A host function of another type traps as any mismatched entry does.
        try instance.table(named: "table")!.set(0, Func.wrap(store) { (x: Int64) -> Int32 in 0 })
        let trap = #expect(throws: Trap.self) { try instance.typedFunc("call0", Int32.self, Int32.self)(1) }
        #expect(trap?.code == .indirectCallTypeMismatch)
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
