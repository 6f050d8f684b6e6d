// Host functions of the runtime itself (without the embedding API's native
// entries): what keeps them alive in tables, and where they are refused.
import Testing
import SwasmRuntime
import WasmModel
import class Swasm.Module

@Suite struct RuntimeHostFunctionsInTables {
    @Test func theTableKeepsTheFunctionAlive() throws {
        let table = try SwasmRuntime.Table(type: TableType(elementType: .funcref, limits: Limits(min: 1, max: nil)))
        weak var weakFunction: SwasmRuntime.Function?
        do {
            // Never called: only its lifetime matters.
            let function = SwasmRuntime.Function.native(code: UnsafeRawPointer(bitPattern: 0x1000)!, context: nil,
                                                        type: FunctionType(parameters: [], results: []))
            weakFunction = function
            try table.set(0, function)
        }
        #expect(weakFunction != nil)
        withExtendedLifetime(table) {}
    }

    /// A runtime host function made without a native entry cannot be called
    /// by compiled code: placing it where wasm could call it is refused.
    @Test func aRuntimeHostFunctionWithoutNativeEntryIsRefusedWhereWasmCouldCallIt() throws {
        let function = SwasmRuntime.Function(type: FunctionType(parameters: [.i32], results: [.i32])) { _, arguments in arguments }
        let table = try SwasmRuntime.Table(type: TableType(elementType: .funcref, limits: Limits(min: 1, max: nil)))
        #expect(throws: InstanceError.notCallableFromWasm) { try table.set(0, function.value) }
        #expect(table.grow(by: 1, initialValue: function.value) == nil)
        #expect(throws: InstanceError.notCallableFromWasm) {
            try SwasmRuntime.Table(type: TableType(elementType: .funcref, limits: Limits(min: 1, max: nil)), initialValue: function.value)
        }
        #expect(throws: InstanceError.notCallableFromWasm) {
            try SwasmRuntime.Global(type: GlobalType(valueType: .funcref, isMutable: true), value: function.value)
        }
        // Imported, it works: the importing instance gives it an entry.
        let module = try Module(engine: engine, text: """
            (module (import "h" "f" (func $f (param i32) (result i32)))
              (func (export "run") (param i32) (result i32) (call $f (local.get 0))))
            """)
        let instance = try SwasmRuntime.Instance(module: module.compiled, imports: [.function(function)])
        #expect(try instance.call("run", [.i32(9)]) == [.i32(9)])
    }
}
