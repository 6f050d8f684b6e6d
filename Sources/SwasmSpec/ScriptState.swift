// One script's run: the current module, named and registered instances, and
// each command checked through the real AOT path (compile to an object file,
// load it, link, instantiate, call).
import Foundation
import SwasmCompiler
import SwasmRuntime
import WasmModel

final class ScriptState {
    let runner: SpecRunner
    let directory: URL
    let script: String
    var current: Instance?
    var named: [String: Instance] = [:]
    /// By the name given to `register`, compared as bytes like import names.
    var registered: [WasmName: Instance] = [:]
    lazy var spectest: [String: ExternValue] = {
        var exports = SpecTestHost.exports()
        // With epoch checks the print functions are the clock: each call
        // advances the epoch one tick (as in the C harness).
        if runner.epochDeadline != nil, let counter = limits?.epochCounter {
            for (name, export) in exports {
                guard case .function(let print) = export else { continue }
                exports[name] = .function(Function(type: print.type) { _, _ in
                    counter.increment()
                    return []
                })
            }
        }
        if runner.boundsChecks == .explicit, let type = exports["memory"]?.memory?.type {
            exports["memory"] = .memory(try! Memory(type: type, strategy: .explicit))
        }
        return exports
    }()
    var objectCounter = 0
    /// With fuel or an epoch deadline: the limits every instance of the
    /// script shares, as a store's instances do.
    lazy var limits: ExecutionLimits? = {
        guard runner.hasExecutionLimits else { return nil }
        let limits = ExecutionLimits(fuel: runner.fuel ?? .max, epochDeadline: runner.epochDeadline ?? .max)
        if runner.epochDeadlineContinues { limits.onEpochDeadline = { .continueFor(ticks: 0) } }
        return limits
    }()

    /// Every instantiation and call starts with the run's fuel, and its
    /// epoch deadline so many ticks beyond the current epoch.
    func refuel() {
        if let limits, let fuel = runner.fuel { limits.fuel = fuel }
        if let limits, let ticks = runner.epochDeadline { limits.setEpochDeadline(ticksBeyondCurrent: ticks) }
    }

    init(runner: SpecRunner, directory: URL, script: String) {
        self.runner = runner
        self.directory = directory
        self.script = script
    }

    func load(_ filename: String?) throws -> [UInt8] {
        guard let filename else { throw SpecHarnessError("command names no module file") }
        return [UInt8](try Data(contentsOf: directory.appendingPathComponent(filename)))
    }

    // MARK: - Modules

    var compilerOptions: CompilerOptions { runner.compilerOptions }

