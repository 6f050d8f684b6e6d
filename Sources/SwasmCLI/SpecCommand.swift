// `swasm-spec`: the spec testsuite runner, and the decoder/validator fuzz
// driver over mutated spec modules.
import ArgumentParser
import Dispatch
import Foundation
import SwasmABI
import SwasmCompiler
import SwasmRuntime
import SwasmSpec
import WasmModel

public struct SpecCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "swasm-spec",
        abstract: "Run the WebAssembly spec testsuite through swasm.",
        subcommands: [Run.self, Fuzz.self, CompileAll.self, Diff.self],
        defaultSubcommand: Run.self)

    public init() {}

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run spec scripts (wast2json JSON).")

        @Option(help: "Folder of .json scripts.")
        var specDirectory = "../shared/spec/wasm-2.0/json"

        @Option(help: "Expected-failures list (file.json:line per line).")
        var expectedFailures = "Tests/spec-expected-failures.txt"

        @Option(help: "Where to write the per-file report.")
        var report = "results/spec-report.txt"

        @Argument(help: "Script names to run (e.g. i32 or i32.json); all when empty.")
        var only: [String] = []

        @Flag(help: "Only decode and validate modules; skip everything that needs execution.")
        var validateOnly = false

        @Option(help: ArgumentHelp("Compile modules with guard-region or explicit bounds checks (swasmc --bounds-checks).", valueName: "guard|explicit"))
        var boundsChecks: CompilerOptions.BoundsChecks = .guardRegion

        @Option(help: ArgumentHelp("Run modules in the Swift runtime, or through a generated C driver linked with the runtime's C parts (docs/aarch64-testing.md); default: swift, c for another machine.", valueName: "swift|c"))
        var harness: String?

        @Option(help: ArgumentHelp("Compile modules for this machine (default: this one). Another machine implies --harness c, its cross C compiler and qemu as the runner (docs/aarch64-testing.md).", valueName: CodeTarget.allCases.map(\.name).joined(separator: "|")))
        var target: CodeTarget = .host

        @Option(help: "C compiler for the C harness's drivers (default: cc, or the target's cross compiler).")
        var cCompiler: String?

        @Option(help: ArgumentHelp("Command that runs the C harness's drivers (e.g. \"qemu-aarch64 -L /usr/aarch64-linux-gnu\"); none by default, qemu for another machine.", valueName: "command"))
        var runner: String?

        @Option(help: "The repository's runtime/ folder (the C harness compiles its C and assembly parts).")
        var runtimeDirectory = "runtime"

        @Option(name: .customShort("O"), help: "Optimization level modules are compiled at.")
        var level = 2

        @Option(help: ArgumentHelp("Compile modules with fuel checks (swasmc --consume-fuel); every instantiation and call starts with this much fuel (docs/fuel-and-epochs.md).", valueName: "units"))
        var fuel: Int64?

        @Option(help: ArgumentHelp("Compile modules with epoch checks (swasmc --epoch-interruption), every instantiation and call starting with the deadline this many ticks beyond the epoch (0: already reached); each call of a spectest print function advances the epoch one tick.", valueName: "ticks"))
        var epochDeadline: UInt64?

        @Flag(help: "At the epoch deadline, go on instead of trapping (a deadline callback answering \"continue for 0 ticks\"), so that every later check calls the deadline helper.")
        var epochDeadlineContinues = false

        func run() throws {
            let directory = URL(fileURLWithPath: specDirectory)
            var names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { $0.hasSuffix(".json") }
                .sorted()
            if !only.isEmpty {
                let wanted = Set(only.map { $0.hasSuffix(".json") ? $0 : $0 + ".json" })
                names = names.filter { wanted.contains($0) }
            }
            let expected = FileManager.default.fileExists(atPath: expectedFailures)
                ? try ExpectedFailures(contentsOf: URL(fileURLWithPath: expectedFailures))
                : ExpectedFailures()

            _ = CodeExecutor.installSignalHandlers()
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("swasm-spec-\(getpid())")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: work) }
            let crossCompiling = target != .host
            if crossCompiling && harness == "swift" {
                throw ValidationError("the Swift runtime runs only code for this machine (\(CodeTarget.host)); --target \(target) runs through --harness c")
            }
            // A target without a code generator is refused once, by name,
            // rather than as a failure of every module.
            do { _ = try Compiler.backend(for: target) } catch {
                reportError("swasm-spec", "--target \(target): \(error.message)")
                throw ExitCode(1)
            }
            var cHarness: CHarnessToolchain?
            switch harness ?? (crossCompiling ? "c" : "swift") {
            case "swift": break
            case "c":
                let defaults = CHarnessToolchain.defaults(for: target)
                var toolchain = CHarnessToolchain(compiler: cCompiler ?? defaults.compiler,
                                                  runner: runner.map { $0.split(separator: " ").map(String.init) } ?? defaults.runner,
                                                  runtimeDirectory: URL(fileURLWithPath: runtimeDirectory))
                try toolchain.prepare(in: work)
                cHarness = toolchain
            default: throw ValidationError("--harness is swift or c, not \(harness ?? "")")
            }
            guard (0...2).contains(level) else { throw ValidationError("-O takes 0, 1 or 2") }
            if let fuel, fuel < 0 { throw ValidationError("--fuel is at least 0, not \(fuel)") }
            if epochDeadlineContinues && epochDeadline == nil { throw ValidationError("--epoch-deadline-continues needs --epoch-deadline") }
            let runner = SpecRunner(execute: !validateOnly, workDirectory: work, boundsChecks: boundsChecks, cHarness: cHarness,
                                    target: target, optimizationLevel: level, fuel: fuel, epochDeadline: epochDeadline,
                                    epochDeadlineContinues: epochDeadlineContinues)
            let scripts = names
            let collected = ResultBox(count: scripts.count)
            DispatchQueue.concurrentPerform(iterations: scripts.count) { i in
                collected.set(i, runner.run(scriptAt: directory.appendingPathComponent(scripts[i])))
            }
            let results = collected.results

            var passed = 0, failed = 0, skipped = 0
            var unexpected: [SpecFailure] = []
            var reportText = ""
            for result in results.compactMap({ $0 }) {
                passed += result.passed
                failed += result.failed
                skipped += result.skipped
                let line = "\(result.file): \(result.passed) passed, \(result.failed) failed, \(result.skipped) skipped"
                print(line)
                reportText += line + "\n"
                for failure in result.failures {
                    reportText += "  FAIL \(failure)\n"
                    if !expected.contains(failure) { unexpected.append(failure) }
                }
            }
            let reportURL = URL(fileURLWithPath: report)
            try? FileManager.default.createDirectory(at: reportURL.deletingLastPathComponent(), withIntermediateDirectories: true)
            try reportText.write(to: reportURL, atomically: true, encoding: .utf8)

            for failure in unexpected.prefix(50) { print("unexpected failure: \(failure)") }
            if unexpected.count > 50 { print("... and \(unexpected.count - 50) more (see \(report))") }
            // Listed (expected) failures count as skipped in the closing line,
            // which CI reads; the line before it gives the breakdown.
            let expectedFailures = failed - unexpected.count
            print("spec: \(expectedFailures) listed as expected failures, \(skipped) not applicable (text format)")
            print("spec: \(passed) passed, \(unexpected.count) failed, \(skipped + expectedFailures) skipped")
            if !unexpected.isEmpty { throw ExitCode(1) }
        }
    }

    struct Fuzz: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode and validate mutated spec modules; fails on a crash or hang.")

        @Option(help: "Folder holding the spec's .wasm files.")
        var specDirectory = "../shared/spec/wasm-2.0/json"

        @Option(help: "How many mutated inputs to try.")
        var count = 100_000

        @Option(help: "Random seed.")
        var seed: UInt64 = 1

        @Option(help: "Seconds one input may take before it counts as a hang.")
        var hangSeconds = 10

        func run() throws {
            let corpus = try ModuleMutator.corpus(in: URL(fileURLWithPath: specDirectory))
            guard !corpus.isEmpty else { throw ValidationError("no .wasm files in \(specDirectory)") }
            let progress = ProgressWatch(limitSeconds: hangSeconds)
            progress.start()
            var rng = SeededGenerator(seed: seed)
            var malformed = 0, invalid = 0, valid = 0
            for i in 0..<count {
                let original = corpus[Int.random(in: 0..<corpus.count, using: &rng)]
                let input = ModuleMutator.mutate(original, using: &rng)
                progress.begin(i)
                do throws(WasmError) {
                    _ = try Validator.decodeAndValidate(input)
                    valid += 1
                } catch {
                    if error.kind == .malformed { malformed += 1 } else { invalid += 1 }
                }
            }
            progress.stop()
            print("fuzz: \(count) inputs (seed \(seed)): \(malformed) malformed, \(invalid) invalid, \(valid) valid; no crash, no hang")
        }
    }
}

