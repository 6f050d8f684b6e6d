// `swasmc`: the compiler driver.
import ArgumentParser
import Foundation
import SwasmABI
import SwasmCompiler
import SwasmIR
import SwasmObject
import WasmModel

public struct SwasmcCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "swasmc",
        abstract: "Compile WebAssembly modules ahead of time into native objects.",
        discussion: """
            Reads a binary (.wasm) or text (.wat) module, validates it (WebAssembly 2.0) \
            and compiles it to a relocatable ELF object for the target machine (--target; \
            default: this machine). With --validate, only \
            checks the module: exit 0 if valid, 1 if malformed or invalid.
            """)

    public enum Emit: String, ExpressibleByArgument, Sendable {
        case obj, asm, ir, swift
    }

    @Argument(help: "The module to read (.wasm or .wat).")
    public var input: String

    @Option(name: .customShort("o"), help: "Output file (default: the input name with .o; '-' for standard output).")
    public var output: String?

    @Option(help: "What to write: obj (ELF object), asm (disassembly with function names), ir (SSA IR after optimization), swift (a Swift file with the object and a typed struct over its exports, docs/swift-plugin.md).")
    public var emit: Emit = .obj

    @Option(name: .customShort("O", allowingJoined: true), help: "Optimization level: 0, 1 or 2.")
    public var optimization: Int = 2

    @Option(help: "Prefix of the global symbols of exports (default: the input's base name).")
    public var prefix: String?

    @Option(name: .customShort("j", allowingJoined: true), help: "Compile with this many threads (default: all cores).")
    public var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "With --emit ir: print the IR after this pass (or 'all'), not only at the end.")
    public var printAfter: String?

    @Option(name: .long, help: "With --emit swift: the name of the generated struct (default: the input's base name in UpperCamelCase).")
    public var swiftType: String?

    @Flag(help: "Check the instance's interrupt flag at every loop head, so the host can stop runaway code.")
    public var interruptible = false

    @Flag(name: .long, help: "Count the fuel the code uses in its store and trap when it runs out (Engine.Config.consumeFuel; docs/fuel-and-epochs.md).")
    public var consumeFuel = false

    @Flag(name: .long, help: "Compare the engine's epoch with the store's deadline at every function entry and loop head (Engine.Config.epochInterruption).")
    public var epochInterruption = false

    @Option(name: .long, help: ArgumentHelp("How out-of-bounds memory accesses are caught: guard (the runtime reserves 8 GiB per memory; accesses are not checked) or explicit (every access is compared with the memory's length; for limited address space).", valueName: "guard|explicit"))
    public var boundsChecks: CompilerOptions.BoundsChecks = .guardRegion

    @Option(name: .long, help: ArgumentHelp("The machine to generate code for (default: this one): objects for either target are made on either machine.", valueName: CodeTarget.allCases.map(\.name).joined(separator: "|")))
    public var target: CodeTarget = .host

    @Flag(help: "Verify the IR after every pass (always on in debug builds).")
    public var verify = false

    @Flag(name: .long, help: "Only decode and validate the module.")
    public var validate = false

    @Flag(name: .long, help: "Print nothing on success.")
    public var quiet = false

    @Flag(name: .long, help: "Print the time taken by each stage.")
    public var stats = false

    @Option(name: .long, help: ArgumentHelp("Also write a C header for the object: its descriptor, typed wrappers that call exports through the runtime, raw prototypes (docs/c-api.md); '-' for standard output.", valueName: "path"))
    public var header: String?

    @Flag(name: .long, help: "Link a native executable (default output: the input's base name) that runs the module as a WASI command, statically linked with the runtime; $CC (default cc) links (docs/c-api.md).")
    public var exe = false

    public init() {}

    public func run() throws {
        do {
            try runChecked()
        } catch let error as ExitCode {
            throw error
        } catch {
            reportError("swasmc", "\(error)")
            throw ExitCode(1)
        }
    }

    func runChecked() throws {
        let clock = ContinuousClock()
        var start = clock.now
        let bytes = try ModuleInput.binary(atPath: input)
        let readTime = clock.now - start
        start = clock.now
        let module: Module
        do {
            module = try Decoder.decode(bytes)
        } catch {
            throw InputError(path: input, detail: error.description)
        }
        let decodeTime = clock.now - start
        start = clock.now
        do {
            try Validator.validate(module)
        } catch {
            throw InputError(path: input, detail: error.description)
        }
        let validateTime = clock.now - start
        if validate {
            if stats {
                let codeBytes = module.bodies.reduce(0) { $0 + $1.code.count }
                let seconds = (decodeTime + validateTime) / .seconds(1)
                print("read \(milliseconds(readTime)) ms, decode \(milliseconds(decodeTime)) ms, validate \(milliseconds(validateTime)) ms"
                      + " (\(bytes.count) bytes, \(codeBytes) bytes of function bodies; decode+validate \(Int(Double(bytes.count) / seconds / 1e6)) MB/s)")
            }
            if !quiet {
                print("\(input): valid (\(module.types.count) types, \(module.imports.count) imports, \(module.bodies.count) functions, \(module.exports.count) exports)")
            }
            return
        }
        guard (0...2).contains(optimization) else { throw ValidationError("-O takes 0, 1 or 2") }
        if header == "-" && (output ?? "") == "-" {
            throw ValidationError("--header - and -o - both name standard output; send one of them to a file")
        }
        if exe && output == "-" {
            throw ValidationError("--exe writes an executable file; '-o -' (standard output) cannot hold one")
        }
        var options = CompilerOptions(optimizationLevel: optimization, jobs: jobs)
        if verify { options.verify = true }
        options.interruptible = interruptible
        options.consumeFuel = consumeFuel
        options.epochInterruption = epochInterruption
        options.boundsChecks = boundsChecks
        options.target = target
        options.progress = Self.terminalProgress(functionCount: module.bodies.count)
        start = clock.now
        switch emit {
        case .ir:
            if let printAfter {
                let lock = NSLock()
                options.passObserver = { pass, function in
                    guard printAfter == "all" || printAfter == pass else { return }
                    lock.lock()
                    print("; after \(pass)\n\(Printer.print(function))")
                    lock.unlock()
                }
                options.jobs = 1
            }
            let text = try ModuleInput.naming(input) { try Compiler.irText(for: module, options: options) }
            try write(text, defaultExtension: "ir")
        case .asm:
            let object = try ModuleInput.naming(input) {
                try Compiler.compileObject(module, options: options, prefix: symbolPrefix, listing: true)
            }
            var text = "; \(input) compiled for \(target)\n\n"
            let imported = module.importedFunctionCount
            for (i, listing) in object.code.listings.enumerated() {
                text += "\(module.functionName(UInt32(imported + i))):  ; offset 0x\(String(object.code.functionRanges[i].lowerBound, radix: 16))\n"
                text += listing.map { $0.hasSuffix(":") ? $0 : "    " + $0 }.joined(separator: "\n") + "\n\n"
            }
            for (typeIndex, listing) in object.code.trampolineListings.enumerated() {
                text += "swasm_trampoline[\(typeIndex)]:  ; \(module.types[typeIndex])\n"
                text += listing.map { "    " + $0 }.joined(separator: "\n") + "\n\n"
            }
            try write(text, defaultExtension: "s")
        case .swift:
            if let swiftType, !SwiftWrapperEmitter.isIdentifier(swiftType) {
                throw ValidationError("--swift-type takes a Swift identifier (letters, digits and _, not starting with a digit), not '\(swiftType)'")
            }
            let object = try Compiler.compileObject(module, options: options, prefix: symbolPrefix)
            let text = SwiftWrapperEmitter.source(for: module, object: object.bytes,
                                                  typeName: swiftType ?? SwiftWrapperEmitter.typeName(forFile: input),
                                                  source: URL(fileURLWithPath: input).lastPathComponent)
            try write(text, defaultExtension: "swift")
        case .obj:
            let object = try ModuleInput.naming(input) { try Compiler.compileObject(module, options: options, prefix: symbolPrefix) }
            if let header {
                let text = HeaderEmitter.header(for: module, prefix: symbolPrefix, metadataSize: object.metadata.count,
                                                source: URL(fileURLWithPath: input).lastPathComponent, target: target)
                do { try Self.writeOutput(Array(text.utf8), to: header) } catch {
                    throw InputError(path: header, detail: "cannot write the header")
                }
            }
            if exe {
                try ExecutableLinker.link(object: object.bytes, prefix: symbolPrefix, metadataSize: object.metadata.count,
                                          output: output ?? URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent)
                return
            }
            let path = output ?? defaultOutput("o")
            do { try Self.writeOutput(object.bytes, to: path) } catch {
                throw InputError(path: path, detail: "cannot write the object file: \(error)")
            }
            if stats {
                let seconds = (clock.now - start) / .seconds(1)
                let codeBytes = module.bodies.reduce(0) { $0 + $1.code.count }
                // Beside an object on standard output, on standard error.
                let report = "compiled \(module.bodies.count) functions (\(codeBytes) bytes of code) in \(milliseconds(clock.now - start)) ms: "
                      + String(format: "%.2f MB/s", Double(codeBytes) / seconds / 1e6) + "; \(object.code.text.count) bytes of machine code\n"
                if path == "-" { FileHandle.standardError.write(Data(report.utf8)) } else { print(report, terminator: "") }
            }
        }
    }

    var symbolPrefix: String {
        if let prefix { return prefix }
        let base = URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent
        return String(base.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    func defaultOutput(_ ext: String) -> String {
        URL(fileURLWithPath: input).deletingPathExtension().appendingPathExtension(ext).lastPathComponent
    }

    func write(_ text: String, defaultExtension: String) throws {
        guard let output, output != "-" else {
            print(text, terminator: "")
            return
        }
        try OutputFile.write(text: text, to: output)
    }

    /// Writes to the file at `path`, or to standard output for "-" (as
    /// most tools read it; it used to create a file named "-").
    static func writeOutput(_ bytes: [UInt8], to path: String) throws {
        guard path == "-" else { return try OutputFile.write(bytes, to: path) }
        FileHandle.standardOutput.write(Data(bytes))
    }

    /// On a terminal, long compiles show "functions done of total" on stderr.
    static func terminalProgress(functionCount: Int) -> (@Sendable (Int, Int) -> Void)? {
        guard functionCount >= 500, isatty(STDERR_FILENO) != 0 else { return nil }
        let step = max(1, functionCount / 100)
        return { done, total in
            guard done % step == 0 || done == total else { return }
            let line = "\rswasmc: compiled \(done) of \(total) functions" + (done == total ? "\n" : "")
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    func milliseconds(_ duration: Duration) -> String {
        String(format: "%.1f", duration / .milliseconds(1))
    }
}

extension CompilerOptions.BoundsChecks: ExpressibleByArgument {}

extension CodeTarget: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
}
