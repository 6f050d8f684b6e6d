// Memories, globals, tables, and the `Extern` that is any of them or a function.
import SwasmABI
import SwasmRuntime
import WasmModel

/// Looking up an export failed.
public enum ExportError: Error, Sendable, CustomStringConvertible {
    /// The instance has no export of that name.
    case missing(name: String)
    /// The export is of another kind (e.g. a memory where a function was asked for).
    case wrongKind(name: String, expected: ExternalKind, found: ExternType)
    /// A typed function's signature is not the one asked for.
    case signatureMismatch(name: String, expected: FunctionType, found: FunctionType)

    /// What went wrong, naming the export.
    public var description: String {
        switch self {
        case .missing(let name): return "no export named \"\(name)\""
        case .wrongKind(let name, let expected, let found): return "export \"\(name)\" is a \(found), not a \(expected)"
        case .signatureMismatch(let name, let expected, let found):
            return "export \"\(name)\" has type \(found), not \(expected)"
        }
    }
}

/// Host access to a memory went wrong.
public enum MemoryAccessError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The range is not inside the memory's current size.
    case outOfBounds(address: UInt64, count: Int, size: Int)
    /// The bytes are not valid UTF-8.
    case invalidUTF8(address: UInt64)
    /// The memory cannot grow by that much (past its maximum, or past the
    /// address space reserved for it).
    case growFailed(delta: UInt64, pages: UInt64)

    /// What went wrong, with the numbers.
    public var description: String {
        switch self {
        case .outOfBounds(let address, let count, let size):
            return "\(count) bytes at \(address) are out of bounds of a memory of \(size) bytes"
        case .invalidUTF8(let address): return "the string at \(address) is not valid UTF-8"
        case .growFailed(let delta, let pages): return "a memory of \(pages) pages cannot grow by \(delta)"
        }
    }
}

/// Host access to a table went wrong.
public enum TableAccessError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The table cannot grow by that much (past its maximum or the runtime's
    /// limit of `Table.implementationLimit` elements).
    case growFailed(delta: UInt64, count: UInt64)

    /// What went wrong, with the numbers.
    public var description: String {
        switch self {
        case .growFailed(let delta, let count): return "a table of \(count) elements cannot grow by \(delta)"
        }
    }
}

/// Anything an instance imports or exports.
///
/// Threads: belongs to its store, used on the thread using the store.
public enum Extern {
    /// A function.
    case `func`(Func)
    /// A linear memory.
    case memory(Memory)
    /// A global variable.
    case global(Global)
    /// A table of references.
    case table(Table)

    init(_ value: ExternValue, store: any StoreOwner) {
        switch value {
        case .function(let f): self = .func(Func(f, store: store))
        case .memory(let m): self = .memory(Memory(m, store: store))
        case .global(let g): self = .global(Global(g, store: store))
        case .table(let t): self = .table(Table(t, store: store))
        }
    }

    /// The runtime's object, as instantiation takes it.
    public var runtime: ExternValue {
        switch self {
        case .func(let f): return .function(f.runtime)
        case .memory(let m): return .memory(m.runtime)
        case .global(let g): return .global(g.runtime)
        case .table(let t): return .table(t.runtime)
        }
    }

    /// The type of the object.
    public var type: ExternType { runtime.type }

    /// The function, if this is one.
    public var `func`: Func? { if case .func(let f) = self { return f } else { return nil } }
    /// The memory, if this is one.
    public var memory: Memory? { if case .memory(let m) = self { return m } else { return nil } }
    /// The global, if this is one.
    public var global: Global? { if case .global(let g) = self { return g } else { return nil } }
    /// The table, if this is one.
    public var table: Table? { if case .table(let t) = self { return t } else { return nil } }
}

// MARK: - Memory

/// A linear memory: its size, growth, and checked (or raw) access to its bytes.
///
/// Threads: belongs to its store, used on the thread using the store.
public final class Memory {
    /// The runtime's memory.
    public let runtime: SwasmRuntime.Memory
    /// The store, kept alive while the memory is held.
    let store: any StoreOwner

    init(_ runtime: SwasmRuntime.Memory, store: any StoreOwner) {
        self.runtime = runtime
        self.store = store
    }

