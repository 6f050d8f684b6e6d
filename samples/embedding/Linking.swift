// The Swift embedding API (module Swasm), after wasmtime's "linking" example:
// a library registered with Linker.module, a host function returning two
// values, a typed call reading a tuple, and a host error's wasm backtrace.
import Swasm

/// A reactor: `_initialize` sets up its state, `divmod` uses the host's.
let mathLibrarySource = """
    (module
      (import "host" "divmod" (func $divmod (param i32 i32) (result i32 i32)))
      (global $calls (mut i32) (i32.const -1))
      (func (export "_initialize") (global.set $calls (i32.const 0)))
      (func $countedDivmod (export "divmod") (param i32 i32) (result i32 i32 i32)
        (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
        (call $divmod (local.get 0) (local.get 1))
        (global.get $calls)))
    """

/// The application, importing the library by the name it was registered under.
let applicationSource = """
    (module
      (import "math" "divmod" (func $divmod (param i32 i32) (result i32 i32 i32)))
      (func $split (export "split") (param i32 i32) (result i32 i32 i32)
        (call $divmod (local.get 0) (local.get 1))))
    """

/// The host's error, recording the wasm frames it unwound.
struct DivisionByZero: WasmBacktraceCarrying {
    var wasmBacktrace: WasmBacktrace?
}

func linkingExample() throws {
    let engine = Engine()
    let linker = Linker<Void>(engine: engine)
    try linker.defineFunc(module: "host", name: "divmod") { (a: Int32, b: Int32) throws -> (Int32, Int32) in
        guard b != 0 else { throw DivisionByZero() }
        return (a / b, a % b)
    }
    let store = Store(engine: engine)
    try linker.module(store, name: "math", Module(engine: engine, text: mathLibrarySource))
    let application = try linker.instantiate(store, Module(engine: engine, text: applicationSource))

    let split = try application.typedFunc("split", (Int32, Int32).self, (Int32, Int32, Int32).self)
    let (quotient, remainder, calls) = try split(17, 5)
    print("17 / 5 = \(quotient) remainder \(remainder) (library call \(calls))")
    precondition(quotient == 3 && remainder == 2 && calls == 1)

    do {
        _ = try split(1, 0)
        preconditionFailure("dividing by zero returned")
    } catch let error as DivisionByZero {
        print("the host refused to divide by zero; \(error.wasmBacktrace!)")
        precondition(error.wasmBacktrace?.frames.last?.displayName == "split")
    }
}
