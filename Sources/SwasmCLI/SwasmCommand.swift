// `swasm`: the runner. Running modules arrives with the backend and runtime;
// today it validates and describes modules.
import ArgumentParser
import Foundation
import WasmModel

public struct SwasmCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "swasm",
        abstract: "Run and inspect WebAssembly modules.",
        subcommands: [Inspect.self, Validate.self])

    public init() {}

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Decode and validate a module.")

        @Argument(help: "The module (.wasm or .wat).") var input: String

        func run() throws {
            do {
                _ = try ModuleInput.validatedModule(atPath: input)
            } catch {
                reportError("swasm", error.description)
                throw ExitCode(1)
            }
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a module's types, imports, exports, memories, tables and globals.")

        @Argument(help: "The module (.wasm or .wat).") var input: String

        func run() throws {
            do {
                let module = try ModuleInput.validatedModule(atPath: input)
                print(ModuleSummary.describe(module), terminator: "")
            } catch {
                reportError("swasm", error.description)
                throw ExitCode(1)
            }
        }
    }
}

/// A human-readable description of a module's interface.
public enum ModuleSummary {
    public static func describe(_ module: Module) -> String {
        var out = ""
        let functionTypes = module.allFunctionTypeIndices
        if let name = module.names.moduleName { out += "module \(name)\n" }
        for entry in module.imports {
            let what: String
            switch entry.descriptor {
            case .function(let t): what = "func \(module.types[Int(t)])"
            case .table(let t): what = "table \(limits(t.limits)) \(t.elementType)"
            case .memory(let m): what = "memory \(limits(m.limits))"
            case .global(let g): what = "global \(g.isMutable ? "mut " : "")\(g.valueType)"
            }
            out += "import \"\(entry.module)\" \"\(entry.name)\": \(what)\n"
        }
        for export in module.exports {
            var what = "\(export.kind) \(export.index)"
            if export.kind == .function {
                what += " \(module.types[Int(functionTypes[Int(export.index)])])"
            }
            out += "export \"\(export.name)\": \(what)\n"
        }
        for memory in module.memories { out += "memory \(limits(memory.limits))\n" }
        for table in module.tables { out += "table \(limits(table.limits)) \(table.elementType)\n" }
        for global in module.globals {
            out += "global \(global.type.isMutable ? "mut " : "")\(global.type.valueType)\n"
        }
        if let start = module.start { out += "start \(module.functionName(start))\n" }
        let codeBytes = module.bodies.reduce(0) { $0 + $1.code.count }
        out += "functions: \(module.importedFunctionCount) imported, \(module.bodies.count) defined (\(codeBytes) bytes of code)\n"
        out += "data segments: \(module.data.count), element segments: \(module.elements.count)\n"
        return out
    }

    static func limits(_ limits: Limits) -> String {
        if let max = limits.max { return "\(limits.min)..\(max)" }
        return "\(limits.min).."
    }
}
