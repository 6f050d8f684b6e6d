// The x86-64 backend's entry point.
import SwasmIR

public enum X64Backend {
    /// Register-allocates and encodes one optimized IR function.
    public static func compile(_ function: Function, listing: Bool = false) throws -> CompiledFunction {
        try X64CodeGen.compile(function, listing: listing)
    }
}