extension SpecCommand {
    struct CompileAll: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compile-all",
            abstract: "Compile every valid spec module (lowering, optimizer with verification, backend); report failures.")

        @Option(help: "Folder holding the spec's .wasm files.")
        var specDirectory = "../shared/spec/wasm-2.0/json"

        @Option(name: .customShort("O"), help: "Optimization level.")
        var level = 2

        func run() throws {
            let directory = URL(fileURLWithPath: specDirectory)
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { $0.hasSuffix(".wasm") }.sorted()
            var compiled = 0, unsupported = 0, invalid = 0
            var failures: [String: Int] = [:]
            for name in names {
                let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
                guard let module = try? Validator.decodeAndValidate(bytes) else { invalid += 1; continue }
                do {
                    _ = try Compiler.compileToMachineCode(module, options: CompilerOptions(optimizationLevel: level, jobs: 1, verify: true))
                    compiled += 1
                } catch {
                    let text = "\(error)"
                    if (error as? WasmError)?.kind == .unsupported || text.contains("not supported yet") {
                        unsupported += 1
                    } else {
                        failures[name, default: 0] += 1
                        print("\(name): \(text)")
                    }
                }
            }
            print("compile-all: \(compiled) compiled, \(unsupported) unsupported (SIMD), \(failures.count) failed, \(invalid) invalid skipped")
            if !failures.isEmpty { throw ExitCode(1) }
        }
    }
}

/// Per-script results filled in from several threads.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var results: [SpecFileResult?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: SpecFileResult) {
        lock.lock()
        results[index] = result
        lock.unlock()
    }
}

/// Aborts the process if one input takes longer than the limit.
final class ProgressWatch: @unchecked Sendable {
    let limit: Int
    let lock = NSLock()
    var current = -1
    var since = DispatchTime.now()
    var timer: DispatchSourceTimer?

    init(limitSeconds: Int) { limit = limitSeconds }

    func begin(_ index: Int) {
        lock.lock()
        current = index
        since = .now()
        lock.unlock()
    }

    func start() {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { [self] in
            lock.lock()
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - since.uptimeNanoseconds) / 1e9
            let index = current
            lock.unlock()
            if elapsed > Double(limit) {
                FileHandle.standardError.write(Data("fuzz: input \(index) has run for \(Int(elapsed)) s: hang\n".utf8))
                exit(1)
            }
        }
        timer.resume()
        self.timer = timer
    }

    func stop() { timer?.cancel() }
}
