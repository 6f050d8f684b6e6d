// Stores: the owner of instances and host objects, with the user's data and
// resource limits.
import SwasmRuntime

/// Resource limits of a ``Store``, checked when something is created in it.
///
/// Enforced at instantiation (the memories and tables a module defines, and
/// the number of instances), when the host creates memories and tables, and
/// when the host grows them through this API. `memory.grow` and `table.grow`
/// executed by wasm code are bounded only by the declared maximums: the
/// runtime offers no hook for them.
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
/// A store and everything in it belong to one thread at a time (it is not
/// `Sendable`); use one store per thread. Objects live as long as the store
/// (or longer, while the host holds them).
public final class Store<T> {
    /// The engine whose settings (stack size, memory strategy) apply.
    public let engine: Engine
    /// The embedder's data, shared with host functions.
    public var data: T
    /// The limits checked when instances and objects are created.
    public var limits: StoreLimits
    /// The instances created in this store, in order.
    public private(set) var instances: [Instance] = []
    /// Host objects kept alive by the store.
    var objects: [AnyObject] = []

    /// A store with `data` for host functions, using `engine`.
    public init(engine: Engine, data: T, limits: StoreLimits = StoreLimits()) {
        self.engine = engine
        self.data = data
        self.limits = limits
    }

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

    /// Checks a module's defined memories and tables and the instance count.
    func checkInstantiation(of module: Module) throws {
        if let limit = limits.maximumInstances, instances.count >= limit {
            throw ResourceLimitError("the store already holds \(instances.count) instances, its limit is \(limit)")
        }
        for memory in module.compiled.module.memories { try checkMemory(pages: memory.limits.min) }
        for table in module.compiled.module.tables { try checkTable(elements: table.limits.min) }
    }

    func add(_ instance: Instance) { instances.append(instance) }
}

extension Store where T == Void {
    /// A store without user data.
    public convenience init(engine: Engine, limits: StoreLimits = StoreLimits()) {
        self.init(engine: engine, data: (), limits: limits)
    }
}

/// What a host function sees when wasm calls it: the store's data and the
/// calling instance's exports and memory.
public struct Caller<T> {
    /// The store the function was created in.
    public let store: Store<T>
    /// The runtime's view of the caller (nil instance when the host called
    /// the function directly).
    public let runtime: SwasmRuntime.Caller

    /// The store's data.
    public var data: T {
        get { store.data }
        nonmutating set { store.data = newValue }
    }

    /// The calling instance's export `name`; nil when it has none (or the
    /// host called the function directly).
    public func export(named name: String) -> Extern? {
        runtime.export(named: name).map { Extern($0, maximumStackSize: store.engine.config.maximumStackSize, limits: store.limits) }
    }

    /// The calling instance's memory 0, exported or not.
    public var memory: Memory? {
        runtime.memory.map { Memory($0, limits: store.limits) }
    }
}
