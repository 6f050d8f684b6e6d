// The entry points of the coverage-guided fuzzers (Fuzz/). Each takes any
// bytes and must return normally: a crash, a failed precondition or an
// error of the wrong kind is a finding. The test suite replays the saved
// findings (Fuzz/regressions) through these same functions, so they live
// in the main package and the fuzzers are thin wrappers.
import SwasmCompiler
import WasmModel

public enum FuzzTargets {
    /// An outcome that is a bug even though nothing crashed.
    public struct Finding: Error, CustomStringConvertible {
        public var description: String
    }

    /// Decodes and validates: any bytes give a module or a WasmError that
    /// points inside the input.
    public static func validate(_ bytes: [UInt8]) throws(Finding) {
        do throws(WasmError) {
            _ = try Validator.decodeAndValidate(bytes)
        } catch {
            guard error.offset >= 0, error.offset <= bytes.count else {
                throw Finding(description: "error offset \(error.offset) outside the \(bytes.count)-byte input: \(error)")
            }
        }
    }

    /// Decodes, validates and, when valid, compiles at -O2 with the IR
    /// verified after every pass. A valid module must compile, or be refused
    /// as something not supported (an `.unsupported` error, such as SIMD).
    public static func compile(_ bytes: [UInt8]) throws(Finding) {
        guard let module = try? Validator.decodeAndValidate(bytes) else { return }
        do {
            _ = try Compiler.compileToMachineCode(module, options: CompilerOptions(optimizationLevel: 2, jobs: 1, verify: true))
        } catch let error as WasmError where error.kind == .unsupported {
            return
        } catch {
            throw Finding(description: "a valid module did not compile: \(error)")
        }
    }
}
