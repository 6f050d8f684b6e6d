// Swift 6 concurrency: what may cross tasks is Sendable (checked by the
// compiler: this file does not build without the conformances), an Engine
// and a Module serve stores made per task, and AsyncStore runs wasm on a
// thread of its own with cancellation mapped to interruption.
import Foundation
import Synchronization
import Testing
import Swasm

/// Compiles only for `Sendable` types.
private func requireSendable<T: Sendable>(_: T.Type) {}

private let counter = """
    (module
      (import "env" "step" (func $step (param i32) (result i32)))
      (func (export "run") (param i32) (result i32)
        (local $i i32) (local $sum i32)
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $i) (local.get 0)))
            (local.set $sum (i32.add (local.get $sum) (call $step (local.get $i))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next)))
        (local.get $sum)))
    """

/// `spin` calls `env.started` once, then loops until interrupted.
private let spinner = """
    (module
      (import "env" "started" (func $started))
      (func (export "spin") (call $started) (loop $forever (br $forever)))
      (func (export "answer") (result i32) (i32.const 42)))
    """

private let interruptibleEngine: Engine = {
    var config = Engine.Config()
    config.interruptible = true
    return Engine(config)
}()

/// An atomic value tasks and threads share.
private final class Shared<V: AtomicRepresentable>: Sendable where V: Sendable {
    let value: Atomic<V>
    init(_ initial: V) { value = Atomic(initial) }
}

/// The calling thread's name.
private func currentThreadName() -> String? { Thread.current.name }

