// Where the runtime library, its C header and the Swift static libraries
// are, and the flags that link a C program with them: shared by
// `swasm-config` and `swasmc --exe`.
import Foundation

public struct RuntimeLinking: Sendable {
    /// Directory of libswasmrt.a.
    public var libraryDirectory: String
    /// Directory of swasm.h.
    public var includeDirectory: String
    /// The toolchain's `swift_static/linux` (libswiftCore.a, x86_64/swiftrt.o).
    public var swiftStaticDirectory: String

    public static let libraryName = "libswasmrt.a"

    public struct NotFound: Error, CustomStringConvertible {
        public var description: String
    }

    public var library: String { libraryDirectory + "/" + Self.libraryName }

    /// `-I` for swasm.h.
    public var cflags: [String] { ["-I" + includeDirectory] }

    /// Everything after the program's own objects: the runtime and the Swift
    /// runtime, linked statically (the program needs no Swift installation;
    /// glibc stays dynamic).
    public var libs: [String] {
        [library, swiftStaticDirectory + "/x86_64/swiftrt.o", "-L" + swiftStaticDirectory] + Self.swiftLibraries
    }

    /// The Swift libraries the runtime uses (Synchronization for its locks,
    /// Glibc for the overlay of mmap/errno;
    /// SwiftOnoneSupport when the library is a debug build; _Concurrency and
    /// _StringProcessing are implicit imports), then what they need.
    public static let swiftLibraries = [
        "-lswiftSynchronization", "-lswiftGlibc", "-lswiftSwiftOnoneSupport", "-lswift_StringProcessing", "-lswift_RegexParser",
        "-lswift_Concurrency", "-lswiftCore", "-ldispatch", "-lBlocksRuntime",
        "-lstdc++", "-lm", "-lpthread", "-ldl",
    ]

    /// Finds the files. Order: $SWASM_LIBDIR / $SWASM_INCLUDEDIR; next to
    /// the running executable (a build tree: .build/debug/libswasmrt.a, the
    /// header in the source tree); an install prefix (bin/.. with lib/ and
    /// include/). The Swift static libraries: $SWASM_SWIFT_STATIC_DIR, then
    /// the toolchain of `swiftc` in PATH, then /opt/swift and /usr.
    public static func locate() throws(NotFound) -> RuntimeLinking {
        let environment = ProcessInfo.processInfo.environment
        let fm = FileManager.default
        func exists(_ path: String) -> Bool { fm.fileExists(atPath: path) }
        let executableDirectory = URL(fileURLWithPath: CommandLine.executablePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().path

        var libraryCandidates: [String] = []
        if let dir = environment["SWASM_LIBDIR"] { libraryCandidates.append(dir) }
        libraryCandidates += [executableDirectory, executableDirectory + "/../lib"]
        guard let libraryDirectory = libraryCandidates.first(where: { exists($0 + "/" + libraryName) }) else {
            throw NotFound(description: "cannot find \(libraryName) (looked in \(libraryCandidates.joined(separator: ", "))): build it with `swift build --product swasmrt` (or `make runtime-lib`), or set SWASM_LIBDIR")
        }

        var includeCandidates: [String] = []
        if let dir = environment["SWASM_INCLUDEDIR"] { includeCandidates.append(dir) }
        includeCandidates.append(executableDirectory + "/../include")
        // A build tree: the source tree's header (.build/<triple>/<config>/ -> root).
        var directory = URL(fileURLWithPath: executableDirectory)
        for _ in 0..<4 {
            directory.deleteLastPathComponent()
            includeCandidates.append(directory.path + "/runtime/Sources/CSwasmCAPI/include")
        }
        // The sources this tool was built from.
        let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        includeCandidates.append(sourceRoot + "/runtime/Sources/CSwasmCAPI/include")
        guard let includeDirectory = includeCandidates.first(where: { exists($0 + "/swasm.h") }) else {
            throw NotFound(description: "cannot find swasm.h (looked in \(includeCandidates.joined(separator: ", "))): set SWASM_INCLUDEDIR")
        }

        var swiftCandidates: [String] = []
        if let dir = environment["SWASM_SWIFT_STATIC_DIR"] { swiftCandidates.append(dir) }
        for entry in (environment["PATH"] ?? "").split(separator: ":") where exists("\(entry)/swiftc") {
            let swiftc = URL(fileURLWithPath: "\(entry)/swiftc").resolvingSymlinksInPath()
            swiftCandidates.append(swiftc.deletingLastPathComponent().deletingLastPathComponent().path + "/lib/swift_static/linux")
        }
        swiftCandidates += [executableDirectory + "/../lib/swasm/swift_static/linux",
                            "/opt/swift/usr/lib/swift_static/linux", "/usr/lib/swift_static/linux"]
        guard let swiftStaticDirectory = swiftCandidates.first(where: { exists($0 + "/libswiftCore.a") && exists($0 + "/x86_64/swiftrt.o") }) else {
            throw NotFound(description: "cannot find the Swift static libraries (libswiftCore.a, x86_64/swiftrt.o; looked in \(swiftCandidates.joined(separator: ", "))): set SWASM_SWIFT_STATIC_DIR")
        }
        func normalized(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
        return RuntimeLinking(libraryDirectory: normalized(libraryDirectory), includeDirectory: normalized(includeDirectory),
                              swiftStaticDirectory: normalized(swiftStaticDirectory))
    }
}

extension CommandLine {
    /// The running executable (/proc/self/exe), or argv[0].
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? arguments[0]
    }
}

/// `swasmc --exe`: the object, a generated main that calls
/// `swasm_run_command` with the module's descriptor, and the runtime, linked
/// by the C compiler ($CC, default cc) into one executable.
public enum ExecutableLinker {
    public struct LinkFailed: Error, CustomStringConvertible {
        public var description: String
    }

