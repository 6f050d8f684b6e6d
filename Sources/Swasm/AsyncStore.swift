// The async path into wasm: a store owned by an actor that runs on a thread
// of its own, so that awaiting wasm never occupies a thread of Swift's
// cooperative pool, and the compiler proves nothing else touches the store
// while its code runs.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization
import SwasmRuntime

/// A ``Store`` owned by an actor whose code runs on a dedicated thread:
/// `await` it from any task to run wasm without blocking the cooperative
/// thread pool.
///
/// ```swift
/// let runner = AsyncStore(engine: engine)          // shares engine and module
/// let answer = try await runner.run { store in      // runs on the store's thread
///     let instance = try Instance(store, module: module)
///     return try instance.typedFunc("answer", Void.self, Int32.self)()
/// }
/// ```
///
/// Wasm code and host functions are synchronous and may run for long;
/// calling them on the cooperative pool would hold one of its few threads
/// (one per core) for all that time. Here the calling task is suspended
/// while the store's thread runs ``run(_:)``'s body, and resumes when it
/// returns. The store is the actor's: only a body passed to ``run(_:)`` can
/// reach it, one at a time, and Swift's checks refuse a body that captures
/// non-`Sendable` state of the caller or a result that is not `Sendable`,
/// so no object of the store escapes to another thread. Keep what later
/// bodies need in the store's ``Store/data`` or reach it through
/// ``Store/instances``.
///
/// Cancelling the task while its body runs calls ``Store/interrupt()``:
/// code compiled with ``Engine/Config/interruptible`` stops at its next
/// loop iteration with an `interrupted` ``Trap``, which `run` throws as it
/// is; code compiled without it runs to completion (cancellation cannot
/// stop it). Host functions run in the calling task and may check
/// `Task.isCancelled` themselves. When the body returns, an interrupt that
/// cancellation raised is cleared, so the next `run` starts normally (an
/// interrupt raised through ``interruptHandle`` stays until cleared). A task
/// cancelled before its body starts gets `CancellationError` and runs nothing.
///
/// Each `AsyncStore` has its own thread, which ends when the `AsyncStore`
/// is freed. Use one per concurrent unit of work, sharing the `Sendable`
/// ``Engine`` and ``Module``s between them.
public actor AsyncStore<T> {
    private let store: Store<T>
    private let thread: StoreThread
    private let cancellation: CancellationInterrupt

    /// Interrupts the store from any thread, as ``Store/interruptHandle``.
    public nonisolated let interruptHandle: InterruptHandle

    /// The dedicated thread that runs everything isolated to this actor.
    public nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    /// A store with `data` for host functions, using `engine`, and a thread
    /// of `threadStackSize` bytes of stack for it (nil: 8 MiB, or the
    /// engine's ``Engine/Config/maximumStackSize`` plus 1 MiB for the
    /// host's frames when that is more).
    public init(engine: Engine, data: sending T, limits: StoreLimits = StoreLimits(), threadStackSize: Int? = nil) {
        let stack = threadStackSize ?? max(8 << 20, (engine.config.maximumStackSize ?? 0) + (1 << 20))
        thread = StoreThread(stackSize: stack)
        store = Store(engine: engine, data: data, limits: limits)
        interruptHandle = store.interruptHandle
        cancellation = CancellationInterrupt(interruptHandle)
    }

    deinit { thread.stop() }

    /// Runs `body` with the store on the store's thread and returns what it
    /// returns; the calling task waits without holding a thread. Throws what
    /// `body` throws, `CancellationError` when the task was cancelled before
    /// `body` started, and an `interrupted` ``Trap`` when cancellation
    /// stopped interruptible code (see ``AsyncStore``).
    public func run<R: Sendable>(_ body: sending (Store<T>) throws -> R) async throws -> R {
        try Task.checkCancellation()
        return try await withTaskCancellationHandler {
            try cancellation.begin()
            defer { cancellation.end() }
            return try body(store)
        } onCancel: {
            cancellation.cancel()
        }
    }
}

extension AsyncStore where T == Void {
    /// A store without user data, on a thread of its own.
    public init(engine: Engine, limits: StoreLimits = StoreLimits(), threadStackSize: Int? = nil) {
        self.init(engine: engine, data: (), limits: limits, threadStackSize: threadStackSize)
    }
}

/// Turns a task's cancellation into an interrupt of the store, only while
/// a body runs (a cancellation that arrives between bodies must not stop
/// the next one, which may belong to another task).
private final class CancellationInterrupt: Sendable {
    private struct State {
        var running = false
        var raised = false
    }

    private let state = Mutex(State())
    private let handle: InterruptHandle

    init(_ handle: InterruptHandle) { self.handle = handle }

    /// A body starts; throws `CancellationError` when its task was already
    /// cancelled (its cancellation handler ran before `running` was set).
    func begin() throws {
        state.withLock { $0.running = true }
        if Task.isCancelled {
            end()
            throw CancellationError()
        }
    }

    func cancel() {
        state.withLock { state in
            guard state.running, !state.raised else { return }
            state.raised = true
            handle.interrupt()
        }
    }

    func end() {
        state.withLock { state in
            state.running = false
            if state.raised {
                state.raised = false
                handle.clearInterrupt()
            }
        }
    }
}

/// A serial executor backed by one thread of its own, with a stack large
/// enough for wasm's budget (the pool's threads are not meant to block).
final class StoreThread: SerialExecutor, @unchecked Sendable {
    // `jobs` and `stopping` are only touched with `lock` held. The mutex
    // and condition live at fixed addresses, as pthreads requires.
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wakeUp = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var jobs: [UnownedJob] = []
    private var stopping = false

    init(stackSize: Int) {
        pthread_mutex_init(lock, nil)
        pthread_cond_init(wakeUp, nil)
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackSize)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        // The thread holds the executor until its loop ends.
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, &attributes, { context in
            let executor = Unmanaged<StoreThread>.fromOpaque(context!).takeRetainedValue()
            executor.loop()
            return nil
        }, context)
        precondition(status == 0, "cannot start a thread for an AsyncStore (pthread_create: \(status))")
    }

    deinit {
        pthread_cond_destroy(wakeUp)
        pthread_mutex_destroy(lock)
        wakeUp.deallocate()
        lock.deallocate()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        pthread_mutex_lock(lock)
        jobs.append(job)
        pthread_cond_signal(wakeUp)
        pthread_mutex_unlock(lock)
    }

    /// Lets the thread end once the jobs queued so far have run.
    func stop() {
        pthread_mutex_lock(lock)
        stopping = true
        pthread_cond_signal(wakeUp)
        pthread_mutex_unlock(lock)
    }

    private func loop() {
        // Named for debuggers and backtraces.
        Thread.current.name = "swasm-store"
        let executor = asUnownedSerialExecutor()
        while true {
            pthread_mutex_lock(lock)
            while jobs.isEmpty && !stopping { pthread_cond_wait(wakeUp, lock) }
            if jobs.isEmpty {
                pthread_mutex_unlock(lock)
                return
            }
            let job = jobs.removeFirst()
            pthread_mutex_unlock(lock)
            job.runSynchronously(on: executor)
        }
    }
}
