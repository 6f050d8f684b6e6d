// Fuel and epoch deadlines: the block of execution limits compiled code
// reads through its VM context (ExecutionLimitsLayout), shared by all the
// instances of one store, and the engine-wide epoch counter it points to.
import Synchronization
import SwasmABI

/// A counter other threads advance (an engine's epoch); code compiled with
/// epoch checks compares it with its store's deadline at every function
/// entry and loop head.
public final class EpochCounter: @unchecked Sendable {
    // Compiled code reads the counter with plain aligned 8-byte loads, so it
    // lives at a fixed address; writers serialize on the lock (the same
    // pattern as the interrupt flags of InterruptSignal).
    let storage: UnsafeMutablePointer<UInt64>
    private let lock = Mutex(())

    /// A counter at 0.
    public init() {
        storage = .allocate(capacity: 1)
        storage.initialize(to: 0)
    }

    deinit { storage.deallocate() }

    /// The current epoch.
    public var value: UInt64 { lock.withLock { _ in storage.pointee } }

    /// Advances the epoch by one. Safe from any thread, also while wasm runs.
    public func increment() {
        lock.withLock { _ in storage.pointee &+= 1 }
    }
}

/// What to do when the epoch reaches a store's deadline (the answer of
/// `ExecutionLimits.onEpochDeadline`).
public enum EpochDeadlineAction: Sendable, Hashable {
    /// Go on, with the deadline this many ticks beyond the current epoch.
    case continueFor(ticks: UInt64)
    /// Stop the guest with an `interrupted` trap.
    case trap
}

/// The fuel and epoch deadline of a group of instances (a store): the block
/// of `ExecutionLimitsLayout` their VM contexts point to. One thread at a
/// time (the one running the instances) reads and sets them; only the
/// epoch counter is shared between threads.
public final class ExecutionLimits {
    /// The block compiled code reads and writes.
    public let block: UnsafeMutableRawPointer
    /// The epoch counter the deadline is measured against.
    public let epochCounter: EpochCounter
    /// Called when the epoch reaches the deadline; nil traps. It may move the
    /// deadline itself, or answer how far to move it. An error it throws
    /// stops the guest with an `interrupted` trap carrying the error.
    public var onEpochDeadline: (() throws -> EpochDeadlineAction)?

    /// Limits with `fuel` left and the deadline at `epochDeadline` (absolute)
    /// of `epochCounter`. The defaults never stop anything: the runtime's
    /// own instances run unlimited unless given limits.
    public init(fuel: Int64 = .max, epochDeadline: UInt64 = .max, epochCounter: EpochCounter = EpochCounter()) {
        self.epochCounter = epochCounter
        block = .allocate(byteCount: ExecutionLimitsLayout.size, alignment: 16)
        block.initializeMemory(as: UInt8.self, repeating: 0, count: ExecutionLimitsLayout.size)
        block.storeBytes(of: UnsafeRawPointer(epochCounter.storage), toByteOffset: ExecutionLimitsLayout.epochCounter,
                         as: UnsafeRawPointer.self)
        block.storeBytes(of: Unmanaged.passUnretained(self).toOpaque(), toByteOffset: ExecutionLimitsLayout.owner,
                         as: UnsafeMutableRawPointer.self)
        self.fuel = fuel
        self.epochDeadline = epochDeadline
    }

    deinit { block.deallocate() }

    /// The fuel left: negative when code used more than it had since its
    /// last check (it traps at the next function entry or loop head, and
    /// sets it to 0 then).
    public var fuel: Int64 {
        get { block.load(fromByteOffset: ExecutionLimitsLayout.fuel, as: Int64.self) }
        set { block.storeBytes(of: newValue, toByteOffset: ExecutionLimitsLayout.fuel, as: Int64.self) }
    }

    /// The epoch at which code with epoch checks stops (or asks
    /// `onEpochDeadline`).
    public var epochDeadline: UInt64 {
        get { block.load(fromByteOffset: ExecutionLimitsLayout.epochDeadline, as: UInt64.self) }
        set { block.storeBytes(of: newValue, toByteOffset: ExecutionLimitsLayout.epochDeadline, as: UInt64.self) }
    }

    /// Puts the deadline `ticks` beyond the current epoch (saturating).
    public func setEpochDeadline(ticksBeyondCurrent ticks: UInt64) {
        let (sum, overflow) = epochCounter.value.addingReportingOverflow(ticks)
        epochDeadline = overflow ? .max : sum
    }

    /// The `epochDeadline` helper's work: 0 to continue, else the trap code.
    func deadlineReached() -> UInt32 {
        // The deadline may have moved since the code read it (a callback
        // further up the stack); only a deadline still reached counts.
        if epochCounter.value < epochDeadline { return 0 }
        guard let handler = onEpochDeadline else { return TrapCode.interrupted.rawValue }
        do {
            switch try handler() {
            case .continueFor(let ticks):
                setEpochDeadline(ticksBeyondCurrent: ticks)
                return 0
            case .trap:
                return TrapCode.interrupted.rawValue
            }
        } catch {
            CodeExecutor.noteHostTrap(Trap(.interrupted, hostError: error))
            return TrapCode.interrupted.rawValue
        }
    }

    /// The limits whose block `vmctx` points to (for the helper).
    static func owning(_ vmctx: UnsafeMutableRawPointer?) -> ExecutionLimits? {
        guard let block = vmctx?.load(fromByteOffset: VMContextLayout.executionLimits, as: UnsafeMutableRawPointer?.self) else {
            return nil
        }
        let owner = block.load(fromByteOffset: ExecutionLimitsLayout.owner, as: UnsafeMutableRawPointer.self)
        return Unmanaged<ExecutionLimits>.fromOpaque(owner).takeUnretainedValue()
    }
}
