// One compiled Module shared by many threads, a fresh Store and Instance per
// "request": Module is immutable and Sendable, Stores are per thread.
import Dispatch
import Synchronization
import Swasm

let counterSource = """
    (module
      (memory 1)
      (func (export "handle") (param i32) (result i32)
        (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (local.get 0)))
        (i32.load (i32.const 0))))
    """

func threadsExample() throws {
    let engine = Engine()
    let module = try Module(engine: engine, text: counterSource)
    let requests = 400
    let failures = Mutex(0)
    DispatchQueue.concurrentPerform(iterations: 8) { worker in
        for request in 0..<(requests / 8) {
            do {
                let store = Store(engine: engine, data: ())
                let instance = try Linker<Void>(engine: engine).instantiate(store, module)
                let handle = try instance.typedFunc("handle", Int32.self, Int32.self)
                // Each request gets fresh memory: the first store sees 0.
                if try handle(Int32(request + worker)) != Int32(request + worker) { failures.withLock { $0 += 1 } }
            } catch {
                failures.withLock { $0 += 1 }
            }
        }
    }
    print("\(requests) requests on 8 threads, \(failures.withLock { $0 }) failures")
    precondition(failures.withLock { $0 } == 0)
}
