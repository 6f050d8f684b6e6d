// `swasm-spec diff` prints what Tests/fuzz-diff/run.py compares with
// wasmtime: values as type:bits, traps in the spec's wording, and the
// exported memories and globals after the calls.
import Foundation
import SwasmRuntime
import Testing
import WasmText
@testable import SwasmCLI

@Suite struct DiffCommandTests {
    static let module = """
        (module
          (memory (export "mem") 1 1)
          (global (export "count") (mut i32) (i32.const 0))
          (global (export "ref") funcref (ref.null func))
          (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
          (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
          (func (export "neg") (param f64) (result f64 f32) (f64.neg (local.get 0)) (f32.const -0))
          (func (export "store") (param i32)
            (i32.store (local.get 0) (i32.const 7))
            (global.set 0 (i32.add (global.get 0) (i32.const 1)))))
        """

    @Test func printsResultsTrapsAndStateAfterTheCalls() throws {
        CodeExecutor.installSignalHandlers()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("swasm-diff-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let path = work.appendingPathComponent("m.wasm").path
        try Data(try WasmText.assemble(Self.module)).write(to: URL(fileURLWithPath: path))

        let entry = DiffPlanEntry(path: path, calls: [
            ["add", "i32:4294967295", "i32:2"],
            ["div", "i32:0"],
            ["neg", "f64:4607182418800017408"],
            ["store", "i32:65534"],
            ["store", "i32:8"],
        ])
        let outcome = DiffRunner(options: .init(optimizationLevel: 2, jobs: 1), work: work).run(entry, index: 0)
        #expect(outcome.error == nil && outcome.instantiateTrap == nil)
        #expect(outcome.calls == [
            ["i32:1"],
            ["trap:integer divide by zero"],
            ["f64:\((-1.0).bitPattern)", "f32:\((-0.0 as Float).bitPattern)"],
            ["trap:out of bounds memory access"],
            [],
        ])
        var memory = [UInt8](repeating: 0, count: 65536)
        memory[8] = 7
        let crc = memory.withUnsafeBytes { CRC32.checksum($0) }
        #expect(outcome.state == ["memory mem 1 \(crc)", "global count i32:1", "global ref funcref:null"])
    }

    @Test func globalsAreResetBeforeEachCall() throws {
        CodeExecutor.installSignalHandlers()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("swasm-diff-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let path = work.appendingPathComponent("m.wasm").path
        try Data(try WasmText.assemble(Self.module)).write(to: URL(fileURLWithPath: path))
        var entry = DiffPlanEntry(path: path, calls: [["store", "i32:0"], ["store", "i32:4"]])
        entry.resetBeforeEachCall = [["count", "i32:10"]]
        let outcome = DiffRunner(options: .init(optimizationLevel: 2, jobs: 1), work: work).run(entry, index: 0)
        // Each call starts from 10, so the second ends at 11, not 12.
        #expect(outcome.calls == [[], []])
        #expect(outcome.state.contains("global count i32:11"))
        entry.resetBeforeEachCall = [["ref", "i32:1"]]
        let refused = DiffRunner(options: .init(optimizationLevel: 2, jobs: 1), work: work).run(entry, index: 1)
        #expect(refused.calls.allSatisfy { $0.count == 1 && $0[0].hasPrefix("error:cannot set ref") })
    }

    @Test func theChecksumIsZlibs() {
        // zlib.crc32(b"123456789") == 0xCBF43926, the CRC-32 check value.
        let crc = Array("123456789".utf8).withUnsafeBytes { CRC32.checksum($0) }
        #expect(crc == 0xCBF4_3926)
    }

    @Test func anInvalidModuleIsAnErrorLine() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("swasm-diff-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let path = work.appendingPathComponent("bad.wasm").path
        try Data([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]).write(to: URL(fileURLWithPath: path))
        let outcome = DiffRunner(options: .init(optimizationLevel: 2, jobs: 1), work: work)
            .run(DiffPlanEntry(path: path, calls: [["f"]]), index: 0)
        #expect(outcome.error != nil && outcome.calls.isEmpty)
    }
}
