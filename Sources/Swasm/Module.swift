// Compiled modules: from wasm bytes, text, or a precompiled swasm object.
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
    /// A file could not be read or written.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidWasm(let reason): return "invalid WebAssembly module: \(reason)"
        case .invalidText(let reason): return "invalid WebAssembly text: \(reason)"
        case .compilationFailed(let reason): return "compilation failed: \(reason)"
        case .invalidObject(let source, let reason): return "cannot load precompiled module \(source): \(reason)"
        case .io(let path, let reason): return "\(path): \(reason)"
        }
    }
}

/// A compiled WebAssembly module: immutable, `Sendable`, instantiable any
/// number of times in any number of ``Store``s, from any thread.
///
/// ```swift
/// let module = try Module(engine: engine, text: #"(module (func (export "f")))"#)
/// let bytes = module.serialize()          // a swasm ELF object
/// let again = try Module(engine: engine, serialized: bytes)
/// ```
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

    /// Compiles a binary module, or loads `bytes` as a precompiled swasm
    /// object when they start with the ELF magic number.
    public init(engine: Engine, bytes: [UInt8]) throws {
        self.engine = engine
        if Self.isELF(bytes) {
            compiled = try Self.loadObject(bytes: bytes)
            object = .bytes(bytes)
            return
        }
        (compiled, object) = try Self.compile(engine: engine, wasm: bytes)
    }

    /// Compiles a module written in the text format (`.wat`).
    public convenience init(engine: Engine, text: String) throws {
        let bytes: [UInt8]
        do { bytes = try WasmText.assemble(text) } catch { throw ModuleError.invalidText(error.description) }
        try self.init(engine: engine, bytes: bytes)
    }

    /// Loads a precompiled object made by ``serialize()`` (or `swasmc`).
    /// The object is checked (machine, format version, every section and
    /// length) before anything runs; a bad one throws
    /// ``ModuleError/invalidObject(source:reason:)``.
    public convenience init(engine: Engine, serialized bytes: [UInt8]) throws {
        guard Self.isELF(bytes) else {
            throw ModuleError.invalidObject(source: "(bytes)", reason: LoaderError.notAnELFFile(size: bytes.count).description)
        }
        try self.init(engine: engine, bytes: bytes)
    }

    /// Loads a file: a binary module (`.wasm`), a text module (`.wat`), or a
    /// precompiled swasm object (recognized by its ELF magic), whose code is
    /// mapped from the file with mmap rather than copied.
    public init(engine: Engine, contentsOfFile path: String) throws {
        self.engine = engine
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModuleError.io(path: path, reason: "cannot read the file")
        }
        let bytes = [UInt8](data)
        if Self.isELF(bytes) {
            do {
                compiled = try CompiledModule(image: ObjectImage(path: path))
            } catch {
                throw ModuleError.invalidObject(source: path, reason: "\(error)")
            }
            object = .file(path)
        } else if bytes.starts(with: [0x00, 0x61, 0x73, 0x6d]) {
            (compiled, object) = try Self.compile(engine: engine, wasm: bytes)
        } else {
            guard let text = String(bytes: bytes, encoding: .utf8) else {
                throw ModuleError.invalidWasm("\(path) is neither a binary module, a text module nor a swasm object")
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

    /// The precompiled object (a relocatable ELF file): give it to
    /// ``init(engine:serialized:)`` or ``init(engine:contentsOfFile:)`` later,
    /// with the same swasm version on the same kind of machine.
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

    private static func compile(engine: Engine, wasm: [UInt8]) throws -> (CompiledModule, ObjectSource) {
        var cachePath: String?
        if let directory = engine.config.cacheDirectory {
            let path = (directory as NSString).appendingPathComponent(engine.cacheKey(for: wasm) + ".o")
            cachePath = path
            if FileManager.default.fileExists(atPath: path),
               let module = try? CompiledModule(image: ObjectImage(path: path)) {
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
            compiled = try CompiledModule(text: object.code.text, metadata: object.metadata)
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

    /// Loads object bytes by writing them to a private temporary file that
    /// the loader maps (the mapping outlives the unlinked file).
    private static func loadObject(bytes: [UInt8]) throws -> CompiledModule {
        let path = NSTemporaryDirectory() + "swasm-\(UUID().uuidString).o"
        try writeAtomically(bytes, to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            return try CompiledModule(image: ObjectImage(path: path))
        } catch {
            throw ModuleError.invalidObject(source: "(\(bytes.count) bytes)", reason: "\(error)")
        }
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
