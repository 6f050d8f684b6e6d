// Errors thrown by host functions come back as themselves, with the wasm
// frames they unwound beside them: in the error, for types that carry one,
// and in the store for any type.
import Testing
import Swasm

/// `run` calls `validate`, which calls the host's `check`; `outer` calls the
/// host's `reenter`, which calls `run` again from Swift.
private let checked = """
    (module
      (import "env" "check" (func $check (param i32)))
      (import "env" "reenter" (func $reenter (param i32)))
      (func $validate (param i32) (call $check (local.get 0)))
      (func $run (export "run") (param i32) (call $validate (local.get 0)))
      (func $outer (export "outer") (param i32) (call $reenter (local.get 0))))
    """

/// An error that records the wasm frames it unwound.
private struct Denied: WasmBacktraceCarrying, Equatable {
    var value: Int32
    var wasmBacktrace: WasmBacktrace?
}

/// An error that does not.
private struct Rejected: Error, Equatable {
    var value: Int32
}

private func instantiate(_ store: Store<Void>) throws -> Instance {
    let check = Func.wrap(store) { (value: Int32) throws in
        if value < 0 { throw Denied(value: value) }
        if value == 0 { throw Rejected(value: value) }
    }
    let reenter = Func.wrap(store) { (caller: Caller<Void>, value: Int32) throws in
        let run = try #require(caller.export(named: "run")?.func)
        try run.call([.i32(UInt32(bitPattern: value))])
    }
    return try Instance(store, module: Module(engine: engine, text: checked), imports: [.func(check), .func(reenter)])
}

@Suite struct HostErrorBacktraces {
    @Test func anErrorThatCarriesABacktraceGetsTheFramesItUnwound() throws {
        let store = Store(engine: engine)
        let run = try instantiate(store).typedFunc("run", Int32.self)
        do {
            try run(-5)
            Issue.record("run(-5) returned")
        } catch let error as Denied {
            #expect(error.value == -5)
            let backtrace = try #require(error.wasmBacktrace)
            #expect(backtrace.frames.map(\.displayName) == ["validate", "run"], "\(backtrace)")
            #expect(backtrace.frames.allSatisfy { $0.bytecodeOffset != nil })
            #expect(wasmBacktrace(of: error) == backtrace)
            #expect(store.lastHostErrorBacktrace == backtrace)
            #expect("\(backtrace)".hasPrefix("wasm backtrace:\n    0:"), "\(backtrace)")
        }
    }

    @Test func anyOtherErrorComesBackUnchangedWithItsFramesInTheStore() throws {
        let store = Store(engine: engine)
        #expect(store.lastHostErrorBacktrace == nil)
        let run = try instantiate(store).typedFunc("run", Int32.self)
        let error = #expect(throws: Rejected.self) { try run(0) }
        #expect(error == Rejected(value: 0))
        #expect(wasmBacktrace(of: try #require(error)) == nil)
        let backtrace = try #require(store.lastHostErrorBacktrace)
        #expect(backtrace.frames.map(\.displayName) == ["validate", "run"], "\(backtrace)")
        // Traps keep their own backtrace and are not host errors.
        try run(1)
    }

    @Test func framesOfACallTheHostMadeBackIntoWasmComeFirst() throws {
        let store = Store(engine: engine)
        let outer = try instantiate(store).typedFunc("outer", Int32.self)
        do {
            try outer(-1)
            Issue.record("outer(-1) returned")
        } catch let error as Denied {
            let frames = try #require(error.wasmBacktrace).frames.map(\.displayName)
            #expect(frames == ["validate", "run", "outer"], "\(frames)")
        }
        // The untyped call path records the same way.
        let error = #expect(throws: Rejected.self) { try store.instances[0].func("outer")!.call([.i32(0)]) }
        #expect(error != nil)
        #expect(store.lastHostErrorBacktrace?.frames.last?.displayName == "outer")
    }

    @Test func aStartFunctionsHostErrorIsRecordedByInstantiation() throws {
        let store = Store(engine: engine)
        let fail = Func.wrap(store) { () throws in throw Rejected(value: 7) }
        let module = try Module(engine: engine, text: """
            (module
              (import "env" "fail" (func $fail))
              (func $setup (call $fail))
              (start $setup))
            """)
        let error = #expect(throws: Rejected.self) { try Instance(store, module: module, imports: [.func(fail)]) }
        #expect(error?.value == 7)
        #expect(store.lastHostErrorBacktrace?.frames.map(\.displayName) == ["setup"])
    }
}
