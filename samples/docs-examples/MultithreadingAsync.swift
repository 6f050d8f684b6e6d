// Article "Multithreading" (Multithreading.md), from async code: each task
// runs wasm in an AsyncStore, on a thread of the store's own, so awaiting
// it never blocks a thread of Swift's cooperative pool.
import Swasm

func multithreadingAsyncExample() async throws {
    let engine = Engine()
    let module = try Module(engine: engine, text: """
        (module
          (memory 1)
          (func (export "accumulate") (param i32) (result i32)
            (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (local.get 0)))
            (i32.load (i32.const 0))))
        """)

    let totals = try await withThrowingTaskGroup(of: Int32.self) { group in
        for _ in 0..<4 {
            group.addTask {
                let runner = AsyncStore(engine: engine)
                // The body runs on the store's thread; the task waits without one.
                return try await runner.run { store in
                    let instance = try Instance(store, module: module)
                    let accumulate = try instance.typedFunc("accumulate", Int32.self, Int32.self)
                    var total: Int32 = 0
                    for value in 1...100 { total = try accumulate(Int32(value)) }
                    return total
                }
            }
        }
        return try await group.reduce(into: [Int32]()) { $0.append($1) }
    }
    precondition(totals == [5050, 5050, 5050, 5050])
    print("4 tasks, 4 stores, each total 5050")
}
