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
import SwasmRuntime
import WasmModel

enum HostCallTrampolines {
    private struct State {
        /// Trampolines by function type, made on first use and kept for the
        /// life of the process (records of host functions point at them, and
        /// a funcref may outlive every object of its type).
        var entries: [FunctionType: UInt] = [:]
        var arena: Arena?
    }

    private static let state = Mutex(State())

    /// The host-call trampoline for `type`; nil when this machine has no
    /// code generator or no executable memory could be had (the host
    /// function then works as an import only).
    static func trampoline(for type: FunctionType) -> UnsafeRawPointer? {
        state.withLock { state in
            if let address = state.entries[type] { return UnsafeRawPointer(bitPattern: address) }
            guard let code = HostCallCode.trampoline(for: type) else { return nil }
            if state.arena?.fits(code.count) != true { state.arena = Arena(atLeast: code.count) }
            guard let entry = state.arena?.place(code) else { return nil }
            state.entries[type] = UInt(bitPattern: entry)
            return entry
        }
    }

    /// A reserved range of pages registered as compiled code (so that a
    /// backtrace through a trampoline walks on into the wasm caller), filled
    /// one trampoline per page run: a page is written once, then made
    /// read+execute, so no page is ever writable while code may run in it.
    private final class Arena: @unchecked Sendable {
        static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        static let defaultPages = 64

        let base: UnsafeMutableRawPointer
        let size: Int
        var used = 0
        /// Keeps the range registered for the life of the process.
        let registration: CodeRegistration

        init?(atLeast bytes: Int) {
            let size = max(Self.defaultPages, (bytes + Self.pageSize - 1) / Self.pageSize) * Self.pageSize
            guard let base = mmap(nil, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
                  base != MAP_FAILED else { return nil }
            guard let registration = try? CodeRegistration(start: UnsafeRawPointer(base), length: size, trapSites: []) else {
                munmap(base, size)
                return nil
            }
            self.base = base
            self.size = size
            self.registration = registration
        }

        func pages(for bytes: Int) -> Int { max(1, (bytes + Self.pageSize - 1) / Self.pageSize) * Self.pageSize }

        func fits(_ bytes: Int) -> Bool { used + pages(for: bytes) <= size }

        func place(_ code: [UInt8]) -> UnsafeRawPointer? {
            let length = pages(for: code.count)
            guard used + length <= size else { return nil }
            let start = base + used
            guard mprotect(start, length, PROT_READ | PROT_WRITE) == 0 else { return nil }
            code.withUnsafeBytes { start.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            guard mprotect(start, length, PROT_READ | PROT_EXEC) == 0 else { return nil }
            used += length
            return UnsafeRawPointer(start)
        }
    }
}
