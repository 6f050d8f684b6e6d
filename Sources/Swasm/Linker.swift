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
/// Host functions defined with ``defineFunc(module:name:_:)`` are created
/// anew in each store an instance is made in, so one linker serves many
/// stores (of the same data type `T`).
///
/// Each module and name has one definition. Defining a name again throws
/// ``DuplicateDefinition`` unless ``allowShadowing`` is set; then the last
/// definition wins. ``defineWASI(_:)`` defines every WASI function under
/// `wasi_snapshot_preview1` by the same rule, so a function defined after
/// it replaces that WASI function, and `defineWASI` after a definition
/// replaces the definition.
public final class Linker<T> {
    /// The engine modules must be compiled by.
    public let engine: Engine
    /// Whether a later definition may replace an earlier one of the same
    /// name (the last one wins); otherwise defining a name twice throws.
    public var allowShadowing = false

    private enum Definition {
        case item(Extern)
        case host(HostDefinition<T>)
        /// A WASI function, acting on the WASI context of the instance.
        case wasi(FunctionType)

        var type: ExternType {
            switch self {
            case .item(let item): return item.type
            case .host(let definition): return .function(definition.type)
            case .wasi(let type): return .function(type)
            }
        }
    }

    /// By module and name, compared as bytes (``WasmName``).
    private var definitions: [WasmName: [WasmName: Definition]] = [:]
    private var wasiConfiguration: WASIConfiguration?

    /// An empty linker for modules of `engine`.
    public init(engine: Engine) { self.engine = engine }

    /// A definition was made twice.
    public struct DuplicateDefinition: Error, CustomStringConvertible {
        public var module: String
        public var name: String
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

    /// Defines every export of `instance` under the module name `module`.
    public func define(instance: Instance, as module: String) throws {
        for (name, value) in instance.exports { try insert(module, name, .item(value)) }
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
            definitions[WasmName(WASI.moduleName), default: [:]][WasmName(name)] = .wasi(type)
        }
        wasiConfiguration = configuration
    }

    /// The definition of an import, for inspection.
    public func get(module: String, name: String) -> ExternType? { definitions[WasmName(module)]?[WasmName(name)]?.type }

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
            let value: ExternValue
            switch definition {
            case .item(let item): value = item.runtime
            case .host(let host): value = .function(Func(store, type: host.type, host.body).runtime)
            case .wasi: value = .function(WASI.function(named: entry.name)!)
            }
            guard SwasmRuntime.Instance.matches(value.type, entry.type) else {
                throw LinkError(module: entry.module, name: entry.name, expected: entry.type, found: value.type,
                                reason: "incompatible import type")
            }
            // A WASI module whose WASI functions the host all replaced is
            // still a WASI program (runStart needs the context).
            if entry.module == WASI.moduleName, wasiConfiguration != nil { usesWASI = true }
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
