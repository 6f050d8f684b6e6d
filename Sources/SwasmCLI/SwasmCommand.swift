// `swasm`: the runner. `swasm run` loads a precompiled object (mapped with
// mmap) or compiles a .wasm/.wat in-process, instantiates it and calls an
// export; `inspect` and `validate` describe and check modules.
import ArgumentParser
import Foundation
import SwasmABI
import SwasmCompiler
import SwasmRuntime
import WasmModel

public struct SwasmCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "swasm",
        abstract: "Run and inspect WebAssembly modules.",
        subcommands: [Run.self, Inspect.self, Validate.self])

    public init() {}

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Decode and validate a module.")

        @Argument(help: "The module (.wasm or .wat).") var input: String

        func run() throws {
            do {
                _ = try ModuleInput.validatedModule(atPath: input)
            } catch {
                reportError("swasm", error.description)
                throw ExitCode(1)
            }
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a module's types, imports, exports, memories, tables and globals; for an object, also its target and code settings.")

        @Argument(help: "The module (.wasm or .wat) or a swasmc object (.o, for any target; its code is not run).") var input: String

        func run() throws {
            do {
                if let bytes = FileManager.default.contents(atPath: input), bytes.starts(with: [0x7f, 0x45, 0x4c, 0x46]) {
                    print(try ObjectSummary.describe(objectAt: input), terminator: "")
                    return
                }
                let module = try ModuleInput.validatedModule(atPath: input)
                print(ModuleSummary.describe(module), terminator: "")
            } catch {
                reportError("swasm", error.description)
                throw ExitCode(1)
            }
        }
    }
}

/// A swasmc object described without running it: the machine and settings
/// its code was compiled for, then the interface of the module it holds.
public enum ObjectSummary {
    public static func describe(objectAt path: String) throws(InputError) -> String {
        // Objects for any machine are described: read its own machine first
        // and load the object for that one (the code is mapped, never run).
        guard let data = FileManager.default.contents(atPath: path), data.count >= 20 else {
            throw InputError(path: path, detail: "cannot read the ELF header")
        }
        let machine = UInt16(data[18]) | UInt16(data[19]) << 8
        let image: ObjectImage
        let metadata: MetadataView
        let module: Module
        do {
            image = try ObjectImage(path: path, expectedMachine: machine)
            metadata = try MetadataView.decode(image.metadata)
            module = try Decoder.decode(Array(metadata.module))
        } catch {
            throw InputError(path: path, detail: "\(error)")
        }
        let target = CodeTarget.allCases.first { $0.elfMachine == machine }?.name ?? ObjectImage.machineName(machine)
        var out = "object for \(target)"
        if machine != ObjectImage.hostMachine { out += " (this host is \(CodeTarget.host); the object runs only there)" }
        out += "\n"
        let features = metadata.requiredCPUFeatures.names(machine: machine)
        out += "cpu features required: \(features.isEmpty ? "none beyond the baseline" : features.joined(separator: ", "))\n"
        out += "bounds checks: \(metadata.settings.boundsChecks), interruptible: \(metadata.settings.interruptible ? "yes" : "no")\n"
        out += "code: \(metadata.textSize) bytes of .text\n"
        withExtendedLifetime(image) {}
        return out + ModuleSummary.describe(module, codeSize: false)
    }
}

/// A human-readable description of a module's interface.
public enum ModuleSummary {
    /// `codeSize` ends the functions line with the size of the wasm code
    /// (off for an object's module skeleton, which has no bodies).
    public static func describe(_ module: Module, codeSize: Bool = true) -> String {
        var out = ""
        let functionTypes = module.allFunctionTypeIndices
        if let name = module.names.moduleName { out += "module \(name)\n" }
        for entry in module.imports {
            let what: String
            switch entry.descriptor {
            case .function(let t): what = "func \(module.types[Int(t)])"
            case .table(let t): what = "table \(limits(t.limits)) \(t.elementType)"
            case .memory(let m): what = "memory \(limits(m.limits))"
            case .global(let g): what = "global \(g.isMutable ? "mut " : "")\(g.valueType)"
            }
            out += "import \"\(entry.module)\" \"\(entry.name)\": \(what)\n"
        }
        for export in module.exports {
            var what = "\(export.kind) \(export.index)"
            if export.kind == .function {
                what += " \(module.types[Int(functionTypes[Int(export.index)])])"
            }
            out += "export \"\(export.name)\": \(what)\n"
        }
        for memory in module.memories { out += "memory \(limits(memory.limits))\n" }
        for table in module.tables { out += "table \(limits(table.limits)) \(table.elementType)\n" }
        for global in module.globals {
            out += "global \(global.type.isMutable ? "mut " : "")\(global.type.valueType)\n"
        }
        if let start = module.start { out += "start \(module.functionName(start))\n" }
        let codeBytes = module.bodies.reduce(0) { $0 + $1.code.count }
        out += "functions: \(module.importedFunctionCount) imported, \(module.bodies.count) defined\(codeSize ? " (\(codeBytes) bytes of code)" : "")\n"
        out += "data segments: \(module.data.count), element segments: \(module.elements.count)\n"
        return out
    }

