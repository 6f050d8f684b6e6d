// `swasm-spec diff`: runs the exports of many modules with given arguments
// in one process and prints what happened, one JSON line per module, for a
// script that compares the lines with another engine (Tests/fuzz-diff).
// A process per call would spend most of its time starting up.
import ArgumentParser
import Foundation
import SwasmABI
import SwasmCompiler
import SwasmRuntime
import WasmModel

/// The calls to make on one module, in order, on one instance.
struct DiffPlanEntry: Decodable {
    var path: String
    /// Each call: the export's name, then its arguments as `type:bits`
    /// (`i32:4294967295`, `f64:9221120237041090560`; floats by bit pattern).
    var calls: [[String]]
    /// Exported globals set before every call, as `[name, type:bits]`
    /// (a generated module's fuel counter, so that one endless loop does
    /// not end every later call).
    var resetBeforeEachCall: [[String]]? = nil
}

/// What one module did: a line of output.
struct DiffOutcome: Encodable {
    var path: String
    /// Refused: invalid, unsupported or not compiled (the message says which).
    var error: String?
    /// The start function (or a segment) trapped while instantiating.
    var instantiateTrap: String?
    /// Per call: its results as `type:bits`, or `trap:<spec wording>`.
    var calls: [[String]] = []
    /// After the last call: each exported memory as `memory NAME PAGES CRC32`,
    /// each exported global as `global NAME TYPE:BITS` (a name may hold
    /// spaces: the fields after it do not).
    var state: [String] = []
}

extension SpecCommand {
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run modules' exports with given arguments; print results and traps as JSON lines.",
            discussion: """
                The plan is a JSON array of {"path": "m.wasm", "calls": [["export", "i32:1", ...], ...]}.
                Each line of output is flushed before the next module starts, so a crash points at
                the module after the last line.
                """)

        @Argument(help: "The JSON plan.")
        var plan: String

        @Option(help: ArgumentHelp("Compile with guard-region or explicit bounds checks.", valueName: "guard|explicit"))
        var boundsChecks: CompilerOptions.BoundsChecks = .guardRegion

        @Option(name: .customShort("O"), help: "Optimization level.")
        var level = 2

        func run() throws {
            let entries = try JSONDecoder().decode([DiffPlanEntry].self, from: Data(contentsOf: URL(fileURLWithPath: plan)))
            _ = CodeExecutor.installSignalHandlers()
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("swasm-diff-\(getpid())")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: work) }
            var options = CompilerOptions(optimizationLevel: level, jobs: 1)
            options.boundsChecks = boundsChecks
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            for (index, entry) in entries.enumerated() {
                let outcome = DiffRunner(options: options, work: work).run(entry, index: index)
                FileHandle.standardOutput.write(try encoder.encode(outcome) + Data("\n".utf8))
            }
        }
    }
}

struct DiffRunner {
    var options: CompilerOptions
    var work: URL

    func run(_ entry: DiffPlanEntry, index: Int) -> DiffOutcome {
        var outcome = DiffOutcome(path: entry.path)
        let instance: Instance
        do {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: entry.path)))
            let module = try Validator.decodeAndValidate(bytes)
            let object = try Compiler.compileObject(module, options: options, prefix: "diff")
            // A file per module, removed once loaded, as the spec harness does.
            let objectPath = work.appendingPathComponent("\(index).o").path
            guard FileManager.default.createFile(atPath: objectPath, contents: Data(object.bytes)) else {
                throw DiffError("cannot write \(objectPath)")
            }
            defer { try? FileManager.default.removeItem(atPath: objectPath) }
            let compiled = try CompiledModule(image: ObjectImage(path: objectPath))
            do {
                instance = try Instance(module: compiled, imports: [])
            } catch let trap as Trap {
                outcome.instantiateTrap = Self.name(trap.code)
                return outcome
            }
        } catch {
            outcome.error = "\(error)"
            return outcome
        }
        for call in entry.calls {
            if let failure = reset(entry.resetBeforeEachCall ?? [], on: instance) {
                outcome.calls.append([failure])
                continue
            }
            outcome.calls.append(perform(call, on: instance))
        }
        outcome.state = Self.state(of: instance)
        return outcome
    }

    /// Sets each `[name, type:bits]` global; an `error:` text when one cannot be.
    func reset(_ globals: [[String]], on instance: Instance) -> String? {
        for pair in globals {
            guard pair.count == 2, let global = instance.export(named: pair[0])?.global else {
                return "error:no exported global \(pair.first ?? "")"
            }
            do {
                try global.set(try Self.value(pair[1]))
            } catch {
                return "error:cannot set \(pair[0]): \(error)"
            }
        }
        return nil
    }

    func perform(_ call: [String], on instance: Instance) -> [String] {
        guard let name = call.first, let function = instance.export(named: name)?.function else {
            return ["error:no exported function \(call.first ?? "")"]
        }
        do {
            let arguments = try call.dropFirst().map(Self.value)
            return try instance.call(function, arguments).map(Self.text)
        } catch let trap as Trap {
            return ["trap:\(Self.name(trap.code))"]
        } catch {
            return ["error:\(error)"]
        }
    }

    /// The spec testsuite's wording ("integer divide by zero").
    static func name(_ code: TrapCode) -> String { code.description }

    static func value(_ text: String) throws -> Value {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let bits = UInt64(parts[1]) else { throw DiffError("bad argument \(text)") }
        switch parts[0] {
        case "i32": return .i32(UInt32(truncatingIfNeeded: bits))
        case "i64": return .i64(bits)
        case "f32": return .f32(UInt32(truncatingIfNeeded: bits))
        case "f64": return .f64(bits)
        default: throw DiffError("argument type \(parts[0]) is not supported")
        }
    }

    static func text(_ value: Value) -> String {
        switch value {
        case .i32(let v): return "i32:\(v)"
        case .i64(let v): return "i64:\(v)"
        case .f32(let v): return "f32:\(v)"
        case .f64(let v): return "f64:\(v)"
        case .funcref(let p): return p == nil ? "funcref:null" : "funcref"
        case .externref(let v): return v == 0 ? "externref:null" : "externref:\(v - 1)"
        }
    }

    static func state(of instance: Instance) -> [String] {
        instance.exports.compactMap { name, value in
            switch value {
            case .memory(let memory):
                let bytes = UnsafeRawBufferPointer(start: memory.base, count: memory.byteCount)
                return "memory \(name) \(memory.pageCount) \(CRC32.checksum(bytes))"
            case .global(let global):
                return "global \(name) \(text(global.value))"
            default:
                return nil
            }
        }
    }
}

struct DiffError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The zlib CRC-32, so a script can hash the same bytes with `zlib.crc32`.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
