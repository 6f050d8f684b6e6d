// Resolving imports by name: host functions, other instances' exports, WASI.
import SwasmRuntime
import WasmModel

/// Resolves a module's imports by module and name, then instantiates it.
///
/// ```swift
/// let linker = Linker<Void>(engine: engine)
/// try linker.defineFunc(module: "env", name: "log") { (caller: Caller<Void>, x: Int32) in print(x) }
/// try linker.defineWASI(WASIConfiguration(arguments: ["app"]))
/// let instance = try linker.instantiate(store, module)
/// ```
///
/// Host functions defined with `defineFunc(module:name:_:)` are created
/// anew in each store an instance is made in, so one linker serves many
/// stores (of the same data type `T`).
///
/// Threads: a linker is used by one thread at a time and is not `Sendable`
/// (its host functions are closures that may hold the defining thread's
/// state, and definitions of instances' exports belong to their stores).
/// Build one per task, or build it inside an ``AsyncStore/run(_:)`` body;
/// the `Sendable` ``Engine`` and ``Module``s are what tasks share.
///
/// Each module and name has one definition. Defining a name again throws
/// ``DuplicateDefinition`` unless ``allowShadowing`` is set; then the last
/// definition wins. ``defineWASI(_:)`` defines every WASI function under
/// `wasi_snapshot_preview1` by the same rule, so a function defined after
/// it replaces that WASI function, and `defineWASI` after a definition
/// replaces the definition. ``module(_:name:_:)``, ``alias(module:name:as:asName:)``
/// and ``aliasModule(_:as:)`` define names by the same rule.
public final class Linker<T> {
    /// The engine modules must be compiled by.
    public let engine: Engine
    /// Whether a later definition may replace an earlier one of the same
    /// name (the last one wins); otherwise defining a name twice throws.
    public var allowShadowing = false

    private enum Definition {
        case item(Extern)
        case host(HostDefinition<T>)
        /// A WASI function (by its WASI name, which an alias may not
        /// share), acting on the WASI context of the calling instance.
        case wasi(name: String, FunctionType)
        /// A function export of a command module (``module(_:name:_:)``):
        /// each call instantiates the module anew and calls the export.
        case command(Module, export: String, FunctionType)

        var type: ExternType {
            switch self {
            case .item(let item): return item.type
            case .host(let definition): return .function(definition.type)
            case .wasi(_, let type), .command(_, _, let type): return .function(type)
            }
        }
    }

    /// By module and name, compared as bytes (``WasmName``).
    private var definitions: [WasmName: [WasmName: Definition]] = [:]
    private var wasiConfiguration: WASIConfiguration?

    /// An empty linker for modules of `engine`.
    public init(engine: Engine) { self.engine = engine }

    /// An alias names a module or definition the linker does not have.
    public struct UndefinedDefinition: Error, CustomStringConvertible {
        /// The module name asked for.
        public var module: String
        /// The name asked for; nil when a whole module was asked for.
        public var name: String?
        /// What was not defined, as a sentence.
        public var description: String {
            if let name { return "\"\(module)\" \"\(name)\" is not defined" }
            return "nothing is defined under the module name \"\(module)\""
        }
    }

    /// A definition was made twice.
    public struct DuplicateDefinition: Error, CustomStringConvertible {
        /// The module name of the definition.
        public var module: String
        /// The name of the definition.
        public var name: String
        /// What was defined twice, and how to allow it.
        public var description: String { "\"\(module)\" \"\(name)\" is already defined (set allowShadowing to replace it)" }
    }

    private func insert(_ module: String, _ name: String, _ definition: Definition) throws {
        try checkUndefined(module, name)
        definitions[WasmName(module), default: [:]][WasmName(name)] = definition
    }

    private func checkUndefined(_ module: String, _ name: String) throws {
        if !allowShadowing, definitions[WasmName(module)]?[WasmName(name)] != nil {
            throw DuplicateDefinition(module: module, name: name)
        }
    }

    /// Defines `item` as import `module` `name`.
    public func define(module: String, name: String, item: Extern) throws {
        try insert(module, name, .item(item))
    }

    /// Defines every export of `instance` under the module name `module`
    /// (all or, when one name is already defined, none).
    public func define(instance: Instance, as module: String) throws {
        let exports = instance.exports
        for (name, _) in exports { try checkUndefined(module, name) }
        for (name, value) in exports { try insert(module, name, .item(value)) }
    }

