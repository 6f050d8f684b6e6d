// `swasm_run_command`: the body of executables made by `swasmc --exe`. The
// main that swasmc generates only calls this with the module's descriptor.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CSwasmCAPI
import SwasmRuntime

/// What the host gives a command besides the module.
struct CommandOptions {
    /// The guest's argv (argv[0]: the program name).
    var arguments: [String]
    /// The guest's environment, "NAME=value".
    var environment: [String]
    /// Host directories preopened for the guest, each under its own name.
    var preopenedDirectories: [String]
}

enum CommandExit: Error {
    case code(Int32)
}

/// TO BE WIRED: run `module` with WASI preview 1 and return its exit code.
/// WASI (runtime/Sources/SwasmRuntime/WASI/) was not in the runtime when the
/// C API was written; until it is wired here, a command that imports
/// wasi_snapshot_preview1 fails with SWASM_ERROR_UNSUPPORTED.
func runWASICommand(_ module: CompiledModule, options: CommandOptions) throws -> Int32 {
    throw InstanceError.unsupported("WASI preview 1 (this runtime was built without it)")
}

func runCommand(_ module: CompiledModule, options: CommandOptions) throws -> Int32 {
    if module.imports.contains(where: { $0.module == "wasi_snapshot_preview1" || $0.module == "wasi_unstable" }) {
        return try runWASICommand(module, options: options)
    }
    let instance = try Instance(module: module, imports: [])
    if let start = instance.export(named: "_start")?.function {
        _ = try start.call([])
    } else if let main = instance.export(named: "main")?.function, main.type.parameters.isEmpty {
        // A module without WASI: `main` returning an i32 gives the exit code.
        let results = try main.call([])
        if case .i32(let code)? = results.first { return Int32(bitPattern: code) }
    } else {
        throw InstanceError.unsupported("the module exports neither _start nor main")
    }
    return 0
}

@_cdecl("swasm_run_command")
func capiRunCommand(_ descriptor: UnsafePointer<swasm_module_descriptor>?, _ argc: Int32,
                    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var arguments: [String] = []
    for index in 0..<Int(max(argc, 0)) {
        if let argument = argv?[index] { arguments.append(String(cString: argument)) }
    }
    let name = arguments.first.map { String($0.split(separator: "/").last ?? Substring($0)) } ?? "wasm"
    func report(_ message: String) {
        fputs("\(name): error: \(message)\n", stderr)
    }
    guard let handle = capiModuleLoad(descriptor), let box = moduleBox(handle) else {
        report(lastMessage())
        return 1
    }
    var environment: [String] = []
    if var entry = environ {
        while let pointer = entry.pointee {
            environment.append(String(cString: pointer))
            entry += 1
        }
    }
    var directories = ["."]
    if let dirs = getenv("SWASM_DIRS") {
        directories = String(cString: dirs).split(separator: ":", omittingEmptySubsequences: true).map(String.init)
    }
    let options = CommandOptions(arguments: arguments, environment: environment, preopenedDirectories: directories)
    do {
        return try runCommand(box.module, options: options)
    } catch CommandExit.code(let code) {
        return code
    } catch {
        fail(error)
        report("\(error)")
        return 1
    }
}

/// The message of the thread's latest failure.
func lastMessage() -> String {
    let trap = swasm_last_trap()!.pointee
    return withUnsafeBytes(of: trap.message) { buffer in
        String(decoding: buffer.prefix(while: { $0 != 0 }), as: UTF8.self)
    }
}
