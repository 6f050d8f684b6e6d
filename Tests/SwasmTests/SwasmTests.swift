import Dispatch
import Foundation
import Synchronization
import Testing
import Swasm

let engine = Engine()

let adder = """
    (module
      (memory (export "memory") 1 4)
      (global (export "counter") (mut i32) (i32.const 7))
      (global (export "constant") i64 (i64.const 9))
      (table (export "table") 2 10 funcref)
      (func $add (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
      (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
      (func (export "scale") (param f64 f32 i64) (result f64)
        (f64.mul (local.get 0) (f64.promote_f32 (local.get 1))))
      (elem (i32.const 0) $add)
      (data (i32.const 16) "hello"))
    """

func temporaryPath(_ name: String) -> String {
    NSTemporaryDirectory() + "swasm-tests-\(getpid())-\(UUID().uuidString)-\(name)"
}

@Suite struct ModuleTests {
    @Test func compileFromTextAndCall() throws {
        let module = try Module(engine: engine, text: adder)
        #expect(module.exports.map(\.name).contains("add"))
        let store = Store(engine: engine)
        let instance = try Instance(store, module: module)
        let add = try instance.typedFunc("add", (Int32, Int32).self, Int32.self)
        #expect(try add(40, 2) == 42)
        #expect(try instance.func("add")?.call([.i32(1), .i32(2)]) == [.i32(3)])
        let scale = try instance.typedFunc("scale", (Double, Float, Int64).self, Double.self)
        #expect(try scale(1.5, 2, 0) == 3)
        #expect(store.instances.count == 1)
    }

    @Test func serializeAndLoadPrecompiled() throws {
        let module = try Module(engine: engine, text: adder)
        let bytes = module.serialize()
        #expect(bytes.starts(with: [0x7f, 0x45, 0x4c, 0x46]))
        let path = temporaryPath("adder.o")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try module.write(to: path)
        for loaded in [try Module.deserialize(engine: engine, trustedObjectFile: path),
                       try Module.deserialize(engine: engine, trustedObject: bytes)] {
            let instance = try Instance(Store(engine: engine), module: loaded)
            #expect(try instance.typedFunc("add", (Int32, Int32).self, Int32.self)(2, 3) == 5)
            #expect(loaded.imports.isEmpty)
        }
        // A .wat file too.
        let watPath = temporaryPath("adder.wat")
        defer { try? FileManager.default.removeItem(atPath: watPath) }
        try adder.write(toFile: watPath, atomically: true, encoding: .utf8)
        #expect(try Module(engine: engine, contentsOfFile: watPath).exports.count == 7)
    }

    /// A module loaded from its object (metadata used in place) reports
    /// backtraces through a host function that throws.
    @Test func trapsOfLoadedModulesCarryBacktraces() throws {
        let compiled = try Module(engine: engine, text: """
            (module
              (import "env" "check" (func $check (param i32)))
              (func $validate (param i32) (call $check (local.get 0)))
              (func $divide (param i32) (result i32) (i32.div_s (i32.const 7) (local.get 0)))
              (func (export "run") (param i32) (result i32)
                (call $validate (local.get 0))
                (call $divide (local.get 0))))
            """)
        let module = try Module.deserialize(engine: engine, trustedObject: compiled.serialize())
        let store = Store(engine: engine)
        struct Rejected: Error {}
        let check = Func.wrap(store) { (value: Int32) throws in if value < 0 { throw Rejected() } }
        let run = try Instance(store, module: module, imports: [.func(check)]).typedFunc("run", Int32.self, Int32.self)
        #expect(try run(7) == 1)
        let trap = #expect(throws: Trap.self) { try run(0) }
        #expect(trap?.code == .integerDivideByZero)
        #expect(trap?.backtrace.map(\.displayName) == ["divide", "<wasm function 3>"], "\(String(describing: trap))")
        #expect(trap?.backtrace.allSatisfy { $0.bytecodeOffset != nil } == true)
        // The host's own error comes back as itself (its backtrace is on the
        // runtime's `hostError` trap, below the embedding API).
        #expect(throws: Rejected.self) { try run(-1) }
    }

