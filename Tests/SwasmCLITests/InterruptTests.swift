// A runaway guest (an infinite loop in compiled code) is stopped from
// another thread by the instance's interrupt flag, and the instance runs
// again afterwards.
import Dispatch
import Foundation
import SwasmCompiler
import SwasmRuntime
import Testing
import WasmModel
import WasmText

@Suite struct InterruptTests {
    @Test func anInfiniteLoopIsInterruptedWithinBoundedTime() throws {
        let module = try Validator.decodeAndValidate(try WasmText.assemble("""
            (module
              (func (export "spin") (loop (br 0)))
              (func (export "answer") (result i32) (i32.const 42)))
            """))
        var options = CompilerOptions(optimizationLevel: 2, jobs: 1)
        options.interruptible = true
        let object = try Compiler.compileObject(module, options: options, prefix: "i")
        let instance = try Instance(module: try CompiledModule(text: object.code.text, metadata: object.metadata), imports: [])
        let spin = try #require(instance.export(named: "spin")?.function)

        final class Outcome: @unchecked Sendable { var trap: Trap?; var elapsed: Duration = .zero }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let box = UncheckedBox(instance: instance, spin: spin)
        let thread = Thread {
            let start = ContinuousClock.now
            do { _ = try box.instance.call(box.spin, []) } catch let trap as Trap { outcome.trap = trap } catch {}
            outcome.elapsed = ContinuousClock.now - start
            done.signal()
        }
        thread.start()
        Thread.sleep(forTimeInterval: 0.1)
        instance.interrupt()
        #expect(done.wait(timeout: .now() + 5) == .success, "the loop was not interrupted")
        #expect(outcome.trap?.code == .interrupted)
        #expect(outcome.elapsed < .seconds(5))
        instance.clearInterrupt()
        #expect(try instance.call("answer", []) == [.i32(42)])
    }

    struct UncheckedBox: @unchecked Sendable {
        let instance: Instance
        let spin: SwasmRuntime.Function
    }
}
