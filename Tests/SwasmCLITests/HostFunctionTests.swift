// Swift closures as host functions called from compiled code: arguments of
// every type, several results, access to the caller's memory, and a throw
// that becomes a trap in the wasm caller while the instance stays usable.
import Foundation
import SwasmCompiler
import SwasmRuntime
import Testing
import WasmModel
import WasmText

@Suite struct HostFunctionTests {
    struct Failure: Error {}

    func instantiate(_ source: String, _ imports: [ExternValue]) throws -> Instance {
        let module = try Validator.decodeAndValidate(try WasmText.assemble(source))
        let object = try Compiler.compileObject(module, options: CompilerOptions(optimizationLevel: 2, jobs: 1, verify: true), prefix: "h")
        return try Instance(module: try CompiledModule(text: object.code.text, metadata: object.metadata), imports: imports)
    }

    @Test func closuresAreCalledFromCompiledCode() throws {
        let mix = Function(type: FunctionType(parameters: [.i32, .i64, .f32, .f64, .i32, .i32, .i32, .i32], results: [.f64, .i32])) { _, args in
            guard case .i32(let a) = args[0], case .i64(let b) = args[1], case .f32(let c) = args[2],
                  case .f64(let d) = args[3], case .i32(let h) = args[7] else { throw Failure() }
            let sum = Double(a) + Double(b) + Double(Float(bitPattern: c)) + Double(bitPattern: d) + Double(h)
            return [.f64(sum.bitPattern), .i32(a &* 2)]
        }
        let peek = Function(type: FunctionType(parameters: [.i32], results: [.i32])) { caller, args in
            guard case .i32(let address) = args[0], let memory = caller.memory,
                  let bytes = memory.read(at: UInt64(address), count: 1) else { throw Failure() }
            return [.i32(UInt32(bytes[0]))]
        }
        let fail = Function(type: FunctionType(parameters: [], results: [])) { _, _ in throw Failure() }
        let instance = try instantiate("""
            (module
              (import "host" "mix" (func $mix (param i32 i64 f32 f64 i32 i32 i32 i32) (result f64 i32)))
              (import "host" "peek" (func $peek (param i32) (result i32)))
              (import "host" "fail" (func $fail))
              (memory 1)
              (data (i32.const 7) "\\2a")
              (func (export "mix") (result f64 i32)
                (call $mix (i32.const 3) (i64.const 4) (f32.const 0.5) (f64.const 0.25)
                           (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 10)))
              (func (export "peek") (result i32) (call $peek (i32.const 7)))
              (func (export "fail") (call $fail)))
            """, [.function(mix), .function(peek), .function(fail)])
        #expect(try instance.call("mix", []) == [.f64((17.75).bitPattern), .i32(6)])
        #expect(try instance.call("peek", []) == [.i32(42)])
        #expect(throws: Trap.self) { try instance.call("fail", []) }
        #expect(try instance.call("peek", []) == [.i32(42)])
        // The host can call a closure directly too (no calling instance then).
        #expect(try mix.call([.i32(1), .i64(1), .f32(Float(1).bitPattern), .f64(Double(1).bitPattern),
                              .i32(0), .i32(0), .i32(0), .i32(1)]) == [.f64((5.0).bitPattern), .i32(2)])
        #expect(throws: Failure.self) { try peek.call([.i32(7)]) }
    }
}
