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
    static let maximumSymlinks = 32

    /// Resolves `path` under `base`. With `followFinal`, a symlink as last
    /// component is followed (still beneath `base`).
    static func resolve(_ base: Int32, _ path: [UInt8], followFinal: Bool) throws(WASIErrno) -> ResolvedPath {
        guard !path.isEmpty else { throw .noent }
        guard !path.contains(0) else { throw .ilseq }
        guard path.first != UInt8(ascii: "/") else { throw escape }
        var trailingSlash = path.last == UInt8(ascii: "/")
        var pending = components(path)
        var stack: [Int32] = []
        var links = 0
        var finished = false
        defer { if !finished { for fd in stack { _ = close(fd) } } }
        func finish(_ name: String) -> ResolvedPath {
            finished = true
            for fd in stack.dropLast() { _ = close(fd) }
            return ResolvedPath(directory: stack.last ?? base, name: name, ownsDirectory: !stack.isEmpty,
                                trailingSlash: trailingSlash)
        }
        while !pending.isEmpty {
            let component = pending.removeFirst()
            let isLast = pending.isEmpty
            let current = stack.last ?? base
            if component == "." {
                if isLast { return finish(".") }
                continue
            }
            if component == ".." {
                guard let fd = stack.popLast() else { throw escape }
                _ = close(fd)
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
                pending = components(target) + pending
                continue
            }
            if isLast { return finish(component) }
            let fd = openat(current, component, pathFlag | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { throw WASIErrno(host: errno) }
            stack.append(fd)
        }
        return finish(".")
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
