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
/// Reserved, never allocated:
/// - x16, x17 (AAPCS64's intra-procedure-call scratch registers):
///   instruction selection's temporaries within one IR instruction; x17
///   also forms frame addresses beyond an instruction's reach.
/// - x15: a third temporary for selection, and the register a parallel
///   move parks a value in to break a cycle (never both at once: parallel
///   moves never run inside an instruction's selection).
/// - x18: the platform register. x29 (frame pointer, chained so that the
///   runtime can walk the wasm stack), x30 (link register), sp.
/// - v29, v30: float temporaries; v31 parks a value in a parallel move.
///
/// x19-x28 are callee-saved whole; v8-v15 only in their low 64 bits, which
/// is all an f32 or f64 needs.
public enum A64ABI {
    static let temporary0 = A64Reg.x16
    static let temporary1 = A64Reg.x17
    static let temporary2 = A64Reg.x15
    static let floatTemporary0 = A64VReg.v30
    static let floatTemporary1 = A64VReg.v29
    static let floatMoveScratch = A64VReg.v31

    static let calleeSavedGeneral: [A64Reg] = [.x19, .x20, .x21, .x22, .x23, .x24, .x25, .x26, .x27, .x28]
    static let calleeSavedVector: [A64VReg] = [.v8, .v9, .v10, .v11, .v12, .v13, .v14, .v15]

    public static let registers = RegisterFile(
        classes: PerClass(
            general: RegisterClass(
                allocatable: ((0...14).map { UInt8($0) } + (19...28).map { UInt8($0) }),
                calleeSaved: Set(calleeSavedGeneral.map(\.rawValue))),
            vector: RegisterClass(
                allocatable: (0...7).map { UInt8($0) } + (16...28).map { UInt8($0) } + (8...15).map { UInt8($0) },
                preservedBytes: Dictionary(uniqueKeysWithValues: calleeSavedVector.map { ($0.rawValue, 8) }))),
        moveScratch: PerClass(general: A64Reg.x15.rawValue, vector: A64VReg.v31.rawValue))
}