    /// Instantiates `module` and defines its exports under `name`, as a
    /// command or a reactor (the WASI application kinds):
    ///
    /// - A command (a module exporting `_start`) is not instantiated now:
    ///   each of its function exports is defined as a function that, at
    ///   every call, instantiates the module anew in the caller's store
    ///   (with this linker's definitions at that time) and calls the
    ///   export. Commands keep no state between calls; every call adds an
    ///   instance to the store. A `proc_exit(0)` in an export without
    ///   results returns normally; another exit is the `exit` trap.
    /// - Anything else is a reactor (or a plain library): instantiated
    ///   once in `store`, its `_initialize` called when it exports one, and
    ///   every export defined under `name`.
    ///
    /// Follows ``allowShadowing`` like every definition, checked for all
    /// exports before anything is defined. Throws what instantiation throws
    /// (``LinkError`` naming the import that failed, ``Trap``...); for a
    /// command, those come from the call that instantiates it.
    public func module(_ store: Store<T>, name: String, _ module: Module) throws {
        let isCommand = module.exports.contains { $0.name == "_start" && $0.type.kind == .function }
        if isCommand {
            var functions: [(String, FunctionType)] = []
            for export in module.exports {
                guard case .function(let type) = export.type else { continue }
                try checkUndefined(name, export.name)
                functions.append((export.name, type))
            }
            for (export, type) in functions { try insert(name, export, .command(module, export: export, type)) }
        } else {
            for export in module.exports { try checkUndefined(name, export.name) }
            try define(instance: instantiateReactor(store, module), as: name)
        }
    }

    /// Defines `name` of `module` also as `asName` of `asModule`.
    public func alias(module: String, name: String, as asModule: String, asName: String) throws {
        guard let definition = definitions[WasmName(module)]?[WasmName(name)] else {
            throw UndefinedDefinition(module: module, name: name)
        }
        try insert(asModule, asName, definition)
    }

    /// Defines every definition of `module` also under `asModule` (all or,
    /// when one name is already defined there, none).
    public func aliasModule(_ module: String, as asModule: String) throws {
        guard let names = definitions[WasmName(module)], !names.isEmpty else { throw UndefinedDefinition(module: module, name: nil) }
        if !allowShadowing, let taken = definitions[WasmName(asModule)]?.keys.first(where: { names[$0] != nil }) {
            throw DuplicateDefinition(module: asModule, name: taken.description)
        }
        for (name, definition) in names { definitions[WasmName(asModule), default: [:]][name] = definition }
    }

    /// Defines an untyped host function of `type`.
    public func defineFunc(module: String, name: String, type: FunctionType,
                           _ body: @escaping (Caller<T>, [Value]) throws -> [Value]) throws {
        try insert(module, name, .host(HostDefinition(type: type, body: body)))
    }

    /// Defines a host function taking the caller and returning one value.
    public func defineFunc<each P: WasmValue, R: WasmValue>(module: String, name: String,
                                                            _ body: @escaping (Caller<T>, repeat each P) throws -> R) throws {
        try insert(module, name, .host(.wrap(body)))
    }

    /// Defines a host function taking the caller and returning several
    /// values as a tuple.
    public func defineFunc<each P: WasmValue, each R: WasmValue>(
        module: String, name: String, _ body: @escaping (Caller<T>, repeat each P) throws -> (repeat each R)
    ) throws {
        try insert(module, name, .host(.wrap(body)))
    }

    /// Defines a host function without the caller, returning a tuple.
    public func defineFunc<each P: WasmValue, each R: WasmValue>(
        module: String, name: String, _ body: @escaping (repeat each P) throws -> (repeat each R)
    ) throws {
        try insert(module, name, .host(.wrap(body)))
    }

    /// Defines a host function taking the caller and returning nothing.
    public func defineFunc<each P: WasmValue>(module: String, name: String,
                                              _ body: @escaping (Caller<T>, repeat each P) throws -> Void) throws {
        try insert(module, name, .host(.wrap(body)))
    }

    /// Defines a host function without the caller, returning one value.
    public func defineFunc<each P: WasmValue, R: WasmValue>(module: String, name: String,
                                                            _ body: @escaping (repeat each P) throws -> R) throws {
        try insert(module, name, .host(.wrap(body)))
    }

    /// Defines a host function without the caller, returning nothing.
    public func defineFunc<each P: WasmValue>(module: String, name: String,
                                              _ body: @escaping (repeat each P) throws -> Void) throws {
        try insert(module, name, .host(.wrap(body)))
    }

    /// Provides WASI preview 1 (`wasi_snapshot_preview1`) to the modules
    /// instantiated from now on; each instance gets its own WASI context
    /// made from `configuration` (its stdio descriptors are duplicated then,
    /// so they must stay open until instances are made).
    ///
    /// Defines every WASI function by name: throws ``DuplicateDefinition``
    /// when one is already defined (also by an earlier `defineWASI`) unless
    /// ``allowShadowing`` is set, and defines nothing then.
    public func defineWASI(_ configuration: WASIConfiguration = WASIConfiguration()) throws {
        let names = WASI.functionNames
        for name in names { try checkUndefined(WASI.moduleName, name) }
        for name in names {
            let type = WASI.function(named: name)!.type
            definitions[WasmName(WASI.moduleName), default: [:]][WasmName(name)] = .wasi(name: name, type)
        }
        wasiConfiguration = configuration
    }

    /// The type of the definition of `module` `name`, for inspection.
    public func get(module: String, name: String) -> ExternType? { definitions[WasmName(module)]?[WasmName(name)]?.type }

