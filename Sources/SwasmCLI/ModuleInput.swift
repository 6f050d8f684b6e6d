// Reading a module from disk: binary `.wasm` or text `.wat`, the latter
// assembled to binary first. Errors are phrased for the command line.
import Foundation
import WasmModel
import WasmText

/// A module file that could not be read, parsed, decoded or validated.
public struct InputError: Error, CustomStringConvertible {
    public var path: String
    public var detail: String

    public var description: String { "\(path): \(detail)" }
}

public enum ModuleInput {
    /// True when the file should be read as text: a `.wat` name, or content
    /// that does not start with the binary magic.
    static func isText(path: String, bytes: [UInt8]) -> Bool {
        if path.hasSuffix(".wat") || path.hasSuffix(".wast") { return true }
        if path.hasSuffix(".wasm") { return false }
        return !(bytes.count >= 4 && bytes[0] == 0 && bytes[1] == 0x61 && bytes[2] == 0x73 && bytes[3] == 0x6D)
    }

    /// True when the file is a regular file that starts with the ELF magic:
    /// a swasmc object. (Anything else is left to `binary(atPath:)`, which
    /// says what is wrong with it.)
    public static func isObjectFile(atPath path: String) -> Bool {
        guard let file = try? RegularFile(path) else { return false }
        defer { close(file.descriptor) }
        var magic: [UInt8] = [0, 0, 0, 0]
        return read(file.descriptor, &magic, 4) == 4 && magic == [0x7F, 0x45, 0x4C, 0x46]
    }

    /// The binary encoding of the module at `path`.
    public static func binary(atPath path: String) throws(InputError) -> [UInt8] {
        let bytes = try readFile(path)
        guard isText(path: path, bytes: bytes) else { return bytes }
        guard let source = String(bytes: bytes, encoding: .utf8) else {
            throw InputError(path: path, detail: "text module is not valid UTF-8")
        }
        do {
            return try WasmText.assemble(source)
        } catch {
            throw InputError(path: path, detail: error.description)
        }
    }

    /// Runs `body`, naming `path` in the module error it throws (an
    /// unsupported feature found by the compiler, for instance).
    public static func naming<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as WasmError {
            throw InputError(path: path, detail: error.description)
        }
    }

    /// Reads, decodes and validates the module at `path`.
    public static func validatedModule(atPath path: String) throws(InputError) -> Module {
        let bytes = try binary(atPath: path)
        do {
            return try Validator.decodeAndValidate(bytes)
        } catch {
            throw InputError(path: path, detail: error.description)
        }
    }
}

/// An open descriptor of a regular file and its size. Directories, FIFOs,
/// sockets and devices are refused by name: reading them would fail with an
/// unrelated errno text, or block (a FIFO without a writer).
struct RegularFile {
    let descriptor: Int32
    let size: Int

    init(_ path: String) throws(InputError) {
        // O_NONBLOCK: opening a FIFO for reading must not wait for a writer.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw InputError(path: path, detail: "cannot read file: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw InputError(path: path, detail: "cannot read file: \(reason)")
        }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else {
            close(fd)
            let what: String
            switch type {
            case S_IFDIR: what = "is a directory, not a file"
            case S_IFIFO: what = "is a FIFO (named pipe), not a regular file"
            case S_IFSOCK: what = "is a socket, not a regular file"
            case S_IFCHR: what = "is a character device, not a regular file"
            case S_IFBLK: what = "is a block device, not a regular file"
            default: what = "is not a regular file"
            }
            throw InputError(path: path, detail: what)
        }
        descriptor = fd
        size = Int(info.st_size)
    }
}

/// Reads a whole regular file with plain read(2) straight into the array:
/// several times faster than going through Data for large modules.
func readFile(_ path: String) throws(InputError) -> [UInt8] {
    let file = try RegularFile(path)
    defer { close(file.descriptor) }
    let size = file.size
    var readError: Int32 = 0
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
        var done = 0
        while done < size {
            let n = read(file.descriptor, buffer.baseAddress! + done, size - done)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { readError = errno }
            if n <= 0 { break }
            done += n
        }
        count = done
    }
    if readError != 0 {
        throw InputError(path: path, detail: "cannot read file: \(String(cString: strerror(readError)))")
    }
    guard bytes.count == size else {
        throw InputError(path: path, detail: "cannot read file: it changed size while being read (\(bytes.count) of \(size) bytes)")
    }
    return bytes
}

/// Writes `tool: error: message` to standard error.
func reportError(_ tool: String, _ message: String) {
    FileHandle.standardError.write(Data("\(tool): error: \(message)\n".utf8))
}
