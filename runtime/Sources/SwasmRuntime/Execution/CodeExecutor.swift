// Entering compiled code from Swift. Every call goes through an array-call
// trampoline `void tramp(vmctx, uint64_t *argsAndResults)` and the runtime's
// assembly entry (`swasm_enter`, CSwasmRuntime), which returns 0 when the code
// returned and a trap code when it trapped; here a trap becomes a thrown `Trap`.
import CSwasmRuntime
import SwasmABI

public enum CodeExecutor {
    /// Installs the runtime's SIGSEGV/SIGBUS/FPE/ILL handlers, once per
    /// process (idempotent, thread-safe). Faults outside compiled code still
    /// reach the handlers installed before (Swift's crash reporting). An
    /// embedder that owns these signals does not call this and compiles with
    /// explicit checks instead. Returns false when `sigaction` failed.
    @discardableResult
    public static func installSignalHandlers() -> Bool {
        swasm_install_signal_handlers() == 0
    }

    public static var signalHandlersInstalled: Bool { swasm_signal_handlers_installed() }

    /// Most bytes of native stack compiled code may use below the entry point
    /// (nested entries share the outermost entry's budget). Default 512 KiB.
    public static var defaultMaximumStackSize: Int {
        get { Int(swasm_default_max_stack_size()) }
        set { swasm_set_default_max_stack_size(max(newValue, 1)) }
    }

    /// True while the calling thread runs inside `enterWasm`.
    public static var isInsideWasm: Bool { swasm_current_activation() != nil }

    /// Calls `trampoline(vmctx, arguments)` and returns when it returns.
    /// Results are written over `arguments` by the trampoline. A trap in the
    /// code (explicit, a fault in the guard region, division, stack limit) is
    /// thrown; the thread and the store stay usable.
    public static func enterWasm(
        trampoline: UnsafeRawPointer,
        vmctx: UnsafeMutableRawPointer?,
        arguments: UnsafeMutablePointer<UInt64>?,
        maximumStackSize: Int? = nil
    ) throws(Trap) {
        var activation = swasm_activation()
        if let maximumStackSize { activation.max_stack_size = UInt64(max(maximumStackSize, 1)) }
        let code = withUnsafeMutablePointer(to: &activation) { act in
            swasm_enter(trampoline, vmctx, arguments, act)
        }
        // A host function's error travels in the activation even when the
        // code then returned normally (it should not); take it either way.
        let hostTrap = HostErrorSlot.take(&activation)
        if code != 0 {
            let here = trap(from: activation, code: code)
            guard var hostTrap, hostTrap.code.rawValue == code else { throw here }
            if hostTrap.functionIndex == nil, here.functionIndex != nil {
                // Thrown by the host itself: it happened at the wasm call.
                hostTrap.functionIndex = here.functionIndex
                hostTrap.functionName = here.functionName
                hostTrap.bytecodeOffset = here.bytecodeOffset
            }
            throw hostTrap
        }
    }

    static func trap(from activation: swasm_activation, code: UInt32) -> Trap {
        let unknown = UInt32(SWASM_UNKNOWN_LOCATION)
        let functionIndex = activation.function_index == unknown ? nil : activation.function_index
        let offset = activation.wasm_offset == unknown ? nil : Int(activation.wasm_offset)
        var name: String?
        if let functionIndex, let context = activation.lookup_context {
            name = CodeRegistration.functionName(context: context, index: functionIndex)
        }
        return Trap(TrapCode(rawValue: code) ?? .unreachable,
                    functionIndex: functionIndex, functionName: name, bytecodeOffset: offset)
    }
}

extension CodeExecutor {
    /// Address of `swasm_raise_trap`, for the `HelperID.raiseTrap` slot of
    /// the helper table.
    public static var raiseTrapHelper: UnsafeRawPointer { swasm_raise_trap_address() }
}
