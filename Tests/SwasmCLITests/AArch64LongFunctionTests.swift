// A function whose AArch64 code outgrows the ±1 MiB reach of conditional
// branches, adr and literal loads is compiled again with long branches
// (an inverted branch over a `b`), its jump tables beside their `br` and
// float constants built in a register; run under qemu through the C
// harness, it returns and traps as a short one does.
import Foundation
import SwasmABI
import SwasmCompiler
import SwasmSpec
import Testing
import WasmModel
import WasmText

@Suite struct AArch64LongFunctionTests {
    /// g(i, d): 60,000 checked divisions by d (each with its own branches to
    /// trap stubs at the function's end), a store of a float constant that
    /// no fmov immediate encodes (built in a register while the address is
    /// in others), then a br_table on i choosing a constant or reading the
    /// stored one back.
    static let wat: String = {
        var body = ""
        for _ in 0..<60_000 { body += "(drop (i32.div_s (local.get 0) (local.get 1)))\n" }
        return """
            (module
              (memory 1)
              (func (export "g") (param i32 i32) (result f64)
                \(body)
                (f64.store offset=8 (local.get 1) (f64.const 0.1))
                (block $c (block $b (block $a (br_table $a $b $c (local.get 0)))
                  (return (f64.load offset=8 (local.get 1))))
                  (return (f64.const 2.5)))
                (f64.const 1e300)))
            """
    }()

    @Test func longFunctionRunsUnderQEMU() throws {
        let bytes = try WasmText.assemble(Self.wat)
        var options = CompilerOptions(optimizationLevel: 2, jobs: 1)
        options.target = .aarch64
        let code = try Compiler.compileToMachineCode(try Validator.decodeAndValidate(bytes), options: options)
        #expect(code.text.count > 1 << 20, "the function must be beyond b.cond's reach")

        func invoke(_ i: String, _ d: String) -> [String: Any] {
            ["type": "invoke", "field": "g", "args": [["type": "i32", "value": i], ["type": "i32", "value": d]]]
        }
        func returns(_ i: String, _ bits: String) -> [String: Any] {
            ["type": "assert_return", "action": invoke(i, "1"), "expected": [["type": "f64", "value": bits]]]
        }
        let result = try QEMUScript.run(bytes, named: "long", [
            returns("0", "4591870180066957722"), // 0.1
            returns("1", "4612811918334230528"), // 2.5
            returns("7", "9094988921128908188"), // 1e300, the default
            ["type": "assert_trap", "action": invoke("0", "0"), "text": "integer divide by zero"],
            ["type": "assert_trap", "action": invoke("2147483648", "4294967295"), "text": "integer overflow"],
        ])
        #expect(result.failures.map(\.description) == [])
        #expect(result.passed == 6)
    }
}
