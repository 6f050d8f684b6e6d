// Instances of modules in a store, and access to their exports.
import SwasmRuntime
import WasmModel

/// An instantiated module: its exports as ``Func``, ``Memory``, ``Global``
/// and ``Table`` objects. It lives as long as its ``Store``, and keeps the
/// store alive while the host holds it.
///
/// Threads: an instance belongs to its store and is used on the thread
/// using the store (not `Sendable`); only ``interrupt()`` may be called
/// from any thread. Its ``Module`` is `Sendable` and can be instantiated
/// again in a store of another task.
public final class Instance {
    /// The runtime's instance.
    public let runtime: SwasmRuntime.Instance
    /// The module it is an instance of.
    public let module: Module
    /// The WASI context, when the instance was linked against WASI.
    public let wasi: WASI?
    let store: any StoreOwner

    init(_ record: InstanceRecord, store: any StoreOwner) {
        runtime = record.runtime
        module = record.module
        wasi = record.wasi
        self.store = store
    }

    /// Instantiates `module` in `store` with `imports` in the module's import
    /// order (see ``Linker`` to resolve them by name). Throws ``LinkError``
    /// for a missing or mistyped import, ``ResourceLimitError`` past the
    /// store's limits, and ``Trap`` when the start function traps.
    public convenience init<T>(_ store: Store<T>, module: Module, imports: [Extern] = []) throws {
        try self.init(store, module: module, imports: imports.map(\.runtime), wasi: nil)
    }

    convenience init<T>(_ store: Store<T>, module: Module, imports: [ExternValue], wasi: WASI?) throws {
        try store.checkInstantiation(of: module)
        let context = store.context
        let runtime = try Trap.unwrappingHostErrors(in: context) {
            try SwasmRuntime.Instance(module: module.compiled, imports: imports, hostContext: wasi,
                                      memoryReservation: context.engine.config.memoryReservation,
                                      interruptSignal: context.interruptSignal, limits: context.executionLimits)
        }
        // memory.grow and table.grow run by wasm code obey the store's limits too.
        for memory in runtime.memories { context.govern(memory) }
        for table in runtime.tables { context.govern(table) }
        let record = InstanceRecord(runtime: runtime, module: module, wasi: wasi)
        self.init(record, store: store)
        context.instances.append(record)
    }

    /// The export called `name`, nil when there is none.
    public func export(named name: String) -> Extern? {
        runtime.export(named: name).map { wrap($0, name) }
    }

    /// All exports in the module's order.
    public var exports: [(name: String, value: Extern)] {
        runtime.exports.map { (name: $0.0, value: wrap($0.1, $0.0)) }
    }

    private func wrap(_ value: ExternValue, _ name: String) -> Extern {
        let result = Extern(value, store: store)
        result.func?.name = "\"\(name)\""
        return result
    }

    /// The exported function `name`, nil when there is none (or it is not a function).
    public func `func`(_ name: String) -> Func? { export(named: name)?.func }

    /// The exported function `name`; the store is accepted for symmetry with
    /// wasmtime and must be the instance's own.
    public func `func`<T>(_ store: Store<T>, _ name: String) -> Func? { self.func(name) }

    /// The exported function `name` with parameters `P` and result `R`, its
    /// signature checked once, here; calls then take and return Swift values.
    /// Throws ``ExportError`` when it is missing or has another signature.
    public func typedFunc<each P: WasmValue, R: WasmValue>(_ name: String, _ parameters: (repeat each P).Type,
                                                           _ result: R.Type) throws -> TypedFunc<repeat each P, R> {
        try requireFunc(name).typed(parameters, result)
    }

    /// The exported function `name` with parameters `P` and results `R`, a
    /// tuple when it returns several values:
    ///
    /// ```swift
    /// let swap = try instance.typedFunc("swap", (Int32, Int64).self, (Int64, Int32).self)
    /// let (a, b) = try swap(1, 2)
    /// ```
    ///
    /// Checked once, here; throws ``ExportError`` when it is missing or has
    /// another signature (the message shows both).
    public func typedFunc<each P: WasmValue, each R: WasmValue>(
        _ name: String, _ parameters: (repeat each P).Type, _ results: (repeat each R).Type
    ) throws -> TypedFunc<repeat each P, (repeat each R)> {
        try requireFunc(name).typed(parameters, results)
    }

    /// The exported function `name` with one parameter and one result.
    public func typedFunc<P: WasmValue, R: WasmValue>(_ name: String, _ parameter: P.Type,
                                                      _ result: R.Type) throws -> TypedFunc<P, R> {
        try requireFunc(name).typed(parameter, result)
    }

    /// The exported function `name` with one parameter and no result.
    public func typedFunc<P: WasmValue>(_ name: String, _ parameter: P.Type) throws -> TypedFunc<P, Void> {
        try requireFunc(name).typed(parameter)
    }

    /// The exported function `name` with parameters `P` and no result.
    public func typedFunc<each P: WasmValue>(_ name: String, _ parameters: (repeat each P).Type) throws -> TypedFunc<repeat each P, Void> {
        try requireFunc(name).typed(parameters)
    }

    private func requireFunc(_ name: String) throws -> Func {
        guard let value = export(named: name) else { throw ExportError.missing(name: name) }
        guard let function = value.func else { throw ExportError.wrongKind(name: name, expected: .function, found: value.type) }
        return function
    }

    /// The exported memory `name`.
    public func memory(named name: String) -> Memory? { export(named: name)?.memory }
    /// The exported global `name`.
    public func global(named name: String) -> Global? { export(named: name)?.global }
    /// The exported table `name`.
    public func table(named name: String) -> Table? { export(named: name)?.table }

    /// Runs a WASI command's `_start` and returns its exit code: the one
    /// given to `proc_exit`, or 0 when `_start` returns. Other traps are thrown.
    public func runStart() throws -> Int32 {
        guard let wasi else { throw WASIError("the instance was not linked against WASI") }
        return try Trap.unwrappingHostErrors(in: store.context) { try wasi.start(runtime) }
    }

    /// Calls a WASI reactor's `_initialize`, when it exports one.
    public func initializeReactor() throws {
        guard let initialize = self.func("_initialize") else { return }
        if let wasi {
            if let code = try wasi.exitStatus({ try initialize.call() }), code != 0 {
                throw WASIError("_initialize exited with code \(code)")
            }
        } else {
            try initialize.call()
        }
    }

    /// Interrupts the instance's store (``Store/interrupt()``): code compiled
    /// with `Config.interruptible` stops at its next loop iteration with an
    /// `interrupted` trap, in this instance and in any other of the store
    /// (a library this one called). Safe from any thread.
    public func interrupt() { store.context.interruptSignal.raise() }

    /// Lets the store's instances run again after `interrupt()`.
    public func clearInterrupt() { store.context.interruptSignal.clear() }
}
