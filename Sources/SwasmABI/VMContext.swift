// Layout of the VM context (vmctx): the per-instance block that compiled code
// receives as its first argument. Fixed header of 8-byte fields at the
// offsets below; the runtime allocates and fills it, compiled code only reads
// it (except `memoryLength`/`memoryBase` which helpers update on grow, and
// the execution limits block, whose fuel compiled code writes).
// runtime/Sources/CSwasmRuntime/include/swasm_abi.h mirrors these values for
// the C side; a test checks that both agree.

public enum VMContextLayout {
    /// Base address of memory 0 (null when the instance has no memory).
    public static let memoryBase = 0
    /// Accessible bytes of memory 0 (explicit bounds checks, memory.size).
    public static let memoryLength = 8
    /// Lowest stack pointer wasm code may run at; prologues compare against it.
    public static let stackLimit = 16
    /// Pointer to the helper table: C-ABI function pointers indexed by `HelperID`.
    public static let helpers = 24
    /// Pointer to `ImportedFunction` records, one per imported function.
    public static let importedFunctions = 32
    /// Pointer to an array of pointers, one per global, each to 16 bytes of storage.
    public static let globals = 40
    /// Pointer to `TableDescriptor` records, one per table (imports first).
    public static let tables = 48
    /// Pointer to the canonical signature id (UInt64) of each of the module's types.
    public static let signatureIDs = 56
    /// Pointer to `FunctionReference` records, one per function (imports first).
    public static let functionReferences = 64
    /// Set non-zero by the host to interrupt running code (checked at loop heads).
    public static let interruptFlag = 72
    /// The runtime's instance object (opaque to compiled code).
    public static let instance = 80
    /// Pointer to the execution limits block (`ExecutionLimitsLayout`) the
    /// instance shares with every instance of its store: fuel and the epoch
    /// deadline. Null unless the code was compiled with fuel or epoch checks.
    public static let executionLimits = 88
    /// Header size; the runtime may place its own data after it.
    public static let headerSize = 96
}

/// The block of execution limits a store's instances share (one per store,
/// so that a call from one instance into another draws on the same fuel).
public enum ExecutionLimitsLayout {
    /// Int64: fuel left. Compiled code keeps it in a register between calls
    /// and writes it back before every call and return (0 at an `outOfFuel`
    /// trap); it may go negative between checks (docs/fuel-and-epochs.md).
    public static let fuel = 0
    /// UInt64: the epoch at which code compiled with epoch checks calls
    /// `HelperID.epochDeadline`.
    public static let epochDeadline = 8
    /// Pointer to the engine's epoch counter (UInt64), which other threads
    /// increment.
    public static let epochCounter = 16
    /// The runtime's object that owns the block (opaque to compiled code).
    public static let owner = 24
    public static let size = 32
}

/// `{ code, vmctx }`: how to call an imported function.
public enum ImportedFunctionLayout {
    public static let code = 0
    public static let vmctx = 8
    public static let size = 16
}

/// A funcref: pointer to `{ code, vmctx, signatureID }`; null is 0.
public enum FunctionReferenceLayout {
    public static let code = 0
    public static let vmctx = 8
    public static let signatureID = 16
    public static let size = 32
}

/// `{ elements, count, maximum }` for each table. Elements are 8-byte
/// references (funcref: FunctionReference pointer; externref: host pointer).
public enum TableDescriptorLayout {
    public static let elements = 0
    public static let count = 8
    public static let maximum = 16
    public static let size = 24
}

/// Runtime functions compiled code calls through the helper table. All take
/// vmctx first. Those marked "trap code" return 0 or a `TrapCode` raw value;
/// compiled code passes a non-zero one to `raiseTrap`.
public enum HelperID: Int, CaseIterable, Sendable {
    /// (vmctx, memory: u32, delta: u32) -> u32 old size in pages or 0xFFFF_FFFF
    case memoryGrow = 0
    /// (vmctx, memory, dst: u32, value: u32, length: u32) -> trap code
    case memoryFill
    /// (vmctx, dstMemory, srcMemory, dst: u32, src: u32, length: u32) -> trap code
    case memoryCopy
    /// (vmctx, memory, segment, dst: u32, src: u32, length: u32) -> trap code
    case memoryInit
    /// (vmctx, segment) -> void
    case dataDrop
    /// (vmctx, table, delta: u32, value: pointer) -> u32 old size or 0xFFFF_FFFF
    case tableGrow
    /// (vmctx, table, dst: u32, value: pointer, length: u32) -> trap code
    case tableFill
    /// (vmctx, dstTable, srcTable, dst: u32, src: u32, length: u32) -> trap code
    case tableCopy
    /// (vmctx, table, segment, dst: u32, src: u32, length: u32) -> trap code
    case tableInit
    /// (vmctx, segment) -> void
    case elementDrop
    /// (vmctx, code: u32) -> never returns; unwinds to the host entry.
    case raiseTrap
    /// (vmctx) -> u32: 0 when the store moved its epoch deadline (the code
    /// continues), else `TrapCode.interrupted`. Called when the epoch
    /// reached the deadline.
    case epochDeadline
}
