// One script through the C harness (docs/aarch64-testing.md): every module
// is validated and compiled here, imports are resolved and their types
// checked here, and what needs running code goes into a generated C driver
// (CDriverSource) that is linked with the objects and the runtime's C parts,
// run once, and whose printed outcomes are judged against the script.
import Foundation
import SwasmABI
import SwasmCompiler
import SwasmRuntime
import WasmModel

final class CHarnessScript {
    let runner: SpecRunner
    let toolchain: CHarnessToolchain
    let directory: URL
    let script: String

    /// One compiled module; instance i of the driver is module i.
    struct ModulePlan {
        var module: Module
        var prefix: String
        var objectPath: String
        var description: CModuleDescription
    }

    /// How to judge what the driver prints for one of its commands.
    enum Judgement {
        case instantiate          // `module`: must instantiate
        case uninstantiable       // must trap while instantiating
        case unlinkable           // must fail to link
        case action               // must not trap
        case returns([ValueType]) // assert_return: compare values
        case traps                // assert_trap
        case exhausts             // assert_exhaustion
    }

    var modules: [ModulePlan] = []
    var commands: [CCommand] = []
    var pending: [(command: SpecCommand, judgement: Judgement)] = []
    var current: Int?
    var named: [String: Int] = [:]
    var registered: [[UInt8]: Int] = [:]
    var signatureIDs: [FunctionType: UInt64] = [:]

    init(runner: SpecRunner, toolchain: CHarnessToolchain, directory: URL, script: String) {
        self.runner = runner
        self.toolchain = toolchain
        self.directory = directory
        self.script = script
    }

    func signatureID(_ type: FunctionType) -> UInt64 {
        if let id = signatureIDs[type] { return id }
        let id = UInt64(signatureIDs.count + 1)
        signatureIDs[type] = id
        return id
    }

    // MARK: Planning

    func run(_ script: SpecScript, result: inout SpecFileResult) {
        for command in script.commands { plan(command, result: &result) }
        guard !commands.isEmpty else { return }
        do {
            let outcomes = try execute()
            for (id, entry) in pending.enumerated() {
                judge(entry.command, entry.judgement, outcomes[id], result: &result)
            }
        } catch {
            for entry in pending { result.fail(entry.command.line, "C harness: \(error)") }
        }
    }

    func plan(_ command: SpecCommand, result: inout SpecFileResult) {
        let line = command.line
        do {
            switch command.type {
            case "module":
                let index = try compile(command)
                current = index
                if let name = command.name { named[name] = index }
                enqueue(CCommand(kind: .instantiate, instance: index), command, .instantiate)
            case "register":
                guard let name = command.as else { throw SpecHarnessError("register without a name") }
                registered[Array(name.utf8)] = try instance(command.name)
                result.pass()
            case "assert_malformed", "assert_invalid":
                if command.moduleType == "text" {
                    result.skip()
                    return
                }
                try ScriptState(runner: runner, directory: directory, script: self.script).checkRejected(command, result: &result)
            case "assert_unlinkable":
                do {
                    let index = try compile(command)
                    enqueue(CCommand(kind: .instantiate, instance: index), command, .unlinkable)
                } catch is LinkFailure {
                    result.pass()
                }
            case "assert_uninstantiable":
                let index = try compile(command)
                enqueue(CCommand(kind: .instantiate, instance: index), command, .uninstantiable)
            case "action", "assert_return", "assert_trap", "assert_exhaustion":
                let action = try command.action.orThrow("command without an action")
                let planned = try perform(action)
                let judgement: Judgement
                switch command.type {
                case "action": judgement = .action
                case "assert_return": judgement = .returns(planned.results)
                case "assert_trap": judgement = .traps
                default: judgement = .exhausts
                }
                enqueue(planned.command, command, judgement)
            default:
                result.skip()
            }
        } catch let failure as LinkFailure {
            result.fail(line, "\(command.type): \(failure.reason)")
        } catch {
            result.fail(line, "\(command.type): \(error)")
        }
    }

    func enqueue(_ c: CCommand, _ command: SpecCommand, _ judgement: Judgement) {
        commands.append(c)
        pending.append((command, judgement))
    }

