// Host-call trampolines outside any module: what lets a host function the
// embedder created be called by compiled code through a funcref (a table
// entry, a global), as an import of a module would be.
import SwasmABI
import SwasmCodegen
import SwasmIR
import WasmModel

public enum HostCallCode {
    /// The machine code of the host-call trampoline for functions of `type`,
    /// the same code the compiler emits for each type of a module; nil when
    /// this host's machine has no code generator.
    public static func trampoline(for type: FunctionType) -> [UInt8]? {
        #if arch(x86_64) || arch(arm64)
        guard let backend = try? Compiler.backend(for: .host) else { return nil }
        let signature = Signature(parameters: [.i64] + type.parameters.map(ModuleEnvironment.irType),
                                  results: type.results.map(ModuleEnvironment.irType))
        return backend.hostCallTrampoline(signature, listing: false).code
        #else
        return nil
        #endif
    }
}
