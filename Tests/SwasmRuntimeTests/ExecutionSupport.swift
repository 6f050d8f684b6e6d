// Helpers for the execution tests: hand-assembled x86-64 machine code in an
// executable mapping, registered with the runtime, and a fake VM context.
#if canImport(Glibc)
import Glibc
#endif
import CSwasmRuntime
import SwasmABI
@testable import SwasmRuntime

/// Machine code copied into its own RWX->RX mapping and registered.
final class MachineCode: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let size: Int
    private(set) var registration: CodeRegistration?

    init(_ bytes: [UInt8], trapSites: [TrapSite] = [], register: Bool = true,
         functionName: (@Sendable (UInt32) -> String?)? = nil) throws {
        size = (bytes.count + 4095) / 4096 * 4096
        let mapping = mmap(nil, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let mapping, mapping != MAP_FAILED else { throw CodeRegistrationError() }
        base = mapping
        bytes.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        precondition(mprotect(base, size, PROT_READ | PROT_EXEC) == 0)
        if register {
            registration = try CodeRegistration(start: base, length: bytes.count, trapSites: trapSites,
                                                functionName: functionName)
        }
    }

    deinit {
        registration = nil
        munmap(base, size)
    }

    var entry: UnsafeRawPointer { UnsafeRawPointer(base) }
    var address: UInt64 { UInt64(UInt(bitPattern: base)) }

    /// Calls the code with `arguments`; returns the argument array afterwards.
    @discardableResult
    func call(_ arguments: [UInt64], vmctx: FakeVMContext? = nil, maximumStackSize: Int? = nil) throws(Trap) -> [UInt64] {
        let buffer = UnsafeMutablePointer<UInt64>.allocate(capacity: max(arguments.count, 1))
        defer { buffer.deallocate() }
        buffer.initialize(from: arguments, count: arguments.count)
        try CodeExecutor.enterWasm(trampoline: entry, vmctx: vmctx?.pointer, arguments: buffer,
                                   maximumStackSize: maximumStackSize)
        return Array(UnsafeBufferPointer(start: buffer, count: arguments.count))
    }
}

/// A zeroed VM context header with a helper table whose `raiseTrap` entry is
/// the runtime's `swasm_raise_trap`.
final class FakeVMContext: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    let helpers: UnsafeMutablePointer<UnsafeRawPointer?>

    init() {
        pointer = .allocate(byteCount: VMContextLayout.headerSize, alignment: 16)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: VMContextLayout.headerSize)
        helpers = .allocate(capacity: HelperID.allCases.count)
        helpers.initialize(repeating: nil, count: HelperID.allCases.count)
        helpers[HelperID.raiseTrap.rawValue] = CodeExecutor.raiseTrapHelper
        pointer.storeBytes(of: UnsafeRawPointer(helpers), toByteOffset: VMContextLayout.helpers, as: UnsafeRawPointer.self)
    }

    deinit {
        helpers.deallocate()
        pointer.deallocate()
    }

    var stackLimit: UInt64 {
        get { pointer.load(fromByteOffset: VMContextLayout.stackLimit, as: UInt64.self) }
        set { pointer.storeBytes(of: newValue, toByteOffset: VMContextLayout.stackLimit, as: UInt64.self) }
    }
}

/// Runs `body` on a fresh pthread (with its own stack of `stackSize` bytes)
/// and returns its result after joining it.
/// Work for a pthread started from Swift.
class ThreadJob {
    func run() {}

    /// Starts a thread (optionally with a given stack size) that runs `run()`.
    func start(stackSize: Int? = nil) -> pthread_t {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        if let stackSize { pthread_attr_setstacksize(&attributes, stackSize) }
        var thread = pthread_t()
        let created = pthread_create(&thread, &attributes, { raw in
            Unmanaged<ThreadJob>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, Unmanaged.passRetained(self).toOpaque())
        precondition(created == 0)
        pthread_attr_destroy(&attributes)
        return thread
    }
}

private final class ThreadBox<T>: ThreadJob {
    let body: () -> T
    var result: T?
    init(_ body: @escaping () -> T) { self.body = body }
    override func run() { result = body() }
}

final class ClosureJob: ThreadJob {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
    override func run() { body() }
}

func onNewThread<T>(stackSize: Int = 1 << 20, _ body: @escaping () -> T) -> T {
    let box = ThreadBox(body)
    pthread_join(box.start(stackSize: stackSize), nil)
    return box.result!
}

/// The hand-assembled programs. Each is an array-call trampoline
/// `void f(vmctx /*rdi*/, uint64_t *args /*rsi*/)`.
enum Programs {
    /// args[0] = args[0] + args[1]
    static let add: [UInt8] = [
        0x48, 0x8B, 0x06,              // mov rax, [rsi]
        0x48, 0x03, 0x46, 0x08,        // add rax, [rsi+8]
        0x48, 0x89, 0x06,              // mov [rsi], rax
        0xC3,                          // ret
    ]
    /// Two nops, then ud2 at offset 2.
    static let unreachable: [UInt8] = [0x90, 0x90, 0x0F, 0x0B]
    /// args[0] = *(u64 *)args[0]; the load is at offset 3.
    static let load: [UInt8] = [
        0x48, 0x8B, 0x06,              // mov rax, [rsi]
        0x48, 0x8B, 0x00,              // mov rax, [rax]
        0x48, 0x89, 0x06,              // mov [rsi], rax
        0xC3,
    ]
    /// args[0] = args[0] / args[1] (signed); idiv at offset 5.
    static let divide: [UInt8] = [
        0x48, 0x8B, 0x06,              // mov rax, [rsi]
        0x48, 0x99,                    // cqo
        0x48, 0xF7, 0x7E, 0x08,        // idiv qword [rsi+8]
        0x48, 0x89, 0x06,              // mov [rsi], rax
        0xC3,
    ]
    /// Recurses forever behind a stack-limit check; ud2 at offset 12.
    static let recurseWithLimitCheck: [UInt8] = [
        0x48, 0x3B, 0x67, 0x10,        // 0: cmp rsp, [rdi+16]
        0x72, 0x06,                    // 4: jb 12
        0xE8, 0xF5, 0xFF, 0xFF, 0xFF,  // 6: call 0
        0xC3,                          // 11: ret
        0x0F, 0x0B,                    // 12: ud2
    ]
    /// Recurses forever with no check at all.
    static let recurseUnchecked: [UInt8] = [
        0xE8, 0xFB, 0xFF, 0xFF, 0xFF,  // 0: call 0
        0xC3,
    ]
    /// Calls helpers[raiseTrap](vmctx, 7 /* integer overflow */); the call
    /// returns (it does not) to offset 16.
    static let raiseTrap: [UInt8] = [
        0x48, 0x8B, 0x47, 0x18,        // 0: mov rax, [rdi+24]
        0xBE, 0x07, 0x00, 0x00, 0x00,  // 4: mov esi, 7
        0x48, 0x83, 0xEC, 0x08,        // 9: sub rsp, 8
        0xFF, 0x50, 0x50,              // 13: call [rax+80]
        0x0F, 0x0B,                    // 16: ud2
    ]
    /// Calls the host function at args[1] with (vmctx, args), then ud2 at 11.
    static let callHostThenTrap: [UInt8] = [
        0x48, 0x83, 0xEC, 0x08,        // 0: sub rsp, 8
        0xFF, 0x56, 0x08,              // 4: call [rsi+8]
        0x48, 0x83, 0xC4, 0x08,        // 7: add rsp, 8
        0x0F, 0x0B,                    // 11: ud2
    ]
}
