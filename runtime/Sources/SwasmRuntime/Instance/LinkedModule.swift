// Modules linked into the program: a `swasmc` object given to the system
// linker together with the host (`cc host.c module.o ...`). The code is
// already mapped (it is part of the executable's text segment) and the
// metadata is read from the `PREFIX_swasm_module_metadata` symbol; nothing is
// mapped or copied, the code range is only registered for trap handling.
import SwasmABI
import WasmModel
import Synchronization

extension CompiledModule {
    /// Modules made from linked code, by text address. Linked code lives as
    /// long as the process and a code range can be registered only once, so
    /// every load of the same code returns the same `CompiledModule`.
    private static let linkedModules = Mutex<[UInt: CompiledModule]>([:])

    /// The module whose code the linker placed at `linkedText` (the
    /// `PREFIX_swasm_text` symbol), described by the metadata bytes behind
    /// `PREFIX_swasm_module_metadata`. The code must stay mapped for the life
    /// of the process (it does when it is part of the executable or of a
    /// shared library that is never unloaded). Loading the same code twice
    /// returns the same object.
    public static func linked(text linkedText: UnsafeRawPointer, metadata bytes: UnsafeRawBufferPointer) throws -> CompiledModule {
        let key = UInt(bitPattern: linkedText)
        return try linkedModules.withLock { modules in
            if let module = modules[key] { return module }
            let metadata = try MetadataView.decode(bytes)
            guard metadata.machine == ObjectImage.hostMachine else {
                throw CompiledModuleError("code is for \(ObjectImage.machineName(metadata.machine)), this host is \(ObjectImage.machineName(ObjectImage.hostMachine))")
            }
            let module = try CompiledModule(metadata: metadata, textBase: linkedText, image: nil, mapping: nil, ownedMetadata: nil)
            modules[key] = module
            return module
        }
    }
}

extension Function {
    /// A host function compiled code calls directly: `code` has the native
    /// signature of `type` (docs/abi.md) and receives `context` as its first
    /// argument, where wasm functions receive their VM context. The host
    /// cannot call it through `call` (there is no array-call trampoline)
    /// unless it has no results. Used by the C API (`swasm_func_new_native`).
    public static func native(code: UnsafeRawPointer, context: UnsafeMutableRawPointer?, type: FunctionType) -> Function {
        let storage = FunctionRecordStorage(code: code, vmctx: context, signatureID: SignatureRegistry.id(of: type))
        return Function(reference: storage.record, type: type, trampoline: nil, owner: storage)
    }
}
