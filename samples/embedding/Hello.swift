// The Swift embedding API (module Swasm), after wasmtime's "hello" example:
// a host function defined in Swift is imported and called by wasm.
import Swasm

let helloSource = """
    (module
      (func $hello (import "" "hello"))
      (func (export "run") (call $hello)))
    """

func helloExample() throws {
    let engine = Engine()
    print("Compiling module...")
    let module = try Module(engine: engine, text: helloSource)

    print("Initializing...")
    let store = Store(engine: engine, data: 0)   // data: how many times hello ran

    print("Creating callback...")
    let hello = Func.wrap(store) { (caller: Caller<Int>) in
        print("Calling back...")
        print("> Hello World!")
        caller.data += 1
    }

    print("Instantiating module...")
    let instance = try Instance(store, module: module, imports: [.func(hello)])

    print("Extracting export...")
    let run = try instance.typedFunc("run", Void.self)

    print("Calling export...")
    try run()

    precondition(store.data == 1, "the host function did not run")
    print("Done.")
}
