// Article "WASI programs" (WASIPrograms.md): run a WASI command with arguments, its standard output
// sent to a file, and read its exit code.
import Foundation
import Swasm

func wasiExample() throws {
    let engine = Engine()
    // Writes a line to standard output, then exits with its argument count.
    let module = try Module(engine: engine, text: """
        (module
          (import "wasi_snapshot_preview1" "fd_write"
            (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "args_sizes_get"
            (func $args_sizes_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (memory (export "memory") 1)
          (data (i32.const 8) "\\10\\00\\00\\00\\18\\00\\00\\00")  ;; one iovec: 24 bytes at 16
          (data (i32.const 16) "Hello from a WASI guest\\n")
          (func (export "_start")
            (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 40)))
            (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
            (call $proc_exit (i32.load (i32.const 0)))))
        """)

    // The guest's file descriptor 1 is a file of ours.
    let outputPath = NSTemporaryDirectory() + "swasm-wasi-example-\(getpid()).txt"
    try Data().write(to: URL(fileURLWithPath: outputPath))
    defer { try? FileManager.default.removeItem(atPath: outputPath) }
    let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))

    let linker = Linker<Void>(engine: engine)
    try linker.defineWASI(WASIConfiguration(arguments: ["greet", "--loud", "world"],
                                            stdout: output.fileDescriptor))
    let store = Store(engine: engine)
    let exitCode = try linker.runCommand(store, module)
    try output.close()

    let printed = try String(contentsOfFile: outputPath, encoding: .utf8)
    print("the guest printed \(printed.debugDescription) and exited with \(exitCode)")
    precondition(printed == "Hello from a WASI guest\n")
    precondition(exitCode == 3, "the exit code is the argument count")
}
