// Writing a tool's output file. A regular file (or a new one) is written
// through a temporary file in the same directory and a rename, so readers
// never see a partial object. Anything else already at the path (a
// terminal, a pipe, /dev/null) is written in place: renaming over it would
// replace the device or FIFO with a regular file, which `-o /dev/null` run
// as root would do to the whole machine.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum OutputFile {
    /// Writes `bytes` to `path`, atomically when `path` is or will be a regular file.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
            let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
            guard fd >= 0 else { throw ObjectWriterError.io(operation: "open", path: path, errno: errno) }
            let failure = writeAll(fd, bytes)
            close(fd)
            if let failure { throw ObjectWriterError.io(operation: "write", path: path, errno: failure) }
            return
        }
        // A fresh name next to the target (so that rename is atomic); the
        // mode goes through the umask like any created file.
        var temporary = ""
        var fd: Int32 = -1
        repeat {
            temporary = path + ".tmp-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        } while fd < 0 && errno == EEXIST
        guard fd >= 0 else { throw ObjectWriterError.io(operation: "create", path: temporary, errno: errno) }
        let failure = writeAll(fd, bytes)
        if close(fd) != 0, failure == nil {
            let code = errno
            unlink(temporary)
            throw ObjectWriterError.io(operation: "close", path: temporary, errno: code)
        }
        if let failure {
            unlink(temporary)
            throw ObjectWriterError.io(operation: "write", path: temporary, errno: failure)
        }
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw ObjectWriterError.io(operation: "rename to", path: path, errno: code)
        }
    }

    /// Writes text as UTF-8 (see `write(_:to:)`).
    public static func write(text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// The errno of a failed write, nil when every byte went out.
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                written += n
            }
            return nil
        }
    }
}
