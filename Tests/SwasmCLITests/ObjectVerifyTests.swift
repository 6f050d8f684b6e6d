// `swasm run` on objects: they are native code, trusted; `--verify` checks
// the checksum swasmc recorded, and says so in `--help`.
import Foundation
import SwasmCompiler
import Testing
import WasmModel
import WasmText

@Suite struct ObjectVerifyTests {
    /// The `swasm` built beside this test bundle.
    func swasm() throws -> URL {
        var candidates: [URL] = []
        if let argument0 = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: argument0).deletingLastPathComponent())
        }
        candidates.append(Bundle.main.bundleURL)
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug"))
        for directory in candidates {
            let tool = directory.appendingPathComponent("swasm")
            if FileManager.default.isExecutableFile(atPath: tool.path) { return tool }
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "swasm (build the package first)"])
    }

    func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = try swasm()
        process.arguments = arguments
        let directory = FileManager.default.temporaryDirectory
        let out = directory.appendingPathComponent("swasm-verify-\(UUID().uuidString).out")
        let err = directory.appendingPathComponent("swasm-verify-\(UUID().uuidString).err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: out, encoding: .utf8), try String(contentsOf: err, encoding: .utf8))
    }

    @Test func verifyRefusesAChangedObject() throws {
        let module = try Validator.decodeAndValidate(try WasmText.assemble("""
            (module
              (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
              (func (export "mul") (param i32 i32) (result i32) (i32.mul (local.get 0) (local.get 1))))
            """))
        let object = try Compiler.compileObject(module, options: CompilerOptions(optimizationLevel: 2, jobs: 1), prefix: "")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("swasm-verify-\(UUID().uuidString).o").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(object.bytes).write(to: URL(fileURLWithPath: path))
        let intact = try run(["run", "--verify", path, "--invoke", "add", "2", "3"])
        #expect(intact.status == 0 && intact.stdout == "5\n", "\(intact.stderr)")

        // One byte of padding between the two functions (.text starts at
        // the object's first page): the code still runs, but it is not
        // what swasmc wrote.
        var changed = object.bytes
        let padding = 4096 + object.code.functionRanges[0].upperBound
        try #require(padding < 4096 + object.code.functionRanges[1].lowerBound)
        changed[padding] ^= 0xFF
        try Data(changed).write(to: URL(fileURLWithPath: path))
        let refused = try run(["run", "--verify", path, "--invoke", "add", "2", "3"])
        #expect(refused.status == 1)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.contains("swasm: error: checksum mismatch"), "\(refused.stderr)")
        // Without --verify the object is trusted as it is.
        let trusted = try run(["run", path, "--invoke", "add", "2", "3"])
        #expect(trusted.status == 0 && trusted.stdout == "5\n", "\(trusted.stderr)")
    }

    @Test func helpSaysObjectsAreTrusted() throws {
        let help = try run(["run", "--help"])
        #expect(help.status == 0)
        let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("An object (.o) is native code and runs as it is: run only objects you trust"), "\(text)")
        #expect(text.contains("--verify"))
    }
}
