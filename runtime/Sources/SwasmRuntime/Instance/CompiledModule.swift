// Compiled code ready to instantiate: the mapped `.text`, its metadata read
// in place and the decoded module skeleton, with the code registered for
// trap handling. Nothing here costs time in proportion to the code: the
// tables are used where they lie, and names are decoded on first use.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CSwasmRuntime
import SwasmABI
import Synchronization
import WasmModel

/// What a module imports, in import order.
public struct ImportDescription: Sendable, Hashable {
    public var module: String
    public var name: String
    public var type: ExternType
}

/// What a module exports, in export order.
public struct ExportDescription: Sendable, Hashable {
    public var name: String
    public var type: ExternType
}

/// Why compiled code could not be turned into a `CompiledModule`.
public struct CompiledModuleError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A compiled module: immutable, shareable between threads, instantiable any
/// number of times. Its code stays mapped and registered as long as this
/// object lives; every instance (and every `Function` of one) keeps it alive.
public final class CompiledModule: @unchecked Sendable {
    /// The module without code, data contents or names.
    public let module: WasmModel.Module
    public let metadata: MetadataView
    /// Start of the code; metadata offsets are relative to it.
    public let textBase: UnsafeRawPointer
    public let imports: [ImportDescription]
    public let exports: [ExportDescription]
    /// Canonical signature id of each type index.
    public let signatureIDs: [UInt64]
    /// Imported functions come first in the function index space.
    public let importedFunctionCount: Int

    private let image: ObjectImage?
    private let mapping: (base: UnsafeMutableRawPointer, size: Int)?
    /// Metadata bytes this module owns (in-process compilation).
    private let ownedMetadata: UnsafeMutableRawBufferPointer?
    private var registration: CodeRegistration?
    private let lazyNames: LazyNames

    /// A module loaded from a swasm object (code mapped by the loader).
    ///
    /// The metadata is checked completely; the code cannot be, and runs as
    /// it is: load only objects you trust (your own `swasmc`'s output).
    /// `verifyChecksum` also checks the checksum recorded at compile time
    /// over the code and the metadata (O(code size)), which notices an
    /// object changed since, by accident, not by intent.
    public convenience init(image: ObjectImage, verifyChecksum: Bool = false) throws {
        let metadata = try MetadataView.decode(image.metadata)
        guard let base = image.text.baseAddress ?? (metadata.textSize == 0 ? UnsafeRawPointer(bitPattern: 0x1000) : nil) else {
            throw CompiledModuleError("object has no code")
        }
        guard image.text.count == Int(metadata.textSize) else {
            throw CompiledModuleError(".text is \(image.text.count) bytes, metadata says \(metadata.textSize)")
        }
        if verifyChecksum { try metadata.verifyChecksum(text: image.text) }
        try self.init(metadata: metadata, textBase: base, image: image, mapping: nil, ownedMetadata: nil)
    }

