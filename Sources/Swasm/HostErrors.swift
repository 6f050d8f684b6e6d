// Errors thrown by host functions: back to the embedder unchanged, with the
// wasm frames they unwound kept beside them.
import SwasmABI
import SwasmRuntime

/// The wasm frames an error unwound on its way out of wasm code, innermost
/// first: the function that called the host function, then each caller at
/// its call instruction.
public struct WasmBacktrace: Sendable, Hashable, CustomStringConvertible {
    /// The frames, innermost first.
    public var frames: [Trap.Frame]
    /// Frames beyond the ones kept in ``frames`` (deep recursion).
    public var omittedFrames: Int

    /// A backtrace of `frames`, innermost first, and `omittedFrames` more.
    public init(frames: [Trap.Frame], omittedFrames: Int = 0) {
        self.frames = frames
        self.omittedFrames = omittedFrames
    }

    /// One line per frame, as a ``Trap`` prints its backtrace:
    ///
    ///     wasm backtrace:
    ///         0:   0x4b - check
    ///         1:   0x56 - run
    public var description: String {
        Trap.describeBacktrace(frames, omittedFrames: omittedFrames)
    }

    /// This backtrace, then `outer`'s frames: a host function that called
    /// back into wasm passed on an error from that call.
    func followed(by outer: WasmBacktrace) -> WasmBacktrace {
        WasmBacktrace(frames: frames + outer.frames, omittedFrames: omittedFrames + outer.omittedFrames)
    }
}

/// An error type of the host's that records the wasm frames it unwound.
///
/// A host function that throws such an error gets it back unchanged in
/// type and content, except for ``wasmBacktrace``, which the call that
/// ran wasm (``Func/call(_:)``, a ``TypedFunc``, instantiation and
/// ``Instance/runStart()``) fills in:
///
/// ```swift
/// struct Denied: WasmBacktraceCarrying {
///     var wasmBacktrace: WasmBacktrace?
/// }
/// do { try run() } catch let error as Denied { print(error.wasmBacktrace!) }
/// ```
///
/// Errors of other types come back unchanged and their frames are in
/// ``Store/lastHostErrorBacktrace``.
public protocol WasmBacktraceCarrying: Error {
    /// The wasm frames the error unwound; nil until it left wasm code.
    var wasmBacktrace: WasmBacktrace? { get set }
}

/// The wasm frames `error` unwound, when it is a ``WasmBacktraceCarrying``
/// error that came out of wasm code (a ``Trap`` has its own `backtrace`).
public func wasmBacktrace(of error: any Error) -> WasmBacktrace? {
    (error as? any WasmBacktraceCarrying)?.wasmBacktrace
}

/// The embedding API's additions to the runtime's traps.
extension SwasmRuntime.Trap {
    /// The kinds of traps (`SwasmABI.TrapCode`).
    public typealias Code = TrapCode

    /// Runs `body` for `context`'s store; a `hostError` trap is replaced by
    /// the error the host function threw, so that embedders catch their own
    /// error types. The frames it unwound go to the store's
    /// `lastHostErrorBacktrace` and, for a ``WasmBacktraceCarrying`` error,
    /// into the error.
    static func unwrappingHostErrors<R>(in context: StoreContext, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let trap as Trap where trap.code == .hostError && trap.hostError != nil {
            var backtrace = WasmBacktrace(frames: trap.backtrace, omittedFrames: trap.omittedFrames)
            guard var carrying = trap.hostError as? any WasmBacktraceCarrying else {
                context.lastHostErrorBacktrace = backtrace
                throw trap.hostError!
            }
            // Set by a call the host function made back into wasm: those
            // frames are inside this call's.
            if let inner = carrying.wasmBacktrace { backtrace = inner.followed(by: backtrace) }
            carrying.wasmBacktrace = backtrace
            context.lastHostErrorBacktrace = backtrace
            throw carrying
        }
    }
}
