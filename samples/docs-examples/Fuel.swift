// Article "Fuel" (Fuel.md): bound the work a guest may do, deterministically.
import Swasm

func fuelExample() throws {
    var config = Engine.Config()
    config.consumeFuel = true  // compiled code counts what it runs against the store's fuel
    let engine = Engine(config)
    let module = try Module(engine: engine, text: """
        (module
          (func $fib (export "fib") (param $n i32) (result i32)
            (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
              (then (local.get $n))
              (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                             (call $fib (i32.sub (local.get $n) (i32.const 2))))))))
        """)
    let store = Store(engine: engine)
    let instance = try Instance(store, module: module)
    let fib = try instance.typedFunc("fib", Int32.self, Int32.self)

    // The same call with the same arguments always costs the same fuel.
    try store.setFuel(1_000_000)
    let result = try fib(15)
    precondition(result == 610)
    let cost = try 1_000_000 - store.fuel
    try store.setFuel(1_000_000)
    _ = try fib(15)
    let costAgain = try 1_000_000 - store.fuel
    precondition(costAgain == cost, "fuel is deterministic")
    print("fib(15) costs \(cost) fuel")

    // A guest that wants more than it has stops with a trap.
    try store.setFuel(cost / 2)
    do {
        _ = try fib(15)
        preconditionFailure("ran on half the fuel it needs")
    } catch let trap as Trap {
        precondition(trap.code == .outOfFuel)
        print("with \(cost / 2) fuel: \(trap.code)")
    }

    // Refuelled, the store runs again.
    try store.setFuel(cost)
    let again = try fib(15)
    precondition(again == 610)
}
