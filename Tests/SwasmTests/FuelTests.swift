// Fuel: the count each operator costs is defined on wasm, so it is the same
// at every optimization level and bounds-check strategy; the store's fuel is
// shared by its instances and visible to host functions; running out traps
// exactly where docs/fuel-and-epochs.md says.
import Foundation
import Testing
import Swasm

/// `run(n)` loops n times (5 operators per iteration) and returns 7.
private let countdown = """
    (module
      (func (export "run") (param $n i32) (result i32)
        (loop $l
          local.get $n
          i32.const 1
          i32.sub
          local.tee $n
          br_if $l)
        i32.const 7))
    """

private func fuelEngine(optimizationLevel: Int = 2, explicitChecks: Bool = false) -> Engine {
    var config = Engine.Config()
    config.consumeFuel = true
    config.optimizationLevel = optimizationLevel
    if explicitChecks { config.memoryStrategy = .explicitBoundsChecks }
    return Engine(config)
}

/// The fuel a call of `function` in a fresh instance of `text` uses.
private func fuelUsed(_ text: String, _ function: String = "f", engine: Engine = fuelEngine()) throws -> UInt64 {
    let store = Store(engine: engine)
    try store.setFuel(1_000_000)
    let instance = try Instance(store, module: try Module(engine: engine, text: text))
    _ = try? instance.func(function)?.call()
    return 1_000_000 - (try store.fuel)
}

@Suite struct FuelTests {
    struct Variant: CustomStringConvertible, Sendable {
        var level: Int
        var explicitChecks: Bool
        var description: String { "-O\(level)\(explicitChecks ? " explicit bounds checks" : "")" }
    }

    /// 1000 iterations cost 5000, `i32.const 7` one more. The last loop head
    /// check comes after 999 iterations (4995 used): with exactly 4995 fuel
    /// it traps there, with 4996 the call completes (and ends 5 below zero,
    /// which the store reports as 0).
    @Test(arguments: [Variant(level: 0, explicitChecks: false), Variant(level: 2, explicitChecks: false),
                      Variant(level: 2, explicitChecks: true)])
    func fuelRunsOutAtTheDocumentedCount(_ variant: Variant) throws {
        let engine = fuelEngine(optimizationLevel: variant.level, explicitChecks: variant.explicitChecks)
        let module = try Module(engine: engine, text: countdown)
        func run(fuel: UInt64) throws -> (result: Result<Int32, Trap>, left: UInt64) {
            let store = Store(engine: engine)
            try store.setFuel(fuel)
            let run = try Instance(store, module: module).typedFunc("run", Int32.self, Int32.self)
            do { return (.success(try run(1000)), try store.fuel) } catch let trap as Trap { return (.failure(trap), try store.fuel) }
        }
        let plenty = try run(fuel: 1_000_000)
        #expect(try plenty.result.get() == 7)
        #expect(plenty.left == 1_000_000 - 5001)
        let short = try run(fuel: 4995)
        #expect(throws: Trap.self) { try short.result.get() }
        if case .failure(let trap) = short.result { #expect(trap.code == .outOfFuel) }
        #expect(short.left == 0)
        let enough = try run(fuel: 4996)
        #expect(try enough.result.get() == 7)
        #expect(enough.left == 0)
    }

    /// The cost rule on small bodies: 1 per operator, 0 for nop, drop,
    /// block, loop, else, end, unreachable and return; a call costs 1 and
    /// the callee's operators their own.
    @Test func eachOperatorCostsWhatTheRuleSays() throws {
        #expect(try fuelUsed("(module (func (export \"f\")))") == 0)
        #expect(try fuelUsed("(module (func (export \"f\") i32.const 0 drop nop))") == 1)
        #expect(try fuelUsed("(module (func (export \"f\") block end loop end))") == 0)
        #expect(try fuelUsed("(module (func (export \"f\") (local i32) i32.const 10 local.set 0 loop local.get 0 i32.const 1 i32.sub local.tee 0 br_if 0 end))") == 52)
        #expect(try fuelUsed("(module (func $f (export \"f\") i32.const 1 if i32.const 0 drop else call $f end))") == 3)
        #expect(try fuelUsed("(module (func $f (export \"f\") i32.const 0 if call $f else i32.const 0 drop end))") == 3)
        #expect(try fuelUsed("(module (func (export \"f\") block i32.const 1 br_if 0 i32.const 0 drop end))") == 2)
        #expect(try fuelUsed("(module (func (export \"f\") block i32.const 0 br_if 0 i32.const 0 drop end))") == 3)
        #expect(try fuelUsed("(module (func (export \"f\") call $g) (func $g))") == 1)
        #expect(try fuelUsed("(module (func (export \"f\") i32.const 0 call $g i32.const 0 drop) (func $g (param i32)))") == 3)
        #expect(try fuelUsed("(module (func (export \"f\") call $g drop) (func $g (result i32) i32.const 0))") == 2)
        #expect(try fuelUsed("(module (type $t (func)) (table funcref (elem $g)) (func (export \"f\") i32.const 0 call_indirect (type $t)) (func $g))") == 2)
        // Code before a trap or a return is counted; code after it is not run.
        #expect(try fuelUsed("(module (func (export \"f\") i32.const 0 unreachable))") == 1)
        #expect(try fuelUsed("(module (func (export \"f\") i32.const 0 return i32.const 1 drop))") == 1)
        #expect(try fuelUsed("(module (memory 1) (func (export \"f\") i32.const 0 i32.const 0 i32.const 100 memory.fill))") == 4)
    }

    @Test func setFuelAndFuelReportTheStoresFuel() throws {
        let engine = fuelEngine()
        let store = Store(engine: engine)
        #expect(try store.fuel == 0)
        try store.setFuel(10_000)
        #expect(try store.fuel == 10_000)
        try store.setFuel(1)
        #expect(try store.fuel == 1)
        try store.setFuel(.max)
        #expect(try store.fuel == UInt64(Int64.max))
        // A store starts with none: code traps at its first function entry.
        let empty = Store(engine: engine)
        let instance = try Instance(empty, module: try Module(engine: engine, text: countdown))
        #expect { try instance.typedFunc("run", Int32.self, Int32.self)(1) } throws: { ($0 as? Trap)?.code == .outOfFuel }
        // Without fuel counting there is no fuel to ask for.
        let plain = Store(engine: Engine())
        #expect(throws: FuelNotEnabledError.self) { try plain.setFuel(1) }
        #expect(throws: FuelNotEnabledError.self) { _ = try plain.fuel }
    }

    /// Two instances of one store calling each other draw on one fuel, and
    /// a host function between them sees (and may set) exactly what is left.
    @Test func instancesOfAStoreShareTheirFuel() throws {
        let engine = fuelEngine()
        let store = Store(engine: engine, data: [UInt64]())
        let linker = Linker<[UInt64]>(engine: engine)
        try linker.defineFunc(module: "host", name: "look") { (caller: Caller<[UInt64]>) in
            caller.data.append(try caller.store.fuel)
        }
        let library = try linker.instantiate(store, try Module(engine: engine, text: countdown))
        try linker.define(instance: library, as: "lib")
        let main = try linker.instantiate(store, try Module(engine: engine, text: """
            (module
              (import "lib" "run" (func $run (param i32) (result i32)))
              (import "host" "look" (func $look))
              (func (export "main") (result i32)
                i32.const 1
                i32.const 2
                i32.add
                call $look
                call $run
                call $look))
            """))
        try store.setFuel(100_000)
        #expect(try main.typedFunc("main", Void.self, Int32.self)() == 7)
        // const, const, add, call: 4 before the first look; the library's
        // 5 * 3 + 1 and the two calls before the second.
        #expect(store.data == [100_000 - 4, 100_000 - 4 - 1 - 16 - 1])
        #expect(try store.fuel == 100_000 - 4 - 1 - 16 - 1)

        // A host function that leaves 1 unit: the next loop head in the
        // library finds it used up.
        try linker.defineFunc(module: "host2", name: "drain") { (caller: Caller<[UInt64]>) in try caller.store.setFuel(1) }
        let draining = try linker.instantiate(store, try Module(engine: engine, text: """
            (module
              (import "lib" "run" (func $run (param i32) (result i32)))
              (import "host2" "drain" (func $drain))
              (func (export "main") (result i32) call $drain i32.const 1000 call $run))
            """))
        try store.setFuel(100_000)
        #expect { try draining.typedFunc("main", Void.self, Int32.self)() } throws: { ($0 as? Trap)?.code == .outOfFuel }
        #expect(try store.fuel == 0)
    }

    /// An infinite loop ends with `outOfFuel`; the trap names the loop.
    @Test func anInfiniteLoopRunsOutOfFuel() throws {
        let engine = fuelEngine()
        let store = Store(engine: engine)
        try store.setFuel(10_000)
        let instance = try Instance(store, module: try Module(engine: engine, text: "(module (func (export \"spin\") (loop (br 0))))"))
        #expect { try instance.func("spin")?.call() } throws: { error in
            guard let trap = error as? Trap else { return false }
            return trap.code == .outOfFuel && "\(trap)".contains("all fuel consumed")
        }
        #expect(try store.fuel == 0)
    }

