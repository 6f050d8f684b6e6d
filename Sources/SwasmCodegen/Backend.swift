// What a target supplies to the compiler. The driver compiles every
// function through `compile`, lays the results out in `.text` with
// `padding` between them, resolves direct calls with each call site's
// `Reloc`, and adds one array-call and one host-call trampoline per
// signature. Register allocation, frame layout, calling conventions,
// parallel moves and out-of-line bookkeeping are shared (Regalloc/, Frame/,
// Emit/); instruction selection and encoding are the target's own.
// docs/adding-a-target.md lists what a new target must provide.
import SwasmABI
import SwasmIR

/// Backends are used as types (static members only), shared by every
/// compile thread: the metatype must be sendable.
public protocol Backend: SendableMetatype {
    /// The machine the code runs on.
    static var target: CodeTarget { get }
    /// Instruction-set extensions the generated code may use beyond the
    /// machine's baseline; recorded in objects and checked at load.
    static var requiredFeatures: CPUFeatures { get }
    /// Bytes repeated to fill gaps in `.text` (between functions), which trap
    /// if executed. `.text` offsets of gaps are multiples of its length.
    static var padding: [UInt8] { get }
    static var registers: RegisterFile { get }
    static var callingConvention: CallingConvention { get }

    /// Register-allocates and encodes one optimized IR function.
    static func compile(_ function: Function, listing: Bool) throws -> CompiledFunction
    /// The array-call trampoline for `signature` (vmctx first): how the
    /// host calls compiled code (docs/abi.md).
    static func arrayCallTrampoline(_ signature: Signature, listing: Bool) -> MachineCode
    /// The host-call trampoline for `signature`: how compiled code calls a
    /// host function.
    static func hostCallTrampoline(_ signature: Signature, listing: Bool) -> MachineCode
}

extension Backend {
    /// Appends padding to `text` until its size is a multiple of `alignment`.
    public static func pad(_ text: inout [UInt8], toMultipleOf alignment: Int) {
        while text.count % alignment != 0 { text.append(padding[text.count % padding.count]) }
    }
}