    func instance(_ name: String?) throws -> Int {
        if let name {
            guard let index = named[name] else { throw SpecHarnessError("no module named \(name)") }
            return index
        }
        guard let current else { throw SpecHarnessError("no current module") }
        return current
    }

    func export(_ name: String, of instance: Int) -> Export? {
        modules[instance].module.exports.first { $0.name.utf8.elementsEqual(name.utf8) }
    }

    func perform(_ action: SpecAction) throws -> (command: CCommand, results: [ValueType]) {
        let index = try instance(action.module)
        let module = modules[index].module
        switch action.type {
        case "invoke":
            guard let entry = export(action.field, of: index), entry.kind == .function else {
                throw SpecHarnessError("no exported function \(action.field)")
            }
            let type = module.types[Int(module.allFunctionTypeIndices[Int(entry.index)])]
            let arguments = try (action.args ?? []).map { try SpecValues.argument($0).bits }
            guard arguments.count == type.parameters.count else { throw SpecHarnessError("\(action.field): wrong argument count") }
            return (CCommand(kind: .invoke, instance: index, index: entry.index, arguments: arguments,
                             resultCount: type.results.count), type.results)
        case "get":
            guard let entry = export(action.field, of: index), entry.kind == .global else {
                throw SpecHarnessError("no exported global \(action.field)")
            }
            return (CCommand(kind: .get, instance: index, index: entry.index, resultCount: 1),
                    [module.allGlobalTypes[Int(entry.index)].valueType])
        default:
            throw SpecHarnessError("unknown action \(action.type)")
        }
    }

    // MARK: Modules

    struct LinkFailure: Error { var reason: String }

