// `swasm-config`: the flags for compiling and linking C programs with the
// swasm runtime, pkg-config style (docs/c-api.md).
import Foundation

public enum ConfigCommand {
    static let usage = """
        usage: swasm-config [--cflags] [--libs] [--libdir] [--includedir] [--swift-static-dir]
          --cflags            flags to compile C code that includes swasm.h
          --libs              what to link after the program's objects: libswasmrt.a and the
                              Swift runtime, statically (the program needs no Swift installation)
          --libdir            directory of libswasmrt.a
          --includedir        directory of swasm.h
          --swift-static-dir  the Swift static libraries used
        Environment: SWASM_LIBDIR, SWASM_INCLUDEDIR, SWASM_SWIFT_STATIC_DIR override the search.
        """

    /// Runs with `arguments` (without argv[0]); returns the exit status.
    public static func main(_ arguments: [String]) -> Int32 {
        guard !arguments.isEmpty, !arguments.contains(where: { $0 == "-h" || $0 == "--help" }) else {
            print(usage)
            return arguments.isEmpty ? 1 : 0
        }
        let linking: RuntimeLinking
        do {
            linking = try RuntimeLinking.locate()
        } catch {
            reportError("swasm-config", error.description)
            return 1
        }
        var words: [String] = []
        for argument in arguments {
            switch argument {
            case "--cflags": words += linking.cflags
            case "--libs": words += linking.libs
            case "--libdir": words.append(linking.libraryDirectory)
            case "--includedir": words.append(linking.includeDirectory)
            case "--swift-static-dir": words.append(linking.swiftStaticDirectory)
            default:
                reportError("swasm-config", "unknown option \(argument)\n\(usage)")
                return 1
            }
        }
        print(words.joined(separator: " "))
        return 0
    }
}
