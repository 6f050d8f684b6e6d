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
    public init() {}

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
        for command in script.commands {
            run(command, in: directory, result: &result)
        }
        return result
    }

    func load(_ filename: String?, in directory: URL) throws -> [UInt8] {
        guard let filename else { throw SpecHarnessError("command names no module file") }
        return [UInt8](try Data(contentsOf: directory.appendingPathComponent(filename)))
    }

    func run(_ command: SpecCommand, in directory: URL, result: inout SpecFileResult) {
        let line = command.line
        switch command.type {
        case "module":
            do {
                _ = try Validator.decodeAndValidate(try load(command.filename, in: directory))
                result.pass()
            } catch {
                result.fail(line, "module rejected: \(error)")
            }
        case "assert_malformed", "assert_invalid":
            if command.moduleType == "text" {
                result.skip()
                return
            }
            let expectedKind: WasmError.Kind = command.type == "assert_malformed" ? .malformed : .invalid
            let bytes: [UInt8]
            do {
                bytes = try load(command.filename, in: directory)
            } catch {
                result.fail(line, "\(error)")
                return
            }
            do throws(WasmError) {
                _ = try Validator.decodeAndValidate(bytes)
                result.fail(line, "\(command.type) accepted (expected \"\(command.text ?? "")\")")
            } catch {
                if error.kind == expectedKind {
                    result.pass()
                } else {
                    result.fail(line, "rejected as \(error.kind), expected \(expectedKind) (\"\(command.text ?? "")\"): \(error)")
                }
            }
        case "assert_unlinkable", "assert_uninstantiable":
            // The module itself must be valid; linking and instantiation come
            // with the runtime.
            do {
                _ = try Validator.decodeAndValidate(try load(command.filename, in: directory))
                result.skip()
            } catch {
                result.fail(line, "module rejected: \(error)")
            }
        default:
            // register, action, assert_return, assert_trap, assert_exhaustion.
            result.skip()
        }
    }
}

struct SpecHarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
