// The target in CompilerOptions: the default is this machine, objects
// record the target's machine, and each target gets its own machine's code.
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

    @Test func aarch64ObjectsRecordTheirMachine() throws {
        var options = CompilerOptions(optimizationLevel: 2, jobs: 1)
        options.target = .aarch64
        let object = try Compiler.compileObject(module, options: options, prefix: "m")
        let machine = try object.metadata.withUnsafeBytes { try MetadataView.decode($0).machine }
        #expect(machine == CodeTarget.aarch64.elfMachine)
        #expect(object.bytes[18] == 183)
    }

    /// Every instruction is 4 bytes and every gap is `udf #0`, so `.text`
    /// of an AArch64 object is whole words, and the function is AArch64
    /// code: it starts with the frame record (`stp x29, x30, [sp, #-16]!`).
    @Test func aarch64CodeStartsWithTheFrameRecord() throws {
        var options = CompilerOptions(optimizationLevel: 2, jobs: 1)
        options.target = .aarch64
        let code = try Compiler.compileToMachineCode(module, options: options)
        #expect(code.text.count % 4 == 0)
        #expect(Array(code.text.prefix(4)) == [0xfd, 0x7b, 0xbf, 0xa9])
    }
}
