// Article "Multithreading": one engine and one compiled module shared by
// many threads, a store per thread.
import Dispatch
import Swasm
import Synchronization

func multithreadingExample() throws {
    // Engine and Module are immutable and Sendable: compile once, share.
    let engine = Engine()
    let module = try Module(engine: engine, text: """
        (module
          (memory 1)
          (func (export "accumulate") (param i32) (result i32)
            (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (local.get 0)))
            (i32.load (i32.const 0))))
        """)

    let threads = 4
    let totals = Mutex([Int32](repeating: 0, count: threads))
    let failures = Mutex([String]())
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
        do {
            // A Store and its instances belong to one thread at a time.
            let store = Store(engine: engine)
            let instance = try Instance(store, module: module)
            let accumulate = try instance.typedFunc("accumulate", Int32.self, Int32.self)
            var total: Int32 = 0
            for value in 1...100 { total = try accumulate(Int32(value)) }
            totals.withLock { $0[thread] = total }
        } catch {
            failures.withLock { $0.append("thread \(thread): \(error)") }
        }
    }

    // Each thread's instance had a memory of its own.
    precondition(failures.withLock { $0 }.isEmpty, failures.withLock { $0.joined(separator: "\n") })
    precondition(totals.withLock { $0 } == [Int32](repeating: 5050, count: threads))
    print("\(threads) threads, one module, each total 5050")
}