    /// The C main of an executable for a module compiled with `prefix`.
    public static func mainSource(prefix: String, metadataSize: Int) -> String {
        let p = prefix.isEmpty ? "" : prefix + "_"
        return """
            /* Generated by swasmc --exe. */
            #include "swasm.h"

            extern const unsigned char \(p)swasm_module_metadata[];
            extern const unsigned char \(p)swasm_text[];

            int main(int argc, char **argv) {
                static const swasm_module_descriptor descriptor = {
                    \(p)swasm_module_metadata, \(metadataSize), \(p)swasm_text
                };
                return swasm_run_command(&descriptor, argc, argv);
            }

            """
    }

    public static func link(object: [UInt8], prefix: String, metadataSize: Int, output: String) throws {
        let linking: RuntimeLinking
        do { linking = try RuntimeLinking.locate() } catch { throw LinkFailed(description: error.description) }
        let fm = FileManager.default
        let directory = fm.temporaryDirectory.appendingPathComponent("swasmc-exe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: directory) }
        let objectPath = directory.appendingPathComponent("module.o").path
        let mainPath = directory.appendingPathComponent("main.c").path
        guard fm.createFile(atPath: objectPath, contents: Data(object)) else {
            throw LinkFailed(description: "cannot write \(objectPath)")
        }
        try mainSource(prefix: prefix, metadataSize: metadataSize).write(toFile: mainPath, atomically: true, encoding: .utf8)
        let compiler = ProcessInfo.processInfo.environment["CC"].flatMap { $0.isEmpty ? nil : $0 } ?? "cc"
        let arguments = [compiler, "-O2"] + linking.cflags + ["-o", output, mainPath, objectPath] + linking.libs
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        do { try process.run() } catch {
            throw LinkFailed(description: "cannot run \(compiler): \(error)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw LinkFailed(description: "linking failed (\(compiler) exited with \(process.terminationStatus)): \(arguments.joined(separator: " "))")
        }
    }
}
