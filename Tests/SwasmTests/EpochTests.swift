// Epoch deadlines: another thread advances the engine's epoch and a running
// guest stops at its next function entry or loop head, or the store's
// callback moves the deadline and lets it go on.
import Dispatch
import Foundation
import Testing
import Swasm

private func epochEngine() -> Engine {
    var config = Engine.Config()
    config.epochInterruption = true
    return Engine(config)
}

@Suite struct EpochTests {
    struct Box: @unchecked Sendable { let function: Func }

    @Test func anotherThreadAdvancingTheEpochStopsAnInfiniteLoop() throws {
        let engine = epochEngine()
        let store = Store(engine: engine)
        store.setEpochDeadline(1)
        let instance = try Instance(store, module: try Module(engine: engine, text: """
            (module (func (export "spin") (loop (br 0))) (func (export "one") (result i32) (i32.const 1)))
            """))
        let spin = Box(function: try #require(instance.func("spin")))
        final class Outcome: @unchecked Sendable { var error: Error? }
        let outcome = Outcome()
        let finished = DispatchSemaphore(value: 0)
        Thread {
            do { _ = try spin.function.call() } catch { outcome.error = error }
            finished.signal()
        }.start()
        Thread.sleep(forTimeInterval: 0.05)
        #expect(finished.wait(timeout: .now()) == .timedOut, "the loop stopped before the epoch advanced")
        let ticker = engine
        DispatchQueue.global().async { ticker.incrementEpoch() }
        #expect(finished.wait(timeout: .now() + 5) == .success, "the loop was not stopped")
        #expect((outcome.error as? Trap)?.code == .interrupted)
        // The deadline has passed: any call stops at its entry until a new one.
        #expect { try instance.func("one")?.call() } throws: { ($0 as? Trap)?.code == .interrupted }
        store.setEpochDeadline(1)
        #expect(try instance.func("one")?.call() == [.i32(1)])
    }

    @Test func aStoreStartsWithItsDeadlineReached() throws {
        let engine = epochEngine()
        let store = Store(engine: engine)
        let instance = try Instance(store, module: try Module(engine: engine, text: "(module (func (export \"f\")))"))
        #expect { try instance.func("f")?.call() } throws: { ($0 as? Trap)?.code == .interrupted }
    }

    /// A loop with no call keeps its values in caller-saved registers
    /// (floats included) through its check; with a deadline renewed at 0
    /// ticks the callback (Swift code, which uses those registers) runs at
    /// every check, and every value must come back intact.
    @Test func valuesInRegistersSurviveTheDeadlineCallback() throws {
        let engine = epochEngine()
        let store = Store(engine: engine, data: 0)
        let instance = try Instance(store, module: try Module(engine: engine, text: """
            (module
              (func (export "run") (param $n i32) (result f64)
                (local $i i32) (local $a f64) (local $b f64) (local $k i64)
                (loop $l
                  (local.set $a (f64.add (local.get $a) (f64.convert_i32_u (local.get $i))))
                  (local.set $b (f64.add (local.get $b) (f64.const 2.5)))
                  (local.set $k (i64.add (local.get $k) (i64.const 3)))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
                (f64.add (f64.add (f64.mul (local.get $a) (f64.const 1000)) (local.get $b))
                         (f64.convert_i64_u (local.get $k)))))
            """))
        store.setEpochDeadline(0)
        store.epochDeadlineCallback { store in
            store.data += 1
            // Floating-point work of its own, in the registers the guest uses.
            var x = Double(store.data)
            for _ in 0..<8 { x = (x * 1.5).squareRoot() + sin(x) }
            return x.isNaN ? .trap : .continue(0)
        }
        let run = try instance.typedFunc("run", Int32.self, Double.self)
        // a = 0+1+...+99 = 4950, b = 100 * 2.5 = 250, k = 300.
        #expect(try run(100) == 4950 * 1000 + 250 + 300)
        #expect(store.data == 101, "the entry check and one per iteration")
    }

    /// A guest that advances the epoch itself (through a host function) on
    /// every iteration: the callback lets it go on three times, then stops it.
    @Test func theCallbackExtendsTheDeadlineThenTraps() throws {
        let engine = epochEngine()
        let store = Store(engine: engine, data: 0)
        let linker = Linker<Int>(engine: engine)
        try linker.defineFunc(module: "host", name: "tick") { engine.incrementEpoch() }
        let instance = try linker.instantiate(store, try Module(engine: engine, text: """
            (module
              (import "host" "tick" (func $tick))
              (func (export "run") (result i32) (local $i i32)
                (loop $l
                  (call $tick)
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $l (i32.lt_u (local.get $i) (i32.const 100))))
                (local.get $i)))
            """))
        store.setEpochDeadline(1)
        store.epochDeadlineCallback { store in
            store.data += 1
            return store.data <= 3 ? .continue(1) : .trap
        }
        #expect { try instance.typedFunc("run", Void.self, Int32.self)() } throws: { ($0 as? Trap)?.code == .interrupted }
        #expect(store.data == 4)

        // Continuing for longer than the loop runs lets it finish.
        store.data = 0
        store.epochDeadlineCallback { store in
            store.data += 1
            return .continue(1000)
        }
        store.setEpochDeadline(1)
        #expect(try instance.typedFunc("run", Void.self, Int32.self)() == 100)
        #expect(store.data == 1)

        // An error the callback throws stops the guest and comes with the trap.
        struct Stop: Error {}
        store.epochDeadlineCallback { _ in throw Stop() }
        store.setEpochDeadline(1)
        #expect { try instance.typedFunc("run", Void.self, Int32.self)() } throws: { error in
            guard let trap = error as? Trap else { return false }
            return trap.code == .interrupted && trap.hostError is Stop
        }
        // Back to trapping.
        store.epochDeadlineTrap()
        store.setEpochDeadline(1)
        #expect { try instance.typedFunc("run", Void.self, Int32.self)() } throws: { ($0 as? Trap)?.code == .interrupted }
    }