    @Test func corruptedObjectsAreRejected() throws {
        let bytes = try Module(engine: engine, text: adder).serialize()
        // Truncated.
        for length in [0, 3, 40, bytes.count / 2, bytes.count - 1] {
            #expect(throws: ModuleError.self) { try Module.deserialize(engine: engine, trustedObject: Array(bytes.prefix(length))) }
        }
        // Another machine (e_machine = 183, AArch64) and class.
        var other = bytes
        other[18] = 183; other[19] = 0
        let error = #expect(throws: ModuleError.self) { try Module.deserialize(engine: engine, trustedObject: other) }
        #expect("\(error!)".contains("AArch64") || "\(error!)".contains("aarch64") || "\(error!)".contains("183"))
        var classByte = bytes
        classByte[4] = 1
        #expect(throws: ModuleError.self) { try Module.deserialize(engine: engine, trustedObject: classByte) }
        // Flipped bytes all over the file: each load fails cleanly or loads a module.
        var rng = SystemRandomNumberGenerator()
        var rejected = 0
        for _ in 0..<100 {
            var copy = bytes
            for _ in 0..<4 { copy[Int.random(in: 4..<copy.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng) }
            if (try? Module.deserialize(engine: engine, trustedObject: copy)) == nil { rejected += 1 }
        }
        #expect(rejected > 0)
        // Metadata of another format version: find the metadata magic and bump the version.
        if let at = findSubsequence(bytes, Array("SWASMETA".utf8)) {
            var version = bytes
            version[at + 8] &+= 1
            let versionError = #expect(throws: ModuleError.self) { try Module.deserialize(engine: engine, trustedObject: version) }
            #expect("\(versionError!)".contains("version"))
        }
    }

    @Test func cacheDirectoryReusesObjects() throws {
        let directory = temporaryPath("cache")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var config = Engine.Config()
        config.cacheDirectory = directory
        let cached = Engine(config)
        _ = try Module(engine: cached, text: adder)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(files.count == 1)
        let again = try Module(engine: cached, text: adder)
        #expect(try Instance(Store(engine: cached), module: again).typedFunc("add", (Int32, Int32).self, Int32.self)(1, 1) == 2)
        config.optimizationLevel = 0
        _ = try Module(engine: Engine(config), text: adder)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).count == 2)
    }

    @Test func invalidInputIsRejected() {
        #expect(throws: ModuleError.self) { try Module(engine: engine, text: "(module (func (result i32)))") }
        #expect(throws: ModuleError.self) { try Module(engine: engine, text: "(module (fun") }
        #expect(throws: ModuleError.self) { try Module(engine: engine, bytes: [0, 0x61, 0x73, 0x6d, 9, 0, 0, 0]) }
    }
}

func findSubsequence(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
    guard haystack.count >= needle.count else { return nil }
    for i in 0...(haystack.count - needle.count) where haystack[i..<i + needle.count].elementsEqual(needle) { return i }
    return nil
}

@Suite struct HostFunctionTests {
    @Test func hostFunctionCalledByWasm() throws {
        let module = try Module(engine: engine, text: """
            (module
              (import "env" "add" (func $add (param i32 i32) (result i32)))
              (import "env" "tick" (func $tick))
              (func (export "run") (param i32) (result i32)
                (call $tick)
                (call $add (local.get 0) (i32.const 100))))
            """)
        let store = Store(engine: engine, data: 0)
        let add = Func.wrap(store) { (caller: Caller<Int>, a: Int32, b: Int32) -> Int32 in
            caller.data += 10
            return a &+ b
        }
        let tick = Func.wrap(store) { (caller: Caller<Int>) in caller.data += 1 }
        #expect(module.imports.map(\.name) == ["add", "tick"])
        let instance = try Instance(store, module: module, imports: [.func(add), .func(tick)])
        #expect(try instance.typedFunc("run", Int32.self, Int32.self)(5) == 105)
        #expect(store.data == 11)
        // Without the caller, various types.
        let mix = Func.wrap(store) { (a: Int64, b: Float, c: Double, d: Int32) -> Double in Double(a) + Double(b) + c + Double(d) }
        #expect(mix.type == FunctionType(parameters: [.i64, .f32, .f64, .i32], results: [.f64]))
        #expect(try mix.call([.i64(1), .float32(2), .float64(3), .i32(4)]) == [.float64(10)])
    }

