// Stores: the owner of instances and host objects, with the user's data and
// resource limits.
import SwasmRuntime

/// Resource limits of a ``Store``.
///
/// Enforced at instantiation (the memories and tables a module defines, and
/// the number of instances), when the host creates memories and tables, and
/// at every grow, by the host or by wasm code (`memory.grow`, `table.grow`),
/// of any memory or table of the store's instances or created in the store.
/// Growth is checked against the store's limits at the time it happens:
/// changing ``Store/limits`` applies to existing instances too.
public struct StoreLimits: Sendable, Hashable {
    /// The most pages one memory may have; nil: no limit beyond the spec's.
    public var maximumMemoryPages: UInt64?
    /// The most elements one table may have; nil: the runtime's limit.
    public var maximumTableElements: UInt64?
    /// The most instances the store may hold; nil: unlimited.
    public var maximumInstances: Int?

    /// Limits (all unlimited by default).
    public init(maximumMemoryPages: UInt64? = nil, maximumTableElements: UInt64? = nil, maximumInstances: Int? = nil) {
        self.maximumMemoryPages = maximumMemoryPages
        self.maximumTableElements = maximumTableElements
        self.maximumInstances = maximumInstances
    }
}

/// A resource limit of the store was exceeded.
public struct ResourceLimitError: Error, Sendable, CustomStringConvertible {
    /// What was refused.
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Everything instantiated or created for one user of wasm: instances,
/// host functions, memories, tables and globals, plus the embedder's `data`
/// that host functions see through ``Caller/data``.
///
/// Threads: a store and everything in it (instances, functions, memories,
/// tables, globals, ``ExternRef``s, the ``Caller`` of its host functions)
/// are used by one thread at a time. The store may move to another thread
/// between uses, as Swift's region checks allow for a value that is not
/// `Sendable`: a store made inside a task and used only there, or handed
/// whole (with nothing else keeping a reference) to another task, needs
/// no annotation. It is not `Sendable`, because its host functions and
/// ``data`` may hold state of the thread that made them; sharing a store
/// between concurrent tasks is a data race the compiler refuses. To await
/// wasm from async code, own the store in an ``AsyncStore``, which runs it
/// on a thread of its own. ``interruptHandle`` (`Sendable`) is the one way
/// to reach a store from another thread while it runs.
///
/// Objects live as long as the store,
/// and the store lives as long as anything of it the host holds (an
/// ``Instance``, ``Func``, ``Memory``, ``Table``, ``Global`` or ``Extern``),
/// so host functions keep working however long an instance is kept.
///
/// Limits and interruption apply to the whole store: ``limits`` are read at
/// every grow, and ``interrupt()`` stops code running in any of its
/// instances (with `Engine.Config.interruptible`).
public final class Store<T>: StoreOwner {
    /// The engine whose settings (stack size, memory strategy) apply.
    public var engine: Engine { context.engine }
    /// The embedder's data, shared with host functions.
    public var data: T
    /// The limits checked when instances and objects are created and when
    /// memories and tables grow; a change applies at once to everything in
    /// the store.
    public var limits: StoreLimits {
        get { context.limits }
        set { context.limits = newValue }
    }
    /// The wasm frames unwound by the last error a host function of this
    /// store threw that came back out of wasm (through a call, an
    /// instantiation's start function or `runStart`); nil before the first.
    /// The error itself is thrown unchanged; this is where its backtrace is
    /// kept for error types that cannot hold it (see ``WasmBacktraceCarrying``).
    /// Each such error replaces it; read it in the `catch`.
    public var lastHostErrorBacktrace: WasmBacktrace? { context.lastHostErrorBacktrace }

    /// The instances created in this store, in order.
    public var instances: [Instance] { context.instances.map { Instance($0, store: self) } }

    let context: StoreContext

    /// A store with `data` for host functions, using `engine`.
    public init(engine: Engine, data: T, limits: StoreLimits = StoreLimits()) {
        context = StoreContext(engine: engine, limits: limits)
        self.data = data
    }

    /// Stops code compiled with `Engine.Config.interruptible` running in any
    /// instance of the store (also one another instance called) at its next
    /// loop iteration, with an `interrupted` trap; calls keep trapping until
    /// ``clearInterrupt()``. From another thread, use ``interruptHandle``.
    public func interrupt() { context.interruptSignal.raise() }

    /// Lets the store's instances run again after ``interrupt()``.
    public func clearInterrupt() { context.interruptSignal.clear() }

    /// A handle that interrupts this store from any thread.
    public var interruptHandle: InterruptHandle { InterruptHandle(signal: context.interruptSignal) }

