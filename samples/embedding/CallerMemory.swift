// A host function that reads a string from the calling instance's memory
// (wasmtime's "memory"/"hello with strings" pattern): wasm passes a pointer
// and a length, Swift reads them through the Caller.
import Swasm

let greetSource = """
    (module
      (import "host" "log" (func $log (param i32 i32)))
      (memory (export "memory") 1)
      (data (i32.const 16) "Hello from linear memory!")
      (func (export "run") (call $log (i32.const 16) (i32.const 25))))
    """

func callerMemoryExample() throws {
    let engine = Engine()
    let module = try Module(engine: engine, text: greetSource)
    let store = Store(engine: engine, data: [String]())
    let linker = Linker<[String]>(engine: engine)
    try linker.defineFunc(module: "host", name: "log") { (caller: Caller<[String]>, pointer: Int32, length: Int32) in
        guard let memory = caller.memory else { throw SampleError("the caller exports no memory") }
        let text = try memory.readString(at: UInt64(UInt32(bitPattern: pointer)), count: Int(length))
        caller.data.append(text)
        print("> \(text)")
    }
    let instance = try linker.instantiate(store, module)
    try instance.typedFunc("run", Void.self)()
    precondition(store.data == ["Hello from linear memory!"])
}

struct SampleError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
