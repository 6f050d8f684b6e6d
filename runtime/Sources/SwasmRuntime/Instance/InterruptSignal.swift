// Interruption shared by a group of instances (an embedder's store): raising
// the signal sets the interrupt flag of every instance attached to it, so
// that code compiled with interruption checks stops at its next loop
// iteration in whichever of them it is running (also in a library instance
// another one called).
import Synchronization
import SwasmABI

public final class InterruptSignal: Sendable {
    private struct State {
        var raised = false
        /// Addresses of the interrupt flags of attached VM contexts.
        var flags: Set<UInt> = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Whether the signal is raised (until `clear`).
    public var isRaised: Bool { state.withLock { $0.raised } }

    /// Interrupts every attached instance, and those attached later until
    /// `clear`. Safe from any thread.
    public func raise() {
        state.withLock { state in
            state.raised = true
            for flag in state.flags { Self.store(1, at: flag) }
        }
    }

    /// Lets the attached instances run again.
    public func clear() {
        state.withLock { state in
            state.raised = false
            for flag in state.flags { Self.store(0, at: flag) }
        }
    }

    /// How many VM contexts follow the signal.
    var attachedCount: Int { state.withLock { $0.flags.count } }

    /// Makes the VM context `vmctx` follow the signal until `detach`.
    func attach(_ vmctx: UnsafeMutableRawPointer) {
        let flag = UInt(bitPattern: vmctx + VMContextLayout.interruptFlag)
        state.withLock { state in
            state.flags.insert(flag)
            if state.raised { Self.store(1, at: flag) }
        }
    }

    /// Forgets `vmctx` (before its memory is freed: no raise writes there after).
    func detach(_ vmctx: UnsafeMutableRawPointer) {
        let flag = UInt(bitPattern: vmctx + VMContextLayout.interruptFlag)
        _ = state.withLock { $0.flags.remove(flag) }
    }

    private static func store(_ value: UInt64, at flag: UInt) {
        // Compiled code reads the flag with a plain load at loop heads; an
        // aligned 8-byte store is seen whole.
        UnsafeMutablePointer<UInt64>(bitPattern: flag)!.pointee = value
    }
}
