// Embedding swasm in a Swift program: compile a module in-process, instantiate
// it, call an export, and catch a trap as a Swift error.
import SwasmCompiler
import SwasmRuntime
import WasmModel
import WasmText

let source = """
    (module
      (func (export "add") (param i32 i32) (result i32)
        (i32.add (local.get 0) (local.get 1)))
      (func (export "divide") (param i32 i32) (result i32)
        (i32.div_s (local.get 0) (local.get 1))))
    """

do {
    let module = try Validator.decodeAndValidate(try WasmText.assemble(source))
    let object = try Compiler.compileObject(module, options: CompilerOptions(), prefix: "")
    let compiled = try CompiledModule(text: object.code.text, metadata: object.metadata)
    let instance = try Instance(module: compiled, imports: [])
    guard let add = instance.export(named: "add")?.function,
          let divide = instance.export(named: "divide")?.function else {
        fatalError("exports missing")
    }
    print("add(40, 2) = \(try instance.call(add, [.i32(40), .i32(2)]))")
    do {
        _ = try instance.call(divide, [.i32(1), .i32(0)])
    } catch let trap as Trap {
        print("divide(1, 0) trapped: \(trap)")
    }
    print("divide(84, 2) = \(try instance.call(divide, [.i32(84), .i32(2)]))")
} catch {
    print("error: \(error)")
}