    @Test func hostFunctionReadsCallerMemory() throws {
        let module = try Module(engine: engine, text: """
            (module
              (import "env" "log" (func $log (param i32 i32)))
              (memory (export "memory") 1)
              (data (i32.const 64) "Hello from wasm")
              (func (export "run") (call $log (i32.const 64) (i32.const 15))))
            """)
        let store = Store(engine: engine, data: [String]())
        let log = Func.wrap(store) { (caller: Caller<[String]>, pointer: Int32, length: Int32) throws in
            guard let memory = caller.memory else { throw Trap(.hostError) }
            caller.data.append(try memory.readString(at: UInt64(pointer), count: Int(length)))
            #expect(caller.export(named: "memory")?.memory != nil)
        }
        let instance = try Instance(store, module: module, imports: [.func(log)])
        try instance.typedFunc("run", Void.self)()
        #expect(store.data == ["Hello from wasm"])
    }

    @Test func trapInHostFunctionReachesSwift() throws {
        let module = try Module(engine: engine, text: """
            (module
              (import "env" "fail" (func $fail (param i32)))
              (func (export "run") (param i32) (call $fail (local.get 0))))
            """)
        let store = Store(engine: engine)
        struct Custom: Error { var detail: Int32 }
        let fail = Func.wrap(store) { (code: Int32) throws in
            if code == 0 { throw Trap(.unreachable) }
            throw Custom(detail: code)
        }
        let run = try Instance(store, module: module, imports: [.func(fail)]).typedFunc("run", Int32.self)
        let trap = #expect(throws: Trap.self) { try run(0) }
        #expect(trap?.code == .unreachable)
        // Any other error reaches the caller unchanged, and the store goes on.
        let custom = #expect(throws: Custom.self) { try run(1) }
        #expect(custom?.detail == 1)
        #expect(throws: Custom.self) { try run(2) }
        // A trap in wasm carries the function and offset.
        let instance = try Instance(store, module: try Module(engine: engine, text: adder))
        let divide = #expect(throws: Trap.self) { try instance.typedFunc("div", (Int32, Int32).self, Int32.self)(1, 0) }
        #expect(divide?.code == .integerDivideByZero)
        #expect(divide?.bytecodeOffset != nil)
        #expect(divide?.functionIndex == 1)
    }

    @Test func trapInNestedWasmKeepsItsLocation() throws {
        // wasm -> host -> wasm: the inner trap passes through the host
        // function and the outer wasm frames unchanged.
        let inner = try Instance(Store(engine: engine), module: try Module(engine: engine, text: adder))
        let divide = try inner.typedFunc("div", (Int32, Int32).self, Int32.self)
        let module = try Module(engine: engine, text: """
            (module
              (import "env" "divide" (func $divide (param i32 i32) (result i32)))
              (func (export "run") (param i32 i32) (result i32)
                (i32.add (call $divide (local.get 0) (local.get 1)) (i32.const 1))))
            """)
        let store = Store(engine: engine)
        let host = Func.wrap(store) { (a: Int32, b: Int32) throws -> Int32 in try divide(a, b) }
        let run = try Instance(store, module: module, imports: [.func(host)]).typedFunc("run", (Int32, Int32).self, Int32.self)
        #expect(try run(6, 3) == 3)
        let trap = #expect(throws: Trap.self) { try run(1, 0) }
        #expect(trap?.code == .integerDivideByZero)
        let direct = #expect(throws: Trap.self) { try divide(1, 0) }
        #expect(trap?.bytecodeOffset != nil && trap?.bytecodeOffset == direct?.bytecodeOffset,
                "located at the inner module's division")
        #expect(try run(8, 2) == 5)
    }
}

