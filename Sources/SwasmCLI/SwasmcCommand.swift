// `swasmc`: the compiler driver. Today it checks modules (`--validate`);
// code generation arrives with the backend.
import ArgumentParser
import Foundation
import WasmModel

public struct SwasmcCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "swasmc",
        abstract: "Compile WebAssembly modules ahead of time.",
        discussion: """
            Reads a binary (.wasm) or text (.wat) module. With --validate, decodes and \
            validates it (WebAssembly 2.0) and exits 0 if it is valid, 1 if it is \
            malformed or invalid, printing where and why.
            """)

    @Argument(help: "The module to read (.wasm or .wat).")
    public var input: String

    @Flag(name: .long, help: "Only decode and validate the module.")
    public var validate = false

    @Flag(name: .long, help: "Print nothing on success.")
    public var quiet = false

    @Flag(name: .long, help: "Print the time taken by each stage.")
    public var stats = false

    public init() {}

    public func run() throws {
        guard validate else {
            reportError("swasmc", "code generation is not implemented yet; use --validate")
            throw ExitCode(2)
        }
        do {
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
            if stats {
                let codeBytes = module.bodies.reduce(0) { $0 + $1.code.count }
                let seconds = Double((decodeTime + validateTime).components.attoseconds) / 1e18
                    + Double((decodeTime + validateTime).components.seconds)
                print("read \(milliseconds(readTime)) ms, decode \(milliseconds(decodeTime)) ms, validate \(milliseconds(validateTime)) ms"
                      + " (\(bytes.count) bytes, \(codeBytes) bytes of function bodies; decode+validate \(Int(Double(bytes.count) / seconds / 1e6)) MB/s)")
            }
            if !quiet {
                print("\(input): valid (\(module.types.count) types, \(module.imports.count) imports, \(module.bodies.count) functions, \(module.exports.count) exports)")
            }
        } catch {
            reportError("swasmc", "\(error)")
            throw ExitCode(1)
        }
    }

    func milliseconds(_ duration: Duration) -> String {
        let ms = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        return String(format: "%.1f", ms)
    }
}
