// Article "Interrupting wasm": stop a guest that runs too long from another
// thread, then let the store run again.
import Dispatch
import Swasm

func interruptsExample() throws {
    var config = Engine.Config()
    config.interruptible = true  // every loop checks the store's interrupt flag
    let engine = Engine(config)
    let module = try Module(engine: engine, text: """
        (module
          (func (export "spin") (loop $forever (br $forever)))
          (func (export "answer") (result i32) (i32.const 42)))
        """)
    let store = Store(engine: engine)
    let instance = try Instance(store, module: module)
    let spin = try instance.typedFunc("spin", Void.self)

    // The handle is Sendable: another thread stops the guest in 100 ms.
    let handle = store.interruptHandle
    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(100)) {
        handle.interrupt()
    }
    let started = ContinuousClock.now
    do {
        try spin()
        preconditionFailure("an endless loop returned")
    } catch let trap as Trap {
        precondition(trap.code == .interrupted)
        print("\(trap.summary) after \(ContinuousClock.now - started)")
    }

    // The store stays interrupted until the host clears it.
    store.clearInterrupt()
    let answer = try instance.typedFunc("answer", Void.self, Int32.self)
    let value = try answer()
    precondition(value == 42)
}
