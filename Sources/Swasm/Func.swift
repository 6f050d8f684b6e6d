// Functions: exported wasm functions and host functions written in Swift.
import SwasmRuntime
import WasmModel

/// A function of a store: an instance's export or a host function. Call it
/// with ``call(_:)`` (checked at each call) or get a ``TypedFunc`` (checked
/// once) with `typed(_:_:)`.
///
/// Threads: a function belongs to its store and is called on the thread
/// using the store (not `Sendable`). There is no `async` call on a `Func`:
/// while wasm ran elsewhere, other code on the caller's actor could use the
/// same store, which Swift cannot rule out for a non-`Sendable` object.
/// Await wasm through an ``AsyncStore`` instead, which owns its store.
public final class Func {
    /// The runtime's function.
    public let runtime: SwasmRuntime.Function
    /// The store, kept alive while the function is held.
    let store: any StoreOwner

    init(_ runtime: SwasmRuntime.Function, store: any StoreOwner) {
        self.runtime = runtime
        self.store = store
    }

    var maximumStackSize: Int? { store.context.maximumStackSize }

    /// The function's signature.
    public var type: FunctionType { runtime.type }

    /// Calls the function with `arguments`, which must match its parameters.
    /// A trap is thrown as ``Trap``; an error a host function threw (other
    /// than a ``Trap``) is thrown unchanged; mismatched arguments throw
    /// `InstanceError.argumentMismatch`.
    @discardableResult
    public func call(_ arguments: [Value] = []) throws -> [Value] {
        let context = store.context
        context.keepExternRefs(in: arguments)
        return try Trap.unwrappingHostErrors(in: context) { try runtime.call(arguments, maximumStackSize: maximumStackSize) }
    }

    /// Calls the function with `arguments`.
    @discardableResult
    public func callAsFunction(_ arguments: Value...) throws -> [Value] { try call(arguments) }

    /// A host function of type `type`, implemented by `body`: it gets the
    /// caller (the store's data, the calling instance) and the arguments,
    /// and returns the results. Whatever it throws unwinds the wasm caller
    /// and reaches the Swift code that called into wasm: a ``Trap`` as
    /// itself, any other error unchanged (inside the runtime it travels as
    /// a `hostError` trap, which `Trap.hostError` holds).
    ///
    /// The function may be imported, stored in tables and globals, and
    /// passed to wasm as a funcref; called through a table entry or global
    /// the host set, its ``Caller`` knows the store but not the calling
    /// instance (``Caller/memory`` is nil).
    ///
    /// The store keeps `body` alive and every object of the store keeps the
    /// store alive: reach the store's instances through the ``Caller`` (or
    /// capture them weakly), since a closure that captures an ``Instance``
    /// or ``Func`` of its own store keeps that store alive for good.
    public convenience init<T>(_ store: Store<T>, type: FunctionType,
                               _ body: @escaping (Caller<T>, [Value]) throws -> [Value]) {
        // Weak: the store holds the function. Every object of the embedding
        // API holds the store, so only the runtime's objects can outlive it.
        let function = SwasmRuntime.Function(type: type, hostCallTrampoline: HostCallTrampolines.trampoline(for: type)) {
            [weak store] runtimeCaller, arguments in
            guard let store else { throw StoreFreedError() }
            let results = try body(Caller(store: store, runtime: runtimeCaller), arguments)
            store.context.keepExternRefs(in: results)
            return results
        }
        self.init(function, store: store)
        store.context.objects.append(function)
    }

    /// This function as a ``TypedFunc`` with parameters `P` and result `R`,
    /// checked now: throws ``ExportError/signatureMismatch(name:expected:found:)``
    /// when the signature differs.
    public func typed<each P: WasmValue, R: WasmValue>(_ parameters: (repeat each P).Type, _ result: R.Type) throws -> TypedFunc<repeat each P, R> {
        let expected = FunctionType(parameters: wasmTypes(repeat (each P).self), results: [R.wasmType])
        try check(expected)
        return TypedFunc(func: self) { try decode($0[0], as: R.self) }
    }

    /// This function as a ``TypedFunc`` with parameters `P` and results `R`
    /// (a tuple for several results, as wasm's multi-value allows):
    ///
    /// ```swift
    /// let swap = try function.typed((Int32, Int64).self, (Int64, Int32).self)
    /// let (a, b) = try swap(1, 2)
    /// ```
    ///
    /// Checked now: throws ``ExportError/signatureMismatch(name:expected:found:)``
    /// when the signature differs.
    public func typed<each P: WasmValue, each R: WasmValue>(
        _ parameters: (repeat each P).Type, _ results: (repeat each R).Type
    ) throws -> TypedFunc<repeat each P, (repeat each R)> {
        let expected = FunctionType(parameters: wasmTypes(repeat (each P).self), results: wasmTypes(repeat (each R).self))
        try check(expected)
        return TypedFunc(func: self) { values in
            // The signature was checked, so every value has its type.
            let cursor = ArgumentCursor(values)
            return (repeat try cursor.next((each R).self))
        }
    }

