// Typed functions with several results: wasm exports read as Swift tuples,
// and host closures that return tuples to wasm.
import Testing
import Swasm

/// `swap` returns its parameters in the other order; `viaHost` passes its
/// parameters to the imported `env.pair` and sums the two results it gets.
private let multiValue = """
    (module
      (import "env" "pair" (func $pair (param i32 i64) (result i64 i32)))
      (func (export "swap") (param i32 i64) (result i64 i32) (local.get 1) (local.get 0))
      (func (export "three") (result i32 f64 i64) (i32.const -7) (f64.const 2.5) (i64.const 9000000000))
      (func (export "viaHost") (param i32 i64) (result i64)
        (call $pair (local.get 0) (local.get 1))
        (i64.extend_i32_s)
        (i64.add)))
    """

@Suite struct TypedTuples {
    @Test func typedFuncReturnsATupleOfTheExportsResults() throws {
        let store = Store(engine: engine)
        let pair = Func.wrap(store) { (a: Int32, b: Int64) -> (Int64, Int32) in (b, a) }
        let instance = try Instance(store, module: Module(engine: engine, text: multiValue), imports: [.func(pair)])
        let swap = try instance.typedFunc("swap", (Int32, Int64).self, (Int64, Int32).self)
        let (first, second) = try swap(-1, 1 << 40)
        #expect(first == 1 << 40)
        #expect(second == -1)
        let three = try instance.typedFunc("three", Void.self, (Int32, Double, Int64).self)
        let values = try three()
        #expect(values.0 == -7 && values.1 == 2.5 && values.2 == 9_000_000_000)
        // Through Func.typed as well, and one-result functions still read as a plain value.
        let viaHost = try #require(instance.func("viaHost")).typed((Int32, Int64).self, Int64.self)
        #expect(try viaHost(-3, 10) == 7)
    }

    @Test func aMismatchedTupleIsRefusedOnceWithBothSignatures() throws {
        let store = Store(engine: engine)
        let pair = Func.wrap(store) { (a: Int32, b: Int64) -> (Int64, Int32) in (b, a) }
        let instance = try Instance(store, module: Module(engine: engine, text: multiValue), imports: [.func(pair)])
        let error = #expect(throws: ExportError.self) {
            try instance.typedFunc("swap", (Int32, Int64).self, (Int32, Int64).self)
        }
        let message = "\(try #require(error))"
        #expect(message.contains("swap"), "\(message)")
        #expect(message.contains("has type [i32 i64] -> [i64 i32], not [i32 i64] -> [i32 i64]"), "\(message)")
        // Too few results asked for is a mismatch too, not a truncation.
        #expect(throws: ExportError.self) { try instance.typedFunc("swap", (Int32, Int64).self, Int64.self) }
    }

    @Test func hostClosuresReturnTuplesWithAndWithoutTheCaller() throws {
        let store = Store(engine: engine, data: 0)
        let pair = Func.wrap(store) { (caller: Caller<Int>, a: Int32, b: Int64) -> (Int64, Int32) in
            caller.data += 1
            return (b * 2, a)
        }
        #expect(pair.type == FunctionType(parameters: [.i32, .i64], results: [.i64, .i32]))
        let instance = try Instance(store, module: Module(engine: engine, text: multiValue), imports: [.func(pair)])
        #expect(try instance.typedFunc("viaHost", (Int32, Int64).self, Int64.self)(5, 20) == 45)
        #expect(store.data == 1)
        // Called from Swift through its typed view.
        let (doubled, same) = try pair.typed((Int32, Int64).self, (Int64, Int32).self)(4, 8)
        #expect(doubled == 16 && same == 4)
        let noCaller = Func.wrap(store) { (x: Double) -> (Double, Double, Int32) in (x, -x, 1) }
        #expect(noCaller.type == FunctionType(parameters: [.f64], results: [.f64, .f64, .i32]))
        #expect(try noCaller.call([.f64(2.0.bitPattern)]) == [.f64(2.0.bitPattern), .f64((-2.0).bitPattern), .i32(1)])
    }

    @Test func linkerDefinesHostFunctionsReturningTuples() throws {
        let linker = Linker<Int>(engine: engine)
        try linker.defineFunc(module: "env", name: "pair") { (caller: Caller<Int>, a: Int32, b: Int64) -> (Int64, Int32) in
            caller.data = Int(a)
            return (b, a &* 10)
        }
        let store = Store(engine: engine, data: 0)
        let instance = try linker.instantiate(store, Module(engine: engine, text: multiValue))
        #expect(try instance.typedFunc("viaHost", (Int32, Int64).self, Int64.self)(3, 100) == 130)
        #expect(store.data == 3)

        let plain = Linker<Void>(engine: engine)
        try plain.defineFunc(module: "env", name: "pair") { (a: Int32, b: Int64) -> (Int64, Int32) in (b, a) }
        let other = try plain.instantiate(Store(engine: engine), Module(engine: engine, text: multiValue))
        #expect(try other.typedFunc("viaHost", (Int32, Int64).self, Int64.self)(-1, 1) == 0)
        #expect(plain.get(module: "env", name: "pair") == .function(FunctionType(parameters: [.i32, .i64], results: [.i64, .i32])))
    }
}