    static func limits(_ limits: Limits) -> String {
        if let max = limits.max { return "\(limits.min)..\(max)" }
        return "\(limits.min).."
    }
}

extension SwasmCommand {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a module: a swasmc object (.o) or a .wasm/.wat compiled in-process.",
            discussion: """
                An object (.o) is native code and runs as it is: run only objects you trust as much as this \
                program (ones your swasmc wrote, stored where nobody else can write). Its structure and metadata \
                are checked, its machine code cannot be; --verify also checks the checksum swasmc recorded, which \
                notices accidental corruption but not a deliberate change.

                A module importing wasi_snapshot_preview1 gets WASI: its arguments are the module's path and \
                the ARGS after `--`, and its exit status is the guest's exit code (0 when _start returns; \
                proc_exit with a status outside 0...125 is an error, status 1). \
                With --invoke, prints each result of the function on its own line (the ARGS are its arguments). \
                A trap exits with status 1.
                """)

        @Argument(help: "The module (.o, .wasm or .wat). An object is native code: trusted, see below.") var input: String

        @Option(help: "The exported function to call (default: _start).") var invoke: String?

        @Flag(help: "Verify the checksum of an object (.o) before running it: refuses an object changed since swasmc wrote it.")
        var verify = false

        @Option(name: .customLong("dir"), help: ArgumentHelp("A directory the guest may use, as HOST or HOST::GUEST.", valueName: "HOST[::GUEST]"))
        var directories: [String] = []

        @Option(name: .customLong("env"), help: ArgumentHelp("An environment variable for the guest.", valueName: "NAME=VALUE"))
        var environment: [String] = []

        @Option(name: .customShort("O", allowingJoined: true), help: "Optimization level for in-process compilation.")
        var optimization: Int = 2

        @Option(help: ArgumentHelp("Give the module N units of fuel: it traps when they are used up (each wasm operator costs 1, see docs/fuel-and-epochs.md). A .wasm is compiled to count fuel; an object must have been (swasmc --consume-fuel). Objects compiled to count fuel run without limit when this is not given.", valueName: "N"))
        var fuel: UInt64?

        @Flag(help: "After the results, print `time_ns T` (the call alone, for benchmark harnesses), `cpu_ns C` (the process's CPU time over the call), `load_ns` and `instantiate_ns`.")
        var printTime = false

        @Option(help: ArgumentHelp("Load and instantiate the module N times before the timed load, so that --print-time shows the times of a process that has loaded modules before.", valueName: "N"))
        var warmUp: Int = 0

        @Argument(help: "Arguments of the invoked function, or of a WASI program (put -- before them).") var arguments: [String] = []

        func run() throws {
            do {
                try runChecked()
            } catch let error as ExitCode {
                throw error
            } catch {
                reportError("swasm", "\(error)")
                throw ExitCode(1)
            }
        }

        func load() throws -> CompiledModule {
            if ModuleInput.isObjectFile(atPath: input) {
                return try CompiledModule(image: ObjectImage(path: input), verifyChecksum: verify)
            }
            let module = try ModuleInput.validatedModule(atPath: input)
            let object = try ModuleInput.naming(input) {
                var options = CompilerOptions(optimizationLevel: optimization)
                options.consumeFuel = fuel != nil
                return try Compiler.compileObject(module, options: options, prefix: "")
            }
            return try CompiledModule(text: object.code.text, metadata: object.metadata)
        }

        func instantiate(_ compiled: CompiledModule, wasiArguments: [String]) throws -> (Instance, WASI?) {
            let usesWASI = compiled.module.imports.contains { $0.module == WASI.moduleName }
            if !usesWASI, let unresolved = compiled.module.imports.first {
                throw InputError(path: input, detail: "unresolved import \(unresolved.module).\(unresolved.name): swasm run provides only wasi_snapshot_preview1")
            }
            if !usesWASI && (!directories.isEmpty || !environment.isEmpty) {
                throw InputError(path: input, detail: "--dir and --env need a module that imports \(WASI.moduleName)")
            }
            let limits = try executionLimits(for: compiled)
            guard usesWASI else { return (try Instance(module: compiled, imports: [], limits: limits), nil) }
            let context = try WASI(try wasiConfiguration(guestArguments: invoke == nil ? wasiArguments : []))
            var created: Instance?
            if let code = try context.exitStatus({ created = try context.instantiate(compiled, limits: limits) }) {
                throw ExitCode(code)
            }
            return (created!, context)
        }

        func runChecked() throws {
            _ = CodeExecutor.installSignalHandlers()
            let passed = arguments.first == "--" ? Array(arguments.dropFirst()) : arguments
            for _ in 0..<max(warmUp, 0) {
                let compiled = try load()
                _ = try instantiate(compiled, wasiArguments: passed)
            }
            let loadStart = ContinuousClock.now
            let compiled = try load()
            let loadTime = ContinuousClock.now - loadStart
            let usesWASI = compiled.module.imports.contains { $0.module == WASI.moduleName }
            let instantiateStart = ContinuousClock.now
            let (instance, wasi) = try instantiate(compiled, wasiArguments: passed)
            let instantiateTime = ContinuousClock.now - instantiateStart
            let name = invoke ?? "_start"
            guard case .function(let function)? = instance.export(named: name) else {
                throw InputError(path: input, detail: "no exported function \"\(name)\"")
            }
            let parameters = function.type.parameters
            let functionArguments = invoke == nil && usesWASI ? [] : passed
            guard functionArguments.count == parameters.count else {
                throw InputError(path: input, detail: "\(name) takes \(parameters.count) arguments (\(function.type)), \(functionArguments.count) given")
            }
            let values = try zip(parameters, functionArguments).map { type, text in try Self.parse(text, as: type) }
            let clock = ContinuousClock()
            let cpuStart = Self.processCPUTime()
            let start = clock.now
            var results: [Value] = []
            var exitCode: Int32?
            if let wasi {
                if invoke != nil, name != "_initialize", case .function(let initialize)? = instance.export(named: "_initialize"),
                   initialize.type.parameters.isEmpty {
                    if let code = try wasi.exitStatus({ _ = try instance.call(initialize, []) }) { throw ExitCode(code) }
                }
                exitCode = try wasi.exitStatus({ results = try instance.call(function, values) })
            } else {
                results = try instance.call(function, values)
            }
            let elapsed = clock.now - start
            let cpuTime = Self.processCPUTime() - cpuStart
            for result in results {
                print(Self.format(result))
            }
            if printTime {
                print("time_ns \(Int64(elapsed / .nanoseconds(1)))")
                // CPU time of the process over the call: steadier than wall
                // time on a busy machine (benchmark harnesses compare it).
                print("cpu_ns \(cpuTime)")
                // Time to first call: loading (mapping an object, or compiling
                // a .wasm) and instantiating.
                print("load_ns \(Int64(loadTime / .nanoseconds(1)))")
                print("instantiate_ns \(Int64(instantiateTime / .nanoseconds(1)))")
            }
            if let exitCode { throw ExitCode(exitCode) }
        }

        /// The fuel of --fuel; objects compiled with fuel or epoch checks
        /// otherwise run without limits (no deadline: nothing advances the
        /// epoch here).
        func executionLimits(for compiled: CompiledModule) throws -> ExecutionLimits? {
            guard let fuel else { return nil }
            guard compiled.settings.consumeFuel else {
                throw InputError(path: input, detail: "--fuel needs an object compiled to count fuel (swasmc --consume-fuel)")
            }
            return ExecutionLimits(fuel: Int64(clamping: fuel))
        }

        /// The process's CPU time in nanoseconds.
        static func processCPUTime() -> Int64 {
            var time = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
            return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
        }

        /// argv[0] is the module's path as given (as wasmtime does), then the guest arguments.
        func wasiConfiguration(guestArguments: [String]) throws -> WASIConfiguration {
            var configuration = WASIConfiguration(arguments: [input] + guestArguments)
            for item in environment {
                guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                    throw InputError(path: item, detail: "--env wants NAME=VALUE")
                }
                configuration.environment.append((String(item[..<equals]), String(item[item.index(after: equals)...])))
            }
            for item in directories {
                if let range = item.range(of: "::") {
                    configuration.preopens.append((String(item[..<range.lowerBound]), String(item[range.upperBound...])))
                } else {
                    configuration.preopens.append((item, item))
                }
            }
            return configuration
        }

        static func parse(_ text: String, as type: ValueType) throws -> Value {
            func fail() -> Error { InputError(path: text, detail: "not a valid \(type) argument") }
            switch type {
            case .i32:
                if let v = Int32(text) { return .i32(UInt32(bitPattern: v)) }
                if let v = UInt32(text) { return .i32(v) }
            case .i64:
                if let v = Int64(text) { return .i64(UInt64(bitPattern: v)) }
                if let v = UInt64(text) { return .i64(v) }
            case .f32:
                if let v = Float(text) { return .f32(v.bitPattern) }
            case .f64:
                if let v = Double(text) { return .f64(v.bitPattern) }
            default:
                break
            }
            throw fail()
        }

        /// Results as wasmtime prints them: integers signed, floats as decimals.
        static func format(_ value: Value) -> String {
            switch value {
            case .i32(let v): return String(Int32(bitPattern: v))
            case .i64(let v): return String(Int64(bitPattern: v))
            case .f32(let bits): return "\(Float(bitPattern: bits))"
            case .f64(let bits): return "\(Double(bitPattern: bits))"
            case .funcref(let p): return p == nil ? "null" : "<funcref>"
            case .externref(let v): return v == 0 ? "null" : "<externref>"
            }
        }
    }
}