    /// This function as a ``TypedFunc`` with parameters `P` and no results.
    public func typed<each P: WasmValue>(_ parameters: (repeat each P).Type) throws -> TypedFunc<repeat each P, Void> {
        let expected = FunctionType(parameters: wasmTypes(repeat (each P).self), results: [])
        try check(expected)
        return TypedFunc(func: self) { _ in () }
    }

    /// This function as a ``TypedFunc`` with one parameter and one result.
    public func typed<P: WasmValue, R: WasmValue>(_ parameter: P.Type, _ result: R.Type) throws -> TypedFunc<P, R> {
        try check(FunctionType(parameters: [P.wasmType], results: [R.wasmType]))
        return TypedFunc(func: self) { try decode($0[0], as: R.self) }
    }

    /// This function as a ``TypedFunc`` with one parameter and no results.
    public func typed<P: WasmValue>(_ parameter: P.Type) throws -> TypedFunc<P, Void> {
        try check(FunctionType(parameters: [P.wasmType], results: []))
        return TypedFunc(func: self) { _ in () }
    }

    var name = "function"

    private func check(_ expected: FunctionType) throws {
        guard type == expected else { throw ExportError.signatureMismatch(name: name, expected: expected, found: type) }
    }
}

// MARK: - Typed host functions

extension Func {
    /// A host function from a Swift closure taking the caller and `Int32`,
    /// `Int64`, `Float` or `Double` parameters and returning one such value:
    ///
    /// ```swift
    /// let add = Func.wrap(store) { (caller: Caller<Int>, a: Int32, b: Int32) -> Int32 in
    ///     caller.data += 1
    ///     return a &+ b
    /// }
    /// ```
    public static func wrap<T, each P: WasmValue, R: WasmValue>(
        _ store: Store<T>, _ body: @escaping (Caller<T>, repeat each P) throws -> R
    ) -> Func {
        let definition = HostDefinition<T>.wrap(body)
        return Func(store, type: definition.type, definition.body)
    }

    /// A host function from a Swift closure taking the caller and returning
    /// several values as a tuple (wasm's multi-value):
    ///
    /// ```swift
    /// let divmod = Func.wrap(store) { (caller: Caller<Void>, a: Int32, b: Int32) -> (Int32, Int32) in
    ///     (a / b, a % b)
    /// }
    /// ```
    public static func wrap<T, each P: WasmValue, each R: WasmValue>(
        _ store: Store<T>, _ body: @escaping (Caller<T>, repeat each P) throws -> (repeat each R)
    ) -> Func {
        let definition = HostDefinition<T>.wrap(body)
        return Func(store, type: definition.type, definition.body)
    }

    /// A host function from a Swift closure without the caller, returning a tuple.
    public static func wrap<T, each P: WasmValue, each R: WasmValue>(
        _ store: Store<T>, _ body: @escaping (repeat each P) throws -> (repeat each R)
    ) -> Func {
        let definition = HostDefinition<T>.wrap(body)
        return Func(store, type: definition.type, definition.body)
    }

    /// A host function from a Swift closure taking the caller and returning nothing.
    public static func wrap<T, each P: WasmValue>(
        _ store: Store<T>, _ body: @escaping (Caller<T>, repeat each P) throws -> Void
    ) -> Func {
        let definition = HostDefinition<T>.wrap(body)
        return Func(store, type: definition.type, definition.body)
    }

    /// A host function from a Swift closure without the caller.
    public static func wrap<T, each P: WasmValue, R: WasmValue>(
        _ store: Store<T>, _ body: @escaping (repeat each P) throws -> R
    ) -> Func {
        let definition = HostDefinition<T>.wrap(body)
        return Func(store, type: definition.type, definition.body)
    }

    /// A host function from a Swift closure without the caller, returning nothing.
    public static func wrap<T, each P: WasmValue>(
        _ store: Store<T>, _ body: @escaping (repeat each P) throws -> Void
    ) -> Func {
        let definition = HostDefinition<T>.wrap(body)
        return Func(store, type: definition.type, definition.body)
    }
}

/// The wasm types of a pack of Swift types.
func wasmTypes<each P: WasmValue>(_ types: repeat (each P).Type) -> [ValueType] {
    var result: [ValueType] = []
    repeat result.append((each types).wasmType)
    return result
}

/// Reads arguments in order.
final class ArgumentCursor {
    let values: [Value]
    var index = 0
    init(_ values: [Value]) { self.values = values }

