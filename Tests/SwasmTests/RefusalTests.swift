// The embedding API refuses what the compiler cannot translate and what
// WebAssembly 2.0 lacks, with the compiler's or decoder's own message.
import Testing
import Foundation
import Swasm

@Suite struct EmbeddingRefusalTests {
    @Test func v128ModuleIsRefused() {
        for text in ["(module (func (export \"id\") (param v128) (result v128) local.get 0))",
                     "(module (global (export \"g\") v128 (v128.const i64x2 1 2)))"] {
            do {
                _ = try Module(engine: engine, text: text)
                Issue.record("compiled \(text)")
            } catch let error as ModuleError {
                guard case .compilationFailed(let reason) = error else {
                    Issue.record("unexpected \(error)")
                    continue
                }
                #expect(reason.contains("unsupported: SIMD (v128)"), "\(reason)")
                #expect(reason.hasPrefix("offset 0x"), "\(reason)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func laterProposalIsNamed() {
        // A module with a tag section (exception handling).
        let bytes: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, 0x0D, 0x00]
        #expect {
            _ = try Module(engine: engine, bytes: bytes)
        } throws: { error in
            "\(error)".contains(#"unsupported: exception handling (proposal "exceptions"): tag section"#)
        }
    }

    /// A directory or a FIFO given as a module file is named, not read (a
    /// FIFO without a writer would block the caller forever).
    @Test func nonRegularFilesAreNamed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swasm-refusal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("module.wasm").path
        #expect(mkfifo(fifo, 0o600) == 0)
        for (path, reason) in [(directory.path, "is a directory, not a file"), (fifo, "is not a regular file")] {
            #expect {
                _ = try Module(engine: engine, contentsOfFile: path)
            } throws: { error in
                guard case ModuleError.io(let failedPath, let failure) = error else { return false }
                return failedPath == path && failure == reason
            }
        }
    }
}
