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

    /// Every target with a code generator writes the same object whatever
    /// the number of compiler threads.
    @Test func objectsAreTheSameAtAnyJobCount() throws {
        let module = try Validator.decodeAndValidate(try WasmText.assemble("""
            (module
              (func $f (export "f") (param i32) (result i32) (call $g (local.get 0)))
              (func $g (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
              (func (export "h") (param f64 i64) (result f64 i64) (local.get 0) (local.get 1))
              (func (export "k") (param i32) (result i32)
                (block $a (block $b (br_table $a $b $a (local.get 0)))) (i32.const 7)))
            """))
        var compared = 0
        for target in CodeTarget.allCases where (try? Compiler.backend(for: target)) != nil {
            var objects: [[UInt8]] = []
            for jobs in [1, 2, 4] {
                var options = CompilerOptions(optimizationLevel: 2, jobs: jobs)
                options.target = target
                objects.append(try Compiler.compileObject(module, options: options, prefix: "m").bytes)
            }
            #expect(objects.allSatisfy { $0 == objects[0] }, "\(target)")
            #expect(objects[0][18] == UInt8(target.elfMachine & 0xff))
            compared += 1
        }
        #expect(compared == CodeTarget.allCases.count)
    }

    /// The C header says which machine its object is for and stops a C
    /// compiler for another; AArch64's result register x8 has no C
    /// spelling, so multi-result exports get no raw prototype there.
    @Test func headersFollowTheTarget() throws {
        let module = try Validator.decodeAndValidate(try WasmText.assemble(
            #"(module (func (export "pair") (param i32) (result i32 i64) (local.get 0) (i64.const 1)))"#))
        let x86 = HeaderEmitter.header(for: module, prefix: "m", metadataSize: 64, source: "m.wasm", target: .x86_64)
        #expect(x86.contains("#if !defined(__x86_64__)\n#error \"the object of this header was compiled for x86_64-linux (swasmc --target x86_64-linux)\""))
        #expect(x86.contains("extern int32_t m_pair(void *vmctx, uint64_t *results_2_to_2, int32_t p0);"))
        let arm = HeaderEmitter.header(for: module, prefix: "m", metadataSize: 64, source: "m.wasm", target: .aarch64)
        #expect(arm.contains("#if !defined(__aarch64__)"))
        #expect(!arm.contains("extern int32_t m_pair("))
        #expect(arm.contains("results 2..n go through x8 on aarch64-linux, which C cannot declare; call it through m_call_pair"))
        #expect(arm.contains("static inline swasm_trap_code m_call_pair("))
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
