// Backtraces of traps: every wasm frame from the trap outwards, through
// direct calls, `call_indirect` and host functions that call back into wasm,
// checked frame by frame against wasmtime (PyPI `wasmtime`) on the same
// module; host errors, deep recursion and unnamed functions.
import Foundation
import SwasmCompiler
import SwasmRuntime
import Testing
import WasmModel
import WasmText

@Suite struct BacktraceTests {
    struct Failure: Error {}

    static let nested = """
        (module
          (type $t (func (param i32) (result i32)))
          (import "host" "call_back" (func $call_back (param i32) (result i32)))
          (table 3 funcref)
          (elem (i32.const 0) $inner $via_host)
          (memory 1)
          (func $inner (param i32) (result i32) (i32.div_u (i32.const 100) (local.get 0)))
          (func $indirect (param i32) (result i32) (call_indirect (type $t) (local.get 0) (local.get 0)))
          (func $middle (param i32) (result i32) (i32.add (i32.const 1) (call $indirect (local.get 0))))
          (func $outer (export "outer") (param i32) (result i32) (call $middle (local.get 0)))
          (func $via_host (param i32) (result i32) (call $call_back (local.get 0)))
          (func (export "through_host") (param i32) (result i32)
            (i32.sub (call $via_host (local.get 0)) (i32.const 2)))
          (func $load (export "load") (param i32) (result i32)
            (i32.load (i32.sub (local.get 0) (i32.const 4)))))
        """

    /// Compiles `bytes` and instantiates them with `call_back` calling the
    /// instance's own `outer`.
    func instantiateNested(_ bytes: [UInt8]) throws -> Instance {
        let module = try Validator.decodeAndValidate(bytes)
        let object = try Compiler.compileObject(module, options: CompilerOptions(optimizationLevel: 2, jobs: 1, verify: true),
                                                prefix: "b")
        let box = InstanceBox()
        let callBack = Function(type: FunctionType(parameters: [.i32], results: [.i32])) { _, arguments in
            try box.instance?.call("outer", arguments) ?? []
        }
        let instance = try Instance(module: try CompiledModule(text: object.code.text, metadata: object.metadata),
                                    imports: [.function(callBack)])
        box.instance = instance
        return instance
    }

    final class InstanceBox: @unchecked Sendable { var instance: Instance? }

    func trap(_ instance: Instance, _ name: String, _ argument: UInt32) throws -> Trap {
        do {
            _ = try instance.call(name, [.i32(argument)])
        } catch let trap as Trap {
            return trap
        }
        throw Failure()
    }

