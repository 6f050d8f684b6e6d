// Host functions written as Swift closures. Compiled code reaches them
// through its module's host-call trampoline for the import's type (see
// `X64Backend.hostCallTrampoline`), with a host-call block as the context:
//
//   block+0   entry: uint32_t (void *block, uint64_t *slots)
//   block+8   the calling instance's vmctx
//   block+16  the HostClosure (unretained; the instance keeps it alive)
//
// The entry decodes the argument slots, runs the closure with a `Caller`,
// and writes the results back. What the closure throws unwinds the wasm
// caller and is handed, unchanged, to the Swift code that entered wasm: a
// `Trap` as itself, any other error inside a `hostError` trap.
import SwasmABI
import WasmModel

/// What a host function sees of the instance that called it.
public struct Caller {
    /// The calling instance; nil when the host calls the function directly.
    public let instance: Instance?

    public init(instance: Instance?) { self.instance = instance }

    /// An export of the calling instance, e.g. its memory.
    public func export(named name: String) -> ExternValue? { instance?.export(named: name) }

    /// The calling instance's memory 0.
    public var memory: Memory? { instance?.memories.first }
}

final class HostClosure {
    let type: FunctionType
    let body: (Caller, [Value]) throws -> [Value]

    init(type: FunctionType, body: @escaping (Caller, [Value]) throws -> [Value]) {
        self.type = type
        self.body = body
    }

    func invoke(caller: Caller, _ arguments: [Value]) throws -> [Value] {
        let results = try body(caller, arguments)
        guard results.count == type.results.count, zip(results, type.results).allSatisfy({ $0.type == $1 }) else {
            throw InstanceError.argumentMismatch(expected: type.results, found: results.map(\.type))
        }
        for result in results { try Function.requireCallableFromWasm(result) }
        return results
    }
}

/// The C-ABI entry host-call trampolines call.
let hostCallEntry: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt64>?) -> UInt32 = { block, slots in
    guard let block, let slots else { return TrapCode.hostError.rawValue }
    let closure = Unmanaged<HostClosure>.fromOpaque(block.load(fromByteOffset: 16, as: UnsafeRawPointer.self))
        .takeUnretainedValue()
    // A function called through its own record (a table entry the host
    // set) does not know its caller: the block names the detached context.
    let context = block.load(fromByteOffset: 8, as: UnsafeMutableRawPointer?.self)
    let hasInstance = context?.load(fromByteOffset: VMContextLayout.instance, as: UnsafeRawPointer?.self) != nil
    let caller = Caller(instance: hasInstance ? Instance.owning(context) : nil)
    var arguments: [Value] = []
    arguments.reserveCapacity(closure.type.parameters.count)
    for (i, type) in closure.type.parameters.enumerated() {
        guard let value = Value(bits: slots[i], type: type) else { return TrapCode.hostError.rawValue }
        arguments.append(value)
    }
    do {
        let results = try closure.invoke(caller: caller, arguments)
        for (i, value) in results.enumerated() { slots[i] = value.bits }
        return 0
    } catch {
        let trap = error as? Trap ?? Trap(.hostError, hostError: error)
        CodeExecutor.noteHostTrap(trap)
        return trap.code.rawValue
    }
}