    /// Checks a module's defined memories and tables and the instance count.
    func checkInstantiation(of module: Module) throws {
        if let limit = limits.maximumInstances, context.instances.count >= limit {
            throw ResourceLimitError("the store already holds \(context.instances.count) instances, its limit is \(limit)")
        }
        for memory in module.compiled.module.memories { try context.checkMemory(pages: memory.limits.min) }
        for table in module.compiled.module.tables { try context.checkTable(elements: table.limits.min) }
    }
}

extension Store where T == Void {
    /// A store without user data.
    public convenience init(engine: Engine, limits: StoreLimits = StoreLimits()) {
        self.init(engine: engine, data: (), limits: limits)
    }
}

/// Interrupts a ``Store`` from any thread (see ``Store/interrupt()``).
public struct InterruptHandle: Sendable {
    let signal: InterruptSignal

    /// Stops the store's interruptible code at its next loop iteration.
    public func interrupt() { signal.raise() }

    /// Lets the store's instances run again.
    public func clearInterrupt() { signal.clear() }
}

/// A host function was called after its store was freed: only possible
/// through the runtime's objects (`Instance.runtime`, `Func.runtime`...),
/// which do not keep the store alive as the embedding API's objects do.
public struct StoreFreedError: Error, Sendable, CustomStringConvertible {
    /// What happened, and what to hold instead.
    public var description: String {
        "a host function was called after its Store was freed (hold the Store, or an Instance or Func of it,"
            + " not only the runtime's objects)"
    }
}

/// What every object of a store shares, whatever the store's data type.
final class StoreContext {
    let engine: Engine
    var limits: StoreLimits {
        didSet { limiter.update(limits) }
    }
    /// The limits as every memory and table of the store reads them.
    let limiter = ResourceLimiter()
    let interruptSignal = InterruptSignal()
    /// Fuel and epoch deadline of all the store's instances: none and 0 at
    /// first, as wasmtime's stores start (see Fuel.swift).
    let executionLimits: ExecutionLimits
    /// The runtime's objects the host created in the store, kept alive with it.
    var objects: [AnyObject] = []
    /// Every ``ExternRef`` made in or passed into the store, by handle: wasm
    /// code may hold any of them until the store is freed.
    var externRefs: [UInt64: ExternRef] = [:]
    var instances: [InstanceRecord] = []
    var lastHostErrorBacktrace: WasmBacktrace?

    init(engine: Engine, limits: StoreLimits) {
        self.engine = engine
        self.limits = limits
        executionLimits = ExecutionLimits(fuel: 0, epochDeadline: 0, epochCounter: engine.epoch)
        limiter.update(limits)
    }

    var maximumStackSize: Int? { engine.config.maximumStackSize }

    func checkMemory(pages: UInt64) throws {
        if let limit = limits.maximumMemoryPages, pages > limit {
            throw ResourceLimitError("memory of \(pages) pages exceeds the store's limit of \(limit) pages")
        }
    }

    func checkTable(elements: UInt64) throws {
        if let limit = limits.maximumTableElements, elements > limit {
            throw ResourceLimitError("table of \(elements) elements exceeds the store's limit of \(limit) elements")
        }
    }

    /// Makes `memory` obey the store's limits whoever grows it.
    func govern(_ memory: SwasmRuntime.Memory) { memory.limiter = limiter }

    /// Makes `table` obey the store's limits whoever grows it.
    func govern(_ table: SwasmRuntime.Table) { table.limiter = limiter }
}

extension ResourceLimiter {
    func update(_ limits: StoreLimits) {
        maximumMemoryPages = limits.maximumMemoryPages
        maximumTableElements = limits.maximumTableElements
    }
}

/// A store, whatever its data type: what the embedding API's objects hold
/// to keep it (and the data its host functions use) alive.
protocol StoreOwner: AnyObject {
    var context: StoreContext { get }
}

/// An instance as its store keeps it (the store does not hold the
/// embedding API's `Instance`, which holds the store).
struct InstanceRecord {
    let runtime: SwasmRuntime.Instance
    let module: Module
    let wasi: WASI?
}

/// What a host function sees when wasm calls it: the store's data and the
/// calling instance's exports and memory.
///
/// Threads: valid during the host function's call, on the thread running it.
public struct Caller<T> {
    /// The store the function was created in.
    public let store: Store<T>
    /// The runtime's view of the caller (nil instance when the host called
    /// the function directly, or wasm called it through a table entry or
    /// global the host set, whose record does not know its caller).
    public let runtime: SwasmRuntime.Caller

    /// The store's data.
    public var data: T {
        get { store.data }
        nonmutating set { store.data = newValue }
    }

    /// The calling instance's export `name`; nil when it has none (or the
    /// calling instance is unknown, see ``runtime``).
    public func export(named name: String) -> Extern? {
        runtime.export(named: name).map { Extern($0, store: store) }
    }

    /// The calling instance's memory 0, exported or not.
    public var memory: Memory? {
        runtime.memory.map { Memory($0, store: store) }
    }
}
