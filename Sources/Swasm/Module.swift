// Compiled modules: compiled from wasm bytes or text, or loaded from a
// precompiled swasm object. Loading an object runs its machine code as it
// is, so it has its own entry points, named for the trust they need.
import Foundation
import SwasmABI
import SwasmCompiler
import SwasmRuntime
import WasmModel
import WasmText

/// Why a module could not be created, compiled, loaded or written.
public enum ModuleError: Error, CustomStringConvertible {
    /// The bytes are not a valid WebAssembly module.
    case invalidWasm(String)
    /// The text is not a valid `.wat` module.
    case invalidText(String)
    /// Compilation failed.
    case compilationFailed(String)
    /// A precompiled object was rejected (corrupted, truncated, for another
    /// machine or another swasm version): where, and the loader's reason.
    case invalidObject(source: String, reason: String)
    /// A precompiled object's code was compiled with settings other than
    /// the engine's (``Engine/Config/interruptible``,
    /// ``Engine/Config/memoryStrategy``): each one that differs.
    case settingsMismatch(source: String, mismatches: [CodeSettings.Mismatch])
    /// A file could not be read or written.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidWasm(let reason): return "invalid WebAssembly module: \(reason)"
        case .invalidText(let reason): return "invalid WebAssembly text: \(reason)"
        case .compilationFailed(let reason): return "compilation failed: \(reason)"
        case .invalidObject(let source, let reason): return "cannot load precompiled module \(source): \(reason)"
        case .settingsMismatch(let source, let mismatches):
            return "cannot load precompiled module \(source): compiled with other settings than this engine's: "
                + mismatches.map { $0.description }.joined(separator: "; ") + " (recompile it with the engine's settings)"
        case .io(let path, let reason): return "\(path): \(reason)"
        }
    }
}

/// A compiled WebAssembly module: immutable, `Sendable`, instantiable any
/// number of times in any number of ``Store``s, from any thread.
///
/// ```swift
/// let module = try Module(engine: engine, text: #"(module (func (export "f")))"#)
/// let bytes = module.serialize()          // a swasm ELF object: native code
/// let again = try Module.deserialize(engine: engine, trustedObject: bytes)
/// ```
///
/// The initializers compile WebAssembly (binary or text) and refuse anything
/// else. Precompiled objects are machine code that runs as it is: they load
/// only through ``deserialize(engine:trustedObject:)`` and
/// ``deserialize(engine:trustedObjectFile:)``.
public final class Module: Sendable {
    /// The engine that compiled (or loaded) the module.
    public let engine: Engine
    /// The runtime's module: mapped code, metadata and the decoded module.
    public let compiled: CompiledModule
    private let object: ObjectSource

    private enum ObjectSource: Sendable {
        case bytes([UInt8])
        case file(String)
    }

    /// Compiles a binary module. Precompiled objects are refused: they
    /// load only through ``deserialize(engine:trustedObject:)``.
    public init(engine: Engine, bytes: [UInt8]) throws {
        self.engine = engine
        if Self.isELF(bytes) { throw ModuleError.invalidWasm(Self.objectRefusal("the bytes")) }
        (compiled, object) = try Self.compile(engine: engine, wasm: bytes)
    }

    private init(engine: Engine, compiled: CompiledModule, object: ObjectSource) {
        self.engine = engine
        self.compiled = compiled
        self.object = object
    }

    /// Compiles a module written in the text format (`.wat`).
    public convenience init(engine: Engine, text: String) throws {
        let bytes: [UInt8]
        do { bytes = try WasmText.assemble(text) } catch { throw ModuleError.invalidText(error.description) }
        try self.init(engine: engine, bytes: bytes)
    }