    /// A module compiled in-process: `text` is copied into a fresh
    /// read+execute mapping.
    public convenience init(text: [UInt8], metadata bytes: [UInt8]) throws {
        let owned = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { owned.copyMemory(from: $0) }
        let metadata: MetadataView
        do {
            metadata = try MetadataView.decode(UnsafeRawBufferPointer(rebasing: owned[0..<bytes.count]))
        } catch {
            owned.deallocate()
            throw error
        }
        guard metadata.machine == ObjectImage.hostMachine else {
            owned.deallocate()
            throw CompiledModuleError("code is for \(ObjectImage.machineName(metadata.machine)), this host is \(ObjectImage.machineName(ObjectImage.hostMachine))")
        }
        guard text.count == Int(metadata.textSize) else {
            owned.deallocate()
            throw CompiledModuleError("code is \(text.count) bytes, metadata says \(metadata.textSize)")
        }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let size = max(1, (text.count + pageSize - 1) / pageSize) * pageSize
        guard let base = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), base != MAP_FAILED else {
            owned.deallocate()
            throw CompiledModuleError("cannot map \(size) bytes for code (errno \(errno))")
        }
        text.withUnsafeBytes { if let source = $0.baseAddress { base.copyMemory(from: source, byteCount: $0.count) } }
        guard mprotect(base, size, PROT_READ | PROT_EXEC) == 0 else {
            let code = errno
            munmap(base, size)
            owned.deallocate()
            throw CompiledModuleError("cannot make code executable (errno \(code))")
        }
        do {
            try self.init(metadata: metadata, textBase: UnsafeRawPointer(base), image: nil, mapping: (base, size),
                          ownedMetadata: owned)
        } catch {
            // init(metadata:) failed before taking ownership of the mapping.
            munmap(base, size)
            owned.deallocate()
            throw error
        }
    }

    /// A module compiled in-process for another machine (a cross-compiling
    /// engine): its interface is decoded and checked, its code is neither
    /// mapped nor registered, and instantiating it throws. It exists to be
    /// serialized and loaded on its machine.
    public convenience init(foreignText text: [UInt8], metadata bytes: [UInt8]) throws {
        let owned = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { owned.copyMemory(from: $0) }
        do {
            let metadata = try MetadataView.decode(UnsafeRawBufferPointer(rebasing: owned[0..<bytes.count]))
            guard text.count == Int(metadata.textSize) else {
                throw CompiledModuleError("code is \(text.count) bytes, metadata says \(metadata.textSize)")
            }
            // Never dereferenced: foreign code is not run, nor walked.
            try self.init(metadata: metadata, textBase: UnsafeRawPointer(bitPattern: 0x1000)!, image: nil, mapping: nil,
                          ownedMetadata: owned, foreign: true)
        } catch {
            owned.deallocate()
            throw error
        }
    }

    /// Whether the code is for this machine (else it cannot be instantiated).
    public var runsHere: Bool { metadata.machine == ObjectImage.hostMachine }

    init(metadata: MetadataView, textBase: UnsafeRawPointer, image: ObjectImage?,
         mapping: (base: UnsafeMutableRawPointer, size: Int)?, ownedMetadata: UnsafeMutableRawBufferPointer?,
         foreign: Bool = false) throws {
        // The code runs here, whatever the ELF header said.
        guard foreign || metadata.machine == ObjectImage.hostMachine else {
            throw CompiledModuleError("the metadata says the code is for \(ObjectImage.machineName(metadata.machine)), this host is \(ObjectImage.machineName(ObjectImage.hostMachine))")
        }
        let missing = metadata.requiredCPUFeatures.subtracting(CPUFeatures(rawValue: swasm_host_cpu_features()))
        guard foreign || missing.isEmpty else {
            throw CompiledModuleError("the code needs CPU features this machine lacks: \(missing.names(machine: metadata.machine).joined(separator: ", "))")
        }
        let module = try Decoder.decode(Array(metadata.module))
        try MetadataValidation.check(metadata, module: module)
        let lazyNames = LazyNames(metadata.names)
        let importedFunctionCount = module.importedFunctionCount
        if !foreign { CodeExecutor.installSignalHandlers() }
        var registration: CodeRegistration? = nil
        if metadata.textSize > 0 && !foreign {
            // Without the frame chain, a walk could not start in this code.
            let frames = metadata.flags.contains(.framePointers) ? Self.frameResolver(metadata: metadata, textBase: textBase,
                                                                                     imported: importedFunctionCount) : nil
            registration = try CodeRegistration(start: textBase, length: Int(metadata.textSize), trapTable: metadata.trapSites,
                                                functionName: { lazyNames.functionName($0) }, frames: frames)
        }

        self.module = module
        self.importedFunctionCount = importedFunctionCount
        self.metadata = metadata
        self.textBase = textBase
        self.image = image
        self.mapping = mapping
        self.ownedMetadata = ownedMetadata
        self.registration = registration
        self.lazyNames = lazyNames
        signatureIDs = module.types.map(SignatureRegistry.id(of:))
        let functionTypes = module.allFunctionTypeIndices.map { module.types[Int($0)] }
        let globalTypes = module.allGlobalTypes
        let tables = module.allTables
        let memories = module.allMemories
        imports = module.imports.map { entry in
            let type: ExternType
            switch entry.descriptor {
            case .function(let index): type = .function(module.types[Int(index)])
            case .table(let t): type = .table(t)
            case .memory(let m): type = .memory(m)
            case .global(let g): type = .global(g)
            }
            return ImportDescription(module: entry.module, name: entry.name, type: type)
        }
        exports = module.exports.map { entry in
            let index = Int(entry.index)
            let type: ExternType
            switch entry.kind {
            case .function: type = .function(functionTypes[index])
            case .table: type = .table(tables[index])
            case .memory: type = .memory(memories[index])
            case .global: type = .global(globalTypes[index])
            }
            return ExportDescription(name: entry.name, type: type)
        }
    }

    /// Resolves code addresses through the metadata (the registration lives
    /// no longer than this module, whose metadata it reads).
    private static func frameResolver(metadata: MetadataView, textBase: UnsafeRawPointer, imported: Int) -> FrameResolver {
        let base = UInt(bitPattern: textBase)
        let size = UInt(metadata.textSize)
        @Sendable func offset(_ address: UnsafeRawPointer) -> UInt32? {
            let value = UInt(bitPattern: address) &- base
            return value < size ? UInt32(value) : nil
        }
        return FrameResolver(
            function: { address in
                guard let at = offset(address), let defined = metadata.definedFunction(containing: at) else { return nil }
                return UInt32(imported + defined)
            },
            callSite: { address in offset(address).flatMap { metadata.callSiteWasmOffset(returnOffset: $0) } })
    }

    deinit {
        registration = nil
        if let mapping { munmap(mapping.base, mapping.size) }
        ownedMetadata?.deallocate()
    }

    /// The name-section name of function `index`, if it has one.
    public func functionName(_ index: UInt32) -> String? { lazyNames.functionName(index) }

    /// The contents of data segment `index`, inside the metadata.
    public func dataSegment(_ index: Int) -> UnsafeRawBufferPointer { metadata.dataSegment(index) }

    /// The settings the code was compiled with.
    public var settings: CodeSettings { metadata.settings }

    /// Whether the code checks memory accesses itself (no guard region needed).
    public var usesExplicitBoundsChecks: Bool { metadata.settings.boundsChecks == .explicit }

    /// The array-call trampoline for type `index`, if the compiler emitted one.
    /// The trampoline through which this module's code calls a host
    /// closure of type `index`.
    public func hostCallTrampoline(forType index: Int) -> UnsafeRawPointer? {
        guard index >= 0, index < metadata.hostCallOffsets.count else { return nil }
        let offset = metadata.hostCallOffsets[index]
        guard offset != ModuleMetadata.noTrampoline else { return nil }
        return textBase + Int(offset)
    }

    public func trampoline(forType index: Int) -> UnsafeRawPointer? {
        guard index >= 0, index < metadata.trampolineOffsets.count else { return nil }
        let offset = metadata.trampolineOffsets[index]
        guard offset != ModuleMetadata.noTrampoline else { return nil }
        return textBase + Int(offset)
    }

    /// The code of defined function `index` (counting imports), nil for imports.
    public func code(ofFunction index: Int) -> UnsafeRawPointer? {
        let defined = index - importedFunctionCount
        guard defined >= 0, defined < metadata.functionOffsets.count else { return nil }
        return textBase + Int(metadata.functionOffsets[defined])
    }
}

/// A module's names, decoded once from the metadata's `names` table when
/// first asked for: a trap report needs them, loading does not.
final class LazyNames: @unchecked Sendable {
    private let bytes: UnsafeRawBufferPointer
    private let decoded = Mutex<NameSection?>(nil)

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var names: NameSection {
        decoded.withLock { cached in
            if let cached { return cached }
            let names = Decoder.decodeNameSection(bytes) ?? NameSection()
            cached = names
            return names
        }
    }

    func functionName(_ index: UInt32) -> String? {
        guard !bytes.isEmpty else { return nil }
        return names.functionNames[index]
    }
}
