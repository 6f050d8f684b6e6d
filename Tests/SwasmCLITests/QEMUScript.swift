// Runs a module and spec-style commands for it on AArch64 under qemu,
// through the C harness, as `swasm-spec run --target aarch64-linux` does.
import Foundation
import SwasmABI
import SwasmSpec

enum QEMUScript {
    /// Writes `wasm` as `<name>.wasm` and a script of `commands` (after a
    /// first command loading that module), runs it, and returns the result.
    static func run(_ wasm: [UInt8], named name: String, _ commands: [[String: Any]]) throws -> SpecFileResult {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swasm-qemu-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(wasm).write(to: url.appendingPathComponent("\(name).wasm"))
        let all = [["type": "module", "filename": "\(name).wasm"]] + commands
        let numbered = all.enumerated().map { index, command in command.merging(["line": index + 1]) { $1 } }
        let script = url.appendingPathComponent("\(name).json")
        try JSONSerialization.data(withJSONObject: ["source_filename": "\(name).wast", "commands": numbered]).write(to: script)

        let defaults = CHarnessToolchain.defaults(for: .aarch64)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var toolchain = CHarnessToolchain(compiler: defaults.compiler, runner: defaults.runner,
                                          runtimeDirectory: root.appendingPathComponent("runtime"))
        try toolchain.prepare(in: url)
        return SpecRunner(workDirectory: url, cHarness: toolchain, target: .aarch64).run(scriptAt: script)
    }
}
