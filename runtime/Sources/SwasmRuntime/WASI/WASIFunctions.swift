// The wasi_snapshot_preview1 functions: `@convention(c)` host functions called
// by compiled code as (callerVMContext, wasm parameters...) -> errno.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CSwasmRuntime
import SwasmABI
import WasmModel

/// The caller's linear memory, as its VM context describes it now. Every
/// access is checked against the current length (overflow-safe).
struct GuestMemory {
    let base: UnsafeMutableRawPointer?
    let length: UInt64

    init(_ vmctx: UnsafeMutableRawPointer) {
        base = vmctx.load(fromByteOffset: VMContextLayout.memoryBase, as: UnsafeMutableRawPointer?.self)
        length = base == nil ? 0 : vmctx.load(fromByteOffset: VMContextLayout.memoryLength, as: UInt64.self)
    }

    func pointer(_ address: Int32, _ count: UInt64) throws(WASIErrno) -> UnsafeMutableRawPointer {
        let start = UInt64(UInt32(bitPattern: address))
        guard let base, count <= length, start <= length - count else { throw .fault }
        return base + Int(start)
    }

    func buffer(_ address: Int32, _ count: Int32) throws(WASIErrno) -> UnsafeMutableRawBufferPointer {
        let length = UInt64(UInt32(bitPattern: count))
        return UnsafeMutableRawBufferPointer(start: try pointer(address, length), count: Int(length))
    }

    func load<T: FixedWidthInteger>(_ address: Int32, offset: Int = 0, as type: T.Type) throws(WASIErrno) -> T {
        try pointer(address, UInt64(offset + MemoryLayout<T>.size)).loadUnaligned(fromByteOffset: offset, as: T.self)
    }

    func store<T: FixedWidthInteger>(_ value: T, _ address: Int32, offset: Int = 0) throws(WASIErrno) {
        try pointer(address, UInt64(offset + MemoryLayout<T>.size)).storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
    }

    /// Checks that `count` bytes at `address` are writable, before a call has effects.
    func check(_ address: Int32, _ count: Int) throws(WASIErrno) { _ = try pointer(address, UInt64(count)) }

    func bytes(_ address: Int32, _ count: Int32) throws(WASIErrno) -> [UInt8] {
        Array(UnsafeRawBufferPointer(try buffer(address, count)))
    }

    /// The most iovecs one readv/writev takes on Linux (IOV_MAX).
    static let maximumIovecs = 1024

    /// The host iovec array for `count` guest iovecs {u32 buf, u32 len} at
    /// `address`: the first `maximumIovecs` of them. The call then transfers
    /// what those hold and returns that count, a partial read or write that
    /// callers loop on (the kernel would refuse more with EINVAL).
    func iovecs(_ address: Int32, _ count: Int32) throws(WASIErrno) -> [iovec] {
        let total = UInt64(UInt32(bitPattern: count))
        let table = try pointer(address, total * 8)
        let n = Int(min(total, UInt64(Self.maximumIovecs)))
        var result: [iovec] = []
        result.reserveCapacity(n)
        for i in 0..<n {
            let buf = table.loadUnaligned(fromByteOffset: i * 8, as: UInt32.self)
            let len = table.loadUnaligned(fromByteOffset: i * 8 + 4, as: UInt32.self)
            let p = try pointer(Int32(bitPattern: buf), UInt64(len))
            result.append(iovec(iov_base: p, iov_len: Int(len)))
        }
        return result
    }
}

typealias VMContext = UnsafeMutableRawPointer?

enum WASIFunctions {
    /// Runs a WASI function's body with the caller's context and memory and
    /// turns its outcome into an errno.
    @inline(__always)
    static func call(_ vmctx: VMContext, _ body: (WASI, GuestMemory) throws(WASIErrno) -> Void) -> Int32 {
        guard let vmctx, let wasi = Instance.owning(vmctx).hostContext as? WASI else { return Int32(WASIErrno.nosys.rawValue) }
        do {
            try body(wasi, GuestMemory(vmctx))
            return 0
        } catch {
            return Int32(error.rawValue)
        }
    }

    static func check(_ result: Int) throws(WASIErrno) { if result < 0 { throw WASIErrno(host: errno) } }
    static func check(_ result: Int32) throws(WASIErrno) { if result < 0 { throw WASIErrno(host: errno) } }

