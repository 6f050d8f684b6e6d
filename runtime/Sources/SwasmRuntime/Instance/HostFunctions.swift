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
        return results
    }
}

/// The C-ABI entry host-call trampolines call.
let hostCallEntry: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt64>?) -> UInt32 = { block, slots in
    guard let block, let slots else { return TrapCode.hostError.rawValue }
    let closure = Unmanaged<HostClosure>.fromOpaque(block.load(fromByteOffset: 16, as: UnsafeRawPointer.self))
        .takeUnretainedValue()
    let caller = Caller(instance: Instance.owning(block.load(fromByteOffset: 8, as: UnsafeMutableRawPointer?.self)))
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
    public convenience init(type: FunctionType, _ body: @escaping (Caller, [Value]) throws -> [Value]) {
        let closure = HostClosure(type: type, body: body)
        // Its own record is never called natively; importing instances get a
        // record of their own that points at their host-call trampoline.
        let storage = FunctionRecordStorage(code: UnsafeRawPointer(bitPattern: 0x10)!, vmctx: nil, signatureID: SignatureRegistry.id(of: type))
        self.init(reference: storage.record, type: type, trampoline: nil, owner: storage, hostClosure: closure)
    }
}

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