    func next<V: WasmValue>(_ type: V.Type) throws -> V {
        defer { index += 1 }
        guard index < values.count else { throw Trap(.hostError) }
        return try decode(values[index], as: V.self)
    }
}

/// `value` as a `V`: its type was checked against the signature, so only an
/// `externref` that is a raw handle rather than an ``ExternRef``'s can fail.
func decode<V: WasmValue>(_ value: Value, as type: V.Type) throws -> V {
    if let decoded = V(wasmValue: value) { return decoded }
    if case .externref(let handle) = value { throw ExternRefError(handle: handle) }
    throw InstanceError.typeMismatch(expected: V.wasmType, found: value.type)
}

/// A host function not yet bound to a store: its type and untyped body.
struct HostDefinition<T> {
    var type: FunctionType
    var body: (Caller<T>, [Value]) throws -> [Value]

    static func wrap<each P: WasmValue, R: WasmValue>(_ f: @escaping (Caller<T>, repeat each P) throws -> R) -> Self {
        HostDefinition(type: FunctionType(parameters: wasmTypes(repeat (each P).self), results: [R.wasmType])) { caller, arguments in
            let cursor = ArgumentCursor(arguments)
            return [try f(caller, repeat try cursor.next((each P).self)).wasmValue]
        }
    }

    static func wrap<each P: WasmValue, each R: WasmValue>(_ f: @escaping (Caller<T>, repeat each P) throws -> (repeat each R)) -> Self {
        HostDefinition(type: FunctionType(parameters: wasmTypes(repeat (each P).self), results: wasmTypes(repeat (each R).self))) {
            caller, arguments in
            let cursor = ArgumentCursor(arguments)
            let results = try f(caller, repeat try cursor.next((each P).self))
            var values: [Value] = []
            repeat values.append((each results).wasmValue)
            return values
        }
    }

    static func wrap<each P: WasmValue, each R: WasmValue>(_ f: @escaping (repeat each P) throws -> (repeat each R)) -> Self {
        HostDefinition(type: FunctionType(parameters: wasmTypes(repeat (each P).self), results: wasmTypes(repeat (each R).self))) {
            _, arguments in
            let cursor = ArgumentCursor(arguments)
            let results = try f(repeat try cursor.next((each P).self))
            var values: [Value] = []
            repeat values.append((each results).wasmValue)
            return values
        }
    }

    static func wrap<each P: WasmValue>(_ f: @escaping (Caller<T>, repeat each P) throws -> Void) -> Self {
        HostDefinition(type: FunctionType(parameters: wasmTypes(repeat (each P).self), results: [])) { caller, arguments in
            let cursor = ArgumentCursor(arguments)
            try f(caller, repeat try cursor.next((each P).self))
            return []
        }
    }

    static func wrap<each P: WasmValue, R: WasmValue>(_ f: @escaping (repeat each P) throws -> R) -> Self {
        HostDefinition(type: FunctionType(parameters: wasmTypes(repeat (each P).self), results: [R.wasmType])) { _, arguments in
            let cursor = ArgumentCursor(arguments)
            return [try f(repeat try cursor.next((each P).self)).wasmValue]
        }
    }

    static func wrap<each P: WasmValue>(_ f: @escaping (repeat each P) throws -> Void) -> Self {
        HostDefinition(type: FunctionType(parameters: wasmTypes(repeat (each P).self), results: [])) { _, arguments in
            let cursor = ArgumentCursor(arguments)
            try f(repeat try cursor.next((each P).self))
            return []
        }
    }
}

/// A function whose signature was checked once, called with Swift values:
///
/// ```swift
/// let add = try instance.typedFunc("add", (Int32, Int32).self, Int32.self)
/// let sum: Int32 = try add(40, 2)
/// let swap = try instance.typedFunc("swap", (Int32, Int64).self, (Int64, Int32).self)
/// let (wide, narrow) = try swap(1, 2)
/// ```
///
/// `R` is `Void`, one Swift value, or a tuple of them for several results.
///
/// Threads: like its ``Func``, used on the thread using its store.
public struct TypedFunc<each P: WasmValue, R> {
    /// The untyped function.
    public let `func`: Func
    let decode: ([Value]) throws -> R

    init(func: Func, decode: @escaping ([Value]) throws -> R) {
        self.func = `func`
        self.decode = decode
    }

    /// Calls the function; traps are thrown as ``Trap``.
    public func call(_ arguments: repeat each P) throws -> R {
        var values: [Value] = []
        repeat values.append((each arguments).wasmValue)
        return try decode(self.func.call(values))
    }

    /// Calls the function; traps are thrown as ``Trap``.
    public func callAsFunction(_ arguments: repeat each P) throws -> R {
        try call(repeat each arguments)
    }
}