@Suite struct LinkerTests {
    @Test func namesMatchAsBytes() throws {
        // "é" precomposed in the module; Swift's String calls the decomposed
        // spelling equal, WebAssembly does not.
        let module = try Module(engine: engine, text: #"(module (import "env" "\c3\a9" (func)))"#)
        let decomposed = Linker<Void>(engine: engine)
        try decomposed.defineFunc(module: "env", name: "e\u{301}") { () in }
        #expect(throws: LinkError.self) { try decomposed.instantiate(Store(engine: engine), module) }
        let precomposed = Linker<Void>(engine: engine)
        try precomposed.defineFunc(module: "env", name: "\u{E9}") { () in }
        _ = try precomposed.instantiate(Store(engine: engine), module)
    }

    @Test func twoModules() throws {
        let library = try Module(engine: engine, text: """
            (module
              (memory (export "memory") 1)
              (global (export "base") i32 (i32.const 1000))
              (func (export "double") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2))))
            """)
        let user = try Module(engine: engine, text: """
            (module
              (import "lib" "double" (func $double (param i32) (result i32)))
              (import "lib" "memory" (memory 1))
              (import "lib" "base" (global $base i32))
              (import "host" "offset" (func $offset (result i32)))
              (func (export "run") (param i32) (result i32)
                (i32.store (i32.const 0) (i32.const 77))
                (i32.add (i32.add (call $double (local.get 0)) (global.get $base)) (call $offset))))
            """)
        let store = Store(engine: engine, data: Int32(5))
        let linker = Linker<Int32>(engine: engine)
        try linker.defineFunc(module: "host", name: "offset") { (caller: Caller<Int32>) -> Int32 in caller.data }
        let lib = try linker.instantiate(store, library)
        try linker.define(instance: lib, as: "lib")
        let instance = try linker.instantiate(store, user)
        #expect(try instance.typedFunc("run", Int32.self, Int32.self)(21) == 1047)
        #expect(try lib.memory(named: "memory")!.load(Int32.self, at: 0) == 77)
        #expect(throws: Linker<Int32>.DuplicateDefinition.self) {
            try linker.define(module: "lib", name: "base", item: lib.export(named: "base")!)
        }
    }

    @Test func linkErrorsNameTheImport() throws {
        let module = try Module(engine: engine, text: """
            (module (import "env" "f" (func (param i32))) (import "env" "g" (func)))
            """)
        let store = Store(engine: engine)
        let linker = Linker<Void>(engine: engine)
        let missing = #expect(throws: LinkError.self) { try linker.instantiate(store, module) }
        #expect(missing?.module == "env" && missing?.name == "f" && missing?.reason == "unknown import")
        try linker.defineFunc(module: "env", name: "f") { (x: Int64) in }
        let mistyped = #expect(throws: LinkError.self) { try linker.instantiate(store, module) }
        #expect(mistyped?.name == "f" && mistyped?.reason == "incompatible import type")
        #expect("\(mistyped!)".contains("\"env\" \"f\""))
    }

    @Test func wasiCommand() throws {
        let module = try Module(engine: engine, text: """
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (data (i32.const 8) "hello, wasi\\n")
              (func (export "_start")
                (i32.store (i32.const 0) (i32.const 8))
                (i32.store (i32.const 4) (i32.const 12))
                (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 100)))
                (call $exit (i32.const 3))))
            """)
        let path = temporaryPath("stdout")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        #expect(fd >= 0)
        let linker = Linker<Void>(engine: engine)
        try linker.defineWASI(WASIConfiguration(arguments: ["hello"], stdout: fd))
        // Each instance duplicates the descriptor when it is made.
        let code = try linker.runCommand(Store(engine: engine), module)
        close(fd)
        #expect(code == 3)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "hello, wasi\n")
    }
}

