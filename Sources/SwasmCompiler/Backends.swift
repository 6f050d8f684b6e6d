// The backend for each target. A target without one is refused by name
// before anything is compiled, never compiled with another target's code.
import SwasmABI
import SwasmCodegen
import SwasmObject
import WasmModel

extension Compiler {
    /// The backend that generates code for `target`.
    public static func backend(for target: CodeTarget) throws(WasmError) -> any Backend.Type {
        switch target {
        case .x86_64:
            return X64Backend.self
        case .aarch64:
            return AArch64Backend.self
        }
    }
}

extension CodeTarget {
    /// The object-file description of this machine.
    var objectTarget: ObjectTarget {
        switch self {
        case .x86_64: return .x86_64
        case .aarch64: return .aarch64
        }
    }
}
