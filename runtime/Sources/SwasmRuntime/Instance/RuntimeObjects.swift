// The runtime objects an instance is made of and exports: memories, tables,
// globals and functions. Each has stable native storage that VM contexts
// point into; an object lives as long as any instance using it or any host
// reference to it.
//
// None of these is thread-safe: like a wasmtime Store, a set of linked
// instances and their objects is used from one thread at a time.
import SwasmABI
import WasmModel

/// The four kinds of things instances import and export.
public enum ExternValue {
    case function(Function)
    case table(Table)
    case memory(Memory)
    case global(Global)

    public var type: ExternType {
        switch self {
        case .function(let f): return .function(f.type)
        case .table(let t): return .table(t.type)
        case .memory(let m): return .memory(m.type)
        case .global(let g): return .global(g.type)
        }
    }

    public var function: Function? { if case .function(let f) = self { return f } else { return nil } }
    public var table: Table? { if case .table(let t) = self { return t } else { return nil } }
    public var memory: Memory? { if case .memory(let m) = self { return m } else { return nil } }
    public var global: Global? { if case .global(let g) = self { return g } else { return nil } }
}

// MARK: - Limits

extension Limits {
    /// Throws unless the minimum is at most the maximum (the host can make
    /// types that validation would have refused in a module).
    func requireOrdered() throws {
        if let max, min > max { throw InstanceError.invalidLimits(min: min, max: max) }
    }
}

/// Limits an embedder puts on growth below the declared maximums, shared by
/// the memories and tables they apply to and read at each grow.
public final class ResourceLimiter {
    /// The most pages a memory may grow to; nil: no limit.
    public var maximumMemoryPages: UInt64?
    /// The most elements a table may grow to; nil: no limit.
    public var maximumTableElements: UInt64?

    public init(maximumMemoryPages: UInt64? = nil, maximumTableElements: UInt64? = nil) {
        self.maximumMemoryPages = maximumMemoryPages
        self.maximumTableElements = maximumTableElements
    }
}

// MARK: - Memory

/// A linear memory. Every VM context that uses it as memory 0 is updated
/// when it grows (its base never moves).
public final class Memory {
    public let storage: LinearMemory
    /// The declared maximum in pages (nil: none), as matched against imports.
    public let maximum: UInt64?
    /// VM contexts whose memoryBase/memoryLength mirror this memory.
    private var contexts: [UnsafeMutableRawPointer] = []

    /// A memory of `type`; see `LinearMemory.init` for `strategy` and
    /// `reservation` (explicit memories only: a cap on the address space
    /// reserved, which growth cannot pass).
    public init(type: MemoryType, strategy: BoundsCheckStrategy = .guardRegion, reservation: UInt64? = nil) throws {
        try type.limits.requireOrdered()
        storage = try LinearMemory(minimumPages: type.limits.min, maximumPages: type.limits.max, strategy: strategy,
                                   reservation: reservation)
        maximum = type.limits.max
    }

    /// The current type: the current size as minimum, the declared maximum.
    public var type: MemoryType { MemoryType(limits: Limits(min: pageCount, max: maximum)) }
    public var pageCount: UInt64 { storage.pageCount }
    public var byteCount: Int { storage.byteCount }
    public var base: UnsafeMutableRawPointer { storage.base }

    /// The embedder's limits (e.g. a store's), read at every grow so that
    /// changing them applies at once; `memory.grow` past them fails as past
    /// the maximum.
    public var limiter: ResourceLimiter?

    /// `memory.grow`: the old size in pages, or nil when the memory cannot grow.
    @discardableResult
    public func grow(by pages: UInt64) -> UInt64? {
        // Growing by nothing always succeeds, also below a lowered limit.
        if pages > 0, let limit = limiter?.maximumMemoryPages, pages > limit || storage.pageCount > limit - pages { return nil }
        guard let old = storage.grow(by: pages) else { return nil }
        if pages > 0 {
            let length = UInt64(storage.byteCount)
            for context in contexts {
                context.storeBytes(of: length, toByteOffset: VMContextLayout.memoryLength, as: UInt64.self)
            }
        }
        return old
    }

    public func read(at address: UInt64, count: Int) -> [UInt8]? { storage.read(at: address, count: count) }

    @discardableResult
    public func write(_ bytes: [UInt8], at address: UInt64) -> Bool { storage.write(bytes, at: address) }