    /// Recursion without loops is stopped too: every function entry checks.
    @Test func functionEntriesCheckTheDeadline() throws {
        let engine = epochEngine()
        let store = Store(engine: engine, data: 0)
        let linker = Linker<Int>(engine: engine)
        try linker.defineFunc(module: "host", name: "tick") { engine.incrementEpoch() }
        let instance = try linker.instantiate(store, try Module(engine: engine, text: """
            (module
              (import "host" "tick" (func $tick))
              (func $f (export "f") (param i32) (result i32)
                (call $tick)
                (if (result i32) (local.get 0)
                  (then (call $f (i32.sub (local.get 0) (i32.const 1))))
                  (else (i32.const 0)))))
            """))
        store.setEpochDeadline(5)
        store.epochDeadlineCallback { store in store.data += 1; return .trap }
        #expect { try instance.typedFunc("f", Int32.self, Int32.self)(100) } throws: { ($0 as? Trap)?.code == .interrupted }
        #expect(store.data == 1)
    }

    @Test func epochSettingMismatchesAreRefusedBothWays() throws {
        let text = "(module (func (export \"f\")))"
        for (compiled, loading, has, needs) in [(epochEngine(), Engine(), "epoch checks", "no epoch checks"),
                                                (Engine(), epochEngine(), "no epoch checks", "epoch checks")] {
            let object = try Module(engine: compiled, text: text).serialize()
            let error = #expect(throws: ModuleError.self) { try Module.deserialize(engine: loading, trustedObject: object) }
            guard case .settingsMismatch(_, let mismatches)? = error else {
                Issue.record("not a settings mismatch: \(String(describing: error))")
                continue
            }
            #expect(mismatches.map(\.description) == ["epoch interruption (swasmc --epoch-interruption): the object has \(has), the engine needs \(needs)"])
        }
    }

    /// Fuel and epochs together: both checks, one store.
    @Test func fuelAndEpochsWorkTogether() throws {
        var config = Engine.Config()
        config.epochInterruption = true
        config.consumeFuel = true
        let engine = Engine(config)
        let store = Store(engine: engine, data: 0)
        store.setEpochDeadline(1)
        try store.setFuel(1000)
        let instance = try Instance(store, module: try Module(engine: engine, text: "(module (func (export \"spin\") (loop (br 0))))"))
        #expect { try instance.func("spin")?.call() } throws: { ($0 as? Trap)?.code == .outOfFuel }
        try store.setFuel(1_000_000)
        engine.incrementEpoch()
        #expect { try instance.func("spin")?.call() } throws: { ($0 as? Trap)?.code == .interrupted }
        #expect(try store.fuel == 1_000_000)
    }
}
