// A 32-bit linear memory. With guard regions (the default), the whole
// addressable range plus a guard is reserved as inaccessible address space
// and `grow` only changes protection, so compiled code needs no bounds
// checks: any access past the accessible size faults. Code compiled with
// explicit bounds checks compares every access with the length itself, so
// its memories reserve only what their maximum can reach. A memory never
// silently changes strategy: guard-region code run against a memory without
// a guard would read and write outside it.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SwasmABI

/// How out-of-bounds accesses are caught for a memory.
public enum BoundsCheckStrategy: Sendable, Equatable {
    /// Reserved guard region; hardware faults catch out-of-bounds accesses.
    case guardRegion
    /// Compiled code compares each address with the current length.
    case explicit
}

public enum MemoryError: Error, Sendable, Equatable, CustomStringConvertible {
    case reservationFailed(bytes: UInt64, errno: Int32)
    /// The 4 GiB + 4 GiB guard-region reservation was refused (`ulimit -v`,
    /// exhausted address space).
    case guardReservationFailed(bytes: UInt64, errno: Int32)
    case limitsTooLarge(pages: UInt64)

    public var description: String {
        switch self {
        case .reservationFailed(let bytes, let code):
            return "cannot reserve \(bytes) bytes of address space for a linear memory (errno \(code))"
        case .guardReservationFailed(let bytes, let code):
            return "cannot reserve \(bytes) bytes of address space (4 GiB plus a 4 GiB guard region) for a linear memory"
                + " of code compiled for guard regions (errno \(code)); compile with `--bounds-checks explicit`"
                + " (Engine.Config.memoryStrategy = .explicitBoundsChecks) so that memories reserve only their maximum size"
        case .limitsTooLarge(let pages):
            return "memory of \(pages) pages exceeds the 65536-page limit of 32-bit memories"
        }
    }
}

public final class LinearMemory {
    public let strategy: BoundsCheckStrategy
    public let maximumPages: UInt64
    /// The most pages the reservation can hold: `maximumPages`, or fewer when
    /// an explicit memory's reservation is smaller (growing past it fails).
    public let reservedPages: UInt64
    /// Start of the memory; stable for its whole life.
    public private(set) var base: UnsafeMutableRawPointer
    public private(set) var pageCount: UInt64
    let reservedBytes: Int

    public var byteCount: Int { Int(pageCount) * SwasmABI.pageSize }

    /// Creates a memory of `minimumPages`, growable up to `maximumPages`
    /// (at most 65536).
    ///
    /// A guard-region memory reserves `SwasmABI.memoryReservation` (8 GiB)
    /// or throws `MemoryError.guardReservationFailed`. An explicit memory
    /// reserves what `maximumPages` needs, capped at `reservation` bytes when
    /// given; without a cap, when the address space cannot hold the maximum
    /// it settles for halves of it down to the minimum size, and `grow` past
    /// the reservation fails (as the spec lets `memory.grow` fail).
    public init(minimumPages: UInt64, maximumPages: UInt64?, strategy: BoundsCheckStrategy = .guardRegion,
                reservation: UInt64? = nil) throws {
        let limit = maximumPages ?? 65536
        guard minimumPages <= 65536, limit <= 65536 else {
            throw MemoryError.limitsTooLarge(pages: max(minimumPages, limit))
        }
        self.maximumPages = limit
        self.strategy = strategy
        pageCount = minimumPages
        let page = UInt64(SwasmABI.pageSize)
        if strategy == .guardRegion {
            reservedBytes = Int(SwasmABI.memoryReservation)
            reservedPages = limit
            guard let reserved = Self.reserve(reservedBytes) else {
                throw MemoryError.guardReservationFailed(bytes: SwasmABI.memoryReservation, errno: errno)
            }
            base = reserved
        } else {
            // One page more than the pages themselves, so that a zero-size
            // memory still has a valid base.
            var pages = limit
            if let reservation { pages = max(minimumPages, min(limit, reservation / page)) }
            var reserved = Self.reserve(Int((pages + 1) * page))
            while reserved == nil && reservation == nil && pages > minimumPages {
                pages = max(minimumPages, pages / 2)
                reserved = Self.reserve(Int((pages + 1) * page))
            }
            guard let reserved else {
                throw MemoryError.reservationFailed(bytes: (pages + 1) * page, errno: errno)
            }
            base = reserved
            reservedPages = pages
            reservedBytes = Int((pages + 1) * page)
        }
        if minimumPages > 0 {
            guard mprotect(base, Int(minimumPages) * SwasmABI.pageSize, PROT_READ | PROT_WRITE) == 0 else {
                munmap(base, reservedBytes)
                throw MemoryError.reservationFailed(bytes: minimumPages * page, errno: errno)
            }
        }
    }

    deinit {
        munmap(base, reservedBytes)
    }

    static func reserve(_ bytes: Int) -> UnsafeMutableRawPointer? {
        let flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE
        guard let pointer = mmap(nil, bytes, PROT_NONE, flags, -1, 0), pointer != MAP_FAILED else { return nil }
        return pointer
    }

    /// `memory.grow`: adds `delta` pages and returns the old page count, or
    /// nil (wasm's -1) when the maximum would be exceeded or the host refuses.
    public func grow(by delta: UInt64) -> UInt64? {
        let old = pageCount
        guard delta <= reservedPages, old + delta <= reservedPages else { return nil }
        if delta == 0 { return old }
        let start = base + Int(old) * SwasmABI.pageSize
        guard mprotect(start, Int(delta) * SwasmABI.pageSize, PROT_READ | PROT_WRITE) == 0 else { return nil }
        pageCount = old + delta
        return old
    }

    /// True when `count` bytes at `address` are inside the accessible memory.
    @inlinable public func contains(address: UInt64, count: UInt64) -> Bool {
        let (end, overflow) = address.addingReportingOverflow(count)
        return !overflow && end <= UInt64(byteCount)
    }

    /// Copies bytes out of the memory; nil when the range is out of bounds.
    public func read(at address: UInt64, count: Int) -> [UInt8]? {
        guard count >= 0, contains(address: address, count: UInt64(count)) else { return nil }
        return Array(UnsafeRawBufferPointer(start: base + Int(address), count: count))
    }

    /// Copies bytes into the memory; false when the range is out of bounds.
    @discardableResult
    public func write(_ bytes: [UInt8], at address: UInt64) -> Bool {
        guard contains(address: address, count: UInt64(bytes.count)) else { return false }
        bytes.withUnsafeBytes { (base + Int(address)).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return true
    }
}