    /// The definition of `module` `name` as an object of `store` (a host
    /// function is made in `store`), nil when there is none. A WASI function
    /// got this way acts on the WASI context of the instance calling it, so
    /// it only works imported; called from the host it has none.
    public func get(_ store: Store<T>, module: String, name: String) -> Extern? {
        definitions[WasmName(module)]?[WasmName(name)].map { Extern(resolve($0, in: store), store: store) }
    }

    /// The default function of `module`: its export `""`, else its
    /// `_start`, else a function that takes nothing and does nothing (what a
    /// runner calls to run a module registered with ``module(_:name:_:)``).
    /// Throws ``ExportError/wrongKind(name:expected:found:)`` when that
    /// definition is not a function.
    public func getDefault(_ store: Store<T>, module: String) throws -> Func {
        for name in ["", "_start"] {
            guard let definition = get(store, module: module, name: name) else { continue }
            guard let function = definition.func else {
                throw ExportError.wrongKind(name: "\"\(module)\" \"\(name)\"", expected: .function, found: definition.type)
            }
            return function
        }
        return Func(store, type: FunctionType(parameters: [], results: [])) { _, _ in [] }
    }

    /// The runtime object `definition` stands for in `store`.
    private func resolve(_ definition: Definition, in store: Store<T>) -> ExternValue {
        switch definition {
        case .item(let item): return item.runtime
        case .host(let host): return .function(Func(store, type: host.type, host.body).runtime)
        case .wasi(let name, _): return .function(WASI.function(named: name)!)
        case .command(let module, let export, let type):
            // The store holds the function, which holds this linker: the
            // linker holds no store, so nothing is kept in a cycle.
            return .function(Func(store, type: type) { caller, arguments in
                try self.callCommand(caller.store, module, export, arguments)
            }.runtime)
        }
    }

    /// Instantiates the command `module` in `store` and calls `export`.
    private func callCommand(_ store: Store<T>, _ module: Module, _ export: String, _ arguments: [Value]) throws -> [Value] {
        let instance = try instantiate(store, module)
        guard let function = instance.func(export) else { throw ExportError.missing(name: export) }
        do {
            return try function.call(arguments)
        } catch let trap as Trap where trap.code == .exit && instance.wasi?.exitCode == 0 && function.type.results.isEmpty {
            return []
        }
    }

    /// Instantiates `module` in `store`, resolving its imports by name. Throws
    /// ``LinkError`` naming the first import that is undefined or has another
    /// type (with both types), ``ResourceLimitError`` past the store's
    /// limits, and ``Trap`` when the start function traps.
    public func instantiate(_ store: Store<T>, _ module: Module) throws -> Instance {
        var imports: [ExternValue] = []
        var usesWASI = false
        for entry in module.imports {
            guard let definition = definitions[WasmName(entry.module)]?[WasmName(entry.name)] else {
                throw LinkError(module: entry.module, name: entry.name, expected: entry.type, found: nil,
                                reason: unknownImportReason(entry))
            }
            let value = resolve(definition, in: store)
            guard SwasmRuntime.Instance.matches(value.type, entry.type) else {
                throw LinkError(module: entry.module, name: entry.name, expected: entry.type, found: value.type,
                                reason: "incompatible import type")
            }
            // A WASI module whose WASI functions the host all replaced is
            // still a WASI program (runStart needs the context).
            if entry.module == WASI.moduleName, wasiConfiguration != nil { usesWASI = true }
            if case .wasi = definition { usesWASI = true }
            imports.append(value)
        }
        let wasi = try usesWASI ? WASI(wasiConfiguration!) : nil
        return try Instance(store, module: module, imports: imports, wasi: wasi)
    }

    private func unknownImportReason(_ entry: ImportType) -> String {
        guard entry.module == WASI.moduleName else { return "unknown import" }
        if wasiConfiguration == nil { return "unknown import (WASI is not defined: call defineWASI)" }
        return "unknown import (not a WASI preview 1 function)"
    }

    /// Instantiates a WASI command and runs its `_start`; returns the exit
    /// code (the one given to `proc_exit`, also from a start function, or 0).
    public func runCommand(_ store: Store<T>, _ module: Module) throws -> Int32 {
        var code: Int32 = 0
        var instanceWASI: WASI?
        do {
            let instance = try instantiate(store, module)
            instanceWASI = instance.wasi
            code = try instance.runStart()
        } catch let trap as Trap where trap.code == .exit {
            // proc_exit in a start function, before the instance existed.
            return instanceWASI?.exitCode ?? store.instances.last?.wasi?.exitCode ?? 0
        }
        return code
    }

    /// Instantiates a WASI reactor (or any module) and calls its
    /// `_initialize` when it exports one.
    public func instantiateReactor(_ store: Store<T>, _ module: Module) throws -> Instance {
        let instance = try instantiate(store, module)
        try instance.initializeReactor()
        return instance
    }
}