    /// Validates and compiles the command's module; resolves its imports
    /// (throwing LinkFailure when one is missing or of the wrong type).
    func compile(_ command: SpecCommand) throws -> Int {
        guard let filename = command.filename else { throw SpecHarnessError("command names no module file") }
        let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(filename)))
        let module = try Validator.decodeAndValidate(bytes)
        let index = modules.count
        let prefix = "m\(index)"
        let imports = try module.imports.map { try resolve($0, in: module) }
        let object = try Compiler.compileObject(module, options: runner.compilerOptions, prefix: prefix)
        let path = runner.workDirectory.appendingPathComponent("\(script).\(index).o").path
        guard FileManager.default.createFile(atPath: path, contents: Data(object.bytes)) else {
            throw SpecHarnessError("cannot write \(path)")
        }
        let description = try CModuleDescription(module: module, metadata: object.metadata, prefix: prefix,
                                                 imports: imports, signatureID: signatureID,
                                                 explicitBoundsChecks: runner.boundsChecks == .explicit)
        modules.append(ModulePlan(module: module, prefix: prefix, objectPath: path, description: description))
        return index
    }

    /// The spectest exports: kind, which object, and its type.
    static let spectestFunctions: [String: [ValueType]] = [
        "print": [], "print_i32": [.i32], "print_i64": [.i64], "print_f32": [.f32], "print_f64": [.f64],
        "print_i32_f32": [.i32, .f32], "print_f64_f64": [.f64, .f64],
    ]
    static let spectestGlobals: [String: (Int32, ValueType)] = [
        "global_i32": (CImport.spectestGlobalI32, .i32), "global_i64": (CImport.spectestGlobalI32 + 1, .i64),
        "global_f32": (CImport.spectestGlobalI32 + 2, .f32), "global_f64": (CImport.spectestGlobalI32 + 3, .f64),
    ]

    func resolve(_ entry: Import, in importer: Module) throws -> CImport {
        func fail(_ reason: String) -> LinkFailure { LinkFailure(reason: "\(reason) \(entry.module).\(entry.name)") }
        let limits: Limits?
        switch entry.descriptor {
        case .table(let t): limits = t.limits
        case .memory(let m): limits = m.limits
        default: limits = nil
        }
        // Names compare as bytes, as import names do (not as Swift strings,
        // which compare canonically equivalent spellings equal).
        if entry.module.utf8.elementsEqual("spectest".utf8), entry.name.utf8.allSatisfy({ $0 < 0x80 }) {
            switch entry.descriptor {
            case .function(let typeIndex):
                guard let parameters = Self.spectestFunctions[entry.name] else { throw fail("unknown import") }
                let type = FunctionType(parameters: parameters, results: [])
                guard importer.types[Int(typeIndex)] == type else { throw fail("incompatible import type") }
                return CImport(kind: .function, instance: -1, index: UInt32(CImport.spectestPrint),
                               signatureID: signatureID(type))
            case .global(let type):
                guard let (which, valueType) = Self.spectestGlobals[entry.name] else { throw fail("unknown import") }
                guard type == GlobalType(valueType: valueType, isMutable: false) else { throw fail("incompatible import type") }
                return CImport(kind: .global, instance: -1, index: UInt32(which))
            case .table(let type):
                guard entry.name == "table" else { throw fail("unknown import") }
                guard type.elementType == .funcref else { throw fail("incompatible import type") }
                return CImport(kind: .table, instance: -1, index: UInt32(CImport.spectestTable), limits: limits)
            case .memory:
                guard entry.name == "memory" else { throw fail("unknown import") }
                return CImport(kind: .memory, instance: -1, index: UInt32(CImport.spectestMemory), limits: limits)
            }
        }
        guard let exporter = registered[Array(entry.module.utf8)] else { throw fail("unknown import") }
        guard let export = export(entry.name, of: exporter) else { throw fail("unknown import") }
        let from = modules[exporter].module
        guard export.kind == entry.descriptor.kind else { throw fail("incompatible import type") }
        switch entry.descriptor {
        case .function(let typeIndex):
            let found = from.types[Int(from.allFunctionTypeIndices[Int(export.index)])]
            guard importer.types[Int(typeIndex)] == found else { throw fail("incompatible import type") }
            return CImport(kind: .function, instance: Int32(exporter), index: export.index)
        case .global(let type):
            guard from.allGlobalTypes[Int(export.index)] == type else { throw fail("incompatible import type") }
            return CImport(kind: .global, instance: Int32(exporter), index: export.index)
        case .table(let type):
            guard from.allTables[Int(export.index)].elementType == type.elementType else { throw fail("incompatible import type") }
            return CImport(kind: .table, instance: Int32(exporter), index: export.index, limits: limits)
        case .memory:
            return CImport(kind: .memory, instance: Int32(exporter), index: export.index, limits: limits)
        }
    }

    // MARK: Running and judging

    enum Outcome {
        case instantiated
        case returned([UInt64])
        case trapped(code: UInt32, signal: Int32, atSite: Bool)
        case unlinkable(String)
        case error(String)
        case missing(String)
    }

    func execute() throws -> [Outcome] {
        let limits = runner.hasExecutionLimits
            ? (runner.fuel ?? .max, runner.epochDeadline ?? .max, runner.epochDeadlineContinues) : nil
        let source = CDriverSource.write(modules: modules.map(\.description), commands: commands, executionLimits: limits)
        let driver = runner.workDirectory.appendingPathComponent("\(script).driver.c")
        let executable = runner.workDirectory.appendingPathComponent("\(script).driver")
        try source.write(to: driver, atomically: true, encoding: .utf8)
        defer {
            try? FileManager.default.removeItem(at: driver)
            try? FileManager.default.removeItem(at: executable)
            for module in modules { try? FileManager.default.removeItem(atPath: module.objectPath) }
        }
        try toolchain.link(driver: driver, objects: modules.map(\.objectPath), output: executable)
        let (output, status, timedOut) = try toolchain.execute(executable)
        let why = timedOut ? "the driver ran past \(Int(CHarnessToolchain.driverTimeout)) s and was stopped (SWASM_HARNESS_TIMEOUT)"
                           : "the driver stopped before this command (exit status \(status))"
        var outcomes = [Outcome](repeating: .missing(why),
                                 count: commands.count)
        for line in output.split(separator: "\n") {
            let words = line.split(separator: " ", maxSplits: 2).map(String.init)
            guard words.count >= 2, let id = Int(words[0]), id < outcomes.count else { continue }
            let rest = words.count > 2 ? words[2] : ""
            switch words[1] {
            case "instantiated": outcomes[id] = .instantiated
            case "returned": outcomes[id] = .returned(rest.split(separator: " ").compactMap { UInt64($0, radix: 16) })
            case "trapped":
                let fields = rest.split(separator: " ")
                outcomes[id] = .trapped(code: fields.count > 0 ? UInt32(fields[0]) ?? 0 : 0,
                                        signal: fields.count > 1 ? Int32(fields[1]) ?? 0 : 0,
                                        atSite: fields.count > 2 && fields[2] == "1")
            case "unlinkable": outcomes[id] = .unlinkable(rest)
            default: outcomes[id] = .error(rest)
            }
        }
        return outcomes
    }

    func describe(_ outcome: Outcome) -> String {
        switch outcome {
        case .instantiated: return "instantiated"
        case .returned(let values): return "returned [\(values.map { String($0, radix: 16) }.joined(separator: " "))]"
        case .trapped(let code, let signal, _):
            return "trapped: \(TrapCode(rawValue: code).map(String.init(describing:)) ?? "code \(code)") (signal \(signal))"
        case .unlinkable(let why): return "unlinkable: \(why)"
        case .error(let why): return "error: \(why)"
        case .missing(let why): return why
        }
    }

    /// Whether `trap` is what the script's message names. The scripts use
    /// the reference interpreter's wording, which our descriptions follow
    /// except in two places: "unreachable" (ours adds "executed"), and
    /// "undefined element" for a `call_indirect` index past the table's end,
    /// an out-of-bounds table access.
    static func trap(_ trap: TrapCode, matches text: String) -> Bool {
        let description = trap.description
        if text.hasPrefix(description) || (!text.isEmpty && description.hasPrefix(text)) { return true }
        return text == "undefined element" && trap == .tableOutOfBounds
    }

    func judge(_ command: SpecCommand, _ judgement: Judgement, _ outcome: Outcome, result: inout SpecFileResult) {
        let line = command.line
        if case .trapped(let code, let signal, let atSite) = outcome {
            // Every trap is reported with its location: at a trap site of
            // the table (a stack overflow that hits the guard page below the
            // stack before a limit check is the one exception).
            if !atSite && code != TrapCode.callStackExhausted.rawValue {
                result.fail(line, "\(describe(outcome)) at a pc without a trap site")
                return
            }
            // Explicit bounds checks: every out-of-bounds access must be
            // caught by a check, never by a fault that happened to hit an
            // inaccessible page.
            if runner.boundsChecks == .explicit, code == TrapCode.memoryOutOfBounds.rawValue,
               signal == SIGSEGV || signal == SIGBUS {
                result.fail(line, "memory access faulted (signal \(signal)) instead of failing its explicit check")
                return
            }
        }
        switch (judgement, outcome) {
        case (.instantiate, .instantiated), (.unlinkable, .unlinkable), (.action, .returned):
            result.pass()
        case (.traps, .trapped(let code, _, _)), (.uninstantiable, .trapped(let code, _, _)):
            // The driver knows the trap code: it must be the one the
            // script names (the Swift harness accepts any trap).
            let text = command.text ?? ""
            if let trap = TrapCode(rawValue: code), Self.trap(trap, matches: text) { result.pass() }
            else { result.fail(line, "expected trap \"\(text)\", got \(describe(outcome))") }
        case (.exhausts, .trapped(let code, _, _)):
            if code == TrapCode.callStackExhausted.rawValue { result.pass() }
            else { result.fail(line, "expected stack exhaustion, got \(describe(outcome))") }
        case (.returns(let types), .returned(let bits)):
            let expected: [ExpectedValue]
            do { expected = try (command.expected ?? []).map(SpecValues.expected) } catch {
                result.fail(line, "\(error)")
                return
            }
            let actual = zip(types, bits).compactMap { Value(bits: $1, type: $0) }
            if actual.count == expected.count && bits.count == types.count && zip(expected, actual).allSatisfy({ $0.matches($1) }) {
                result.pass()
            } else {
                result.fail(line, "\(command.action?.field ?? ""): got [\(actual.map(SpecValues.describe).joined(separator: " "))], expected [\((command.expected ?? []).map { "\($0.type):\($0.value.joined(separator: ","))" }.joined(separator: " "))]")
            }
        default:
            result.fail(line, "\(command.type) \(command.action?.field ?? command.filename ?? ""): \(describe(outcome))")
        }
    }
}

extension Optional {
    func orThrow(_ message: String) throws -> Wrapped {
        guard let self else { throw SpecHarnessError(message) }
        return self
    }
}