    /// Makes `vmctx` mirror this memory (it becomes the context's memory 0).
    func attach(_ vmctx: UnsafeMutableRawPointer) {
        vmctx.storeBytes(of: storage.base, toByteOffset: VMContextLayout.memoryBase, as: UnsafeMutableRawPointer.self)
        vmctx.storeBytes(of: UInt64(storage.byteCount), toByteOffset: VMContextLayout.memoryLength, as: UInt64.self)
        contexts.append(vmctx)
    }

    func detach(_ vmctx: UnsafeMutableRawPointer) {
        if let index = contexts.firstIndex(of: vmctx) { contexts.remove(at: index) }
    }
}

// MARK: - Table

/// A table of references (8 bytes each: a FunctionReference pointer for
/// funcref, the host value for externref). Growing reallocates the elements
/// and updates every instance's copy of the descriptor.
public final class Table {
    /// Most elements a table may have in this runtime (growing past it fails
    /// like growing past the maximum; declaring more is an error).
    public static let implementationLimit: UInt64 = 10_000_000

    public let elementType: ValueType
    public let maximum: UInt64?
    public private(set) var count: Int
    private(set) var elements: UnsafeMutablePointer<UInt64>
    private var capacity: Int
    /// Descriptor copies (`TableDescriptorLayout`) in VM contexts.
    private var descriptors: [UnsafeMutableRawPointer] = []
    /// Instances whose function references this table holds although their
    /// instantiation failed (see Instance.init).
    var retainedOwners: [AnyObject] = []

    public init(type: TableType, initialValue: Value? = nil) throws {
        guard type.elementType.isReference else { throw InstanceError.unsupported("table of \(type.elementType)") }
        try type.limits.requireOrdered()
        guard type.limits.min <= Self.implementationLimit else { throw InstanceError.tableTooLarge(type.limits.min) }
        let fill = initialValue ?? Value.null(type.elementType)!
        guard fill.type == type.elementType else { throw InstanceError.typeMismatch(expected: type.elementType, found: fill.type) }
        try Function.requireCallableFromWasm(fill)
        elementType = type.elementType
        maximum = type.limits.max
        count = Int(type.limits.min)
        capacity = max(count, 1)
        elements = .allocate(capacity: capacity)
        elements.initialize(repeating: fill.bits, count: capacity)
    }

    deinit { elements.deallocate() }

    public var type: TableType { TableType(elementType: elementType, limits: Limits(min: UInt64(count), max: maximum)) }

    /// The element at `index`, nil when out of bounds.
    public func get(_ index: Int) -> Value? {
        guard index >= 0, index < count else { return nil }
        return Value(bits: elements[index], type: elementType)
    }

    public func set(_ index: Int, _ value: Value) throws {
        guard value.type == elementType else { throw InstanceError.typeMismatch(expected: elementType, found: value.type) }
        guard index >= 0, index < count else { throw InstanceError.indexOutOfBounds(index: UInt64(max(index, 0)), count: count) }
        try Function.requireCallableFromWasm(value)
        elements[index] = value.bits
    }

    /// Sets element `index` to `function` and keeps the function alive as
    /// long as the table (the element is only a pointer to its record).
    public func set(_ index: Int, _ function: Function) throws {
        try set(index, function.value)
        retain(function)
    }

    /// Keeps `function` alive as long as the table.
    public func retain(_ function: Function) {
        if !retainedOwners.contains(where: { $0 === function }) { retainedOwners.append(function) }
    }

    /// `table.grow`: the old size, or nil when the table cannot grow.
    @discardableResult
    public func grow(by delta: UInt64, initialValue: Value? = nil) -> UInt64? {
        let fill = initialValue ?? Value.null(elementType)!
        guard fill.type == elementType, (try? Function.requireCallableFromWasm(fill)) != nil else { return nil }
        return grow(by: delta, bits: fill.bits)
    }

    /// The embedder's limits (e.g. a store's), read at every grow;
    /// `table.grow` past them fails.
    public var limiter: ResourceLimiter?

    func grow(by delta: UInt64, bits: UInt64) -> UInt64? {
        let old = UInt64(count)
        let limit = min(maximum ?? UInt64(UInt32.max), Self.implementationLimit, limiter?.maximumTableElements ?? UInt64.max)
        if delta == 0 { return old }
        guard delta <= limit, old + delta <= limit else { return nil }
        let newCount = Int(old + delta)
        if newCount > capacity {
            let newCapacity = max(newCount, min(capacity * 2, Int(limit)))
            let newElements = UnsafeMutablePointer<UInt64>.allocate(capacity: newCapacity)
            newElements.initialize(from: elements, count: count)
            (newElements + count).initialize(repeating: 0, count: newCapacity - count)
            elements.deallocate()
            elements = newElements
            capacity = newCapacity
        }
        (elements + count).update(repeating: bits, count: newCount - count)
        count = newCount
        for descriptor in descriptors { writeDescriptor(descriptor) }
        return old
    }

