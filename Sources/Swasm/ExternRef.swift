// Host values of any Swift type as wasm `externref` values.
//
// Inside wasm an externref is an 8-byte handle. Each `ExternRef` gets a
// handle no other one ever had in this process, and a registry maps live
// handles back to their objects, so a value coming out of wasm (a result,
// a host function's argument, a table element, a global) is the very object
// that went in. Stores keep every `ExternRef` that entered them alive until
// they are freed, so no handle inside wasm outlives its object.
import Synchronization
import SwasmRuntime
import WasmModel

/// Any Swift value as a WebAssembly `externref`: wasm code can hold it,
/// pass it on, store it in tables and globals, and give it back, but never
/// look inside.
///
/// ```swift
/// let ref = ExternRef(store, document)             // a class instance or any value
/// let echo = try instance.typedFunc("echo", ExternRef?.self, ExternRef?.self)
/// let back = try echo(ref)
/// back === ref                                     // true: the same object comes back
/// back?.data(as: Document.self) === document       // true
/// ```
///
/// `ExternRef?` is the Swift type of an `externref` in typed functions
/// (`Func.typed`, `Instance.typedFunc`) and host closures (`Func.wrap`,
/// `Linker.defineFunc`), nil being `ref.null extern`. Untyped,
/// `Value.externref(ref)` makes a ``Value`` of it and ``SwasmRuntime/Value/externRef``
/// reads one back; `Table` and `Global` take and give both forms.
///
/// Lifetime: the store an `ExternRef` was made in keeps it (and so its
/// ``data``) alive until the store is freed, and so does every other store
/// it is passed into, whether or not wasm still holds it. There is no
/// collector: a long-lived store that makes an `ExternRef` per call grows
/// by one each time, so make such values in a store per unit of work.
///
/// An `ExternRef` belongs to the thread using its store, like the store's
/// other objects, and is not `Sendable`: its ``data`` can be anything.
public final class ExternRef {
    /// The Swift value this reference stands for.
    public let data: Any
    /// The handle wasm code sees: never 0 (`ref.null extern`), never reused.
    let handle: UInt64

    /// A reference to `data`, kept alive by `store` until the store is freed.
    public init<T>(_ store: Store<T>, _ data: Any) {
        self.data = data
        handle = ExternRefRegistry.newHandle()
        ExternRefRegistry.register(self)
        store.context.keep(self)
    }

    deinit { ExternRefRegistry.unregister(handle) }

    /// ``data`` as a `V`; nil when it is of another type.
    public func data<V>(as type: V.Type) -> V? { data as? V }

    /// The `ExternRef` a wasm handle stands for; nil for a handle no live
    /// `ExternRef` has (a raw handle given to the runtime's untyped API).
    static func forHandle(_ handle: UInt64) -> ExternRef? { ExternRefRegistry.lookup(handle) }
}

/// A wasm `externref` was not made by an ``ExternRef`` (a raw handle given
/// to the untyped `Value.externref(_: UInt64)`), so it has no
/// Swift value to read as one.
public struct ExternRefError: Error, Sendable, CustomStringConvertible {
    /// The handle wasm code held.
    public var handle: UInt64

    /// The message naming the handle.
    public var description: String {
        "externref \(handle) is not an ExternRef (a raw handle from the untyped Value API); read it as a Value"
    }
}

/// `ExternRef?` is the Swift type of a wasm `externref` (nil: `ref.null extern`).
extension Optional: WasmValue where Wrapped == ExternRef {
    /// `externref`.
    public static var wasmType: ValueType { .externref }

    /// The reference's handle (0 for nil).
    public var wasmValue: Value { .externref(self?.handle ?? 0) }

    /// The `ExternRef` an `externref` value stands for (nil for null); fails
    /// for another type or a handle that is not a live ``ExternRef``'s.
    public init?(wasmValue: Value) {
        guard case .externref(let handle) = wasmValue else { return nil }
        if handle == 0 { self = .none; return }
        guard let ref = ExternRef.forHandle(handle) else { return nil }
        self = .some(ref)
    }
}

/// Host values as wasm values.
extension Value {
    /// The `externref` value of `ref`; nil makes `ref.null extern`. Storing
    /// it in a ``Table`` or ``Global`` or passing it to ``Func/call(_:)``
    /// keeps `ref` alive in that store too.
    public static func externref(_ ref: ExternRef?) -> Value { ref.wasmValue }

    /// The ``ExternRef`` this `externref` value stands for; nil for
    /// `ref.null extern`, for other types, and for raw handles that are
    /// not an `ExternRef`'s.
    public var externRef: ExternRef? {
        guard case .externref(let handle) = self, handle != 0 else { return nil }
        return ExternRef.forHandle(handle)
    }
}

extension StoreContext {
    /// Keeps `ref` alive as long as the store.
    func keep(_ ref: ExternRef) {
        if externRefs[ref.handle] == nil { externRefs[ref.handle] = ref }
    }

    /// Keeps the ``ExternRef``s among `values` alive as long as the store:
    /// they are entering it (arguments, results of host functions, table
    /// elements, globals). Raw handles are left as they are.
    func keepExternRefs(in values: [Value]) {
        for value in values { keepExternRef(value) }
    }

    /// Keeps `value`'s ``ExternRef`` alive as long as the store, when it is one.
    func keepExternRef(_ value: Value) {
        guard case .externref(let handle) = value, handle != 0, externRefs[handle] == nil,
              let ref = ExternRef.forHandle(handle) else { return }
        externRefs[handle] = ref
    }
}

/// Live ``ExternRef``s by handle, for every thread: weak, so that an
/// `ExternRef` lives exactly as long as its stores (or the host) hold it.
private enum ExternRefRegistry {
    /// Handles count up from this tag bit, so that small raw handles (from
    /// the untyped API, the spec testsuite's `ref.extern N`) are never
    /// mistaken for an `ExternRef`.
    private static let handleTag: UInt64 = 1 << 63
    private static let counter = Atomic<UInt64>(0)
    private static let live = Mutex<[UInt64: WeakExternRef]>([:])

    static func newHandle() -> UInt64 {
        handleTag | counter.add(1, ordering: .relaxed).newValue
    }

    static func register(_ ref: ExternRef) {
        let entry = WeakExternRef(ref)
        live.withLock { $0[ref.handle] = entry }
    }

    static func unregister(_ handle: UInt64) {
        _ = live.withLock { $0.removeValue(forKey: handle) }
    }

    static func lookup(_ handle: UInt64) -> ExternRef? {
        guard handle & handleTag != 0 else { return nil }
        // Loading a weak reference yields nil once the object is being
        // freed, so a lookup racing with the last release cannot revive it.
        return live.withLock { $0[handle] }?.ref
    }
}

/// A registry entry. The registry only hands an `ExternRef` to code that
/// already holds its handle, that is to the thread using a store it is in.
private final class WeakExternRef: @unchecked Sendable {
    weak var ref: ExternRef?
    init(_ ref: ExternRef) { self.ref = ref }
}
