// The runtime's C and assembly parts on AArch64: cross-compiled with
// aarch64-linux-gnu-gcc together with hand-written AArch64 code that follows
// the swasm ABI (runtime/tests/aarch64), run under qemu-aarch64. The Swift
// runtime cannot be cross-built on this machine (there is no aarch64-linux
// Swift standard library), so this is how entry_aarch64.S, the signal
// handler's AArch64 context access, the backtrace walk over frame records
// and the CPU probe are exercised. The cross tools come from `make deps`;
// without them the test fails.
import Foundation
import Testing

@Suite struct AArch64RuntimeTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Run { var status: Int32; var output: String }

    static func run(_ tool: String, _ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// The runtime's C and assembly files (every one: each guards itself
    /// with the architecture it is for).
    static func runtimeSources() throws -> [String] {
        let runtime = repository.appendingPathComponent("runtime/Sources/CSwasmRuntime")
        return try FileManager.default.contentsOfDirectory(atPath: runtime.path)
            .filter { $0.hasSuffix(".c") || $0.hasSuffix(".S") }.sorted()
            .map { runtime.appendingPathComponent($0).path }
    }

    @Test func runtimeRunsUnderQEMU() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swasm-aarch64-runtime-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tests = Self.repository.appendingPathComponent("runtime/tests/aarch64")
        let include = Self.repository.appendingPathComponent("runtime/Sources/CSwasmRuntime/include").path
        let executable = directory.appendingPathComponent("runtime_test").path
        let build = try Self.run("aarch64-linux-gnu-gcc", [
            "-O1", "-Wall", "-Wextra", "-Werror", "-pthread", "-I", include, "-o", executable,
            tests.appendingPathComponent("runtime_test.c").path, tests.appendingPathComponent("compiled_code.S").path,
        ] + Self.runtimeSources())
        try #require(build.status == 0, "aarch64-linux-gnu-gcc failed (make deps installs it):\n\(build.output)")
        let run = try Self.run("qemu-aarch64", ["-L", "/usr/aarch64-linux-gnu", executable])
        let checks = run.output.split(separator: "\n").filter { $0.hasPrefix("ok ") || $0.hasPrefix("FAIL ") }
        #expect(run.status == 0, "\(run.output)")
        #expect(checks.filter { $0.hasPrefix("FAIL") }.isEmpty)
        #expect(checks.map { String($0.dropFirst(3)) } == [
            "register", "call returns", "activation unlinked after return", "udf trap",
            "activation unlinked after trap", "backtrace of a fault", "callee-saved registers kept across a trap",
            "callee-saved registers kept across a return", "stack limit", "call after stack exhaustion",
            "load in bounds", "guard-region fault", "raiseTrap helper", "division", "division by zero",
            "cpu features", "no fault chained",
        ])
    }

    /// The spec harness's C side (runtime/spec-harness, the part of the C
    /// harness that runs on the target) instantiates and calls the same
    /// hand-written code as a module: memory and data segment in the VM
    /// context, calls through the trampoline, traps with their codes.
    @Test func specHarnessRunsUnderQEMU() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swasm-aarch64-harness-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let runtime = Self.repository.appendingPathComponent("runtime")
        let tests = runtime.appendingPathComponent("tests/aarch64")
        let executable = directory.appendingPathComponent("spec_harness_test").path
        let build = try Self.run("aarch64-linux-gnu-gcc", [
            "-O1", "-Wall", "-Wextra", "-Werror", "-pthread",
            "-I", runtime.appendingPathComponent("Sources/CSwasmRuntime/include").path,
            "-I", runtime.appendingPathComponent("spec-harness").path, "-o", executable,
            tests.appendingPathComponent("spec_harness_test.c").path, tests.appendingPathComponent("compiled_code.S").path,
            runtime.appendingPathComponent("spec-harness/spec_harness.c").path,
        ] + Self.runtimeSources())
        try #require(build.status == 0, "aarch64-linux-gnu-gcc failed (make deps installs it):\n\(build.output)")
        let run = try Self.run("qemu-aarch64", ["-L", "/usr/aarch64-linux-gnu", executable])
        #expect(run.status == 0)
        // SIGILL is 4 and SIGSEGV 11 on Linux for AArch64 as for x86-64.
        #expect(run.output == """
            0 instantiated
            1 returned 2a
            2 returned 14
            3 trapped 6 4 1
            4 trapped 1 4 1
            5 trapped 9 4 1
            6 returned 5a
            7 trapped 2 11 1
            8 trapped 7 0 1
            9 error object is for x86_64 (machine 62), this machine is aarch64

            """)
    }

    /// No file of the runtime is left out by its architecture guard: each
    /// compiles for AArch64 with warnings as errors, and the entry
    /// trampoline defines the symbols the C side calls.
    @Test func runtimeSourcesCrossCompile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swasm-aarch64-objects-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let include = Self.repository.appendingPathComponent("runtime/Sources/CSwasmRuntime/include").path
        var defined = Set<String>()
        for source in try Self.runtimeSources() {
            let object = directory.appendingPathComponent(URL(fileURLWithPath: source).lastPathComponent + ".o").path
            let build = try Self.run("aarch64-linux-gnu-gcc", ["-O2", "-Wall", "-Wextra", "-Werror", "-I", include, "-c", source, "-o", object])
            try #require(build.status == 0, "\(source):\n\(build.output)")
            let symbols = try Self.run("aarch64-linux-gnu-nm", ["--defined-only", object])
            for line in symbols.output.split(separator: "\n") {
                if let name = line.split(separator: " ").last { defined.insert(String(name)) }
            }
        }
        for symbol in ["swasm_enter", "swasm_trap_landing", "swasm_unwind_to_activation", "swasm_host_cpu_features",
                       "swasm_install_signal_handlers", "swasm_capture_backtrace"] {
            #expect(defined.contains(symbol), "\(symbol) is not defined for AArch64")
        }
    }
}