    /// Loads a precompiled object made by ``serialize()`` or `swasmc`:
    /// native code that runs in this process as it is.
    ///
    /// - Important: Pass only bytes you trust as much as your own program
    ///   (objects you compiled and stored where nobody else can write).
    ///   The loader checks all it can cheaply: the ELF structure, the
    ///   machine and format version, every metadata table against the
    ///   module it describes, and that the code was compiled with this
    ///   engine's settings (else ``ModuleError/settingsMismatch(source:mismatches:)``).
    ///   It cannot check what the machine code does: changed code can do
    ///   anything the process can. ``Engine/Config/verifyObjectChecksums``
    ///   adds a check of the checksum recorded at compile time over the
    ///   code and the metadata, which notices accidental corruption (a
    ///   truncated copy, a flipped bit) but not a deliberate change.
    public static func deserialize(engine: Engine, trustedObject bytes: [UInt8]) throws -> Module {
        guard isELF(bytes) else {
            throw ModuleError.invalidObject(source: "(\(bytes.count) bytes)", reason: LoaderError.notAnELFFile(size: bytes.count).description)
        }
        // The loader maps code from a file: write the bytes to a private
        // temporary one (the mapping outlives the unlinked file).
        let path = NSTemporaryDirectory() + "swasm-\(UUID().uuidString).o"
        try writeAtomically(bytes, to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let compiled = try loadTrusted(engine: engine, path: path, source: "(\(bytes.count) bytes)")
        return Module(engine: engine, compiled: compiled, object: .bytes(bytes))
    }

    /// Loads the precompiled object at `path`, mapping its code from the
    /// file rather than copying it. The same trust as
    /// ``deserialize(engine:trustedObject:)``: the code runs as it is.
    public static func deserialize(engine: Engine, trustedObjectFile path: String) throws -> Module {
        let compiled = try loadTrusted(engine: engine, path: path, source: path)
        return Module(engine: engine, compiled: compiled, object: .file(path))
    }

    /// Compiles a file: a binary module (`.wasm`) or a text module (`.wat`).
    /// Precompiled objects are refused: they load only through
    /// ``deserialize(engine:trustedObjectFile:)``.
    public init(engine: Engine, contentsOfFile path: String) throws {
        self.engine = engine
        // Reading a directory fails with an unrelated errno text, and a FIFO
        // without a writer would block: name what it is instead.
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
            throw ModuleError.io(path: path, reason: status.st_mode & S_IFMT == S_IFDIR
                ? "is a directory, not a file" : "is not a regular file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModuleError.io(path: path, reason: "cannot read the file")
        }
        let bytes = [UInt8](data)
        if Self.isELF(bytes) {
            throw ModuleError.invalidWasm(Self.objectRefusal(path))
        } else if bytes.starts(with: [0x00, 0x61, 0x73, 0x6d]) {
            (compiled, object) = try Self.compile(engine: engine, wasm: bytes)
        } else {
            guard let text = String(bytes: bytes, encoding: .utf8) else {
                throw ModuleError.invalidWasm("\(path) is neither a binary nor a text WebAssembly module")
            }
            let wasm: [UInt8]
            do { wasm = try WasmText.assemble(text) } catch { throw ModuleError.invalidText("\(path): \(error.description)") }
            (compiled, object) = try Self.compile(engine: engine, wasm: wasm)
        }
    }

    /// What the module imports, in import order, with types.
    public var imports: [ImportType] { compiled.imports }
    /// What the module exports, in export order, with types.
    public var exports: [ExportType] { compiled.exports }

    /// The precompiled object (a relocatable ELF file of native code): give
    /// it to ``deserialize(engine:trustedObject:)`` or
    /// ``deserialize(engine:trustedObjectFile:)`` later, with the same swasm
    /// version, engine settings and kind of machine. Store it where only
    /// you can write: loading it again trusts it.
    public func serialize() -> [UInt8] {
        switch object {
        case .bytes(let bytes): return bytes
        case .file(let path): return FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
        }
    }

    /// Writes ``serialize()``'s object to `path`.
    public func write(to path: String) throws {
        try Self.writeAtomically(serialize(), to: path)
    }

    // MARK: Helpers

    static func isELF(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0x7f, 0x45, 0x4c, 0x46]) }

    static func objectRefusal(_ source: String) -> String {
        "\(source): a precompiled swasm object (native code), not a WebAssembly module; "
            + "if you trust it, load it with Module.deserialize(engine:trustedObject:) or (engine:trustedObjectFile:)"
    }

    /// Loads the object at `path` for `engine`: its settings must be the
    /// engine's, and its checksum is verified when the engine asks.
    private static func loadTrusted(engine: Engine, path: String, source: String) throws -> CompiledModule {
        let compiled: CompiledModule
        do {
            compiled = try CompiledModule(image: ObjectImage(path: path), verifyChecksum: engine.config.verifyObjectChecksums)
        } catch {
            throw ModuleError.invalidObject(source: source, reason: "\(error)")
        }
        let mismatches = compiled.settings.mismatches(against: engine.codeSettings)
        guard mismatches.isEmpty else { throw ModuleError.settingsMismatch(source: source, mismatches: mismatches) }
        return compiled
    }

    private static func compile(engine: Engine, wasm: [UInt8]) throws -> (CompiledModule, ObjectSource) {
        var cachePath: String?
        if let directory = engine.config.cacheDirectory {
            let path = (directory as NSString).appendingPathComponent(engine.cacheKey(for: wasm) + ".o")
            cachePath = path
            // Objects this engine wrote; one that fails to load is compiled again.
            if FileManager.default.fileExists(atPath: path),
               let module = try? loadTrusted(engine: engine, path: path, source: path) {
                return (module, .file(path))
            }
        }
        let model: WasmModel.Module
        do { model = try Validator.decodeAndValidate(wasm) } catch { throw ModuleError.invalidWasm(error.description) }
        let object: CompiledObject
        do {
            object = try Compiler.compileObject(model, options: engine.compilerOptions, prefix: "")
        } catch {
            throw ModuleError.compilationFailed("\(error)")
        }
        let compiled: CompiledModule
        do {
            compiled = engine.config.target == .host
                ? try CompiledModule(text: object.code.text, metadata: object.metadata)
                : try CompiledModule(foreignText: object.code.text, metadata: object.metadata)
        } catch {
            throw ModuleError.invalidObject(source: "(just compiled)", reason: "\(error)")
        }
        if let cachePath {
            // A cache that cannot be written is not an error: the module works.
            try? FileManager.default.createDirectory(atPath: (cachePath as NSString).deletingLastPathComponent,
                                                     withIntermediateDirectories: true)
            try? writeAtomically(object.bytes, to: cachePath)
        }
        return (compiled, .bytes(object.bytes))
    }

    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw ModuleError.io(path: path, reason: "cannot write the file")
        }
        if rename(temporary, path) != 0 {
            try? FileManager.default.removeItem(atPath: temporary)
            throw ModuleError.io(path: path, reason: "cannot rename \(temporary) into place")
        }
    }
}
