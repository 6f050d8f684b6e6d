// Execution tests: each `;; run: f(args) == results` or `;; trap: f(args) ==
// message` line of Tests/filetests/run/*.wat is compiled to an object file,
// loaded, instantiated and called.
import Foundation
import SwasmCompiler
import SwasmRuntime
import Testing
import WasmModel
import WasmText

@Suite struct RunTests {
    struct Expectation: CustomStringConvertible {
        var function: String
        var arguments: [String]
        var results: [String]
        var trap: String?
        var description: String { "\(function)(\(arguments.joined(separator: ", ")))" }
    }

    static func expectations(_ source: String) -> [Expectation] {
        source.split(separator: "\n").compactMap { line in
            let isTrap = line.hasPrefix(";; trap: ")
            guard line.hasPrefix(";; run: ") || isTrap else { return nil }
            let body = line.dropFirst(isTrap ? 9 : 8)
            let parts = body.components(separatedBy: " == ")
            let call = parts[0]
            let open = call.firstIndex(of: "(")!
            let name = String(call[..<open])
            let arguments = call[call.index(after: open)..<call.index(before: call.endIndex)]
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let expected = parts[1]
            return Expectation(function: name, arguments: arguments,
                               results: isTrap ? [] : expected.split(separator: " ").map(String.init),
                               trap: isTrap ? expected : nil)
        }
    }

    static func value(_ text: String, _ type: ValueType) -> Value {
        switch type {
        case .i32: return .i32(Int64(text).map { UInt32(truncatingIfNeeded: $0) } ?? UInt32(text)!)
        case .i64: return .i64(Int64(text).map { UInt64(bitPattern: $0) } ?? UInt64(text)!)
        case .f32: return .f32(Float(text)!.bitPattern)
        default: return .f64(Double(text)!.bitPattern)
        }
    }

    @Test(arguments: FileTests.files("run", ".wat"))
    func compiledCodeComputesTheExpectedResults(_ path: String) throws {
        let source = try String(contentsOf: FileTests.root.appendingPathComponent(path), encoding: .utf8)
        let module = try Validator.decodeAndValidate(try WasmText.assemble(source))
        let object = try Compiler.compileObject(module, options: CompilerOptions(optimizationLevel: 2, jobs: 2, verify: true), prefix: "run")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("swasm-run-\(getpid())-\(path.hashValue).o")
        try Data(object.bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let instance = try Instance(module: try CompiledModule(image: ObjectImage(path: file.path)), imports: [])
        for expectation in Self.expectations(source) {
            let function = try #require(instance.export(named: expectation.function)?.function, "\(expectation)")
            let arguments = zip(expectation.arguments, function.type.parameters).map { Self.value($0, $1) }
            do {
                let results = try instance.call(function, arguments)
                #expect(expectation.trap == nil, "\(expectation) returned instead of trapping")
                let expected = zip(expectation.results, function.type.results).map { Self.value($0, $1) }
                #expect(results == expected, "\(expectation)")
            } catch let trap as Trap {
                #expect(trap.code.description == expectation.trap, "\(expectation) trapped: \(trap)")
            }
        }
        // The same instance still works after the traps.
        let add = try #require(instance.export(named: "add")?.function)
        #expect(try instance.call(add, [.i32(2), .i32(3)]) == [.i32(5)])
    }

    @Test func outputIsIdenticalForAnyThreadCount() throws {
        let source = try String(contentsOf: FileTests.root.appendingPathComponent("run/arith.wat"), encoding: .utf8)
        let module = try Validator.decodeAndValidate(try WasmText.assemble(source))
        let one = try Compiler.compileObject(module, options: CompilerOptions(optimizationLevel: 2, jobs: 1), prefix: "m")
        let eight = try Compiler.compileObject(module, options: CompilerOptions(optimizationLevel: 2, jobs: 8), prefix: "m")
        let again = try Compiler.compileObject(module, options: CompilerOptions(optimizationLevel: 2, jobs: 8), prefix: "m")
        #expect(one.bytes == eight.bytes)
        #expect(eight.bytes == again.bytes)
    }

    @Test func objectsLinkWithCAndRun() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swasm-link-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let module = try Validator.decodeAndValidate(try WasmText.assemble("""
            (module (func (export "fib") (param i32) (result i64) (local i64 i64)
              (local.set 2 (i64.const 1))
              (block (loop
                (br_if 1 (i32.eqz (local.get 0)))
                (local.set 2 (i64.add (local.get 1) (local.tee 1 (local.get 2))))
                (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                (br 0)))
              (local.get 1)))
            """))
        let object = try Compiler.compileObject(module, options: CompilerOptions(), prefix: "mod")
        try Data(object.bytes).write(to: directory.appendingPathComponent("mod.o"))
        // A VM context whose stack limit (offset 16) is 0: enough for a function
        // that touches no memory, globals or tables.
        try """
            #include <stdio.h>
            #include <stdint.h>
            extern int64_t mod_fib(void *vmctx, int32_t n);
            int main(void) {
                uint64_t vmctx[12] = {0};
                printf("%lld\\n", (long long)mod_fib(vmctx, 90));
                return 0;
            }
            """.write(to: directory.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        cc.arguments = ["cc", "-o", directory.appendingPathComponent("main").path,
                        directory.appendingPathComponent("main.c").path, directory.appendingPathComponent("mod.o").path]
        try cc.run()
        cc.waitUntilExit()
        #expect(cc.terminationStatus == 0)
        let run = Process()
        let pipe = Pipe()
        run.executableURL = directory.appendingPathComponent("main")
        run.standardOutput = pipe
        try run.run()
        run.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(output == "2880067194370816120\n")
    }
}
