// A function whose spill slots reach beyond a load's immediate offset
// (more than 32 KiB of them): spilled operands, results and block
// parameters then need general temporaries to form their addresses, which
// the allocator grants per instruction now that no register is reserved
// for it. Thousands of i64 and f64 values live at once are swapped in pairs
// around a loop (parallel moves with cycles, from slot to slot, far apart)
// and passed to a call with stack arguments; run under qemu through the C
// harness, the function returns what the same arithmetic gives here.
import Foundation
import SwasmABI
import SwasmCompiler
import SwasmSpec
import Testing
import WasmModel
import WasmText

@Suite struct AArch64FarFrameTests {
    static let pairs = 1_100

    static let wat: String = {
        let n = 2 * pairs
        var locals = "", body = ""
        for k in 0..<n { locals += "(local $l\(k) i64) (local $d\(k) f64) " }
        for k in 0..<n {
            body += "(local.set $l\(k) (i64.add (i64.extend_i32_u (local.get $p)) (i64.const \(k))))\n"
            body += "(local.set $d\(k) (f64.add (f64.convert_i32_u (local.get $p)) (f64.const \(k))))\n"
        }
        var loop = ""
        for j in 0..<pairs {
            let (a, b) = (2 * j, 2 * j + 1)
            loop += "(local.set $t (local.get $l\(a))) (local.set $l\(a) (i64.add (local.get $l\(b)) (i64.const 1))) (local.set $l\(b) (local.get $t))\n"
            loop += "(local.set $u (local.get $d\(a))) (local.set $d\(a) (f64.add (local.get $d\(b)) (f64.const 0.25))) (local.set $d\(b) (local.get $u))\n"
        }
        let arguments = (0..<10).map { "(local.get $l\($0 * 7))" }.joined(separator: " ")
            + " " + (0..<9).map { "(local.get $d\($0 * 5))" }.joined(separator: " ")
        loop += "(local.set $l0 (i64.add (local.get $l0) (call $mix \(arguments))))\n"
        var sum = "(local.set $s (i64.const 0)) (local.set $f (f64.const 0))\n"
        for k in 0..<n {
            sum += "(local.set $s (i64.add (local.get $s) (i64.mul (local.get $l\(k)) (i64.const \(k + 1)))))\n"
            sum += "(local.set $f (f64.add (local.get $f) (f64.mul (local.get $d\(k)) (f64.const \(k + 1)))))\n"
        }
        let parameters = (0..<10).map { _ in "i64" }.joined(separator: " ") + " " + (0..<9).map { _ in "f64" }.joined(separator: " ")
        return """
            (module
              (func $mix (param \(parameters)) (result i64)
                (i64.add (i64.sub (local.get 9) (local.get 0)) (i64.trunc_f64_s (local.get 18))))
              (func (export "f") (param $p i32) (result i64)
                (local $i i32) (local $t i64) (local $u f64) (local $s i64) (local $f f64) \(locals)
                \(body)
                (loop $again
                  \(loop)
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $again (i32.lt_u (local.get $i) (i32.const 3))))
                \(sum)
                (i64.add (local.get $s) (i64.trunc_f64_s (local.get $f)))))
            """
    }()

    /// The same arithmetic in Swift.
    static func expected(_ p: UInt32) -> UInt64 {
        let n = 2 * pairs
        var l = (0..<n).map { UInt64(p) &+ UInt64($0) }
        var d = (0..<n).map { Double(p) + Double($0) }
        for _ in 0..<3 {
            for j in 0..<pairs {
                let (a, b) = (2 * j, 2 * j + 1)
                (l[a], l[b]) = (l[b] &+ 1, l[a])
                (d[a], d[b]) = (d[b] + 0.25, d[a])
            }
            let mix = (l[63] &- l[0]) &+ UInt64(bitPattern: Int64(d[40]))
            l[0] = l[0] &+ mix
        }
        var s: UInt64 = 0, f = 0.0
        for k in 0..<n {
            s = s &+ l[k] &* UInt64(k + 1)
            f = f + d[k] * Double(k + 1)
        }
        return s &+ UInt64(bitPattern: Int64(f))
    }

    @Test func farFrameRunsUnderQEMU() throws {
        let bytes = try WasmText.assemble(Self.wat)
        func returns(_ p: UInt32) -> [String: Any] {
            ["type": "assert_return",
             "action": ["type": "invoke", "field": "f", "args": [["type": "i32", "value": "\(p)"]]],
             "expected": [["type": "i64", "value": "\(Self.expected(p))"]]]
        }
        let result = try QEMUScript.run(bytes, named: "far", [returns(0), returns(1_000_003)])
        #expect(result.failures.map(\.description) == [])
        #expect(result.passed == 3)
    }
}