    static func path(_ memory: GuestMemory, _ address: Int32, _ length: Int32) throws(WASIErrno) -> [UInt8] {
        // Bounds first (EFAULT), then the length before copying: a longer
        // path costs the host nothing.
        let buffer = try memory.buffer(address, length)
        guard buffer.count <= Int(WASIPaths.maximumPathLength) else { throw .nametoolong }
        let bytes = Array(UnsafeRawBufferPointer(buffer))
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .ilseq }
        return bytes
    }

    /// Resolves a guest path under directory descriptor `fd`, which must
    /// have `right`.
    static func resolve(_ wasi: WASI, _ memory: GuestMemory, _ fd: Int32, _ address: Int32, _ length: Int32,
                        follow: Bool, right: UInt64) throws(WASIErrno) -> ResolvedPath {
        let directory = try wasi.descriptor(fd)
        let bytes = try path(memory, address, length)
        if directory.stream != nil { throw .badf }
        guard directory.isDirectory else { throw .notdir }
        try directory.require(right)
        return try WASIPaths.resolve(directory.hostFD, bytes, followFinal: follow)
    }

    // MARK: Time

    static func hostClock(_ id: Int32) throws(WASIErrno) -> clockid_t {
        switch id {
        case 0: return CLOCK_REALTIME
        case 1: return CLOCK_MONOTONIC
        case 2: return CLOCK_PROCESS_CPUTIME_ID
        case 3: return CLOCK_THREAD_CPUTIME_ID
        default: throw .inval
        }
    }

    static func now(_ clock: clockid_t) -> UInt64 {
        var time = timespec()
        clock_gettime(clock, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    static func nanoseconds(_ time: timespec) -> UInt64 {
        UInt64(max(0, time.tv_sec)) &* 1_000_000_000 &+ UInt64(max(0, time.tv_nsec))
    }

    static func timespecFrom(_ ns: UInt64) -> timespec {
        timespec(tv_sec: Int(ns / 1_000_000_000), tv_nsec: Int(ns % 1_000_000_000))
    }

    static let utimeNow = (1 << 30) - 1
    static let utimeOmit = (1 << 30) - 2

    /// The two timespecs for utimensat/futimens from WASI times and fstflags.
    static func times(_ atim: Int64, _ mtim: Int64, _ flags: Int32) throws(WASIErrno) -> [timespec] {
        let f = UInt16(truncatingIfNeeded: flags)
        guard f & ~UInt16(15) == 0 else { throw .inval }
        if f & WASIFlags.atim != 0 && f & WASIFlags.atimNow != 0 { throw .inval }
        if f & WASIFlags.mtim != 0 && f & WASIFlags.mtimNow != 0 { throw .inval }
        func one(_ value: Int64, _ set: UInt16, _ now: UInt16) -> timespec {
            if f & now != 0 { return timespec(tv_sec: 0, tv_nsec: utimeNow) }
            if f & set != 0 { return timespecFrom(UInt64(bitPattern: value)) }
            return timespec(tv_sec: 0, tv_nsec: utimeOmit)
        }
        return [one(atim, WASIFlags.atim, WASIFlags.atimNow), one(mtim, WASIFlags.mtim, WASIFlags.mtimNow)]
    }

    /// Writes a 64-byte `filestat`.
    static func storeFilestat(_ info: stat, _ memory: GuestMemory, _ address: Int32) throws(WASIErrno) {
        let p = try memory.pointer(address, 64)
        p.initializeMemory(as: UInt8.self, repeating: 0, count: 64)
        p.storeBytes(of: UInt64(info.st_dev), toByteOffset: 0, as: UInt64.self)
        p.storeBytes(of: UInt64(info.st_ino), toByteOffset: 8, as: UInt64.self)
        p.storeBytes(of: WASI.filetype(mode: info.st_mode), toByteOffset: 16, as: UInt8.self)
        p.storeBytes(of: UInt64(info.st_nlink), toByteOffset: 24, as: UInt64.self)
        p.storeBytes(of: UInt64(info.st_size), toByteOffset: 32, as: UInt64.self)
        p.storeBytes(of: nanoseconds(info.st_atim), toByteOffset: 40, as: UInt64.self)
        p.storeBytes(of: nanoseconds(info.st_mtim), toByteOffset: 48, as: UInt64.self)
        p.storeBytes(of: nanoseconds(info.st_ctim), toByteOffset: 56, as: UInt64.self)
    }

    // MARK: Arguments and environment

    static func sizes(_ list: [[UInt8]], _ memory: GuestMemory, _ countAddress: Int32, _ sizeAddress: Int32) throws(WASIErrno) {
        try memory.check(countAddress, 4)
        try memory.store(UInt32(list.count), sizeAddress)
        try memory.store(UInt32(list.count), countAddress)
        try memory.store(UInt32(list.reduce(0) { $0 + $1.count }), sizeAddress)
    }

    static func strings(_ list: [[UInt8]], _ memory: GuestMemory, _ pointers: Int32, _ buffer: Int32) throws(WASIErrno) {
        let total = list.reduce(0) { $0 + $1.count }
        try memory.check(pointers, list.count * 4)
        let out = try memory.pointer(buffer, UInt64(total))
        var offset = 0
        for (index, bytes) in list.enumerated() {
            try memory.store(UInt32(bitPattern: buffer) &+ UInt32(offset), pointers, offset: index * 4)
            bytes.withUnsafeBytes { (out + offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            offset += bytes.count
        }
    }

    // MARK: The functions

    static let argsGet: @convention(c) (VMContext, Int32, Int32) -> Int32 = { vmctx, argv, buffer in
        call(vmctx) { wasi, memory throws(WASIErrno) in try strings(wasi.argumentBytes, memory, argv, buffer) }
    }
    static let argsSizesGet: @convention(c) (VMContext, Int32, Int32) -> Int32 = { vmctx, count, size in
        call(vmctx) { wasi, memory throws(WASIErrno) in try sizes(wasi.argumentBytes, memory, count, size) }
    }
    static let environGet: @convention(c) (VMContext, Int32, Int32) -> Int32 = { vmctx, environ, buffer in
        call(vmctx) { wasi, memory throws(WASIErrno) in try strings(wasi.environmentBytes, memory, environ, buffer) }
    }
    static let environSizesGet: @convention(c) (VMContext, Int32, Int32) -> Int32 = { vmctx, count, size in
        call(vmctx) { wasi, memory throws(WASIErrno) in try sizes(wasi.environmentBytes, memory, count, size) }
    }

    static let clockResGet: @convention(c) (VMContext, Int32, Int32) -> Int32 = { vmctx, id, result in
        call(vmctx) { _, memory throws(WASIErrno) in
            let clock = try hostClock(id)
            var res = timespec()
            try check(clock_getres(clock, &res))
            try memory.store(nanoseconds(res), result)
        }
    }
    static let clockTimeGet: @convention(c) (VMContext, Int32, Int64, Int32) -> Int32 = { vmctx, id, _, result in
        call(vmctx) { _, memory throws(WASIErrno) in
            let clock = try hostClock(id)
            try memory.check(result, 8)
            try memory.store(now(clock), result)
        }
    }

    static let randomGet: @convention(c) (VMContext, Int32, Int32) -> Int32 = { vmctx, address, length in
        call(vmctx) { _, memory throws(WASIErrno) in
            let buffer = try memory.buffer(address, length)
            guard buffer.count > 0 else { return }
            let source = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
            try check(source)
            defer { close(source) }
            var done = 0
            while done < buffer.count {
                let n = read(source, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 { if errno == EINTR { continue }; throw WASIErrno(host: errno) }
                if n == 0 { throw .io }
                done += n
            }
        }
    }

    static let fdRead: @convention(c) (VMContext, Int32, Int32, Int32, Int32) -> Int32 = { vmctx, fd, iovs, count, result in
        call(vmctx) { wasi, memory throws(WASIErrno) in
            let entry = try wasi.descriptor(fd)
            let vectors = try memory.iovecs(iovs, count)
            try memory.check(result, 4)
            if entry.isDirectory { throw .isdir }
            try entry.require(WASIRights.fdRead)
            let n = vectors.withUnsafeBufferPointer { readv(entry.hostFD, $0.baseAddress, Int32($0.count)) }
            try check(n)
            try memory.store(UInt32(n), result)
        }
    }
    static let fdWrite: @convention(c) (VMContext, Int32, Int32, Int32, Int32) -> Int32 = { vmctx, fd, iovs, count, result in
        call(vmctx) { wasi, memory throws(WASIErrno) in
            let entry = try wasi.descriptor(fd)
            let vectors = try memory.iovecs(iovs, count)
            try memory.check(result, 4)
            if entry.isDirectory { throw .badf }
            try entry.require(WASIRights.fdWrite)
            let n = vectors.withUnsafeBufferPointer { writev(entry.hostFD, $0.baseAddress, Int32($0.count)) }
            try check(n)
            try memory.store(UInt32(n), result)
        }
    }
    static let fdPread: @convention(c) (VMContext, Int32, Int32, Int32, Int64, Int32) -> Int32 = { vmctx, fd, iovs, count, offset, result in
        call(vmctx) { wasi, memory throws(WASIErrno) in
            let entry = try wasi.descriptor(fd)
            let vectors = try memory.iovecs(iovs, count)
            try memory.check(result, 4)
            if entry.isDirectory { throw .isdir }
            try entry.require(WASIRights.fdRead)
            try entry.requireSeekable()
            try entry.require(WASIRights.fdSeek)
            guard offset >= 0 else { throw .inval }
            let n = vectors.withUnsafeBufferPointer { preadv(entry.hostFD, $0.baseAddress, Int32($0.count), off_t(offset)) }
            try check(n)
            try memory.store(UInt32(n), result)
        }
    }
    static let fdPwrite: @convention(c) (VMContext, Int32, Int32, Int32, Int64, Int32) -> Int32 = { vmctx, fd, iovs, count, offset, result in
        call(vmctx) { wasi, memory throws(WASIErrno) in
            let entry = try wasi.descriptor(fd)
            let vectors = try memory.iovecs(iovs, count)
            try memory.check(result, 4)
            if entry.isDirectory { throw .badf }
            try entry.require(WASIRights.fdWrite)
            try entry.requireSeekable()
            try entry.require(WASIRights.fdSeek)
            guard offset >= 0 else { throw .inval }
            let n = vectors.withUnsafeBufferPointer { pwritev(entry.hostFD, $0.baseAddress, Int32($0.count), off_t(offset)) }
            try check(n)
            try memory.store(UInt32(n), result)
        }
    }
    static let fdSeek: @convention(c) (VMContext, Int32, Int64, Int32, Int32) -> Int32 = { vmctx, fd, offset, whence, result in
        call(vmctx) { wasi, memory throws(WASIErrno) in
            let entry = try wasi.descriptor(fd)
            try memory.check(result, 8)
            try entry.requireSeekable()
            guard (0...2).contains(whence) else { throw .inval }
            if entry.isDirectory { throw .badf }
            // Asking for the position needs only fd_tell.
            let tellOnly = offset == 0 && whence == SEEK_CUR && entry.rightsBase & WASIRights.fdSeek == 0
            try entry.require(tellOnly ? WASIRights.fdTell : WASIRights.fdSeek)
            let position = lseek(entry.hostFD, off_t(offset), whence)
            try check(Int(position))
            try memory.store(UInt64(position), result)
        }
    }
    static let fdTell: @convention(c) (VMContext, Int32, Int32) -> Int32 = { vmctx, fd, result in
        call(vmctx) { wasi, memory throws(WASIErrno) in
            let entry = try wasi.descriptor(fd)
            try memory.check(result, 8)
            try entry.requireSeekable()
            if entry.isDirectory { throw .badf }
            try entry.require(WASIRights.fdTell)
            let position = lseek(entry.hostFD, 0, SEEK_CUR)
            try check(Int(position))
            try memory.store(UInt64(position), result)
        }
    }
    static let fdClose: @convention(c) (VMContext, Int32) -> Int32 = { vmctx, fd in
        call(vmctx) { wasi, _ throws(WASIErrno) in
            guard wasi.descriptors.removeValue(forKey: fd) != nil else { throw .badf }
        }
    }
    static let fdSync: @convention(c) (VMContext, Int32) -> Int32 = { vmctx, fd in
        call(vmctx) { wasi, _ throws(WASIErrno) in
            let entry = try wasi.descriptor(fd)
            try entry.require(WASIRights.fdSync)
            try check(fsync(entry.hostFD))
        }
    }
    static let fdDatasync: @convention(c) (VMContext, Int32) -> Int32 = { vmctx, fd in
        call(vmctx) { wasi, _ throws(WASIErrno) in
            let entry = try wasi.descriptor(fd)
            try entry.require(entry.isDirectory ? WASIRights.fdSync : WASIRights.fdDatasync)
            try check(fdatasync(entry.hostFD))
        }
    }
    static let fdFdstatGet: @convention(c) (VMContext, Int32, Int32) -> Int32 = { vmctx, fd, result in
        call(vmctx) { wasi, memory throws(WASIErrno) in
            let entry = try wasi.descriptor(fd)
            let p = try memory.pointer(result, 24)
            // A stream's flags belong to the host (`>>` gives O_APPEND).
            let hostFlags = entry.stream == nil ? fcntl(entry.hostFD, F_GETFL) : 0
            try check(hostFlags)
            var flags: UInt16 = 0
            if hostFlags & O_APPEND != 0 { flags |= WASIFlags.append }
            if hostFlags & O_NONBLOCK != 0 { flags |= WASIFlags.nonblock }
            if hostFlags & O_SYNC == O_SYNC { flags |= WASIFlags.sync }
            else if hostFlags & O_DSYNC != 0 { flags |= WASIFlags.dsync }
            p.initializeMemory(as: UInt8.self, repeating: 0, count: 24)
            p.storeBytes(of: entry.filetype, as: UInt8.self)
            p.storeBytes(of: flags, toByteOffset: 2, as: UInt16.self)
            p.storeBytes(of: entry.rightsBase, toByteOffset: 8, as: UInt64.self)
            p.storeBytes(of: entry.rightsInheriting, toByteOffset: 16, as: UInt64.self)
        }
    }
    static let fdFdstatSetFlags: @convention(c) (VMContext, Int32, Int32) -> Int32 = { vmctx, fd, flags in
        call(vmctx) { wasi, _ throws(WASIErrno) in
            let entry = try wasi.descriptor(fd)
            let wanted = UInt16(truncatingIfNeeded: flags)
            // The flags are the open file description's: on stdio they would
            // outlive the guest and change the host's own descriptors.
            try entry.require(WASIRights.fdFdstatSetFlags)
            guard wanted & ~(WASIFlags.append | WASIFlags.nonblock) == 0 else { throw .inval }
            var hostFlags = fcntl(entry.hostFD, F_GETFL)
            try check(hostFlags)
            hostFlags &= ~(O_APPEND | O_NONBLOCK)
            if wanted & WASIFlags.append != 0 { hostFlags |= O_APPEND }
            if wanted & WASIFlags.nonblock != 0 { hostFlags |= O_NONBLOCK }
            try check(fcntl(entry.hostFD, F_SETFL, hostFlags))
        }
    }
    static let fdFdstatSetRights: @convention(c) (VMContext, Int32, Int64, Int64) -> Int32 = { vmctx, fd, base, inheriting in
        call(vmctx) { wasi, _ throws(WASIErrno) in
            let entry = try wasi.descriptor(fd)
            if entry.stream != nil { throw .badf }
            let b = UInt64(bitPattern: base), i = UInt64(bitPattern: inheriting)
            guard b & ~entry.rightsBase == 0, i & ~entry.rightsInheriting == 0 else { throw .notcapable }
            entry.rightsBase = b
            entry.rightsInheriting = i
        }
    }
    static let fdFilestatGet: @convention(c) (VMContext, Int32, Int32) -> Int32 = { vmctx, fd, result in
        call(vmctx) { wasi, memory throws(WASIErrno) in
            let entry = try wasi.descriptor(fd)
            try memory.check(result, 64)
            var info = stat()
            if entry.stream != nil {
                // Nothing of the host's file behind a stream but its type.
                let p = try memory.pointer(result, 64)
                p.initializeMemory(as: UInt8.self, repeating: 0, count: 64)
                p.storeBytes(of: entry.filetype, toByteOffset: 16, as: UInt8.self)
                return
            }
            try entry.require(WASIRights.fdFilestatGet)
            try check(fstat(entry.hostFD, &info))
            try storeFilestat(info, memory, result)
        }
    }
    static let fdFilestatSetSize: @convention(c) (VMContext, Int32, Int64) -> Int32 = { vmctx, fd, size in
        call(vmctx) { wasi, _ throws(WASIErrno) in
            let entry = try wasi.descriptor(fd)
            if entry.isDirectory { throw .badf }
            try entry.require(WASIRights.fdFilestatSetSize)
            try check(ftruncate(entry.hostFD, off_t(size)))
        }
    }
    static let fdFilestatSetTimes: @convention(c) (VMContext, Int32, Int64, Int64, Int32) -> Int32 = { vmctx, fd, atim, mtim, flags in
        call(vmctx) { wasi, _ throws(WASIErrno) in
            let entry = try wasi.descriptor(fd)
            try entry.require(WASIRights.fdFilestatSetTimes)
            let spec = try times(atim, mtim, flags)
            try check(spec.withUnsafeBufferPointer { futimens(entry.hostFD, $0.baseAddress) })
        }
    }
    static let fdPrestatGet: @convention(c) (VMContext, Int32, Int32) -> Int32 = { vmctx, fd, result in
        call(vmctx) { wasi, memory throws(WASIErrno) in
            guard let name = try wasi.descriptor(fd).preopenName else { throw .badf }
            try memory.check(result, 8)
            try memory.store(UInt32(0), result)
            try memory.store(UInt32(name.utf8.count), result, offset: 4)
        }
    }
    static let fdPrestatDirName: @convention(c) (VMContext, Int32, Int32, Int32) -> Int32 = { vmctx, fd, address, length in
        call(vmctx) { wasi, memory throws(WASIErrno) in
            guard let name = try wasi.descriptor(fd).preopenName else { throw .badf }
            let bytes = Array(name.utf8)
            guard UInt32(bitPattern: length) >= UInt32(bytes.count) else { throw .nametoolong }
            let out = try memory.pointer(address, UInt64(bytes.count))
            bytes.withUnsafeBytes { if $0.count > 0 { out.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
        }
    }
    static let fdReaddir: @convention(c) (VMContext, Int32, Int32, Int32, Int64, Int32) -> Int32 = { vmctx, fd, address, length, cookie, result in
        call(vmctx) { wasi, memory throws(WASIErrno) in
            let entry = try wasi.descriptor(fd)
            let out = try memory.buffer(address, length)
            try memory.check(result, 4)
            if entry.stream != nil { throw .badf }
            guard entry.isDirectory else { throw .notdir }
            try entry.require(WASIRights.fdReaddir)
            let entries = try directoryEntries(entry.hostFD)
            var used = 0
            var index = Int(clamping: UInt64(bitPattern: cookie))
            while index < entries.count && used < out.count {
                let (name, inode, type) = entries[index]
                var record = [UInt8](repeating: 0, count: 24)
                record.withUnsafeMutableBytes { r in
                    r.storeBytes(of: UInt64(index + 1).littleEndian, toByteOffset: 0, as: UInt64.self)
                    r.storeBytes(of: inode.littleEndian, toByteOffset: 8, as: UInt64.self)
                    r.storeBytes(of: UInt32(name.count).littleEndian, toByteOffset: 16, as: UInt32.self)
                    r.storeBytes(of: type, toByteOffset: 20, as: UInt8.self)
                }
                record += name
                let n = min(record.count, out.count - used)
                record.withUnsafeBytes { (out.baseAddress! + used).copyMemory(from: $0.baseAddress!, byteCount: n) }
                used += n
                index += 1
            }
            try memory.store(UInt32(used), result)
        }
    }

    /// Every entry of a directory, "." and ".." first: (name, inode, filetype).
    static func directoryEntries(_ fd: Int32) throws(WASIErrno) -> [([UInt8], UInt64, UInt8)] {
        let own = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        try check(own)
        guard let dir = fdopendir(own) else { let code = errno; close(own); throw WASIErrno(host: code) }
        defer { closedir(dir) }
        var dots: [([UInt8], UInt64, UInt8)] = []
        var rest: [([UInt8], UInt64, UInt8)] = []
        while let item = readdir(dir) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
                Array(raw.prefix(while: { $0 != 0 }))
            }
            let type: UInt8
            switch Int32(item.pointee.d_type) {
            case Int32(DT_REG): type = WASIFiletype.regularFile
            case Int32(DT_DIR): type = WASIFiletype.directory
            case Int32(DT_LNK): type = WASIFiletype.symbolicLink
            case Int32(DT_CHR): type = WASIFiletype.characterDevice
            case Int32(DT_BLK): type = WASIFiletype.blockDevice
            case Int32(DT_SOCK): type = WASIFiletype.socketStream
            default: type = WASIFiletype.unknown
            }
            let record = (name, UInt64(item.pointee.d_ino), type)
            if name == [46] || name == [46, 46] { dots.append(record) } else { rest.append(record) }
        }
        dots.sort { $0.0.count < $1.0.count }
        return dots + rest
    }

    static let fdRenumber: @convention(c) (VMContext, Int32, Int32) -> Int32 = { vmctx, from, to in
        call(vmctx) { wasi, _ throws(WASIErrno) in
            let entry = try wasi.descriptor(from)
            _ = try wasi.descriptor(to)
            if from == to { return }
            wasi.descriptors[to] = entry
            wasi.descriptors[from] = nil
        }
    }
    static let fdAdvise: @convention(c) (VMContext, Int32, Int64, Int64, Int32) -> Int32 = { vmctx, fd, offset, length, advice in
        call(vmctx) { wasi, _ throws(WASIErrno) in
            let entry = try wasi.descriptor(fd)
            // WASI: normal, sequential, random, willneed, dontneed, noreuse.
            let host: [Int32] = [POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                 POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE]
            guard (0..<6).contains(advice) else { throw .inval }
            if entry.isDirectory { throw .badf }
            try entry.require(WASIRights.fdAdvise)
            let code = posix_fadvise(entry.hostFD, off_t(offset), off_t(length), host[Int(advice)])
            if code != 0 && code != ESPIPE { throw WASIErrno(host: code) }
        }
    }
    static let fdAllocate: @convention(c) (VMContext, Int32, Int64, Int64) -> Int32 = { vmctx, fd, offset, length in
        call(vmctx) { wasi, _ throws(WASIErrno) in
            let entry = try wasi.descriptor(fd)
            if entry.isDirectory { throw .badf }
            try entry.require(WASIRights.fdAllocate)
            guard offset >= 0, length > 0 else { throw .inval }
            let code = posix_fallocate(entry.hostFD, off_t(offset), off_t(length))
            if code != 0 { throw WASIErrno(host: code) }
        }
    }

    // MARK: Paths

    static let pathOpen: @convention(c) (VMContext, Int32, Int32, Int32, Int32, Int32, Int64, Int64, Int32, Int32) -> Int32 = {
        vmctx, dirfd, dirflags, address, length, oflags, rightsBase, rightsInheriting, fdflags, result in
        call(vmctx) { wasi, memory throws(WASIErrno) in
            try memory.check(result, 4)
            let parent = try wasi.descriptor(dirfd)
            let o = UInt16(truncatingIfNeeded: oflags), f = UInt16(truncatingIfNeeded: fdflags)
            var needed = WASIRights.pathOpen
            if o & WASIFlags.creat != 0 { needed |= WASIRights.pathCreateFile }
            if o & WASIFlags.trunc != 0 { needed |= WASIRights.pathFilestatSetSize }
            let resolved = try resolve(wasi, memory, dirfd, address, length,
                                       follow: UInt32(bitPattern: dirflags) & WASIFlags.symlinkFollow != 0, right: needed)
            defer { resolved.close() }
            let base = UInt64(bitPattern: rightsBase)
            let wantsRead = base & (WASIRights.fdRead | WASIRights.fdReaddir) != 0
            let wantsWrite = base & (WASIRights.fdWrite | WASIRights.fdDatasync | WASIRights.fdAllocate
                                     | WASIRights.fdFilestatSetSize) != 0
            var flags = O_CLOEXEC | O_NOFOLLOW | O_NOCTTY
            if o & WASIFlags.directory != 0 || resolved.trailingSlash {
                flags |= O_DIRECTORY | O_RDONLY
                if wantsWrite && o & WASIFlags.directory != 0 { throw .isdir }
            } else if wantsWrite {
                flags |= wantsRead ? O_RDWR : O_WRONLY
            } else {
                flags |= O_RDONLY
            }
            if o & WASIFlags.creat != 0 { flags |= O_CREAT }
            if o & WASIFlags.excl != 0 { flags |= O_EXCL }
            if o & WASIFlags.trunc != 0 { flags |= O_TRUNC }
            if f & WASIFlags.append != 0 { flags |= O_APPEND }
            if f & WASIFlags.nonblock != 0 { flags |= O_NONBLOCK }
            if f & WASIFlags.sync != 0 || f & WASIFlags.rsync != 0 { flags |= O_SYNC }
            if f & WASIFlags.dsync != 0 { flags |= O_DSYNC }
            if flags & (O_CREAT | O_TRUNC) != 0 && !wantsWrite && flags & O_DIRECTORY == 0 {
                // wasi-libc asks for write rights whenever it creates or truncates; honour O_TRUNC anyway.
                flags = (flags & ~O_RDONLY) | O_RDWR
            }
            let fd = openat(resolved.directory, resolved.name, flags, 0o666)
            guard fd >= 0 else {
                let code = errno
                // Opening a symlink with O_NOFOLLOW: ELOOP, as WASI wants.
                throw WASIErrno(host: code)
            }
            let type = WASI.filetype(ofHostFD: fd)
            let allowed = type == WASIFiletype.directory ? WASIRights.directory : WASIRights.file
            let entry = WASIDescriptor(hostFD: fd, filetype: type, rightsBase: base & allowed & parent.rightsInheriting,
                                       rightsInheriting: UInt64(bitPattern: rightsInheriting) & parent.rightsInheriting)
            try memory.store(UInt32(bitPattern: wasi.allocate(entry)), result)
        }
    }
    static let pathCreateDirectory: @convention(c) (VMContext, Int32, Int32, Int32) -> Int32 = { vmctx, fd, address, length in
        call(vmctx) { wasi, memory throws(WASIErrno) in
            let resolved = try resolve(wasi, memory, fd, address, length, follow: false,
                                       right: WASIRights.pathCreateDirectory)
            defer { resolved.close() }
            try check(mkdirat(resolved.directory, resolved.name, 0o777))
        }
    }
    static let pathRemoveDirectory: @convention(c) (VMContext, Int32, Int32, Int32) -> Int32 = { vmctx, fd, address, length in
        call(vmctx) { wasi, memory throws(WASIErrno) in
            let resolved = try resolve(wasi, memory, fd, address, length, follow: false,
                                       right: WASIRights.pathRemoveDirectory)
            defer { resolved.close() }
            try check(unlinkat(resolved.directory, resolved.name, AT_REMOVEDIR))
        }
    }
    static let pathUnlinkFile: @convention(c) (VMContext, Int32, Int32, Int32) -> Int32 = { vmctx, fd, address, length in
        call(vmctx) { wasi, memory throws(WASIErrno) in
            let resolved = try resolve(wasi, memory, fd, address, length, follow: false,
                                       right: WASIRights.pathUnlinkFile)
            defer { resolved.close() }
            if resolved.trailingSlash { throw .notdir }
            try check(unlinkat(resolved.directory, resolved.name, 0))
        }
    }
    static let pathRename: @convention(c) (VMContext, Int32, Int32, Int32, Int32, Int32, Int32) -> Int32 = {
        vmctx, fd, oldAddress, oldLength, newFD, newAddress, newLength in
        call(vmctx) { wasi, memory throws(WASIErrno) in
            let old = try resolve(wasi, memory, fd, oldAddress, oldLength, follow: false,
                                  right: WASIRights.pathRenameSource)
            defer { old.close() }
            let new = try resolve(wasi, memory, newFD, newAddress, newLength, follow: false,
                                  right: WASIRights.pathRenameTarget)
            defer { new.close() }
            try check(renameat(old.directory, old.name, new.directory, new.name))
        }
    }
    static let pathFilestatGet: @convention(c) (VMContext, Int32, Int32, Int32, Int32, Int32) -> Int32 = {
        vmctx, fd, flags, address, length, result in
        call(vmctx) { wasi, memory throws(WASIErrno) in
            try memory.check(result, 64)
            let resolved = try resolve(wasi, memory, fd, address, length,
                                       follow: UInt32(bitPattern: flags) & WASIFlags.symlinkFollow != 0,
                                       right: WASIRights.pathFilestatGet)
            defer { resolved.close() }
            var info = stat()
            try check(fstatat(resolved.directory, resolved.name, &info, AT_SYMLINK_NOFOLLOW))
            try storeFilestat(info, memory, result)
        }
    }
    static let pathFilestatSetTimes: @convention(c) (VMContext, Int32, Int32, Int32, Int32, Int64, Int64, Int32) -> Int32 = {
        vmctx, fd, flags, address, length, atim, mtim, fstflags in
        call(vmctx) { wasi, memory throws(WASIErrno) in
            let spec = try times(atim, mtim, fstflags)
            let resolved = try resolve(wasi, memory, fd, address, length,
                                       follow: UInt32(bitPattern: flags) & WASIFlags.symlinkFollow != 0,
                                       right: WASIRights.pathFilestatSetTimes)
            defer { resolved.close() }
            try check(spec.withUnsafeBufferPointer { utimensat(resolved.directory, resolved.name, $0.baseAddress, AT_SYMLINK_NOFOLLOW) })
        }
    }
    static let pathReadlink: @convention(c) (VMContext, Int32, Int32, Int32, Int32, Int32, Int32) -> Int32 = {
        vmctx, fd, address, length, buffer, bufferLength, result in
        call(vmctx) { wasi, memory throws(WASIErrno) in
            let out = try memory.buffer(buffer, bufferLength)
            try memory.check(result, 4)
            let resolved = try resolve(wasi, memory, fd, address, length, follow: false,
                                       right: WASIRights.pathReadlink)
            defer { resolved.close() }
            let target = try WASIPaths.readlink(resolved.directory, resolved.name)
            // An absolute target names a host path the guest cannot use and
            // should not learn (wasmtime answers the same).
            if target.first == UInt8(ascii: "/") { throw WASIPaths.escape }
            let n = min(target.count, out.count)
            target.withUnsafeBytes { if n > 0 { out.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: n) } }
            try memory.store(UInt32(n), result)
        }
    }
    static let pathSymlink: @convention(c) (VMContext, Int32, Int32, Int32, Int32, Int32) -> Int32 = {
        vmctx, oldAddress, oldLength, fd, newAddress, newLength in
        call(vmctx) { wasi, memory throws(WASIErrno) in
            let target = try path(memory, oldAddress, oldLength)
            guard target.first != UInt8(ascii: "/") else { throw WASIPaths.escape }
            let resolved = try resolve(wasi, memory, fd, newAddress, newLength, follow: false,
                                       right: WASIRights.pathSymlink)
            defer { resolved.close() }
            try check(symlinkat(String(decoding: target, as: UTF8.self), resolved.directory, resolved.name))
        }
    }
    static let pathLink: @convention(c) (VMContext, Int32, Int32, Int32, Int32, Int32, Int32, Int32) -> Int32 = {
        vmctx, oldFD, oldFlags, oldAddress, oldLength, newFD, newAddress, newLength in
        call(vmctx) { wasi, memory throws(WASIErrno) in
            // Linking what a symlink points to is not supported (as in wasmtime).
            guard UInt32(bitPattern: oldFlags) & WASIFlags.symlinkFollow == 0 else { throw .inval }
            let old = try resolve(wasi, memory, oldFD, oldAddress, oldLength, follow: false,
                                  right: WASIRights.pathLinkSource)
            defer { old.close() }
            let new = try resolve(wasi, memory, newFD, newAddress, newLength, follow: false,
                                  right: WASIRights.pathLinkTarget)
            defer { new.close() }
            try check(linkat(old.directory, old.name, new.directory, new.name, 0))
        }
    }

    // MARK: Polling, processes, sockets

    static let pollOneoff: @convention(c) (VMContext, Int32, Int32, Int32, Int32) -> Int32 = { vmctx, input, output, count, result in
        call(vmctx) { wasi, memory throws(WASIErrno) in try poll(wasi, memory, input, output, count, result) }
    }

    static func poll(_ wasi: WASI, _ memory: GuestMemory, _ input: Int32, _ output: Int32, _ count: Int32,
                     _ result: Int32) throws(WASIErrno) {
        let n = Int(UInt32(bitPattern: count))
        guard n > 0 else { throw .inval }
        let subscriptions = try memory.pointer(input, UInt64(n) * 48)
        let events = try memory.pointer(output, UInt64(n) * 32)
        try memory.check(result, 4)
        struct Event { var userdata: UInt64; var error: UInt16; var type: UInt8; var nbytes: UInt64 = 0; var flags: UInt16 = 0 }
        var ready: [Event] = []
        var clocks: [(userdata: UInt64, deadline: UInt64)] = []   // relative to `start`, in ns
        var waits: [(userdata: UInt64, type: UInt8, index: Int)] = []
        var pollfds: [pollfd] = []
        let start = now(CLOCK_MONOTONIC)
        for i in 0..<n {
            let s = subscriptions + i * 48
            let userdata = s.loadUnaligned(as: UInt64.self)
            let tag = s.load(fromByteOffset: 8, as: UInt8.self)
            switch tag {
            case 0:
                let id = s.loadUnaligned(fromByteOffset: 16, as: UInt32.self)
                let timeout = s.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
                let flags = s.loadUnaligned(fromByteOffset: 40, as: UInt16.self)
                guard let clock = try? hostClock(Int32(bitPattern: id)) else {
                    ready.append(Event(userdata: userdata, error: WASIErrno.inval.rawValue, type: 0))
                    continue
                }
                var relative = timeout
                if flags & 1 != 0 {
                    let current = now(clock)
                    relative = timeout > current ? timeout - current : 0
                }
                clocks.append((userdata, relative))
            case 1, 2:
                let fd = Int32(bitPattern: s.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
                // A descriptor that is not open fails the call (as in wasmtime).
                guard let entry = wasi.descriptors[fd] else { throw .badf }
                let needed = tag == 1 ? WASIRights.fdRead : WASIRights.fdWrite
                if entry.stream == nil && entry.rightsBase & needed != needed {
                    ready.append(Event(userdata: userdata, error: WASIErrno.notcapable.rawValue, type: tag))
                    continue
                }
                if entry.filetype == WASIFiletype.regularFile {
                    var nbytes: UInt64 = 0
                    if tag == 1 {
                        var info = stat()
                        let position = lseek(entry.hostFD, 0, SEEK_CUR)
                        if fstat(entry.hostFD, &info) == 0, position >= 0, Int64(info.st_size) > Int64(position) {
                            nbytes = UInt64(Int64(info.st_size) - Int64(position))
                        }
                    }
                    ready.append(Event(userdata: userdata, error: 0, type: tag, nbytes: nbytes))
                    continue
                }
                waits.append((userdata, tag, pollfds.count))
                pollfds.append(pollfd(fd: entry.hostFD, events: Int16(tag == 1 ? POLLIN : POLLOUT), revents: 0))
            default:
                ready.append(Event(userdata: userdata, error: WASIErrno.inval.rawValue, type: tag))
            }
        }
        let earliest = clocks.map(\.deadline).min()
        if ready.isEmpty && pollfds.isEmpty, let earliest {
            var request = timespecFrom(earliest), remaining = timespec()
            while clock_nanosleep(CLOCK_MONOTONIC, 0, &request, &remaining) == EINTR { request = remaining }
        } else if !pollfds.isEmpty {
            var timeout: Int32 = -1
            if !ready.isEmpty { timeout = 0 } else if let earliest { timeout = Int32(clamping: (earliest + 999_999) / 1_000_000) }
            while true {
                let r = pollfds.withUnsafeMutableBufferPointer { Glibc.poll($0.baseAddress, nfds_t($0.count), timeout) }
                if r >= 0 { break }
                if errno != EINTR { throw WASIErrno(host: errno) }
            }
            for wait in waits {
                let revents = Int32(pollfds[wait.index].revents)
                guard revents != 0 else { continue }
                var event = Event(userdata: wait.userdata, error: 0, type: wait.type)
                if revents & Int32(POLLNVAL) != 0 { event.error = WASIErrno.badf.rawValue }
                else if revents & Int32(POLLERR) != 0 { event.error = WASIErrno.io.rawValue }
                if revents & Int32(POLLHUP) != 0 { event.flags = 1 }
                ready.append(event)
            }
        }
        if ready.isEmpty {
            let elapsed = now(CLOCK_MONOTONIC) - start
            for clock in clocks where clock.deadline <= max(elapsed, earliest ?? 0) {
                ready.append(Event(userdata: clock.userdata, error: 0, type: 0))
            }
        }
        for (i, event) in ready.enumerated() {
            let e = events + i * 32
            e.initializeMemory(as: UInt8.self, repeating: 0, count: 32)
            e.storeBytes(of: event.userdata, as: UInt64.self)
            e.storeBytes(of: event.error, toByteOffset: 8, as: UInt16.self)
            e.storeBytes(of: event.type, toByteOffset: 10, as: UInt8.self)
            e.storeBytes(of: event.nbytes, toByteOffset: 16, as: UInt64.self)
            e.storeBytes(of: event.flags, toByteOffset: 24, as: UInt16.self)
        }
        try memory.store(UInt32(ready.count), result)
    }

    /// The exit statuses a guest may give: 126 and up mean "could not run"
    /// and "killed by a signal" to shells, and the host could not pass most
    /// 32-bit values on (256 would read as 0, success).
    static let exitStatuses: ClosedRange<UInt32> = 0...125

    /// Records the exit code, or for one outside `exitStatuses` the error
    /// the unwind carries; returns before the unwind so that nothing of this
    /// frame needs releasing when `swasm_raise_trap` discards it.
    @inline(never)
    static func recordExit(_ vmctx: VMContext, _ code: Int32) -> TrapCode {
        guard exitStatuses.contains(UInt32(bitPattern: code)) else {
            let message = "exit with invalid exit status \(UInt32(bitPattern: code)) (WASI allows 0 to 125)"
            CodeExecutor.noteHostTrap(Trap(.hostError, hostError: WASIError(message)))
            return .hostError
        }
        guard let vmctx, let wasi = Instance.owning(vmctx).hostContext as? WASI else { return .exit }
        wasi.exitCode = code
        return .exit
    }

    /// As the preview-1 documentation asks, an invalid status is an error
    /// (a `hostError` trap carrying a `WASIError`), never an exit.
    static let procExit: @convention(c) (VMContext, Int32) -> Void = { vmctx, code in
        swasm_raise_trap(vmctx, recordExit(vmctx, code).rawValue)
    }
    static let procRaise: @convention(c) (VMContext, Int32) -> Int32 = { _, _ in Int32(WASIErrno.nosys.rawValue) }
    static let schedYield: @convention(c) (VMContext) -> Int32 = { vmctx in
        call(vmctx) { _, _ throws(WASIErrno) in _ = sched_yield() }
    }
    static let sockAccept: @convention(c) (VMContext, Int32, Int32, Int32) -> Int32 = { vmctx, fd, _, _ in
        call(vmctx) { wasi, _ throws(WASIErrno) in _ = try wasi.descriptor(fd); throw .notsock }
    }
    static let sockRecv: @convention(c) (VMContext, Int32, Int32, Int32, Int32, Int32, Int32) -> Int32 = { vmctx, fd, _, _, _, _, _ in
        call(vmctx) { wasi, _ throws(WASIErrno) in _ = try wasi.descriptor(fd); throw .notsock }
    }
    static let sockSend: @convention(c) (VMContext, Int32, Int32, Int32, Int32, Int32) -> Int32 = { vmctx, fd, _, _, _, _ in
        call(vmctx) { wasi, _ throws(WASIErrno) in _ = try wasi.descriptor(fd); throw .notsock }
    }
    static let sockShutdown: @convention(c) (VMContext, Int32, Int32) -> Int32 = { vmctx, fd, _ in
        call(vmctx) { wasi, _ throws(WASIErrno) in _ = try wasi.descriptor(fd); throw .notsock }
    }

    // MARK: The table

    /// Every preview-1 function: its wasm type and code.
    static var table: [String: (FunctionType, UnsafeRawPointer)] {
        func entry(_ params: [ValueType], _ code: UnsafeRawPointer, _ results: [ValueType] = [.i32]) -> (FunctionType, UnsafeRawPointer) {
            (FunctionType(parameters: params, results: results), code)
        }
        func c<T>(_ f: T) -> UnsafeRawPointer { unsafeBitCast(f, to: UnsafeRawPointer.self) }
        return [
            "args_get": entry([.i32, .i32], c(argsGet)),
            "args_sizes_get": entry([.i32, .i32], c(argsSizesGet)),
            "environ_get": entry([.i32, .i32], c(environGet)),
            "environ_sizes_get": entry([.i32, .i32], c(environSizesGet)),
            "clock_res_get": entry([.i32, .i32], c(clockResGet)),
            "clock_time_get": entry([.i32, .i64, .i32], c(clockTimeGet)),
            "random_get": entry([.i32, .i32], c(randomGet)),
            "fd_advise": entry([.i32, .i64, .i64, .i32], c(fdAdvise)),
            "fd_allocate": entry([.i32, .i64, .i64], c(fdAllocate)),
            "fd_close": entry([.i32], c(fdClose)),
            "fd_datasync": entry([.i32], c(fdDatasync)),
            "fd_fdstat_get": entry([.i32, .i32], c(fdFdstatGet)),
            "fd_fdstat_set_flags": entry([.i32, .i32], c(fdFdstatSetFlags)),
            "fd_fdstat_set_rights": entry([.i32, .i64, .i64], c(fdFdstatSetRights)),
            "fd_filestat_get": entry([.i32, .i32], c(fdFilestatGet)),
            "fd_filestat_set_size": entry([.i32, .i64], c(fdFilestatSetSize)),
            "fd_filestat_set_times": entry([.i32, .i64, .i64, .i32], c(fdFilestatSetTimes)),
            "fd_pread": entry([.i32, .i32, .i32, .i64, .i32], c(fdPread)),
            "fd_prestat_get": entry([.i32, .i32], c(fdPrestatGet)),
            "fd_prestat_dir_name": entry([.i32, .i32, .i32], c(fdPrestatDirName)),
            "fd_pwrite": entry([.i32, .i32, .i32, .i64, .i32], c(fdPwrite)),
            "fd_read": entry([.i32, .i32, .i32, .i32], c(fdRead)),
            "fd_readdir": entry([.i32, .i32, .i32, .i64, .i32], c(fdReaddir)),
            "fd_renumber": entry([.i32, .i32], c(fdRenumber)),
            "fd_seek": entry([.i32, .i64, .i32, .i32], c(fdSeek)),
            "fd_sync": entry([.i32], c(fdSync)),
            "fd_tell": entry([.i32, .i32], c(fdTell)),
            "fd_write": entry([.i32, .i32, .i32, .i32], c(fdWrite)),
            "path_create_directory": entry([.i32, .i32, .i32], c(pathCreateDirectory)),
            "path_filestat_get": entry([.i32, .i32, .i32, .i32, .i32], c(pathFilestatGet)),
            "path_filestat_set_times": entry([.i32, .i32, .i32, .i32, .i64, .i64, .i32], c(pathFilestatSetTimes)),
            "path_link": entry([.i32, .i32, .i32, .i32, .i32, .i32, .i32], c(pathLink)),
            "path_open": entry([.i32, .i32, .i32, .i32, .i32, .i64, .i64, .i32, .i32], c(pathOpen)),
            "path_readlink": entry([.i32, .i32, .i32, .i32, .i32, .i32], c(pathReadlink)),
            "path_remove_directory": entry([.i32, .i32, .i32], c(pathRemoveDirectory)),
            "path_rename": entry([.i32, .i32, .i32, .i32, .i32, .i32], c(pathRename)),
            "path_symlink": entry([.i32, .i32, .i32, .i32, .i32], c(pathSymlink)),
            "path_unlink_file": entry([.i32, .i32, .i32], c(pathUnlinkFile)),
            "poll_oneoff": entry([.i32, .i32, .i32, .i32], c(pollOneoff)),
            "proc_exit": entry([.i32], c(procExit), []),
            "proc_raise": entry([.i32], c(procRaise)),
            "sched_yield": entry([], c(schedYield)),
            "sock_accept": entry([.i32, .i32, .i32], c(sockAccept)),
            "sock_recv": entry([.i32, .i32, .i32, .i32, .i32, .i32], c(sockRecv)),
            "sock_send": entry([.i32, .i32, .i32, .i32, .i32], c(sockSend)),
            "sock_shutdown": entry([.i32, .i32], c(sockShutdown)),
        ]
    }
}