    func writeDescriptor(_ descriptor: UnsafeMutableRawPointer) {
        descriptor.storeBytes(of: elements, toByteOffset: TableDescriptorLayout.elements, as: UnsafeMutablePointer<UInt64>.self)
        descriptor.storeBytes(of: UInt64(count), toByteOffset: TableDescriptorLayout.count, as: UInt64.self)
        descriptor.storeBytes(of: maximum ?? UInt64(UInt32.max), toByteOffset: TableDescriptorLayout.maximum, as: UInt64.self)
    }

    func attach(_ descriptor: UnsafeMutableRawPointer) {
        writeDescriptor(descriptor)
        descriptors.append(descriptor)
    }

    func detach(_ descriptor: UnsafeMutableRawPointer) {
        if let index = descriptors.firstIndex(of: descriptor) { descriptors.remove(at: index) }
    }
}

// MARK: - Global

/// A global: 16 bytes of storage (8-byte values in the low half).
public final class Global {
    public let type: GlobalType
    let storage: UnsafeMutableRawPointer

    /// A global holding `value`, which must be of `type.valueType`.
    public convenience init(type: GlobalType, value: Value) throws {
        guard value.type == type.valueType else { throw InstanceError.typeMismatch(expected: type.valueType, found: value.type) }
        try Function.requireCallableFromWasm(value)
        self.init(type: type, low: value.bits, high: 0)
    }

    init(type: GlobalType, low: UInt64, high: UInt64) {
        self.type = type
        storage = .allocate(byteCount: 16, alignment: 16)
        storage.storeBytes(of: low, as: UInt64.self)
        storage.storeBytes(of: high, toByteOffset: 8, as: UInt64.self)
    }

    deinit { storage.deallocate() }

    /// The 16 bytes of a v128 global (the low 8 bytes for other types).
    public var rawBits: (low: UInt64, high: UInt64) {
        (storage.load(as: UInt64.self), storage.load(fromByteOffset: 8, as: UInt64.self))
    }

    /// The current value. v128 globals have no `Value`: use `rawBits`.
    public func get() -> Value {
        guard let value = Value(bits: storage.load(as: UInt64.self), type: type.valueType) else {
            preconditionFailure("v128 global: read rawBits instead")
        }
        return value
    }

    public var value: Value { self.get() }

    /// Sets a mutable global.
    public func set(_ value: Value) throws {
        guard type.isMutable else { throw InstanceError.immutableGlobal }
        guard value.type == type.valueType else { throw InstanceError.typeMismatch(expected: type.valueType, found: value.type) }
        try Function.requireCallableFromWasm(value)
        storage.storeBytes(of: value.bits, as: UInt64.self)
    }
}

// MARK: - Function

/// A function: its `FunctionReference` record `{code, vmctx, signatureID}`,
/// its type and the array-call trampoline the host calls it through. It
/// keeps alive whatever owns the record (an instance, or host storage).
public final class Function {
    /// The record; as a funcref value this pointer *is* the reference.
    public let reference: UnsafeRawPointer
    public let type: FunctionType
    /// Nil for host functions, which compiled code calls directly.
    public let trampoline: UnsafeRawPointer?
    let owner: AnyObject
    /// True for host functions called with the importing instance's VM
    /// context (see `init(hostCode:type:)`).
    public let receivesCallerContext: Bool
    /// For Swift closure host functions (`init(type:_:)`).
    let hostClosure: HostClosure?
    /// The code of a host function that receives its caller's context
    /// (`init(hostCode:type:)`), which only import records can call.
    let callerContextCode: UnsafeRawPointer?

    init(reference: UnsafeRawPointer, type: FunctionType, trampoline: UnsafeRawPointer?, owner: AnyObject,
         receivesCallerContext: Bool = false, hostClosure: HostClosure? = nil, callerContextCode: UnsafeRawPointer? = nil) {
        self.callerContextCode = callerContextCode
        self.reference = reference
        self.type = type
        self.trampoline = trampoline
        self.owner = owner
        self.receivesCallerContext = receivesCallerContext
        self.hostClosure = hostClosure
    }

