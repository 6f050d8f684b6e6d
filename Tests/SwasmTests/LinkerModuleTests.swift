// Linker.module (commands and reactors in one step), aliases, get and
// getDefault.
import Testing
import Swasm

/// A reactor: `_initialize` sets its counter to 100; `next` counts on.
private let reactor = """
    (module
      (global $count (mut i32) (i32.const 0))
      (func (export "_initialize") (global.set $count (i32.const 100)))
      (func (export "next") (result i32)
        (global.set $count (i32.add (global.get $count) (i32.const 1)))
        (global.get $count)))
    """

/// A command: each export call gets a fresh instance, so `next` always
/// returns 1; `_start` traps when called twice in one instance.
private let command = """
    (module
      (global $count (mut i32) (i32.const 0))
      (memory (export "memory") 1)
      (func (export "_start")
        (if (global.get $count) (then unreachable))
        (global.set $count (i32.const 1)))
      (func (export "next") (result i32)
        (global.set $count (i32.add (global.get $count) (i32.const 1)))
        (global.get $count)))
    """

/// Imports `next` from "lib" and calls it twice, returning the second result.
private let user = """
    (module
      (import "lib" "next" (func $next (result i32)))
      (func (export "twice") (result i32) (drop (call $next)) (call $next)))
    """

@Suite struct LinkerModules {
    @Test func aReactorIsInstantiatedOnceAndInitialized() throws {
        let linker = Linker<Void>(engine: engine)
        let store = Store(engine: engine)
        try linker.module(store, name: "lib", Module(engine: engine, text: reactor))
        #expect(store.instances.count == 1)
        let instance = try linker.instantiate(store, Module(engine: engine, text: user))
        let twice = try instance.typedFunc("twice", Void.self, Int32.self)
        #expect(try twice() == 102)
        #expect(try twice() == 104)
        // Its exports are the instance's: the same counter through get.
        let next = try #require(linker.get(store, module: "lib", name: "next")?.func)
        #expect(try next.typed(Void.self, Int32.self)() == 105)
    }

    @Test func aCommandIsInstantiatedAnewAtEveryCall() throws {
        let linker = Linker<Void>(engine: engine)
        let store = Store(engine: engine)
        try linker.module(store, name: "lib", Module(engine: engine, text: command))
        #expect(store.instances.isEmpty)
        // Only functions are defined for a command.
        #expect(linker.get(module: "lib", name: "memory") == nil)
        #expect(linker.get(module: "lib", name: "next") == .function(FunctionType(parameters: [], results: [.i32])))
        let twice = try linker.instantiate(store, Module(engine: engine, text: user)).typedFunc("twice", Void.self, Int32.self)
        #expect(try twice() == 1)
        #expect(try twice() == 1)
        #expect(store.instances.count == 5)
        // The default export is _start, also a fresh instance each time.
        let start = try linker.getDefault(store, module: "lib")
        try start.call()
        try start.call()
    }

    @Test func aWASICommandThatExitsWithZeroReturnsAndAnyOtherStatusIsTheExitTrap() throws {
        let linker = Linker<Void>(engine: engine)
        try linker.defineWASI()
        let store = Store(engine: engine)
        try linker.module(store, name: "tool", Module(engine: engine, text: """
            (module
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (func (export "_start") (call $exit (i32.const 0)))
              (func (export "fail") (call $exit (i32.const 2))))
            """))
        try linker.getDefault(store, module: "tool").call()
        let fail = try #require(linker.get(store, module: "tool", name: "fail")?.func)
        let trap = #expect(throws: Trap.self) { try fail.call() }
        #expect(trap?.code == .exit)
        #expect(store.instances.last?.wasi?.exitCode == 2)
    }

