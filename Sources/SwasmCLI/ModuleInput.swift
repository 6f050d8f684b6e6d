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

    /// True when the file starts with the ELF magic: a swasmc object.
    public static func isObjectFile(atPath path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let magic = (try? handle.read(upToCount: 4)) ?? Data()
        return magic == Data([0x7F, 0x45, 0x4C, 0x46])
    }

    /// The binary encoding of the module at `path`.
    public static func binary(atPath path: String) throws(InputError) -> [UInt8] {
        guard let bytes = readFile(path) else {
            throw InputError(path: path, detail: "cannot read file: \(String(cString: strerror(errno)))")
        }
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

/// Reads a whole file with plain read(2) straight into the array: several
/// times faster than going through Data for large modules.
func readFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
    let size = Int(info.st_size)
    var failed = false
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
        var done = 0
        while done < size {
            let n = read(fd, buffer.baseAddress! + done, size - done)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            done += n
        }
        failed = done != size
        count = done
    }
    return failed ? nil : bytes
}

/// Writes `tool: error: message` to standard error.
func reportError(_ tool: String, _ message: String) {
    FileHandle.standardError.write(Data("\(tool): error: \(message)\n".utf8))
}