    /// A new memory of `type` in `store`, using the engine's memory strategy;
    /// throws ``ResourceLimitError`` past the store's memory limit. Growing
    /// it (by the host or by wasm code) obeys the store's limits.
    public convenience init<T>(_ store: Store<T>, type: MemoryType) throws {
        try store.context.checkMemory(pages: type.limits.min)
        let memory = try SwasmRuntime.Memory(type: type, strategy: store.engine.runtimeStrategy,
                                             reservation: store.engine.config.memoryReservation)
        store.context.govern(memory)
        self.init(memory, store: store)
        store.context.objects.append(memory)
    }

    /// The current type (current size as minimum, and the declared maximum).
    public var type: MemoryType { runtime.type }
    /// The size in 64 KiB pages.
    public var pageCount: UInt64 { runtime.pageCount }
    /// The size in bytes.
    public var byteCount: Int { runtime.byteCount }

    /// Grows by `delta` pages and returns the old size in pages. Throws when
    /// the declared maximum or the store's limit would be exceeded.
    @discardableResult
    public func grow(by delta: UInt64) throws -> UInt64 {
        let old = pageCount
        if delta > 0, let limit = store.context.limits.maximumMemoryPages, delta > limit || old > limit - delta {
            throw ResourceLimitError("growing a memory of \(old) pages by \(delta) exceeds the store's limit of \(limit) pages")
        }
        guard let result = runtime.grow(by: delta) else { throw MemoryAccessError.growFailed(delta: delta, pages: old) }
        return result
    }

    private func check(_ address: UInt64, _ count: Int) throws {
        guard count >= 0, runtime.storage.contains(address: address, count: UInt64(count)) else {
            throw MemoryAccessError.outOfBounds(address: address, count: count, size: byteCount)
        }
    }

    /// Copies `count` bytes at `address` out of the memory.
    public func read(at address: UInt64, count: Int) throws -> [UInt8] {
        try check(address, count)
        return runtime.read(at: address, count: count)!
    }

    /// Copies `bytes` into the memory at `address`.
    public func write(_ bytes: [UInt8], at address: UInt64) throws {
        try check(address, bytes.count)
        runtime.write(bytes, at: address)
    }

    /// The UTF-8 string of `count` bytes at `address`.
    public func readString(at address: UInt64, count: Int) throws -> String {
        let bytes = try read(at: address, count: count)
        guard let string = String(validating: bytes, as: UTF8.self) else { throw MemoryAccessError.invalidUTF8(address: address) }
        return string
    }

    /// The NUL-terminated UTF-8 string at `address` (the NUL must be inside the memory).
    public func readCString(at address: UInt64) throws -> String {
        try check(address, 0)
        let size = UInt64(byteCount)
        var end = address
        while end < size, runtime.base.load(fromByteOffset: Int(end), as: UInt8.self) != 0 { end += 1 }
        guard end < size else { throw MemoryAccessError.outOfBounds(address: address, count: Int(end - address) + 1, size: byteCount) }
        return try readString(at: address, count: Int(end - address))
    }

    /// Writes the UTF-8 bytes of `string` at `address` (no terminator); returns their count.
    @discardableResult
    public func write(string: String, at address: UInt64) throws -> Int {
        let bytes = Array(string.utf8)
        try write(bytes, at: address)
        return bytes.count
    }

    /// Loads a little-endian integer at `address` (any alignment).
    public func load<I: FixedWidthInteger>(_ type: I.Type, at address: UInt64) throws -> I {
        try check(address, MemoryLayout<I>.size)
        return I(littleEndian: runtime.base.loadUnaligned(fromByteOffset: Int(address), as: I.self))
    }

    /// Stores a little-endian integer at `address` (any alignment).
    public func store<I: FixedWidthInteger>(_ value: I, at address: UInt64) throws {
        try check(address, MemoryLayout<I>.size)
        runtime.base.storeBytes(of: value.littleEndian, toByteOffset: Int(address), as: I.self)
    }

    /// The start of the memory. Unsafe: valid only up to ``byteCount`` and
    /// only until the memory is freed; the base never moves when it grows.
    public var unsafeBaseAddress: UnsafeMutableRawPointer { runtime.base }

    /// Runs `body` with the memory's current bytes. Unsafe: do not let the
    /// buffer escape, and do not call wasm (which may grow the memory) in it.
    public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(start: runtime.base, count: byteCount))
    }
}

// MARK: - Global

/// A global variable.
///
/// Threads: belongs to its store, used on the thread using the store.
public final class Global {
    /// The runtime's global.
    public let runtime: SwasmRuntime.Global
    /// The store, kept alive while the global is held.
    let store: any StoreOwner

