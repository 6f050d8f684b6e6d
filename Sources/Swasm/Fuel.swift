// Fuel and epoch deadlines of a store: how much wasm code may still run,
// and when it must stop or ask the host (docs/fuel-and-epochs.md).
import SwasmABI
import SwasmRuntime

/// Fuel was asked of a store whose engine does not count it.
public struct FuelNotEnabledError: Error, Sendable, CustomStringConvertible {
    /// What to enable.
    public var description: String {
        "fuel is not enabled: compile with Engine.Config.consumeFuel (swasmc --consume-fuel)"
    }
}

/// What a store's epoch deadline callback decides (``Store/epochDeadlineCallback(_:)``).
public enum UpdateDeadline: Sendable, Hashable {
    /// Let the guest go on; the next deadline is this many epoch ticks
    /// beyond the current epoch.
    case `continue`(UInt64)
    /// Stop the guest with an `interrupted` trap.
    case trap
}

extension Store {
    /// The fuel left for wasm code compiled with `Engine.Config.consumeFuel`
    /// in this store's instances (0 once used up). A store starts with none.
    ///
    /// Each executed wasm operator costs 1, except `nop`, `drop`, `block`,
    /// `loop`, `else`, `end`, `unreachable` and `return`, which cost 0. Code
    /// checks the fuel at every function entry and loop head and traps with
    /// `outOfFuel` when none is left; between checks it may use a little
    /// more than it had (at most the straight-line code up to the next
    /// check), which is counted but shows here as 0.
    ///
    /// Throws ``FuelNotEnabledError`` when the engine does not count fuel.
    public var fuel: UInt64 {
        get throws {
            guard engine.config.consumeFuel else { throw FuelNotEnabledError() }
            return UInt64(max(0, context.executionLimits.fuel))
        }
    }

    /// Sets the fuel left for the store's instances (all of them draw on
    /// it, also when one calls another). Values above `Int64.max` count as
    /// `Int64.max`. Throws ``FuelNotEnabledError`` when the engine does not
    /// count fuel.
    public func setFuel(_ fuel: UInt64) throws {
        guard engine.config.consumeFuel else { throw FuelNotEnabledError() }
        context.executionLimits.fuel = Int64(clamping: fuel)
    }

    /// Puts the store's epoch deadline `ticksBeyondCurrent` ticks beyond
    /// the engine's current epoch. Code compiled with
    /// `Engine.Config.epochInterruption` reaching it (at a function entry or
    /// loop head) traps with `interrupted`, or calls the
    /// ``epochDeadlineCallback(_:)``. A store's deadline starts at 0: such
    /// code stops at once until a deadline is set.
    public func setEpochDeadline(_ ticksBeyondCurrent: UInt64) {
        context.executionLimits.setEpochDeadline(ticksBeyondCurrent: ticksBeyondCurrent)
    }

    /// Makes reaching the epoch deadline trap with `interrupted` (the
    /// default; replaces a callback).
    public func epochDeadlineTrap() {
        context.executionLimits.onEpochDeadline = nil
    }

    /// Makes reaching the epoch deadline call `callback` with the store
    /// (and so its ``data``) on the thread running the guest. It answers
    /// ``UpdateDeadline/continue(_:)`` to let the guest go on with a new
    /// deadline, or ``UpdateDeadline/trap`` to stop it with `interrupted`;
    /// an error it throws stops the guest with an `interrupted` trap whose
    /// `hostError` is that error.
    public func epochDeadlineCallback(_ callback: @escaping (Store<T>) throws -> UpdateDeadline) {
        // Unowned: the store holds the limits that hold the callback, and
        // only wasm code of a living store calls it.
        context.executionLimits.onEpochDeadline = { [unowned self] in
            switch try callback(self) {
            case .continue(let ticks): return .continueFor(ticks: ticks)
            case .trap: return .trap
            }
        }
    }
}