    /// Objects record the setting; an engine refuses code compiled without
    /// the fuel counting it needs, and code that counts fuel it would not give.
    @Test func fuelSettingMismatchesAreRefusedBothWays() throws {
        for (compiled, loading, has, needs) in [(fuelEngine(), Engine(), "fuel counting", "no fuel counting"),
                                                (Engine(), fuelEngine(), "no fuel counting", "fuel counting")] {
            let object = try Module(engine: compiled, text: countdown).serialize()
            let error = #expect(throws: ModuleError.self) { try Module.deserialize(engine: loading, trustedObject: object) }
            guard case .settingsMismatch(_, let mismatches)? = error else {
                Issue.record("not a settings mismatch: \(String(describing: error))")
                continue
            }
            #expect(mismatches.map(\.description) == ["fuel (swasmc --consume-fuel): the object has \(has), the engine needs \(needs)"])
            _ = try Module.deserialize(engine: compiled, trustedObject: object)
        }
    }

    /// An object written before the fuel and epoch settings existed (its
    /// settings table has two entries) has neither: it loads into a plain
    /// engine and runs, and a fuel engine refuses it by name.
    @Test func objectsFromBeforeTheSettingsHaveNeither() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("objects/settings-before-fuel.o").path
        let module = try Module.deserialize(engine: Engine(), trustedObjectFile: path)
        let store = Store(engine: Engine())
        #expect(try Instance(store, module: module).typedFunc("add", (Int32, Int32).self, Int32.self)(2, 3) == 5)
        let error = #expect(throws: ModuleError.self) { try Module.deserialize(engine: fuelEngine(), trustedObjectFile: path) }
        #expect("\(error!)".contains("fuel (swasmc --consume-fuel): the object has no fuel counting"))
    }
}