    init(_ runtime: SwasmRuntime.Global, store: any StoreOwner) {
        self.runtime = runtime
        self.store = store
    }

    /// A new global of `type` holding `value` in `store`.
    public convenience init<T>(_ store: Store<T>, type: GlobalType, value: Value) throws {
        let global = try SwasmRuntime.Global(type: type, value: value)
        store.context.keepExternRef(value)
        self.init(global, store: store)
        store.context.objects.append(global)
    }

    /// The global's type and mutability.
    public var type: GlobalType { runtime.type }

    /// The current value.
    public func get() -> Value { runtime.get() }

    /// The current value as `V`; nil when the global is of another type.
    public func get<V: WasmValue>(as type: V.Type) -> V? { V(wasmValue: runtime.get()) }

    /// Sets the value: throws `InstanceError.immutableGlobal` for an
    /// immutable global and `InstanceError.typeMismatch` for a wrong type.
    public func set(_ value: Value) throws {
        try runtime.set(value)
        store.context.keepExternRef(value)
    }

    /// Sets the value from a Swift value (an `ExternRef?` for an `externref`
    /// global, which the store then keeps alive).
    public func set<V: WasmValue>(_ value: V) throws { try set(value.wasmValue) }
}

// MARK: - Table

/// A table of references: functions (`funcref`) or host values
/// (`externref`, read with ``SwasmRuntime/Value/externRef``).
///
/// Threads: belongs to its store, used on the thread using the store.
public final class Table {
    /// The runtime's table.
    public let runtime: SwasmRuntime.Table
    /// The store, kept alive while the table is held.
    let store: any StoreOwner

    init(_ runtime: SwasmRuntime.Table, store: any StoreOwner) {
        self.runtime = runtime
        self.store = store
    }

    /// A new table of `type` in `store`, filled with `initialValue` (default
    /// null). Growing it (by the host or by wasm code) obeys the store's limits.
    public convenience init<T>(_ store: Store<T>, type: TableType, initialValue: Value? = nil) throws {
        try store.context.checkTable(elements: type.limits.min)
        let table = try SwasmRuntime.Table(type: type, initialValue: initialValue)
        if let initialValue { store.context.keepExternRef(initialValue) }
        store.context.govern(table)
        self.init(table, store: store)
        store.context.objects.append(table)
    }

    /// The current type (current size as minimum).
    public var type: TableType { runtime.type }
    /// The number of elements.
    public var count: Int { runtime.count }

    /// The element at `index`; nil when out of bounds.
    public func get(_ index: Int) -> Value? { runtime.get(index) }

    /// Sets element `index` to `value` (of the table's element type); an
    /// ``ExternRef``'s value is then kept alive by the store.
    public func set(_ index: Int, _ value: Value) throws {
        try runtime.set(index, value)
        store.context.keepExternRef(value)
    }

    /// Sets element `index` of an `externref` table to `ref` (nil: null),
    /// which the store then keeps alive.
    public func set(_ index: Int, _ ref: ExternRef?) throws { try set(index, .externref(ref)) }

    /// Sets element `index` to `function`, which wasm code may then call
    /// with `call_indirect` (host functions too); the table keeps it alive.
    public func set(_ index: Int, _ function: Func) throws { try runtime.set(index, function.runtime) }

    /// Grows by `delta` elements filled with `initialValue` (default null);
    /// returns the old size. Throws ``ResourceLimitError`` past the store's
    /// limit and ``TableAccessError`` past the maximum.
    @discardableResult
    public func grow(by delta: UInt64, initialValue: Value? = nil) throws -> UInt64 {
        let old = UInt64(count)
        if delta > 0, let limit = store.context.limits.maximumTableElements, delta > limit || old > limit - delta {
            throw ResourceLimitError("growing a table of \(old) elements by \(delta) exceeds the store's limit of \(limit)")
        }
        if let initialValue, initialValue.type != runtime.elementType {
            throw InstanceError.typeMismatch(expected: runtime.elementType, found: initialValue.type)
        }
        if let initialValue { try SwasmRuntime.Function.requireCallableFromWasm(initialValue) }
        guard let result = runtime.grow(by: delta, initialValue: initialValue) else {
            throw TableAccessError.growFailed(delta: delta, count: old)
        }
        if let initialValue { store.context.keepExternRef(initialValue) }
        return result
    }
}