    /// Validates, compiles to an object file, and loads it.
    func compile(_ bytes: [UInt8]) throws -> CompiledModule {
        let module = try Validator.decodeAndValidate(bytes)
        let object = try Compiler.compileObject(module, options: compilerOptions, prefix: "spec")
        objectCounter += 1
        let path = runner.workDirectory.appendingPathComponent("\(script).\(objectCounter).o").path
        guard FileManager.default.createFile(atPath: path, contents: Data(object.bytes)) else {
            throw SpecHarnessError("cannot write \(path)")
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try CompiledModule(image: ObjectImage(path: path))
    }

    func resolveImports(_ module: CompiledModule) throws -> [ExternValue] {
        try module.module.imports.map { entry in
            if WasmName(entry.module) == WasmName("spectest"), WasmName(entry.name).utf8.allSatisfy({ $0 < 0x80 }),
               let value = spectest[entry.name] { return value }
            if let instance = registered[WasmName(entry.module)], let value = instance.export(named: entry.name) { return value }
            throw SpecHarnessError("unknown import \(entry.module).\(entry.name)")
        }
    }

    func instantiate(_ bytes: [UInt8]) throws -> Instance {
        let module = try compile(bytes)
        refuel()
        return try Instance(module: module, imports: try resolveImports(module), limits: limits)
    }

    func instance(_ name: String?) throws -> Instance {
        if let name {
            guard let instance = named[name] else { throw SpecHarnessError("no module named \(name)") }
            return instance
        }
        guard let current else { throw SpecHarnessError("no current module") }
        return current
    }

    // MARK: - Actions

    func perform(_ action: SpecAction) throws -> [Value] {
        let instance = try self.instance(action.module)
        switch action.type {
        case "invoke":
            guard case .function(let function)? = instance.export(named: action.field) else {
                throw SpecHarnessError("no exported function \(action.field)")
            }
            let arguments = try (action.args ?? []).map(SpecValues.argument)
            refuel()
            return try instance.call(function, arguments)
        case "get":
            guard case .global(let global)? = instance.export(named: action.field) else {
                throw SpecHarnessError("no exported global \(action.field)")
            }
            return [global.value]
        default:
            throw SpecHarnessError("unknown action \(action.type)")
        }
    }

    // MARK: - Commands

    func run(_ command: SpecCommand, result: inout SpecFileResult) {
        let line = command.line
        do {
            switch command.type {
            case "module":
                let bytes = try load(command.filename)
                if runner.execute {
                    let instance = try instantiate(bytes)
                    current = instance
                    if let name = command.name { named[name] = instance }
                } else {
                    _ = try Validator.decodeAndValidate(bytes)
                }
                result.pass()
            case "register":
                guard let name = command.as else { throw SpecHarnessError("register without a name") }
                registered[WasmName(name)] = try instance(command.name)
                result.pass()
            case "assert_malformed", "assert_invalid":
                if command.moduleType == "text" {
                    result.skip()
                    return
                }
                try checkRejected(command, result: &result)
            case _ where !runner.execute:
                result.skip()
            case "action":
                _ = try perform(command.action!)
                result.pass()
            case "assert_return":
                let actual = try perform(command.action!)
                let expected = try (command.expected ?? []).map(SpecValues.expected)
                if actual.count == expected.count && zip(expected, actual).allSatisfy({ $0.matches($1) }) {
                    result.pass()
                } else {
                    result.fail(line, "\(command.action!.field): got [\(actual.map(SpecValues.describe).joined(separator: " "))], expected [\((command.expected ?? []).map { "\($0.type):\($0.value.joined(separator: ","))" }.joined(separator: " "))]")
                }
            case "assert_trap", "assert_exhaustion":
                do {
                    let values = try perform(command.action!)
                    result.fail(line, "\(command.action!.field) returned [\(values.map(SpecValues.describe).joined(separator: " "))], expected trap \"\(command.text ?? "")\"")
                } catch let trap as Trap {
                    if command.type == "assert_exhaustion" && trap.code != .callStackExhausted {
                        result.fail(line, "expected stack exhaustion, got \(trap)")
                    } else {
                        result.pass()
                    }
                }
            case "assert_unlinkable":
                do {
                    _ = try instantiate(try load(command.filename))
                    result.fail(line, "module linked, expected \"\(command.text ?? "")\"")
                } catch is Trap {
                    result.fail(line, "module trapped during instantiation, expected a link error")
                } catch {
                    result.pass()
                }
            case "assert_uninstantiable":
                do {
                    _ = try instantiate(try load(command.filename))
                    result.fail(line, "module instantiated, expected trap \"\(command.text ?? "")\"")
                } catch is Trap {
                    result.pass()
                }
            default:
                result.skip()
            }
        } catch {
            result.fail(line, "\(command.type): \(error)")
        }
    }

    func checkRejected(_ command: SpecCommand, result: inout SpecFileResult) throws {
        let expectedKind: WasmError.Kind = command.type == "assert_malformed" ? .malformed : .invalid
        let bytes = try load(command.filename)
        do throws(WasmError) {
            _ = try Validator.decodeAndValidate(bytes)
            result.fail(command.line, "\(command.type) accepted (expected \"\(command.text ?? "")\")")
        } catch {
            if error.kind == expectedKind {
                result.pass()
            } else {
                result.fail(command.line, "rejected as \(error.kind), expected \(expectedKind) (\"\(command.text ?? "")\"): \(error)")
            }
        }
    }
}
