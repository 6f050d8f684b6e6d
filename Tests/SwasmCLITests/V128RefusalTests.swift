// v128 values are refused by the compiler, wherever they appear, before any
// function is lowered: the backend would otherwise pass them through general
// registers and produce wrong code. The module still validates.
import Testing
import SwasmCompiler
import WasmModel
import WasmText

@Suite struct V128RefusalTests {
    /// Assembles and validates `wat`, then expects compiling it (to an
    /// object and to IR) to fail naming v128 at the offset `at(module)`.
    func expectRefused(_ wat: String, _ what: String, function: UInt32?, name: String? = nil,
                       at offset: (Module) -> Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let module = try Validator.decodeAndValidate(try WasmText.assemble(wat))
        let options = CompilerOptions(optimizationLevel: 2, jobs: 1)
        let compilers: [() throws -> Void] = [
            { _ = try Compiler.compileObject(module, options: options, prefix: "m") },
            { _ = try Compiler.irText(for: module, options: options) },
        ]
        for compile in compilers {
            do {
                try compile()
                Issue.record("compiled, expected v128 to be refused", sourceLocation: sourceLocation)
            } catch let error as WasmError {
                #expect(error.kind == .unsupported, "\(error)", sourceLocation: sourceLocation)
                #expect(error.message.hasPrefix("unsupported: SIMD (v128): "), "\(error)", sourceLocation: sourceLocation)
                #expect(error.message.contains(what), "\(error)", sourceLocation: sourceLocation)
                #expect(error.functionIndex == function, "\(error)", sourceLocation: sourceLocation)
                #expect(error.functionName == name, "\(error)", sourceLocation: sourceLocation)
                #expect(error.offset == offset(module), "\(error)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func parameterAndResult() throws {
        try expectRefused("(module (func $id (param v128) (result v128) local.get 0))",
                          "its type is [v128] -> [v128]", function: 0, name: "id") { $0.bodies[0].offset }
        try expectRefused("(module (func (result v128) unreachable))",
                          "its type is [] -> [v128]", function: 0) { $0.bodies[0].offset }
    }

    @Test func local() throws {
        // The second declaration group: size, group count, (1 i32), then (1 v128).
        try expectRefused("(module (func (local i32 v128)))", "local 1 is a v128", function: 0) {
            $0.bodies[0].offset + 4
        }
    }

    @Test func definedAndImportedGlobals() throws {
        try expectRefused("(module (global (mut v128) (v128.const i64x2 0 0)))", "global 0 is a v128", function: nil) {
            $0.globals[0].offset
        }
        try expectRefused(#"(module (import "env" "g" (global v128)))"#, "imported global 0 (env.g) is a v128",
                          function: nil) { $0.imports[0].offset }
    }

    @Test func importedFunction() throws {
        try expectRefused(#"(module (import "env" "f" (func (param i32 v128))) (func))"#,
                          "imported function env.f has type [i32 v128] -> []", function: 0) { $0.imports[0].offset }
    }

    /// Offset of the first `opcode` byte in function 0's instructions.
    func instruction(_ opcode: UInt8, in module: Module) -> Int {
        module.bodies[0].code.first { module.bytes[$0] == opcode } ?? -1
    }

    @Test func blockTypes() throws {
        for construct in ["block", "loop"] {
            try expectRefused("(module (func \(construct) (result v128) unreachable end drop))",
                              "\(construct) of type v128", function: 0) { self.instruction(construct == "block" ? 0x02 : 0x03, in: $0) }
        }
        try expectRefused("(module (func (param i32) local.get 0 if (result v128) unreachable else unreachable end drop))",
                          "if of type v128", function: 0) { self.instruction(0x04, in: $0) }
    }

    @Test func typedSelect() throws {
        try expectRefused("(module (func unreachable select (result v128) drop))", "select of type v128", function: 0) {
            self.instruction(0x1C, in: $0)
        }
    }

    @Test func simdInstruction() throws {
        try expectRefused("(module (func (result i32) unreachable i32x4.extract_lane 0))",
                          "instruction i32x4.extract_lane", function: 0) { self.instruction(0xFD, in: $0) }
    }

    @Test func typeUsedOnlyByCallIndirect() throws {
        // Function 0 has no v128 of its own; type 1 is reached only through
        // call_indirect in unreachable code.
        let wat = """
            (module (type $t (func (param v128))) (table 1 funcref)
              (func unreachable i32.const 0 call_indirect (type $t)))
            """
        try expectRefused(wat, "type 0 is [v128] -> []", function: nil) { $0.typeOffsets[0] }
    }

    @Test func laterFunctionIsNamed() throws {
        let wat = """
            (module (func $fine (result i32) i32.const 1)
              (func $vector (local v128)))
            """
        try expectRefused(wat, "local 0 is a v128", function: 1, name: "vector") { $0.bodies[1].offset + 2 }
    }

    @Test func modulesWithoutV128StillCompile() throws {
        let module = try Validator.decodeAndValidate(try WasmText.assemble("""
            (module (func (export "f") (param i32 i64 f32 f64 funcref externref) (result i32)
              block (result i32) local.get 0 end
              i32.const 1 i32.const 0 select (result i32)))
            """))
        _ = try Compiler.compileObject(module, options: CompilerOptions(optimizationLevel: 2, jobs: 1), prefix: "m")
    }
}
