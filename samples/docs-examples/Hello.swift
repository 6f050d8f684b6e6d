// Article "Hello, world": compile a module, give it a host function written
// in Swift, instantiate it and call its export.
import Swasm

func helloExample() throws {
    // One engine compiles every module of the program.
    let engine = Engine()
    let module = try Module(engine: engine, text: """
        (module
          (import "host" "hello" (func $hello (param i32)))
          (func (export "run") (param $times i32)
            (loop $again
              (call $hello (local.get $times))
              (local.tee $times (i32.sub (local.get $times) (i32.const 1)))
              (br_if $again))))
        """)

    // The store's data is what host functions share: here, a greeting count.
    let store = Store(engine: engine, data: 0)
    let hello = Func.wrap(store) { (caller: Caller<Int>, countdown: Int32) in
        print("Hello from Swift! (\(countdown) to go)")
        caller.data += 1
    }

    // Imports are given in the order the module declares them.
    let instance = try Instance(store, module: module, imports: [.func(hello)])
    let run = try instance.typedFunc("run", Int32.self)
    try run(3)

    precondition(store.data == 3, "hello ran \(store.data) times, not 3")
}