    /// The frames wasmtime reports for each call, as `index name offset` lines.
    func wasmtimeFrames(_ bytes: [UInt8], calls: [(String, UInt32)]) throws -> [[String]] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swasm-backtrace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("m.wasm")
        try Data(bytes).write(to: path)
        let script = """
            import sys, wasmtime
            engine = wasmtime.Engine(); store = wasmtime.Store(engine)
            module = wasmtime.Module.from_file(engine, sys.argv[1])
            holder = []
            def call_back(x): return holder[0].exports(store)["outer"](store, x)
            ty = wasmtime.FuncType([wasmtime.ValType.i32()], [wasmtime.ValType.i32()])
            holder.append(wasmtime.Instance(store, module, [wasmtime.Func(store, ty, call_back)]))
            for call in sys.argv[2:]:
                name, argument = call.split("=")
                try:
                    holder[0].exports(store)[name](store, int(argument))
                    print("returned")
                except wasmtime.Trap as trap:
                    print(";".join(f"{f.func_index} {f.func_name or '-'} {f.module_offset}" for f in trap.frames))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path.path] + calls.map { "\($0.0)=\($0.1)" }
        let output = directory.appendingPathComponent("out")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        #expect(process.terminationStatus == 0, "python3 with wasmtime failed")
        let text = String(decoding: try Data(contentsOf: output), as: UTF8.self)
        return text.split(separator: "\n").map { $0.split(separator: ";").map(String.init) }
    }

    @Test func framesMatchWasmtime() throws {
        let bytes = try WasmText.assemble(Self.nested)
        let instance = try instantiateNested(bytes)
        // Divide by zero two calls below call_indirect; a null table entry
        // (index 2) in call_indirect; the divide again below a host function
        // that called back in; an out-of-bounds load.
        let calls: [(String, UInt32)] = [("outer", 0), ("outer", 2), ("through_host", 0), ("load", 2)]
        let expected = try wasmtimeFrames(bytes, calls: calls)
        #expect(expected.count == calls.count)
        for (call, wasmtime) in zip(calls, expected) {
            let trap = try trap(instance, call.0, call.1)
            let ours = trap.backtrace.map { "\($0.functionIndex) \($0.functionName ?? "-") \($0.bytecodeOffset ?? -1)" }
            #expect(ours == wasmtime, "\(call): \(trap)")
            #expect(trap.omittedFrames == 0)
        }
        // The instance stays usable.
        #expect(try instance.call("load", [.i32(8)]) == [.i32(0)])
    }

    @Test func descriptionListsEveryFrame() throws {
        let bytes = try WasmText.assemble(Self.nested)
        let trap = try trap(try instantiateNested(bytes), "through_host", 0)
        let lines = trap.description.split(separator: "\n").map(String.init)
        #expect(lines.first == "wasm trap: integer divide by zero")
        #expect(lines.dropFirst().first == "wasm backtrace:")
        #expect(lines.count == 2 + 6)
        let pattern = /^ {4}0: +0x[0-9a-f]+ - inner$/
        #expect(lines[2].wholeMatch(of: pattern) != nil, "\(lines[2])")
        // The exported function without a name-section name.
        #expect(lines.last?.hasSuffix(" - <wasm function 6>") == true, "\(trap.description)")
        #expect(trap.functionName == "inner")
    }

    @Test func hostErrorTrapsAtTheCall() throws {
        let source = """
            (module
              (import "host" "fail" (func $fail (param i32)))
              (func $calls_fail (param i32) (call $fail (local.get 0)))
              (func $top (export "top") (param i32) (call $calls_fail (local.get 0)) (nop)))
            """
        let bytes = try WasmText.assemble(source)
        let module = try Validator.decodeAndValidate(bytes)
        let object = try Compiler.compileObject(module, options: CompilerOptions(optimizationLevel: 2, jobs: 1, verify: true),
                                                prefix: "h")
        let fail = Function(type: FunctionType(parameters: [.i32], results: [])) { _, _ in throw Failure() }
        let instance = try Instance(module: try CompiledModule(text: object.code.text, metadata: object.metadata),
                                    imports: [.function(fail)])
        let trap = try trap(instance, "top", 1)
        #expect(trap.code == .hostError)
        #expect(trap.backtrace.map(\.functionName) == ["calls_fail", "top"])
        // Each frame's offset is the call instruction: `call` (0x10) of the
        // function it calls (fail = 0, calls_fail = 1).
        for (frame, callee) in zip(trap.backtrace, [UInt8(0), 1]) {
            let offset = try #require(frame.bytecodeOffset)
            #expect(bytes[offset] == 0x10 && bytes[offset + 1] == callee, "\(trap)")
        }
        #expect(trap.functionIndex == 1 && trap.bytecodeOffset == trap.backtrace[0].bytecodeOffset)
    }

    @Test func stackOverflowHasACappedBacktrace() throws {
        let source = """
            (module
              (func $recurse (export "recurse") (param i32) (result i32)
                (i32.add (call $recurse (i32.add (local.get 0) (i32.const 1))) (i32.const 1))))
            """
        let module = try Validator.decodeAndValidate(try WasmText.assemble(source))
        let object = try Compiler.compileObject(module, options: CompilerOptions(optimizationLevel: 2, jobs: 1, verify: true),
                                                prefix: "r")
        let instance = try Instance(module: try CompiledModule(text: object.code.text, metadata: object.metadata), imports: [])
        for _ in 0..<2 {
            let trap = try trap(instance, "recurse", 0)
            #expect(trap.code == .callStackExhausted)
            #expect(trap.backtrace.count == 256)
            #expect(trap.backtrace.allSatisfy { $0.functionIndex == 0 && $0.functionName == "recurse" })
            // 512 KiB of stack in frames of a few words: thousands more.
            #expect(trap.omittedFrames > 1000, "\(trap.omittedFrames)")
            #expect(trap.description.hasSuffix("\n    ... \(trap.omittedFrames) more frames"))
        }
    }
}