/// How many threads of this process are stores' threads.
private func storeThreadCount() -> Int {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    return tasks.filter { task in
        (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?.hasPrefix("swasm-store") == true
    }.count
}

/// Waits (10 s at most) until at most `count` stores' threads are left.
private func waitForStoreThreads(toDropTo count: Int) async throws {
    let deadline = ContinuousClock.now + .seconds(10)
    while storeThreadCount() > count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
}

// Serialized: one test counts the stores' threads (no other suite makes any).
@Suite(.serialized) struct Concurrency {
    @Test func whatTasksShareIsSendable() {
        requireSendable(Engine.self)
        requireSendable(Engine.Config.self)
        requireSendable(Module.self)
        requireSendable(AsyncStore<Void>.self)
        requireSendable(AsyncStore<[String]>.self)
        requireSendable(InterruptHandle.self)
        requireSendable(StoreLimits.self)
        requireSendable(Value.self)
        requireSendable(ValueType.self)
        requireSendable(FunctionType.self)
        requireSendable(ExternType.self)
        requireSendable(ImportType.self)
        requireSendable(ExportType.self)
        requireSendable(WASIConfiguration.self)
        requireSendable(Trap.self)
        requireSendable(WasmBacktrace.self)
        requireSendable(ModuleError.self)
        requireSendable(LinkError.self)
    }

    @Test func oneEngineAndModuleServeAStorePerTask() async throws {
        let module = try Module(engine: engine, text: counter)
        let sums = try await withThrowingTaskGroup(of: (Int32, Int32, Int).self) { group in
            for task in Int32(1)...8 {
                group.addTask {
                    // Everything of the store stays inside this task.
                    let store = Store(engine: engine, data: 0)
                    let linker = Linker<Int>(engine: module.engine)
                    try linker.defineFunc(module: "env", name: "step") { (caller: Caller<Int>, i: Int32) -> Int32 in
                        caller.data += 1
                        return i &* task
                    }
                    let instance = try linker.instantiate(store, module)
                    let sum = try instance.typedFunc("run", Int32.self, Int32.self)(100)
                    return (task, sum, store.data)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(sums.count == 8)
        for (task, sum, calls) in sums {
            #expect(sum == 4950 * task)
            #expect(calls == 100)
        }
    }

    @Test func aStoreMadeInOneTaskIsUsedInAnother() async throws {
        let module = try Module(engine: engine, text: counter)
        let store = Store(engine: engine, data: 0)
        let step = Func.wrap(store) { (caller: Caller<Int>, i: Int32) -> Int32 in
            caller.data += 1
            return i
        }
        let instance = try Instance(store, module: module, imports: [.func(step)])
        // Handed over whole: nothing here uses the store afterwards.
        let result = try await Task.detached {
            (try instance.typedFunc("run", Int32.self, Int32.self)(10), store.data)
        }.value
        #expect(result.0 == 45 && result.1 == 10)
    }

    @Test func asyncStoreRunsBodiesOnItsOwnThread() async throws {
        let module = try Module(engine: engine, text: counter)
        let runner = AsyncStore(engine: engine, data: 0)
        let first = try await runner.run { store in
            let step = Func.wrap(store) { (caller: Caller<Int>, i: Int32) -> Int32 in
                caller.data += 1
                return i * 2
            }
            let instance = try Instance(store, module: module, imports: [.func(step)])
            return (try instance.typedFunc("run", Int32.self, Int32.self)(10), currentThreadName())
        }
        #expect(first.0 == 90)
        #expect(first.1 == "swasm-store")
        // A later body finds the store as the first left it.
        let calls = try await runner.run { store in
            _ = try store.instances[0].typedFunc("run", Int32.self, Int32.self)(5)
            return store.data
        }
        #expect(calls == 15)
    }

    @Test func anAsyncStoresThreadEndsWithIt() async throws {
        // Earlier tests' stores may still be on their way out.
        try await waitForStoreThreads(toDropTo: 0)
        #expect(storeThreadCount() == 0)
        do {
            let runners = (0..<3).map { _ in AsyncStore(engine: engine) }
            for runner in runners { _ = try await runner.run { _ in 1 } }
            #expect(storeThreadCount() == 3)
        }
        // The threads end once their stores are freed.
        try await waitForStoreThreads(toDropTo: 0)
        #expect(storeThreadCount() == 0)
    }

    @Test func asyncStoresRunAtOnceBeyondThePoolsWidth() async throws {
        // Every wasm call waits in its host function until all have started:
        // on the cooperative pool (one thread per core) the later ones could
        // never start.
        let count = ProcessInfo.processInfo.activeProcessorCount + 2
        let started = Shared(0)
        let module = try Module(engine: engine, text: counter)
        let results = try await withThrowingTaskGroup(of: Int32.self) { group in
            for _ in 0..<count {
                group.addTask {
                    let runner = AsyncStore(engine: engine)
                    return try await runner.run { store in
                        let waitForAll = Func.wrap(store) { (_: Int32) throws -> Int32 in
                            started.value.add(1, ordering: .relaxed)
                            let deadline = Date().addingTimeInterval(20)
                            while started.value.load(ordering: .relaxed) < count {
                                if Date() > deadline { throw CancellationError() }
                                usleep(1000)
                            }
                            return 42
                        }
                        let instance = try Instance(store, module: module, imports: [.func(waitForAll)])
                        return try instance.typedFunc("run", Int32.self, Int32.self)(1)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == Array(repeating: 42, count: count))
    }

    @Test func cancellingTheTaskInterruptsItsWasm() async throws {
        let module = try Module(engine: interruptibleEngine, text: spinner)
        let runner = AsyncStore(engine: interruptibleEngine)
        let running = Shared(false)
        let spin = Task {
            try await runner.run { store in
                let started = Func.wrap(store) { () -> Void in running.value.store(true, ordering: .relaxed) }
                let instance = try Instance(store, module: module, imports: [.func(started)])
                try instance.typedFunc("spin", Void.self)()
            }
        }
        while !running.value.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(5)) }
        spin.cancel()
        let error = await #expect(throws: Trap.self) { try await spin.value }
        #expect(error?.code == .interrupted)

        // The interrupt cancellation raised is cleared: the store runs again.
        let answer = try await runner.run { store in
            try store.instances[0].typedFunc("answer", Void.self, Int32.self)()
        }
        #expect(answer == 42)

        // A task cancelled before its body starts runs nothing.
        let ran = Shared(false)
        let cancelled = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await runner.run { _ in ran.value.store(true, ordering: .relaxed) }
        }
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        let bodyRan = ran.value.load(ordering: .relaxed)
        #expect(!bodyRan)
    }
}
