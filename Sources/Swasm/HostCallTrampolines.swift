// Native entries for host functions, so that wasm can call them through a
// funcref (a table entry or global the host set) and not only as imports.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import SwasmCompiler
import WasmModel

enum HostCallTrampolines {
    /// Executable trampolines by function type, made on first use and kept
    /// for the life of the process (records of host functions point at them,
    /// and a funcref may outlive every object of its type).
    private static let cache = Mutex<[FunctionType: UInt]>([:])

    /// The host-call trampoline for `type`; nil when this machine has no
    /// code generator or no executable memory could be had (the host
    /// function then works as an import only).
    static func trampoline(for type: FunctionType) -> UnsafeRawPointer? {
        cache.withLock { cache in
            if let address = cache[type] { return UnsafeRawPointer(bitPattern: address) }
            guard let code = HostCallCode.trampoline(for: type), let entry = map(code) else { return nil }
            cache[type] = UInt(bitPattern: entry)
            return entry
        }
    }

    /// `code` copied into a fresh read+execute mapping of its own (never
    /// writable again while it can run).
    private static func map(_ code: [UInt8]) -> UnsafeRawPointer? {
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let size = max(1, (code.count + pageSize - 1) / pageSize) * pageSize
        guard let base = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), base != MAP_FAILED else {
            return nil
        }
        code.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        guard mprotect(base, size, PROT_READ | PROT_EXEC) == 0 else {
            munmap(base, size)
            return nil
        }
        return UnsafeRawPointer(base)
    }
}
