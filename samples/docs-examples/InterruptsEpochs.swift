// Article "Interrupting wasm" (Interrupts.md), epoch deadlines: a timer
// advances the engine's epoch, and a store's code stops at its deadline.
import Dispatch
import Swasm

func epochsExample() throws {
    var config = Engine.Config()
    config.epochInterruption = true  // loops and calls compare the epoch with the store's deadline
    let engine = Engine(config)
    let module = try Module(engine: engine, text: """
        (module (func (export "spin") (loop $forever (br $forever))))
        """)
    let store = Store(engine: engine)
    let instance = try Instance(store, module: module)
    let spin = try instance.typedFunc("spin", Void.self)

    // Stop once the epoch has advanced one tick past the current one.
    store.setEpochDeadline(1)
    // Engine is Sendable: a timer on another thread ticks it.
    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(100)) {
        engine.incrementEpoch()
    }
    do {
        try spin()
        preconditionFailure("an endless loop returned")
    } catch let trap as Trap {
        precondition(trap.code == .interrupted)
        print("the epoch deadline stopped the guest: \(trap.summary)")
    }
}

/// A deadline callback that lets the guest run on for a while. The guest
/// advances the epoch itself, through a host function, so that the count
/// is exact; a program would tick from a timer as above.
func epochCallbackExample() throws {
    var config = Engine.Config()
    config.epochInterruption = true
    let engine = Engine(config)
    let module = try Module(engine: engine, text: """
        (module
          (import "host" "tick" (func $tick))
          (func (export "spin") (loop $forever (call $tick) (br $forever))))
        """)
    let store = Store(engine: engine, data: 0)  // deadlines reached so far
    let tick = Func.wrap(store) { engine.incrementEpoch() }
    let instance = try Instance(store, module: module, imports: [.func(tick)])

    // Each time the deadline is reached: go on for one more tick, three times.
    store.epochDeadlineCallback { store in
        store.data += 1
        return store.data < 3 ? .continue(1) : .trap
    }
    store.setEpochDeadline(1)
    do {
        try instance.typedFunc("spin", Void.self)()
        preconditionFailure("an endless loop returned")
    } catch let trap as Trap {
        precondition(trap.code == .interrupted && store.data == 3)
    }
}
