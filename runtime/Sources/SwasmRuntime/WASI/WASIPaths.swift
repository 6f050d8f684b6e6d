// Path resolution beneath a directory descriptor: component by component with
// openat(O_PATH | O_DIRECTORY | O_NOFOLLOW), expanding symlinks ourselves, so
// that no path leaves the directory it is resolved in. `..` above the start,
// absolute paths and symlinks with absolute targets are EPERM (as in wasmtime). A race
// that swaps a component for a symlink meets O_NOFOLLOW (ELOOP/ENOTDIR), never
// the outside.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The directory (a host descriptor) and the last component a path names.
struct ResolvedPath {
    let directory: Int32
    /// Never empty; "." when the path names the directory itself.
    let name: String
    /// True when `directory` was opened for this path (close it).
    let ownsDirectory: Bool
    /// The path ended with "/": it must name a directory.
    let trailingSlash: Bool

    func close() { if ownsDirectory { _ = Glibc.close(directory) } }
}

enum WASIPaths {
    /// What a path leaving its directory gets: EPERM, as wasmtime answers
    /// (the spec's ENOTCAPABLE is meant for missing rights).
    static let escape = WASIErrno.perm
    static let pathFlag: Int32 = 0o10000000  // O_PATH on Linux
    /// Symlinks one resolution follows before ELOOP (Linux's and wasmtime's limit).
    static let maximumSymlinks = 40
    /// The longest guest path, in bytes: Linux's PATH_MAX (4096) less the
    /// terminating NUL. Longer ones are ENAMETOOLONG, as the kernel and
    /// wasmtime answer, before any work is done for them.
    static let maximumPathLength: UInt32 = 4095

    /// Resolves `path` under `base`. With `followFinal`, a symlink as last
    /// component is followed (still beneath `base`).
    ///
    /// Linear in the components, symlink targets included. It holds one
    /// descriptor at a time (the current directory), however deep the path:
    /// `..` reopens the parent through the current directory and checks that
    /// it is the directory the walk came down through (device and inode), so
    /// a directory moved meanwhile fails the call instead of leading out.
    static func resolve(_ base: Int32, _ path: [UInt8], followFinal: Bool) throws(WASIErrno) -> ResolvedPath {
        guard !path.isEmpty else { throw .noent }
        guard path.count <= Int(maximumPathLength) else { throw .nametoolong }
        guard !path.contains(0) else { throw .ilseq }
        guard path.first != UInt8(ascii: "/") else { throw escape }
        var trailingSlash = path.last == UInt8(ascii: "/")
        // The components still to walk, the next one last.
        var pending = Array(components(path).reversed())
        // Device and inode of each directory walked into below `base`.
        var walked: [(device: UInt64, inode: UInt64)] = []
        var current = base
        var links = 0
        var finished = false
        defer { if !finished && current != base { _ = close(current) } }
        func finish(_ name: String) -> ResolvedPath {
            finished = true
            return ResolvedPath(directory: current, name: name, ownsDirectory: current != base,
                                trailingSlash: trailingSlash)
        }
        while let component = pending.popLast() {
            let isLast = pending.isEmpty
            if component == "." {
                if isLast { return finish(".") }
                continue
            }
            if component == ".." {
                guard walked.popLast() != nil else { throw escape }
                let parent = try reopenParent(of: current, expected: walked.last, base: base)
                if current != base { _ = close(current) }
                current = parent
                if isLast { return finish(".") }
                continue
            }
            if isLast && !followFinal && !trailingSlash { return finish(component) }
            var info = stat()
            if fstatat(current, component, &info, AT_SYMLINK_NOFOLLOW) != 0 {
                let code = errno
                if isLast && code == ENOENT { return finish(component) }
                throw WASIErrno(host: code)
            }
            if info.st_mode & S_IFMT == S_IFLNK {
                links += 1
                guard links <= maximumSymlinks else { throw .loop }
                let target = try readlink(current, component)
                guard !target.isEmpty else { throw .noent }
                guard target.first != UInt8(ascii: "/") else { throw escape }
                if isLast { trailingSlash = trailingSlash || target.last == UInt8(ascii: "/") }
                pending.append(contentsOf: components(target).reversed())
                continue
            }
            if isLast { return finish(component) }
            let fd = openat(current, component, pathFlag | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { throw WASIErrno(host: errno) }
            var opened = stat()
            guard fstat(fd, &opened) == 0 else { let code = errno; _ = close(fd); throw WASIErrno(host: code) }
            if current != base { _ = close(current) }
            current = fd
            walked.append((UInt64(opened.st_dev), UInt64(opened.st_ino)))
        }
        return finish(".")
    }

    /// The parent of `directory`: `base` when the walk is back at its start
    /// (`expected` nil), else a new descriptor that must be the directory
    /// `expected` identifies.
    static func reopenParent(of directory: Int32, expected: (device: UInt64, inode: UInt64)?,
                             base: Int32) throws(WASIErrno) -> Int32 {
        guard let expected else { return base }
        let fd = openat(directory, "..", pathFlag | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw WASIErrno(host: errno) }
        var info = stat()
        guard fstat(fd, &info) == 0, UInt64(info.st_dev) == expected.device, UInt64(info.st_ino) == expected.inode else {
            _ = close(fd)
            throw escape
        }
        return fd
    }

    /// Non-empty components ("a//b/" gives ["a", "b"]; "" for none gives ["."]).
    static func components(_ path: [UInt8]) -> [String] {
        let parts = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true)
            .map { String(decoding: $0, as: UTF8.self) }
        return parts.isEmpty ? ["."] : parts
    }

    static func readlink(_ directory: Int32, _ name: String) throws(WASIErrno) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { readlinkat(directory, name, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) }
        guard count >= 0 else { throw WASIErrno(host: errno) }
        return Array(buffer[0..<count])
    }
}
