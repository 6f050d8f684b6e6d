// Article "Linear memory" (LinearMemory.md): read and write a module's memory from Swift, see
// an out-of-bounds access trap, grow the memory, and read a string a
// guest passes to a host function.
import Swasm

func memoryExample() throws {
    let engine = Engine()
    let module = try Module(engine: engine, text: """
        (module
          (memory (export "memory") 1 2)
          (data (i32.const 256) "swasm")
          (func (export "pages") (result i32) (memory.size))
          (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0)))
          (func (export "poke") (param i32 i32) (i32.store8 (local.get 0) (local.get 1))))
        """)
    let store = Store(engine: engine)
    let instance = try Instance(store, module: module)
    let memory = instance.memory(named: "memory")!
    let pages = try instance.typedFunc("pages", Void.self, Int32.self)
    let peek = try instance.typedFunc("peek", Int32.self, Int32.self)
    let poke = try instance.typedFunc("poke", (Int32, Int32).self)

    // The host and the guest see the same bytes.
    let word = try memory.readString(at: 256, count: 5)
    precondition(word == "swasm")
    try poke(256, 0x53)  // "S"
    let bytes = try memory.read(at: 256, count: 1)
    precondition(bytes == [0x53])
    try memory.store(UInt32(0xdead_beef), at: 1024)
    let lowByte = try peek(1024)
    precondition(lowByte == 0xef, "wasm is little-endian")

    // An access past the end traps, and the trap says why.
    do {
        _ = try peek(65536)
        preconditionFailure("reading past the memory's end returned")
    } catch let trap as Trap {
        precondition(trap.code == .memoryOutOfBounds)
        print("reading byte 65536 of a 1-page memory: \(trap.code)")
    }

    // Growing returns the old size; the module's maximum is 2 pages.
    let oldPages = try memory.grow(by: 1)
    let newPages = try pages()
    precondition(oldPages == 1 && newPages == 2)
    let newByte = try peek(65536)
    precondition(newByte == 0, "a new page is zeroed")
    do {
        try memory.grow(by: 1)
        preconditionFailure("grew past the maximum")
    } catch let error as MemoryAccessError {
        print("growing past the maximum: \(error)")
    }
}

/// A host function that reads a string from the memory of the instance
/// calling it: wasm passes a pointer and a length.
func callerMemoryExample() throws {
    let engine = Engine()
    let module = try Module(engine: engine, text: """
        (module
          (import "host" "log" (func $log (param i32 i32)))
          (memory (export "memory") 1)
          (data (i32.const 16) "Hello from linear memory!")
          (func (export "run") (call $log (i32.const 16) (i32.const 25))))
        """)
    let store = Store(engine: engine, data: [String]())
    struct NoMemory: Error {}
    let log = Func.wrap(store) { (caller: Caller<[String]>, pointer: UInt32, length: Int32) in
        guard let memory = caller.memory else { throw NoMemory() }
        let text = try memory.readString(at: UInt64(pointer), count: Int(length))
        caller.data.append(text)
    }
    let instance = try Instance(store, module: module, imports: [.func(log)])
    try instance.typedFunc("run", Void.self)()
    precondition(store.data == ["Hello from linear memory!"])
}
