// Article "Precompiled modules": compile once, save the native object, and
// load it later without compiling.
import Foundation
import Swasm

func serializationExample() throws {
    let engine = Engine()
    let fibonacci = """
        (module
          (func $fib (export "fib") (param $n i32) (result i32)
            (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
              (then (local.get $n))
              (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                             (call $fib (i32.sub (local.get $n) (i32.const 2))))))))
        """

    // Compile once and keep the object: an ELF file of native code.
    let compiled = try Module(engine: engine, text: fibonacci)
    let path = NSTemporaryDirectory() + "swasm-fib-\(getpid()).o"
    try compiled.write(to: path)
    defer { try? FileManager.default.removeItem(atPath: path) }

    // Later, perhaps in another process: load it without compiling.
    let loaded = try Module.deserialize(engine: engine, trustedObjectFile: path)
    let instance = try Instance(Store(engine: engine), module: loaded)
    let fib = try instance.typedFunc("fib", Int32.self, Int32.self)
    let result = try fib(20)
    precondition(result == 6765)

    // The same object from bytes, e.g. read from a database.
    let object = compiled.serialize()
    _ = try Module.deserialize(engine: engine, trustedObject: object)

    // An engine whose settings change the code refuses it...
    var interruptible = Engine.Config()
    interruptible.interruptible = true
    do {
        _ = try Module.deserialize(engine: Engine(interruptible), trustedObject: object)
        preconditionFailure("loaded code compiled with other settings")
    } catch let error as ModuleError {
        guard case .settingsMismatch = error else { throw error }
        print(error)
    }
    // ...and the compiling initializers refuse native code.
    do {
        _ = try Module(engine: engine, bytes: object)
        preconditionFailure("compiled a precompiled object")
    } catch ModuleError.invalidWasm(let reason) {
        precondition(reason.contains("precompiled swasm object"))
    }
}
