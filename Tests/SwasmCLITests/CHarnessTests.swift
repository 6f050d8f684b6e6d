// The C spec harness (docs/aarch64-testing.md): scripts run through a
// generated C driver linked with the runtime's C parts must be judged as the
// Swift runtime judges them: the same passes, and failures where the
// results are wrong.
import Foundation
import SwasmCompiler
import SwasmRuntime
import SwasmSpec
import Testing
import WasmText

@Suite struct CHarnessTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A folder with the script's modules and its JSON, and a prepared toolchain.
    final class Workspace {
        let url: URL
        var toolchain: CHarnessToolchain
        var moduleCount = 0

        /// The runtime's C parts, compiled once per test process.
        static let prepared: Result<CHarnessToolchain, Error> = Result {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swasm-charness-\(getpid())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var toolchain = CHarnessToolchain(runtimeDirectory: CHarnessTests.packageRoot.appendingPathComponent("runtime"))
            try toolchain.prepare(in: directory)
            return toolchain
        }

        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("swasm-charness-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            toolchain = try Self.prepared.get()
        }

        deinit { try? FileManager.default.removeItem(at: url) }

        /// Writes a module; its file name for a command.
        func module(_ wat: String) throws -> String {
            moduleCount += 1
            let name = "m\(moduleCount).wasm"
            try Data(try WasmText.assemble(wat)).write(to: url.appendingPathComponent(name))
            return name
        }

        func run(_ commands: [[String: Any]], boundsChecks: CompilerOptions.BoundsChecks = .guardRegion,
                 fuel: Int64? = nil, epochDeadline: UInt64? = nil, continues: Bool = false,
                 throughC: Bool = true) throws -> SpecFileResult {
            var numbered: [[String: Any]] = []
            for (index, command) in commands.enumerated() {
                var command = command
                command["line"] = index + 1
                numbered.append(command)
            }
            let script = url.appendingPathComponent("script.json")
            try JSONSerialization.data(withJSONObject: ["source_filename": "script.wast", "commands": numbered])
                .write(to: script)
            let runner = SpecRunner(workDirectory: url, boundsChecks: boundsChecks, cHarness: throughC ? toolchain : nil,
                                    fuel: fuel, epochDeadline: epochDeadline, epochDeadlineContinues: continues)
            return runner.run(scriptAt: script)
        }
    }

    static func value(_ type: String, _ value: String) -> [String: Any] { ["type": type, "value": value] }
    static func invoke(_ field: String, _ args: [[String: Any]] = [], module: String? = nil) -> [String: Any] {
        var action: [String: Any] = ["type": "invoke", "field": field, "args": args]
        if let module { action["module"] = module }
        return action
    }

    static let exporter = """
        (module
          (memory (export "memory") 1 4)
          (data (i32.const 16) "\\2a\\00\\00\\00")
          (table (export "table") 2 funcref)
          (elem (i32.const 0) $add)
          (global (export "counter") (mut i32) (i32.const 7))
          (func $add (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
          (func (export "divide") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
          (func (export "bump") (global.set 0 (i32.add (global.get 0) (i32.const 1))))
          (func $deep (export "deep") (param i64) (result i64) (i64.add (call $deep (local.get 0)) (i64.const 1)))
          (func (export "pair") (param f64) (result f64 i64) (f64.neg (local.get 0)) (i64.const -1)))
        """
    static let importer = """
        (module
          (import "spectest" "print_i32" (func $print (param i32)))
          (import "spectest" "global_i32" (global $six i32))
          (import "A" "add" (func $add (param i32 i32) (result i32)))
          (import "A" "memory" (memory 1))
          (import "A" "table" (table 2 funcref))
          (import "A" "counter" (global $counter (mut i32)))
          (type $binary (func (param i32 i32) (result i32)))
          (func (export "through-table") (param i32 i32) (result i32)
            (call $print (local.get 0))
            (call_indirect (type $binary) (local.get 0) (local.get 1) (i32.const 0)))
          (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
          (func (export "size") (result i32) (memory.size))
          (func (export "plus-six") (result i32) (i32.add (global.get $six) (call $add (global.get $counter) (i32.const 0))))
          (func (export "null-entry") (result i32) (call_indirect (type $binary) (i32.const 1) (i32.const 2) (i32.const 1))))
        """

    func script(_ workspace: Workspace, wrong: Bool) throws -> [[String: Any]] {
        let i32 = { (v: String) in Self.value("i32", v) }
        let exporter = try workspace.module(Self.exporter)
        let importer = try workspace.module(Self.importer)
        let tooLarge = try workspace.module(#"(module (import "A" "memory" (memory 3)))"#)
        let wrongType = try workspace.module(#"(module (import "A" "add" (func (param i64))))"#)
        let outOfBounds = try workspace.module("""
            (module (import "A" "table" (table 2 funcref)) (func $f)
              (elem (i32.const 1) $f) (memory 1) (data (i32.const 65535) "ab"))
            """)
        return [
            ["type": "module", "filename": exporter, "name": "$A"],
            ["type": "register", "as": "A", "name": "$A"],
            ["type": "assert_return", "action": Self.invoke("add", [i32("2"), i32("3")]), "expected": [i32(wrong ? "6" : "5")]],
            ["type": "assert_trap", "action": Self.invoke("divide", [i32("1"), i32("0")]),
             "text": wrong ? "integer overflow" : "integer divide by zero"],
            ["type": "assert_trap", "action": Self.invoke("divide", [i32("-2147483648"), i32("-1")]), "text": "integer overflow"],
            ["type": "assert_exhaustion", "action": Self.invoke(wrong ? "divide" : "deep", wrong ? [i32("1"), i32("0")] : [Self.value("i64", "1")]),
             "text": "call stack exhausted"],
            ["type": "assert_return", "action": Self.invoke("pair", [Self.value("f64", "4611686018427387904")]),
             "expected": [Self.value("f64", "13835058055282163712"), Self.value("i64", "18446744073709551615")]],
            ["type": "action", "action": Self.invoke("bump")],
            ["type": "assert_return", "action": ["type": "get", "field": "counter"], "expected": [i32("8")]],
            ["type": "module", "filename": importer],
            ["type": "assert_return", "action": Self.invoke("through-table", [i32("40"), i32("2")]), "expected": [i32("42")]],
            ["type": "assert_return", "action": Self.invoke("load", [i32("16")]), "expected": [i32("42")]],
            ["type": "assert_trap", "action": Self.invoke(wrong ? "grow" : "load", [i32("65533")]), "text": "out of bounds memory access"],
            ["type": "assert_return", "action": Self.invoke("grow", [i32("2")]), "expected": [i32("1")]],
            ["type": "assert_return", "action": Self.invoke("load", [i32("65536")]), "expected": [i32("0")]],
            ["type": "assert_return", "action": Self.invoke("size"), "expected": [i32("3")]],
            ["type": "assert_return", "action": Self.invoke("grow", [i32("2")]), "expected": [i32("-1")]],
            ["type": "assert_return", "action": Self.invoke("plus-six"), "expected": [i32("674")]],
            ["type": "assert_trap", "action": Self.invoke("null-entry"), "text": "uninitialized element"],
            ["type": "assert_unlinkable", "filename": wrongType, "text": "incompatible import type"],
            ["type": "assert_uninstantiable", "filename": outOfBounds, "text": "out of bounds memory access"],
            // The failed instantiation wrote the table before it trapped.
            ["type": "assert_trap", "action": Self.invoke("null-entry", module: nil), "text": "indirect call type mismatch"],
            // Memory A has grown to 3 pages with a maximum of 4: an import of
            // at least 3 pages (no maximum) now links.
            ["type": wrong ? "assert_unlinkable" : "module", "filename": tooLarge, "text": "incompatible import type"],
        ]
    }

    @Test func scriptAcrossModulesPasses() throws {
        let workspace = try Workspace()
        let result = try workspace.run(try script(workspace, wrong: false))
        #expect(result.failures.map(\.description) == [])
        #expect(result.passed == 23 && result.failed == 0 && result.skipped == 0)
    }

    @Test func wrongResultsFail() throws {
        let workspace = try Workspace()
        let result = try workspace.run(try script(workspace, wrong: true))
        // Line numbers are command numbers: a wrong sum, the wrong trap, an
        // exhaustion that was a division trap, a trap that did not happen,
        // a module that linked.
        #expect(result.failures.map(\.line) == [3, 4, 6, 13, 23], "\(result.failures)")
        #expect(result.passed == 18)
    }

    @Test func explicitBoundsChecksPassToo() throws {
        let workspace = try Workspace()
        let result = try workspace.run(try script(workspace, wrong: false), boundsChecks: .explicit)
        #expect(result.failures.map(\.description) == [])
        #expect(result.passed == 23)
    }

    /// Real spec scripts that exercise instantiation, imports and the
    /// helpers: the same counts through both harnesses.
    @Test(arguments: ["linking", "imports", "elem", "data", "memory_grow", "table_grow", "bulk", "start", "call_indirect", "exports"])
    func specScriptMatchesTheSwiftRuntime(_ name: String) throws {
        let workspace = try Workspace()
        let script = Self.packageRoot.appendingPathComponent("../shared/spec/wasm-2.0/json/\(name).json").standardized
        try #require(FileManager.default.fileExists(atPath: script.path), "spec scripts not found at \(script.path)")
        _ = CodeExecutor.installSignalHandlers()
        let native = SpecRunner(workDirectory: workspace.url).run(scriptAt: script)
        let throughC = SpecRunner(workDirectory: workspace.url, cHarness: workspace.toolchain).run(scriptAt: script)
        #expect(throughC.failures.map(\.line) == native.failures.map(\.line), "\(throughC.failures)")
        #expect(throughC.passed == native.passed && throughC.skipped == native.skipped)
        #expect(throughC.passed > 0)
    }

    /// Fuel and epoch deadlines (docs/fuel-and-epochs.md): the driver's
    /// limits block and deadline helper stop the code exactly where the
    /// Swift runtime does. "spin" costs 5 units an iteration, so with F
    /// units n iterations complete if and only if F > 5(n-1).
    @Test(arguments: [true, false])
    func fuelStopsAtTheSameOperator(throughC: Bool) throws {
        let workspace = try Workspace()
        let module = try workspace.module("""
            (module
              (func (export "spin") (param $n i32) (result i32)
                (loop $again (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
                (local.get $n)))
            """)
        let commands: [[String: Any]] = [
            ["type": "module", "filename": module],
            ["type": "assert_return", "action": Self.invoke("spin", [Self.value("i32", "200")]), "expected": [Self.value("i32", "0")]],
            ["type": "assert_trap", "action": Self.invoke("spin", [Self.value("i32", "201")]), "text": "all fuel consumed"],
        ]
        if !throughC { _ = CodeExecutor.installSignalHandlers() }
        let exact = try workspace.run(commands, fuel: 1000, throughC: throughC)
        #expect(exact.failures.map(\.description) == [] && exact.passed == 3)
        // One unit less stops the 200th iteration; one more lets the 201st finish.
        #expect(try workspace.run(commands, fuel: 995, throughC: throughC).failures.map(\.line) == [2])
        #expect(try workspace.run(commands, fuel: 1001, throughC: throughC).failures.map(\.line) == [3])
    }

    /// A deadline already reached traps with "interrupted" at the first
    /// check; one that continues (every check calls the helper) or lies
    /// ahead lets the code run to its result.
    @Test(arguments: [true, false])
    func epochDeadlineTrapsOrContinues(throughC: Bool) throws {
        let workspace = try Workspace()
        let module = try workspace.module("""
            (module
              (func (export "count") (param $n i32) (result i64) (local $sum i64)
                (loop $again
                  (local.set $sum (i64.add (local.get $sum) (i64.extend_i32_u (local.get $n))))
                  (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
                (local.get $sum)))
            """)
        let interrupted: [[String: Any]] = [
            ["type": "module", "filename": module],
            ["type": "assert_trap", "action": Self.invoke("count", [Self.value("i32", "100")]), "text": "interrupted"],
        ]
        let completes: [[String: Any]] = [
            ["type": "module", "filename": module],
            ["type": "assert_return", "action": Self.invoke("count", [Self.value("i32", "100")]), "expected": [Self.value("i64", "5050")]],
        ]
        if !throughC { _ = CodeExecutor.installSignalHandlers() }
        #expect(try workspace.run(interrupted, epochDeadline: 0, throughC: throughC).failures.map(\.description) == [])
        #expect(try workspace.run(interrupted, epochDeadline: 1000, throughC: throughC).failures.map(\.line) == [2])
        #expect(try workspace.run(completes, epochDeadline: 0, throughC: throughC).failures.map(\.line) == [2])
        #expect(try workspace.run(completes, epochDeadline: 0, continues: true, throughC: throughC).failures.map(\.description) == [])
        #expect(try workspace.run(completes, epochDeadline: 1000, throughC: throughC).failures.map(\.description) == [])
    }
}
