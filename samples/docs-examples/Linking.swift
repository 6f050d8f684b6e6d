// Article "Linking modules": a library instantiated once and imported by
// name, host functions in a Linker, tuple results, and the error for an
// import nobody defined.
import Swasm

func linkingExample() throws {
    let engine = Engine()
    // A linker defines imports by module and name; its data type is the stores'.
    let linker = Linker<[String]>(engine: engine)
    try linker.defineFunc(module: "host", name: "log") { (caller: Caller<[String]>, call: Int32) in
        caller.data.append("divmod call \(call)")
    }

    // A library: division with remainder (two results), counting its calls.
    let library = try Module(engine: engine, text: """
        (module
          (import "host" "log" (func $log (param i32)))
          (global $calls (export "calls") (mut i32) (i32.const 0))
          (func (export "divmod") (param i32 i32) (result i32 i32)
            (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
            (call $log (global.get $calls))
            (i32.div_u (local.get 0) (local.get 1))
            (i32.rem_u (local.get 0) (local.get 1))))
        """)
    // An application that imports the library as "math".
    let application = try Module(engine: engine, text: """
        (module
          (import "math" "divmod" (func $divmod (param i32 i32) (result i32 i32)))
          (func (export "digits") (param $n i32) (result i32)
            (local $count i32)
            (loop $next
              (local.set $count (i32.add (local.get $count) (i32.const 1)))
              (drop (call $divmod (local.get $n) (i32.const 10)))  ;; keep the quotient
              (br_if $next (local.tee $n)))
            (local.get $count)))
        """)

    let store = Store(engine: engine, data: [String]())
    // Instantiate the library once in the store and define its exports as "math"...
    try linker.module(store, name: "math", library)
    // ...where the application's imports find them.
    let instance = try linker.instantiate(store, application)
    let digits = try instance.typedFunc("digits", Int32.self, Int32.self)
    let count = try digits(12345)
    precondition(count == 5)

    // Everyone who imports the library shares its one instance.
    let calls = linker.get(store, module: "math", name: "calls")?.global?.get(as: Int32.self)
    precondition(calls == 5 && store.data.last == "divmod call 5")

    // Several results come back as a tuple.
    let divmod = try linker.get(store, module: "math", name: "divmod")!.func!
        .typed((UInt32, UInt32).self, (UInt32, UInt32).self)
    let (quotient, remainder) = try divmod(17, 5)
    precondition(quotient == 3 && remainder == 2)

    // An import nobody defined is named in the error.
    let needsMore = try Module(engine: engine, text: """
        (module (import "math" "sqrt" (func (param f64) (result f64))))
        """)
    do {
        _ = try linker.instantiate(store, needsMore)
        preconditionFailure("instantiated a module with an undefined import")
    } catch let error as LinkError {
        print(error)
        precondition(error.module == "math" && error.name == "sqrt")
    }
}
