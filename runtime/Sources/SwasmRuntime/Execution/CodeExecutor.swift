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
        let hostTrap = activation.host_error.map { Unmanaged<TrapBox>.fromOpaque($0).takeRetainedValue().trap }
        if code != 0 { throw trap(from: activation, code: code, hostTrap: hostTrap) }
    }

    static func trap(from activation: swasm_activation, code: UInt32, hostTrap: Trap? = nil) -> Trap {
        let unknown = UInt32(SWASM_UNKNOWN_LOCATION)
        var functionIndex = activation.function_index == unknown ? nil : activation.function_index
        var offset = activation.wasm_offset == unknown ? nil : Int(activation.wasm_offset)
        var name: String?
        if let functionIndex, let context = activation.lookup_context {
            name = CodeRegistration.functionName(context: context, index: functionIndex)
        }
        var (frames, omitted) = capturedBacktrace()
        // A host function that called back into wasm and passed on the trap
        // of that call: its frames come first, as one stack.
        if let hostTrap, hostTrap.code.rawValue == code, !hostTrap.backtrace.isEmpty {
            frames = hostTrap.backtrace + frames
            omitted += hostTrap.omittedFrames
        }
        if functionIndex == nil, let first = frames.first {
            // Raised by a host function: the location is the wasm call.
            functionIndex = first.functionIndex
            name = first.functionName
            offset = first.bytecodeOffset
        }
        var trap = Trap(TrapCode(rawValue: code) ?? .unreachable,
                        functionIndex: functionIndex, functionName: name, bytecodeOffset: offset,
                        hostError: hostTrap?.code.rawValue == code ? hostTrap?.hostError : nil)
        trap.backtrace = frames
        trap.omittedFrames = omitted
        return trap
    }

    /// The wasm frames the runtime captured at this thread's last trap.
    static func capturedBacktrace() -> (frames: [Trap.Frame], omitted: Int) {
        var pcs: UnsafePointer<UInt>?
        var startsAtTrap = false
        var omitted = 0
        var lastOmitted: UInt = 0
        let count = swasm_last_backtrace(&pcs, &startsAtTrap, &omitted, &lastOmitted)
        guard let pcs else { return ([], 0) }
        var frames: [Trap.Frame] = []
        frames.reserveCapacity(count)
        for index in 0..<count {
            guard let address = UnsafeRawPointer(bitPattern: pcs[index]) else { continue }
            // Trampoline frames have no wasm function and are left out.
            if let frame = CodeRegistration.frame(at: address, isReturnAddress: index > 0 || !startsAtTrap) {
                frames.append(frame)
            }
        }
        // The outermost frame of a walk is the entry trampoline's.
        if omitted > 0, let last = UnsafeRawPointer(bitPattern: lastOmitted),
           CodeRegistration.frame(at: last, isReturnAddress: true) == nil {
            omitted -= 1
        }
        return (frames, omitted)
    }

    /// Keeps a trap thrown by a host function called from compiled code
    /// until the activation that called it returns: a trap carries the
    /// backtrace of a wasm call the host made, to be put before this one's.
    static func noteHostTrap(_ trap: Trap) {
        guard let activation = swasm_current_activation() else { return }
        if let previous = activation.pointee.host_error {
            Unmanaged<TrapBox>.fromOpaque(previous).release()
        }
        activation.pointee.host_error = Unmanaged.passRetained(TrapBox(trap)).toOpaque()
    }
}

final class TrapBox {
    let trap: Trap
    init(_ trap: Trap) { self.trap = trap }
}

extension CodeExecutor {
    /// Address of `swasm_raise_trap`, for the `HelperID.raiseTrap` slot of
    /// the helper table.
    public static var raiseTrapHelper: UnsafeRawPointer { swasm_raise_trap_address() }
}
