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

/// Runs `module` with WASI preview 1 (SwasmRuntime's `WASI`) and returns
/// its exit code.
func runWASICommand(_ module: CompiledModule, options: CommandOptions) throws -> Int32 {
    let environment = options.environment.compactMap { entry -> (name: String, value: String)? in
        guard let equals = entry.firstIndex(of: "=") else { return nil }
        return (String(entry[..<equals]), String(entry[entry.index(after: equals)...]))
    }
    let configuration = WASIConfiguration(arguments: options.arguments, environment: environment,
                                          preopens: options.preopenedDirectories.map { (host: $0, guest: $0) })
    return try WASI(configuration).run(module)
}

func runCommand(_ module: CompiledModule, options: CommandOptions) throws -> Int32 {
    if module.imports.contains(where: { $0.module == WASI.moduleName }) {
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
        let line = Array("\(name): error: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
    guard let handle = capiModuleLoad(descriptor), let box = moduleBox(handle) else {
        report(lastMessage())
        return 1
    }
    var environment: [String] = []
    let table: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ
    if var entry = table {
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            // The host's own settings are not the guest's business.
            if !text.hasPrefix("SWASM_DIRS=") { environment.append(text) }
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
    } catch let trap as Trap where trap.code == .hostError && trap.hostError is WASIError {
        // A WASI call the guest cannot make, such as proc_exit with a status
        // outside 0...125: an error (status 1, as wasmtime), never success.
        fail(trap)
        report("\(trap)")
        return 1
    } catch let trap as Trap {
        // Like wasmtime: the status of a process stopped by SIGABRT.
        fail(trap)
        report("\(trap)")
        return 134
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