extension Function {
    /// A host function implemented by a Swift closure, callable from wasm
    /// (as an import) and from Swift. The closure gets a `Caller` (the
    /// calling instance: its memory and exports) and the arguments; what it
    /// throws unwinds the wasm caller and reaches the Swift code that called
    /// into wasm (any error other than a `Trap` inside a `hostError` trap).
    ///
    /// `hostCallTrampoline` is the machine code of a host-call trampoline
    /// for `type` (what the compiler emits for each of a module's types).
    /// With it the function's own record is callable by compiled code, so
    /// the function may be stored in tables and globals and passed to wasm
    /// as a funcref; called that way, its `Caller` has no instance (the
    /// record does not know who calls it). The code must stay executable for
    /// the life of the process. Without it the function can only be
    /// imported, and storing it where wasm could call it is refused
    /// (`InstanceError.notCallableFromWasm`).
    public convenience init(type: FunctionType, hostCallTrampoline: UnsafeRawPointer? = nil,
                            _ body: @escaping (Caller, [Value]) throws -> [Value]) {
        let closure = HostClosure(type: type, body: body)
        let storage: FunctionRecordStorage
        if let hostCallTrampoline {
            let block = UnsafeMutableRawPointer.allocate(byteCount: 32, alignment: 16)
            block.storeBytes(of: unsafeBitCast(hostCallEntry, to: UnsafeRawPointer.self), toByteOffset: 0, as: UnsafeRawPointer.self)
            block.storeBytes(of: detachedContext, toByteOffset: 8, as: UnsafeMutableRawPointer.self)
            block.storeBytes(of: UnsafeRawPointer(Unmanaged.passUnretained(closure).toOpaque()), toByteOffset: 16, as: UnsafeRawPointer.self)
            block.storeBytes(of: 0, toByteOffset: 24, as: UInt64.self)
            storage = FunctionRecordStorage(code: hostCallTrampoline, vmctx: block, signatureID: SignatureRegistry.id(of: type),
                                            ownedBlock: block)
        } else {
            // Importing instances get a record of their own that points at
            // their module's host-call trampoline; this one must never be
            // reached by compiled code (see `isCallableFromWasm`).
            storage = FunctionRecordStorage(code: Function.uncallableCode, vmctx: nil, signatureID: SignatureRegistry.id(of: type))
        }
        self.init(reference: storage.record, type: type, trampoline: nil, owner: storage, hostClosure: closure)
    }

    /// The code address of records compiled code must not call.
    static var uncallableCode: UnsafeRawPointer { UnsafeRawPointer(bitPattern: 0x10)! }

    /// Whether compiled code may call the funcref `reference` (null is fine:
    /// calling it traps cleanly).
    public static func isCallableFromWasm(_ reference: UnsafeRawPointer?) -> Bool {
        guard let reference else { return true }
        return reference.load(fromByteOffset: FunctionReferenceLayout.code, as: UnsafeRawPointer?.self) != uncallableCode
    }

    /// Throws unless `value` may be placed where compiled code can call it.
    public static func requireCallableFromWasm(_ value: Value) throws {
        guard case .funcref(let reference) = value, !isCallableFromWasm(reference) else { return }
        throw InstanceError.notCallableFromWasm
    }
}

/// The context host-call blocks of unattached host functions name: a VM
/// context header with only the helper table (for raising traps) and no
/// instance.
nonisolated(unsafe) let detachedContext: UnsafeMutableRawPointer = {
    let context = UnsafeMutableRawPointer.allocate(byteCount: VMContextLayout.headerSize, alignment: 16)
    context.initializeMemory(as: UInt8.self, repeating: 0, count: VMContextLayout.headerSize)
    context.storeBytes(of: UnsafeRawPointer(InstanceHelpers.table), toByteOffset: VMContextLayout.helpers, as: UnsafeRawPointer.self)
    return context
}()

extension NativeState {
    /// A host-call block for `closure` called from `caller`, freed with the instance.
    func makeHostCallBlock(_ closure: HostClosure, caller: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        let block = UnsafeMutableRawPointer.allocate(byteCount: 32, alignment: 16)
        block.storeBytes(of: unsafeBitCast(hostCallEntry, to: UnsafeRawPointer.self), toByteOffset: 0, as: UnsafeRawPointer.self)
        block.storeBytes(of: caller, toByteOffset: 8, as: UnsafeMutableRawPointer.self)
        block.storeBytes(of: UnsafeRawPointer(Unmanaged.passUnretained(closure).toOpaque()), toByteOffset: 16, as: UnsafeRawPointer.self)
        block.storeBytes(of: 0, toByteOffset: 24, as: UInt64.self)
        hostCallBlocks.append(block)
        hostClosures.append(closure)
        return block
    }
}

extension Instance {
    /// Asks code of this instance that was compiled with interruption checks
    /// (`swasmc --interruptible`, `CompilerOptions.interruptible`) to stop:
    /// its next loop iteration traps with `interrupted`. Safe from any thread.
    public func interrupt() {
        let flag = vmContext.advanced(by: VMContextLayout.interruptFlag).assumingMemoryBound(to: UInt64.self)
        UnsafeMutablePointer<UInt64>(flag).pointee = 1
    }

    /// Clears the interrupt flag, so that the instance can run again.
    public func clearInterrupt() {
        vmContext.storeBytes(of: 0, toByteOffset: VMContextLayout.interruptFlag, as: UInt64.self)
    }
}
