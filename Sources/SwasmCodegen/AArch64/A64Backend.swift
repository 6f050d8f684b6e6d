// The AArch64 backend: ARMv8.0-A with no extensions, AAPCS64.
import SwasmABI
import SwasmIR

public enum AArch64Backend: Backend {
    public static let target = CodeTarget.aarch64
    /// The base instruction set is enough: `sdiv` and the FP conversions
    /// are in every ARMv8.0 core, and nothing atomic is generated.
    public static let requiredFeatures: CPUFeatures = []
    /// `udf #0`, little-endian.
    public static let padding: [UInt8] = [0, 0, 0, 0]
    public static let registers = A64ABI.registers
    public static let callingConvention = CallingConvention.aapcs64

    /// Register-allocates and encodes one optimized IR function.
    public static func compile(_ function: Function, listing: Bool = false) throws -> CompiledFunction {
        try A64CodeGen.compile(function, listing: listing)
    }

    public static func arrayCallTrampoline(_ signature: Signature, listing: Bool) -> MachineCode {
        A64Trampolines.arrayCall(signature, listing: listing)
    }

    public static func hostCallTrampoline(_ signature: Signature, listing: Bool) -> MachineCode {
        A64Trampolines.hostCall(signature, listing: listing)
    }
}

/// The registers of AArch64 as the machine layer sees them.
///
/// Allocatable: x0-x17 and x19-x28; v0-v31. No register is reserved for
/// instruction selection: the registers an instruction's selection writes
/// besides its operands and results (to load a spilled operand, compute a
/// spilled result, form an address, park a value in a parallel move) are
/// its temporaries, which the allocator grants per instruction
/// (A64Temporaries.swift says how many each asks for).
///
/// Reserved by the platform's ABI, never allocated: x18 (the platform
/// register), x29 (frame pointer, chained so that the runtime can walk the
/// wasm stack), x30 (link register), sp.
///
/// x19-x28 are callee-saved whole; v8-v15 only in their low 64 bits, which
/// is all an f32 or f64 needs.
///
/// Temporaries take caller-saved registers from the far end (x17, x16, ...;
/// v31, v30, ...), away from x0/v0, where results arrive and leave: taking
/// the first free register, as values do, they pushed results out of x0
/// and cost a move (+0.5% of `.text` on the benchmarks).
public enum A64ABI {
    static let calleeSavedGeneral: [A64Reg] = [.x19, .x20, .x21, .x22, .x23, .x24, .x25, .x26, .x27, .x28]
    static let calleeSavedVector: [A64VReg] = [.v8, .v9, .v10, .v11, .v12, .v13, .v14, .v15]

    public static let registers = RegisterFile(
        classes: PerClass(
            general: RegisterClass(
                allocatable: ((0...17).map { UInt8($0) } + (19...28).map { UInt8($0) }),
                calleeSaved: Set(calleeSavedGeneral.map(\.rawValue)),
                temporaryOrder: (0...17).reversed().map { UInt8($0) } + (19...28).map { UInt8($0) }),
            vector: RegisterClass(
                allocatable: (0...7).map { UInt8($0) } + (16...31).map { UInt8($0) } + (8...15).map { UInt8($0) },
                preservedBytes: Dictionary(uniqueKeysWithValues: calleeSavedVector.map { ($0.rawValue, 8) }),
                temporaryOrder: ((0...7).map { UInt8($0) } + (16...31).map { UInt8($0) }).reversed() + (8...15).map { UInt8($0) })))
}
