// The target in CompilerOptions: the default is this machine, objects
// record the target's machine, and a target without a backend is refused
// as unsupported before any code is generated (never compiled as x86-64).
import SwasmABI
import SwasmCompiler
import Testing
import WasmModel
import WasmText

@Suite struct TargetTests {
    let module: Module

    init() throws {
        module = try Validator.decodeAndValidate(try WasmText.assemble(
            "(module (func (export \"f\") (param i32) (result i32) local.get 0 i32.const 1 i32.add))"))
    }

    @Test func namesRoundTrip() {
        for target in CodeTarget.allCases { #expect(CodeTarget(name: target.name) == target) }
        #expect(CodeTarget(name: "x86_64-linux") == .x86_64)
        #expect(CodeTarget(name: "aarch64-linux")?.elfMachine == 183)
        #expect(CodeTarget(name: "arm64") == nil)
    }

    @Test func x86ObjectsRecordTheirMachine() throws {
        var options = CompilerOptions(optimizationLevel: 2, jobs: 1)
        options.target = .x86_64
        let object = try Compiler.compileObject(module, options: options, prefix: "m")
        let machine = try object.metadata.withUnsafeBytes { try MetadataView.decode($0).machine }
        #expect(machine == CodeTarget.x86_64.elfMachine)
        #expect(object.bytes[18] == 62)
    }

    @Test func aarch64IsRefusedByName() throws {
        var options = CompilerOptions(optimizationLevel: 2, jobs: 1)
        options.target = .aarch64
        let compilers: [() throws -> Void] = [
            { _ = try Compiler.compileObject(self.module, options: options, prefix: "m") },
            { _ = try Compiler.compileToMachineCode(self.module, options: options) },
        ]
        for compile in compilers {
            #expect {
                try compile()
            } throws: { error in
                guard let error = error as? WasmError else { return false }
                return error.kind == .unsupported && error.message == "AArch64 code generation is not implemented yet"
            }
        }
    }
}