    @Test func aCommandsMissingImportIsNamedWhenItsExportIsCalled() throws {
        let linker = Linker<Void>(engine: engine)
        let store = Store(engine: engine)
        try linker.module(store, name: "tool", Module(engine: engine, text: """
            (module
              (import "env" "missing" (func (param i64)))
              (func (export "_start")))
            """))
        let error = #expect(throws: LinkError.self) { try linker.getDefault(store, module: "tool").call() }
        #expect(error?.module == "env" && error?.name == "missing", "\(String(describing: error))")
        #expect(error?.reason == "unknown import")
        // A reactor's is named at once, and nothing is defined.
        let reactorError = #expect(throws: LinkError.self) {
            try linker.module(store, name: "lib", Module(engine: engine, text: """
                (module (import "env" "log" (func (param i32))) (func (export "f")))
                """))
        }
        #expect(reactorError?.name == "log" && reactorError?.expected == .function(FunctionType(parameters: [.i32], results: [])))
        #expect(linker.get(module: "lib", name: "f") == nil)
    }

    @Test func definingAModuleNameTwiceFollowsTheShadowingRule() throws {
        let linker = Linker<Void>(engine: engine)
        let store = Store(engine: engine)
        let module = try Module(engine: engine, text: reactor)
        try linker.module(store, name: "lib", module)
        #expect(throws: Linker<Void>.DuplicateDefinition.self) { try linker.module(store, name: "lib", module) }
        // Refused before instantiating anything.
        #expect(store.instances.count == 1)
        linker.allowShadowing = true
        try linker.module(store, name: "lib", module)
        #expect(store.instances.count == 2)
        // The second instance's counter starts again at 100.
        let next = try #require(linker.get(store, module: "lib", name: "next")?.func)
        #expect(try next.typed(Void.self, Int32.self)() == 101)
    }

    @Test func getDefaultPrefersTheEmptyNameAndOtherwiseDoesNothing() throws {
        let linker = Linker<Int>(engine: engine)
        try linker.defineFunc(module: "app", name: "_start") { (caller: Caller<Int>) in caller.data += 1 }
        try linker.defineFunc(module: "app", name: "") { (caller: Caller<Int>) in caller.data += 10 }
        try linker.defineFunc(module: "cmd", name: "_start") { (caller: Caller<Int>) in caller.data += 100 }
        let store = Store(engine: engine, data: 0)
        try linker.getDefault(store, module: "app").call()
        try linker.getDefault(store, module: "cmd").call()
        #expect(store.data == 110)
        let nothing = try linker.getDefault(store, module: "absent")
        #expect(nothing.type == FunctionType(parameters: [], results: []))
        #expect(try nothing.call() == [])
        try linker.define(module: "mem", name: "", item: .memory(try Memory(store, type: MemoryType(limits: Limits(min: 1)))))
        let error = #expect(throws: ExportError.self) { try linker.getDefault(store, module: "mem") }
        #expect("\(error!)".contains("\"mem\""), "\(error!)")
    }

    @Test func getMakesADefinitionAnObjectOfTheStore() throws {
        let linker = Linker<Int>(engine: engine)
        try linker.defineFunc(module: "env", name: "add") { (caller: Caller<Int>, a: Int32) -> Int32 in
            caller.data += 1
            return a &+ 1
        }
        let store = Store(engine: engine, data: 0)
        let add = try #require(linker.get(store, module: "env", name: "add")?.func)
        #expect(try add.typed(Int32.self, Int32.self)(41) == 42)
        #expect(store.data == 1)
        #expect(linker.get(store, module: "env", name: "sub") == nil)
    }
}

@Suite struct LinkerAliases {
    @Test func anAliasIsTheSameDefinitionUnderAnotherName() throws {
        let linker = Linker<Int>(engine: engine)
        try linker.defineFunc(module: "host", name: "tick") { (caller: Caller<Int>) -> Int32 in
            caller.data += 1
            return Int32(caller.data)
        }
        try linker.alias(module: "host", name: "tick", as: "lib", asName: "next")
        let store = Store(engine: engine, data: 0)
        let twice = try linker.instantiate(store, Module(engine: engine, text: user)).typedFunc("twice", Void.self, Int32.self)
        #expect(try twice() == 2)
        #expect(throws: Linker<Int>.UndefinedDefinition.self) {
            try linker.alias(module: "host", name: "tock", as: "lib", asName: "other")
        }
        #expect(throws: Linker<Int>.DuplicateDefinition.self) {
            try linker.alias(module: "host", name: "tick", as: "lib", asName: "next")
        }
    }

    @Test func aliasModuleCopiesEveryDefinitionOrNone() throws {
        let linker = Linker<Void>(engine: engine)
        let store = Store(engine: engine)
        try linker.module(store, name: "counter", Module(engine: engine, text: reactor))
        try linker.defineFunc(module: "lib", name: "_initialize") {}
        // "lib" already has _initialize: nothing is copied.
        #expect(throws: Linker<Void>.DuplicateDefinition.self) { try linker.aliasModule("counter", as: "lib") }
        #expect(linker.get(module: "lib", name: "next") == nil)
        linker.allowShadowing = true
        try linker.aliasModule("counter", as: "lib")
        let twice = try linker.instantiate(store, Module(engine: engine, text: user)).typedFunc("twice", Void.self, Int32.self)
        #expect(try twice() == 102)
        #expect(throws: Linker<Void>.UndefinedDefinition.self) { try linker.aliasModule("nothing", as: "lib") }
    }

    @Test func aWASIFunctionAliasedUnderAnotherNameActsOnTheInstancesContext() throws {
        let linker = Linker<Void>(engine: engine)
        try linker.defineWASI()
        try linker.alias(module: "wasi_snapshot_preview1", name: "proc_exit", as: "env", asName: "quit")
        let store = Store(engine: engine)
        let instance = try linker.instantiate(store, Module(engine: engine, text: """
            (module
              (import "env" "quit" (func $quit (param i32)))
              (func (export "run") (call $quit (i32.const 3))))
            """))
        let trap = #expect(throws: Trap.self) { try instance.func("run")!.call() }
        #expect(trap?.code == .exit)
        #expect(instance.wasi?.exitCode == 3)
    }
}