@Suite struct ExportTests {
    @Test func typedFuncWrongSignatureRejected() throws {
        let instance = try Instance(Store(engine: engine), module: try Module(engine: engine, text: adder))
        #expect(throws: ExportError.self) { try instance.typedFunc("add", (Int32, Int64).self, Int32.self) }
        #expect(throws: ExportError.self) { try instance.typedFunc("add", (Int32, Int32).self, Int64.self) }
        #expect(throws: ExportError.self) { try instance.typedFunc("add", (Int32, Int32).self) }
        #expect(throws: ExportError.self) { try instance.typedFunc("nothing", Void.self) }
        #expect(throws: ExportError.self) { try instance.typedFunc("memory", Void.self) }
        #expect(throws: (any Error).self) { try instance.func("add")!.call([.i64(1), .i32(2)]) }
    }

    @Test func memoryGlobalsTables() throws {
        let store = Store(engine: engine)
        let instance = try Instance(store, module: try Module(engine: engine, text: adder))
        let memory = try #require(instance.memory(named: "memory"))
        #expect(memory.pageCount == 1)
        #expect(try memory.readString(at: 16, count: 5) == "hello")
        try memory.write(string: "wasm!", at: 100)
        try memory.store(UInt32(0xdead_beef), at: 200)
        #expect(try memory.load(UInt32.self, at: 200) == 0xdead_beef)
        #expect(memory.unsafeBaseAddress.load(fromByteOffset: 100, as: UInt8.self) == UInt8(ascii: "w"))
        #expect(throws: MemoryAccessError.self) { try memory.read(at: 65530, count: 10) }
        #expect(try memory.grow(by: 2) == 1)
        #expect(memory.byteCount == 3 * 65536)
        #expect(throws: (any Error).self) { try memory.grow(by: 2) }
        try memory.write([1, 2, 3], at: 3 * 65536 - 3)

        let counter = try #require(instance.global(named: "counter"))
        #expect(counter.get(as: Int32.self) == 7)
        try counter.set(Int32(8))
        #expect(counter.get() == .i32(8))
        #expect(throws: (any Error).self) { try counter.set(Int64(1)) }
        let constant = try #require(instance.global(named: "constant"))
        #expect(throws: InstanceError.immutableGlobal) { try constant.set(Int64(1)) }

        let table = try #require(instance.table(named: "table"))
        #expect(table.count == 2)
        #expect(table.get(0)?.isNull == false)
        #expect(table.get(1)?.isNull == true)
        #expect(try table.grow(by: 3) == 2)
        try table.set(4, table.get(0)!)
        #expect(throws: (any Error).self) { try table.set(5, Value.funcref(nil)) }
        #expect(throws: (any Error).self) { try table.grow(by: 100) }

        // Host-made objects, imported.
        let hostMemory = try Memory(store, type: MemoryType(limits: Limits(min: 1, max: 2)))
        let hostGlobal = try Global(store, type: GlobalType(valueType: .i32, isMutable: true), value: .i32(5))
        let user = try Module(engine: engine, text: """
            (module (import "h" "m" (memory 1)) (import "h" "g" (global $g (mut i32)))
              (func (export "f") (i32.store (i32.const 4) (global.get $g)) (global.set $g (i32.const 6))))
            """)
        let userInstance = try Instance(store, module: user, imports: [.memory(hostMemory), .global(hostGlobal)])
        try userInstance.typedFunc("f", Void.self)()
        #expect(try hostMemory.load(Int32.self, at: 4) == 5)
        #expect(hostGlobal.get() == .i32(6))
    }

    @Test func storeLimits() throws {
        let module = try Module(engine: engine, text: adder)
        let store = Store(engine: engine, limits: StoreLimits(maximumMemoryPages: 2, maximumTableElements: 5, maximumInstances: 2))
        let instance = try Instance(store, module: module)
        _ = try Instance(store, module: module)
        #expect(throws: ResourceLimitError.self) { try Instance(store, module: module) }
        let memory = try #require(instance.memory(named: "memory"))
        #expect(throws: ResourceLimitError.self) { try memory.grow(by: 2) }
        #expect(try memory.grow(by: 1) == 1)
        #expect(throws: ResourceLimitError.self) { try instance.table(named: "table")!.grow(by: 4) }
        let small = Store(engine: engine, limits: StoreLimits(maximumMemoryPages: 0))
        #expect(throws: ResourceLimitError.self) { try Instance(small, module: module) }
        #expect(throws: ResourceLimitError.self) { try Memory(small, type: MemoryType(limits: Limits(min: 1))) }
    }
}

