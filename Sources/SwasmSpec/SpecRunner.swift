// Runs spec scripts and counts each command as passed, failed or skipped.
//
//   JSON script ─ for each command: decode/validate (and, later, compile,
//   instantiate and run) ─ per-file result ─ report, expected failures
//
// What is checked today: every `module` decodes and validates; binary
// `assert_malformed` is rejected as malformed and `assert_invalid` as invalid;
// modules of `assert_unlinkable`/`assert_uninstantiable` decode and validate.
// Commands that need execution are counted as skipped until the backend runs
// them; text-format `assert_malformed` is skipped (binary-only harness).
import Foundation
import SwasmABI
import SwasmCompiler
import WasmModel

public struct SpecFailure: Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    /// The key used in the expected-failures list: `file.json:line`.
    public var key: String { "\(file):\(line)" }
    public var description: String { "\(key): \(message)" }
}

public struct SpecFileResult: Sendable {
    public var file: String
    public var passed = 0
    public var failed = 0
    public var skipped = 0
    public var failures: [SpecFailure] = []

    public init(file: String) { self.file = file }

    mutating func pass() { passed += 1 }
    mutating func skip() { skipped += 1 }
    mutating func fail(_ line: Int, _ message: String) {
        failed += 1
        failures.append(SpecFailure(file: file, line: line, message: message))
    }
}

public struct SpecRunner: Sendable {
    /// Execute modules (compile to objects, load, instantiate, run), or only
    /// decode and validate them.
    public var execute: Bool
    /// Where object files are written.
    public var workDirectory: URL
    /// How modules are compiled to catch out-of-bounds accesses. In explicit
    /// mode the `spectest` memory has no guard region either, so that no
    /// access in the run can lean on one.
    public var boundsChecks: CompilerOptions.BoundsChecks
    /// Run modules through a generated C driver linked with the runtime's C
    /// parts (docs/aarch64-testing.md) instead of the Swift runtime; the
    /// toolchain must be prepared.
    public var cHarness: CHarnessToolchain?
    /// The machine modules are compiled for; another than this one needs
    /// the C harness with that machine's toolchain.
    public var target: CodeTarget
    /// The compiler's optimization level (swasmc -O).
    public var optimizationLevel: Int
    /// Compile with fuel checks, and start every instantiation and call
    /// with this much fuel (docs/fuel-and-epochs.md).
    public var fuel: Int64?
    /// Compile with epoch checks; every instantiation and call starts with
    /// the deadline this many ticks beyond the epoch (0: already reached),
    /// which only calls of the spectest print functions advance, a tick each.
    public var epochDeadline: UInt64?
    /// At the epoch deadline, go on rather than trap (as a store's callback
    /// answering "continue for 0 ticks": every later check calls it again).
    public var epochDeadlineContinues: Bool

    public init(execute: Bool = true, workDirectory: URL = FileManager.default.temporaryDirectory,
                boundsChecks: CompilerOptions.BoundsChecks = .guardRegion, cHarness: CHarnessToolchain? = nil,
                target: CodeTarget = .host, optimizationLevel: Int = 2, fuel: Int64? = nil, epochDeadline: UInt64? = nil,
                epochDeadlineContinues: Bool = false) {
        self.execute = execute
        self.workDirectory = workDirectory
        self.boundsChecks = boundsChecks
        self.cHarness = cHarness
        self.target = target
        self.optimizationLevel = optimizationLevel
        self.fuel = fuel
        self.epochDeadline = epochDeadline
        self.epochDeadlineContinues = epochDeadlineContinues
    }

    /// How each script's modules are compiled (both harnesses).
    public var compilerOptions: CompilerOptions {
        var options = CompilerOptions(optimizationLevel: optimizationLevel, jobs: 1)
        options.boundsChecks = boundsChecks
        options.target = target
        options.consumeFuel = fuel != nil
        options.epochInterruption = epochDeadline != nil
        return options
    }

    /// Whether modules run with execution limits (fuel or an epoch deadline).
    var hasExecutionLimits: Bool { fuel != nil || epochDeadline != nil }

    /// Runs one script.
    public func run(scriptAt url: URL) -> SpecFileResult {
        let directory = url.deletingLastPathComponent()
        var result = SpecFileResult(file: url.lastPathComponent)
        let script: SpecScript
        do {
            script = try SpecScript.load(url)
        } catch {
            result.fail(0, "cannot read script: \(error)")
            return result
        }
        if execute, let cHarness {
            CHarnessScript(runner: self, toolchain: cHarness, directory: directory,
                           script: url.deletingPathExtension().lastPathComponent).run(script, result: &result)
            return result
        }
        let state = ScriptState(runner: self, directory: directory, script: url.deletingPathExtension().lastPathComponent)
        for command in script.commands {
            state.run(command, result: &result)
        }
        return result
    }
}

struct SpecHarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
