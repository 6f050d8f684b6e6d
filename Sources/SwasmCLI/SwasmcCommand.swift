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

    public init() {}

    public func run() throws {
        guard validate else {
            reportError("swasmc", "code generation is not implemented yet; use --validate")
            throw ExitCode(2)
        }
        do {
            let module = try ModuleInput.validatedModule(atPath: input)
            if !quiet {
                print("\(input): valid (\(module.types.count) types, \(module.imports.count) imports, \(module.bodies.count) functions, \(module.exports.count) exports)")
            }
        } catch {
            reportError("swasmc", error.description)
            throw ExitCode(1)
        }
    }
}
