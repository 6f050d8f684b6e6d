// How the C spec harness builds and runs its drivers: which C compiler,
// which runner (none natively, qemu for another machine), and the runtime's
// C and assembly parts compiled once per run into an archive.
import Foundation
import SwasmABI

public struct CHarnessToolchain: Sendable {
    /// The C compiler for the target (`cc`, `aarch64-linux-gnu-gcc`).
    public var compiler: String
    /// The command that runs a target executable, before its path (empty:
    /// run it directly).
    public var runner: [String]
    /// The repository's `runtime/` folder: `Sources/CSwasmRuntime` and `spec-harness`.
    public var runtimeDirectory: URL
    /// The archive of the runtime's C parts and the harness, once `prepare` made it.
    public private(set) var library: URL?

    public init(compiler: String = "cc", runner: [String] = [], runtimeDirectory: URL) {
        self.compiler = compiler
        self.runner = runner
        self.runtimeDirectory = runtimeDirectory
    }

    /// The C compiler and runner for `target` on this machine: `cc` and
    /// nothing for this machine's own code; Debian's cross compiler and
    /// qemu user-mode emulation (with the cross libraries' root) for
    /// another machine's.
    public static func defaults(for target: CodeTarget) -> (compiler: String, runner: [String]) {
        if target == .host { return ("cc", []) }
        switch target {
        case .aarch64: return ("aarch64-linux-gnu-gcc", ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"])
        case .x86_64: return ("x86_64-linux-gnu-gcc", ["qemu-x86_64", "-L", "/usr/x86_64-linux-gnu"])
        }
    }

    var includeDirectories: [String] {
        [runtimeDirectory.appendingPathComponent("Sources/CSwasmRuntime/include").path,
         runtimeDirectory.appendingPathComponent("spec-harness").path]
    }

    /// Compiles every runtime C and assembly file and the harness into
    /// `libspecharness.a` in `directory`.
    public mutating func prepare(in directory: URL) throws {
        let runtime = runtimeDirectory.appendingPathComponent("Sources/CSwasmRuntime")
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: runtime.path) else {
            throw SpecHarnessError("no runtime sources in \(runtime.path): the C harness needs the repository's runtime/ folder (--runtime-directory)")
        }
        var sources = files
            .filter { $0.hasSuffix(".c") || $0.hasSuffix(".S") }.sorted()
            .map { runtime.appendingPathComponent($0).path }
        sources.append(runtimeDirectory.appendingPathComponent("spec-harness/spec_harness.c").path)
        var objects: [String] = []
        for (index, source) in sources.enumerated() {
            let object = directory.appendingPathComponent("harness-\(index).o").path
            try Self.run([compiler, "-O1", "-c", source, "-o", object] + includeDirectories.flatMap { ["-I", $0] })
            objects.append(object)
        }
        let archive = directory.appendingPathComponent("libspecharness.a")
        try? FileManager.default.removeItem(at: archive)
        try Self.run(["ar", "rcs", archive.path] + objects)
        library = archive
    }

    /// Compiles `driver` and links it with `objects` and the harness library.
    func link(driver: URL, objects: [String], output: URL) throws {
        guard let library else { throw SpecHarnessError("the C harness library was not prepared") }
        try Self.run([compiler, "-O0", "-w", "-pthread", "-o", output.path, driver.path] + objects + [library.path]
                     + includeDirectories.flatMap { ["-I", $0] })
    }

    /// How long one driver may run: long enough for the benchmarks under
    /// qemu on a loaded 2-core machine (a driver there once took over two
    /// minutes); `SWASM_HARNESS_TIMEOUT` (seconds) overrides it.
    static var driverTimeout: Double {
        ProcessInfo.processInfo.environment["SWASM_HARNESS_TIMEOUT"].flatMap(Double.init) ?? 900
    }

    /// Runs a linked driver; its standard output, exit status and whether
    /// it was stopped for running past `timeoutSeconds`.
    func execute(_ executable: URL, timeoutSeconds: Double = driverTimeout)
        throws -> (output: String, status: Int32, timedOut: Bool) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = runner + [executable.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let timedOut = Flag()
        let deadline = DispatchWorkItem { if process.isRunning { timedOut.set(); process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds, execute: deadline)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        deadline.cancel()
        return (String(decoding: data, as: UTF8.self), process.terminationStatus, timedOut.isSet)
    }

    static func run(_ command: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SpecHarnessError("\(command.first ?? "") failed: \(String(decoding: data.prefix(2000), as: UTF8.self))")
        }
    }
}

/// A flag one thread sets and another reads.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}