func residentPages() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return fields.count > 1 ? Int(fields[1]) ?? 0 : 0
}

@Suite struct ConcurrencyTests {
    static let total = 10_000
    static let threads = 8

    static func work(_ module: Module, _ count: Int) -> Int {
        var ok = 0
        var store = Store(engine: engine, data: 0)
        for i in 0..<count {
            if i % 100 == 0 { store = Store(engine: engine, data: 0) }  // drop the instances so far
            guard let instance = try? Instance(store, module: module),
                  let add = try? instance.typedFunc("add", (Int32, Int32).self, Int32.self),
                  (try? add(Int32(i), 1)) == Int32(i) + 1 else { continue }
            ok += 1
        }
        return ok
    }

    @Test func concurrentInstantiation() throws {
        let module = try Module(engine: engine, text: adder)
        // Warm up (first-use allocations), then measure.
        _ = Self.work(module, 200)
        let before = residentPages()
        let start = Date()
        let done = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: Self.threads) { _ in
            let count = Self.work(module, Self.total / Self.threads)
            done.withLock { $0 += count }
        }
        let elapsed = Date().timeIntervalSince(start)
        #expect(done.withLock { $0 } == Self.total)
        let after = residentPages()
        let growthKiB = (after - before) * 4
        print("concurrent instantiation: \(Self.total) instances on \(Self.threads) threads in \(elapsed) s; resident \(before * 4) KiB -> \(after * 4) KiB")
        #expect(growthKiB < 64 * 1024, "resident memory grew by \(growthKiB) KiB")
    }
}

@Suite struct InterruptionTests {
    struct Box: @unchecked Sendable { let function: Func }

    @Test func anInterruptibleEngineStopsAnInfiniteLoop() throws {
        var config = Engine.Config()
        config.interruptible = true
        let engine = Engine(config)
        let module = try Module(engine: engine, text: """
            (module (func (export "spin") (loop (br 0))) (func (export "one") (result i32) (i32.const 1)))
            """)
        let store = Store(engine: engine, data: ())
        let instance = try Linker<Void>(engine: engine).instantiate(store, module)
        let spin = Box(function: try #require(instance.func("spin")))
        let finished = DispatchSemaphore(value: 0)
        final class Result: @unchecked Sendable { var error: Error? }
        let result = Result()
        Thread {
            do { _ = try spin.function.call() } catch { result.error = error }
            finished.signal()
        }.start()
        Thread.sleep(forTimeInterval: 0.05)
        instance.interrupt()
        #expect(finished.wait(timeout: .now() + 5) == .success)
        #expect((result.error as? Trap)?.code == .interrupted)
        instance.clearInterrupt()
        #expect(try instance.func("one")?.call() == [.i32(1)])
    }
}

@Suite struct GrowthLimitTests {
    @Test func memoryGrowByWasmRespectsTheStoreLimit() throws {
        let engine = Engine()
        let module = try Module(engine: engine, text: """
            (module (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
            """)
        let store = Store(engine: engine, data: ())
        store.limits = StoreLimits(maximumMemoryPages: 4)
        let instance = try Linker<Void>(engine: engine).instantiate(store, module)
        let grow = try instance.typedFunc("grow", Int32.self, Int32.self)
        #expect(try grow(2) == 1)
        #expect(try grow(2) == -1)   // 5 pages > 4
        #expect(try grow(1) == 3)
    }

    @Test func tableGrowByWasmRespectsTheStoreLimit() throws {
        let engine = Engine()
        let module = try Module(engine: engine, text: """
            (module (table 2 funcref)
              (func (export "grow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))
            """)
        let store = Store(engine: engine, data: ())
        store.limits = StoreLimits(maximumTableElements: 5)
        let instance = try Linker<Void>(engine: engine).instantiate(store, module)
        let grow = try instance.typedFunc("grow", Int32.self, Int32.self)
        #expect(try grow(3) == 2)
        #expect(try grow(1) == -1)
    }
}
