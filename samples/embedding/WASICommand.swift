// A WASI command run through the Linker: `_start` prints with fd_write and
// the exit code comes back to Swift.
import Swasm

let wasiSource = """
    (module
      (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 8) "\\10\\00\\00\\00\\18\\00\\00\\00")     ;; iovec: base 16, length 24
      (data (i32.const 16) "Hello from a WASI guest\\n")
      (func (export "_start")
        (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 40)))))
    """

func wasiExample() throws {
    let engine = Engine()
    let module = try Module(engine: engine, text: wasiSource)
    let store = Store(engine: engine, data: ())
    let linker = Linker<Void>(engine: engine)
    try linker.defineWASI(WASIConfiguration(arguments: ["hello"]))
    let code = try linker.runCommand(store, module)
    print("exit code \(code)")
    precondition(code == 0)
}