    /// A host function: native code with the signature compiled code calls
    /// imports with (SysV: the caller's VM context first, then the wasm
    /// parameters as C types, the result in rax/xmm0), e.g. a Swift
    /// `@convention(c) (UnsafeMutableRawPointer?, Int32, Int32) -> Int32`.
    /// Each instance importing it fills its import record (and its funcref
    /// record) with its *own* VM context, so the code reaches the caller's
    /// memory (vmctx+0, +8) and `Instance.hostContext`. It is not callable
    /// from the host through `call` (there is no trampoline), nor by wasm
    /// through a funcref of its own: its record has no caller to pass, so
    /// placing it in a table or global is refused (an importing instance's
    /// `ref.func` of it is fine).
    public convenience init(hostCode: UnsafeRawPointer, type: FunctionType) {
        let storage = FunctionRecordStorage(code: Function.uncallableCode, vmctx: nil, signatureID: SignatureRegistry.id(of: type))
        self.init(reference: storage.record, type: type, trampoline: nil, owner: storage, receivesCallerContext: true,
                  callerContextCode: hostCode)
    }

    public var code: UnsafeRawPointer? {
        reference.load(fromByteOffset: FunctionReferenceLayout.code, as: UnsafeRawPointer?.self)
    }

    public var vmctx: UnsafeMutableRawPointer? {
        reference.load(fromByteOffset: FunctionReferenceLayout.vmctx, as: UnsafeMutableRawPointer?.self)
    }

    public var signatureID: UInt64 {
        reference.load(fromByteOffset: FunctionReferenceLayout.signatureID, as: UInt64.self)
    }

    /// This function as a funcref value.
    public var value: Value { .funcref(reference) }

    /// Calls the function. Arguments must match the parameters; a trap is
    /// thrown as `Trap`. Host no-op functions (no trampoline, no results)
    /// return `[]` without running anything.
    public func call(_ arguments: [Value], maximumStackSize: Int? = nil) throws -> [Value] {
        guard arguments.count == type.parameters.count,
              zip(arguments, type.parameters).allSatisfy({ $0.type == $1 }) else {
            throw InstanceError.argumentMismatch(expected: type.parameters, found: arguments.map(\.type))
        }
        for argument in arguments { try Function.requireCallableFromWasm(argument) }
        if let hostClosure {
            return try hostClosure.invoke(caller: Caller(instance: nil), arguments)
        }
        guard let trampoline else {
            if type.results.isEmpty { return [] }
            throw InstanceError.notCallable(type)
        }
        guard !type.results.contains(.v128) else { throw InstanceError.unsupported("v128 results") }
        let slots = 1 + max(arguments.count, type.results.count)
        let frame = UnsafeMutablePointer<UInt64>.allocate(capacity: slots)
        defer { frame.deallocate() }
        frame.initialize(repeating: 0, count: slots)
        frame[0] = UInt64(UInt(bitPattern: code))
        for (index, argument) in arguments.enumerated() { frame[index + 1] = argument.bits }
        try withExtendedLifetime(self) {
            try CodeExecutor.enterWasm(trampoline: trampoline, vmctx: vmctx, arguments: frame,
                                       maximumStackSize: maximumStackSize)
        }
        return type.results.enumerated().map { Value(bits: frame[$0.offset + 1], type: $0.element)! }
    }
}

/// Native storage of one FunctionReference record for host functions.
final class FunctionRecordStorage {
    let record: UnsafeMutableRawPointer
    /// A host-call block the record's vmctx points at, freed with it.
    let ownedBlock: UnsafeMutableRawPointer?

    init(code: UnsafeRawPointer, vmctx: UnsafeMutableRawPointer?, signatureID: UInt64, ownedBlock: UnsafeMutableRawPointer? = nil) {
        self.ownedBlock = ownedBlock
        record = .allocate(byteCount: FunctionReferenceLayout.size, alignment: 16)
        record.initializeMemory(as: UInt8.self, repeating: 0, count: FunctionReferenceLayout.size)
        record.storeBytes(of: code, toByteOffset: FunctionReferenceLayout.code, as: UnsafeRawPointer.self)
        record.storeBytes(of: vmctx, toByteOffset: FunctionReferenceLayout.vmctx, as: UnsafeMutableRawPointer?.self)
        record.storeBytes(of: signatureID, toByteOffset: FunctionReferenceLayout.signatureID, as: UInt64.self)
    }

    deinit {
        record.deallocate()
        ownedBlock?.deallocate()
    }
}
