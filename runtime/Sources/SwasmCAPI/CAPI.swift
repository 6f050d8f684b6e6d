// The C API (runtime/Sources/CSwasmCAPI/include/swasm.h), implemented over
// SwasmRuntime. Handles are unmanaged references to the boxes below. No
// function lets a Swift error escape or stops the process: every failure is
// recorded with swasm_capi_set_trap and reported through the result.
import CSwasmCAPI
import SwasmABI
import SwasmRuntime
import Synchronization
import WasmModel

// MARK: - Handles

final class ModuleBox {
    let module: CompiledModule
    /// NUL-terminated copies of the names, alive as long as the box.
    let importModules: [UnsafeMutablePointer<CChar>]
    let importNames: [UnsafeMutablePointer<CChar>]
    let exportNames: [UnsafeMutablePointer<CChar>]

    init(_ module: CompiledModule) {
        self.module = module
        importModules = module.imports.map { copyCString($0.module) }
        importNames = module.imports.map { copyCString($0.name) }
        exportNames = module.exports.map { copyCString($0.name) }
    }

    deinit {
        (importModules + importNames + exportNames).forEach { $0.deallocate() }
    }

    /// Boxes of loaded linked modules, by text address (kept for the life of
    /// the process, like the code).
    static let loaded = Mutex<[UInt: ModuleBox]>([:])
}

final class ExternBox {
    let value: ExternValue
    /// True for exports, owned by their instance (swasm_extern_delete ignores them).
    let ownedByInstance: Bool
    init(_ value: ExternValue, ownedByInstance: Bool) {
        self.value = value
        self.ownedByInstance = ownedByInstance
    }
}

final class InstanceBox {
    let instance: Instance
    let module: ModuleBox
    /// The fuel and epoch deadline code compiled with them draws on: each
    /// C instance has its own (the C API has no stores).
    let limits: ExecutionLimits
    /// Exports by index, created on first use.
    var exports: [ExternBox?]
    let indexByName: [[UInt8]: Int]

    init(_ instance: Instance, module: ModuleBox, limits: ExecutionLimits) {
        self.instance = instance
        self.module = module
        self.limits = limits
        exports = Array(repeating: nil, count: instance.module.module.exports.count)
        var names: [[UInt8]: Int] = [:]
        for (index, entry) in instance.module.module.exports.enumerated() { names[Array(entry.name.utf8)] = index }
        indexByName = names
    }

    func export(at index: Int) -> ExternBox? {
        guard index >= 0, index < exports.count else { return nil }
        if let box = exports[index] { return box }
        guard let value = instance.export(named: instance.module.module.exports[index].name) else { return nil }
        let box = ExternBox(value, ownedByInstance: true)
        exports[index] = box
        return box
    }
}

func copyCString(_ string: String) -> UnsafeMutablePointer<CChar> {
    let utf8 = Array(string.utf8CString)
    let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count)
    pointer.initialize(from: utf8, count: utf8.count)
    return pointer
}

func bytes(_ cString: UnsafePointer<CChar>) -> [UInt8] {
    let length = strlenSwift(cString)
    return UnsafeRawBufferPointer(start: cString, count: length).map { $0 }
}

func strlenSwift(_ s: UnsafePointer<CChar>) -> Int {
    var n = 0
    while s[n] != 0 { n += 1 }
    return n
}

func moduleBox(_ handle: OpaquePointer?) -> ModuleBox? {
    guard let handle else { return nil }
    return Unmanaged<ModuleBox>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
}

func instanceBox(_ handle: OpaquePointer?) -> InstanceBox? {
    guard let handle else { return nil }
    return Unmanaged<InstanceBox>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
}

func externBox(_ handle: OpaquePointer?) -> ExternBox? {
    guard let handle else { return nil }
    return Unmanaged<ExternBox>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
}

func handle(_ object: AnyObject) -> OpaquePointer {
    OpaquePointer(Unmanaged.passUnretained(object).toOpaque())
}

// MARK: - Errors

let unknownLocation = UInt32(SWASM_UNKNOWN_LOCATION)

@discardableResult
func fail(_ code: swasm_trap_code, _ message: String, function: UInt32 = unknownLocation, offset: UInt32 = unknownLocation) -> swasm_trap_code {
    message.withCString { swasm_capi_set_trap(code, function, offset, $0) }
}

/// Records `error` and returns its code.
@discardableResult
func fail(_ error: any Error) -> swasm_trap_code {
    switch error {
    case let trap as Trap:
        let code = fail(swasm_trap_code(rawValue: trap.code.rawValue), trap.summary,
                        function: trap.functionIndex ?? unknownLocation,
                        offset: trap.bytecodeOffset.map { UInt32(truncatingIfNeeded: $0) } ?? unknownLocation)
        let frames = trap.backtrace.flatMap { frame in
            [frame.functionIndex, frame.bytecodeOffset.map { UInt32(truncatingIfNeeded: $0) } ?? unknownLocation]
        }
        swasm_capi_set_frames(frames, trap.backtrace.count)
        return code
    case let error as LinkError:
        return fail(SWASM_ERROR_LINK, error.description)
    case let error as InstanceError:
        if case .unsupported = error { return fail(SWASM_ERROR_UNSUPPORTED, error.description) }
        return fail(SWASM_ERROR_INVALID_ARGUMENT, error.description)
    case let error as MemoryError:
        return fail(SWASM_ERROR_RESOURCES, error.description)
    default:
        return fail(SWASM_ERROR_BAD_MODULE, "\(error)")
    }
}

func kindCode(_ kind: ExternalKind) -> swasm_extern_kind {
    swasm_extern_kind(rawValue: UInt32(kind.rawValue))
}

// MARK: - Modules

@_cdecl("swasm_module_load")
func capiModuleLoad(_ descriptor: UnsafePointer<swasm_module_descriptor>?) -> OpaquePointer? {
    guard let descriptor, let metadata = descriptor.pointee.metadata, let text = descriptor.pointee.text else {
        fail(SWASM_ERROR_INVALID_ARGUMENT, "swasm_module_load: NULL descriptor, metadata or text")
        return nil
    }
    do {
        let module = try CompiledModule.linked(
            text: text, metadata: UnsafeRawBufferPointer(start: metadata, count: descriptor.pointee.metadata_size))
        let box = ModuleBox.loaded.withLock { boxes in
            let key = UInt(bitPattern: module.textBase)
            if let box = boxes[key] { return box }
            let box = ModuleBox(module)
            boxes[key] = box
            return box
        }
        return handle(box)
    } catch {
        fail(SWASM_ERROR_BAD_MODULE, "cannot load the module: \(error)")
        return nil
    }
}

@_cdecl("swasm_module_import_count")
func capiModuleImportCount(_ module: OpaquePointer?) -> Int { moduleBox(module)?.module.imports.count ?? 0 }

@_cdecl("swasm_module_import_module")
func capiModuleImportModule(_ module: OpaquePointer?, _ index: Int) -> UnsafePointer<CChar>? {
    guard let box = moduleBox(module), box.importModules.indices.contains(index) else { return nil }
    return UnsafePointer(box.importModules[index])
}

@_cdecl("swasm_module_import_name")
func capiModuleImportName(_ module: OpaquePointer?, _ index: Int) -> UnsafePointer<CChar>? {
    guard let box = moduleBox(module), box.importNames.indices.contains(index) else { return nil }
    return UnsafePointer(box.importNames[index])
}

@_cdecl("swasm_module_import_kind")
func capiModuleImportKind(_ module: OpaquePointer?, _ index: Int) -> swasm_extern_kind {
    guard let box = moduleBox(module), box.module.imports.indices.contains(index) else { return SWASM_EXTERN_FUNC }
    return kindCode(box.module.imports[index].type.kind)
}

@_cdecl("swasm_module_export_count")
func capiModuleExportCount(_ module: OpaquePointer?) -> Int { moduleBox(module)?.module.exports.count ?? 0 }

@_cdecl("swasm_module_export_name")
func capiModuleExportName(_ module: OpaquePointer?, _ index: Int) -> UnsafePointer<CChar>? {
    guard let box = moduleBox(module), box.exportNames.indices.contains(index) else { return nil }
    return UnsafePointer(box.exportNames[index])
}

@_cdecl("swasm_module_export_kind")
func capiModuleExportKind(_ module: OpaquePointer?, _ index: Int) -> swasm_extern_kind {
    guard let box = moduleBox(module), box.module.exports.indices.contains(index) else { return SWASM_EXTERN_FUNC }
    return kindCode(box.module.exports[index].type.kind)
}

// MARK: - Externs

@_cdecl("swasm_extern_kind_of")
func capiExternKind(_ value: OpaquePointer?) -> swasm_extern_kind {
    guard let box = externBox(value) else { return SWASM_EXTERN_FUNC }
    return kindCode(box.value.type.kind)
}

@_cdecl("swasm_memory_new")
func capiMemoryNew(_ minimum: UInt32, _ maximum: Int64) -> OpaquePointer? {
    do {
        let type = MemoryType(limits: Limits(min: UInt64(minimum), max: maximum < 0 ? nil : UInt64(maximum)))
        let box = ExternBox(.memory(try Memory(type: type)), ownedByInstance: false)
        return OpaquePointer(Unmanaged.passRetained(box).toOpaque())
    } catch {
        fail(error)
        return nil
    }
}

@_cdecl("swasm_global_new")
func capiGlobalNew(_ type: swasm_valtype, _ isMutable: Int32, _ bits: UInt64) -> OpaquePointer? {
    guard let valueType = ValueType(rawValue: UInt8(truncatingIfNeeded: type.rawValue)), let value = Value(bits: bits, type: valueType) else {
        fail(SWASM_ERROR_INVALID_ARGUMENT, "swasm_global_new: unsupported value type 0x\(String(type.rawValue, radix: 16))")
        return nil
    }
    do {
        let global = try Global(type: GlobalType(valueType: valueType, isMutable: isMutable != 0), value: value)
        return OpaquePointer(Unmanaged.passRetained(ExternBox(.global(global), ownedByInstance: false)).toOpaque())
    } catch {
        fail(error)
        return nil
    }
}

func valueTypes(_ spelling: UnsafePointer<CChar>?) -> [ValueType]? {
    guard let spelling else { return [] }
    var types: [ValueType] = []
    for byte in bytes(spelling) {
        switch byte {
        case UInt8(ascii: "i"): types.append(.i32)
        case UInt8(ascii: "I"): types.append(.i64)
        case UInt8(ascii: "f"): types.append(.f32)
        case UInt8(ascii: "F"): types.append(.f64)
        case UInt8(ascii: "r"): types.append(.funcref)
        case UInt8(ascii: "x"): types.append(.externref)
        default: return nil
        }
    }
    return types
}

@_cdecl("swasm_func_new_native")
func capiFuncNewNative(_ params: UnsafePointer<CChar>?, _ results: UnsafePointer<CChar>?,
                       _ code: UnsafeRawPointer?, _ env: UnsafeMutableRawPointer?) -> OpaquePointer? {
    guard let code else {
        fail(SWASM_ERROR_INVALID_ARGUMENT, "swasm_func_new_native: NULL code")
        return nil
    }
    guard let parameters = valueTypes(params), let resultTypes = valueTypes(results), resultTypes.count <= 1 else {
        fail(SWASM_ERROR_INVALID_ARGUMENT, "swasm_func_new_native: bad type spelling (letters i I f F r x, at most one result)")
        return nil
    }
    let function = Function.native(code: code, context: env, type: FunctionType(parameters: parameters, results: resultTypes))
    return OpaquePointer(Unmanaged.passRetained(ExternBox(.function(function), ownedByInstance: false)).toOpaque())
}

@_cdecl("swasm_extern_delete")
func capiExternDelete(_ value: OpaquePointer?) {
    guard let value, let box = externBox(value), !box.ownedByInstance else { return }
    Unmanaged<ExternBox>.fromOpaque(UnsafeRawPointer(value)).release()
}

@_cdecl("swasm_memory_data")
func capiMemoryData(_ value: OpaquePointer?) -> UnsafeMutablePointer<UInt8>? {
    externBox(value)?.value.memory?.base.assumingMemoryBound(to: UInt8.self)
}

@_cdecl("swasm_memory_size")
func capiMemorySize(_ value: OpaquePointer?) -> Int { externBox(value)?.value.memory?.byteCount ?? 0 }

@_cdecl("swasm_memory_pages")
func capiMemoryPages(_ value: OpaquePointer?) -> UInt64 { externBox(value)?.value.memory?.pageCount ?? 0 }

@_cdecl("swasm_memory_grow")
func capiMemoryGrow(_ value: OpaquePointer?, _ pages: UInt64) -> Int64 {
    guard let memory = externBox(value)?.value.memory else {
        fail(SWASM_ERROR_INVALID_ARGUMENT, "swasm_memory_grow: not a memory")
        return -1
    }
    return memory.grow(by: pages).map { Int64($0) } ?? -1
}

@_cdecl("swasm_global_type")
func capiGlobalType(_ value: OpaquePointer?) -> swasm_valtype {
    swasm_valtype(rawValue: UInt32(externBox(value)?.value.global?.type.valueType.rawValue ?? 0))
}

@_cdecl("swasm_global_is_mutable")
func capiGlobalIsMutable(_ value: OpaquePointer?) -> Int32 { externBox(value)?.value.global?.type.isMutable == true ? 1 : 0 }

@_cdecl("swasm_global_get")
func capiGlobalGet(_ value: OpaquePointer?, _ bits: UnsafeMutablePointer<UInt64>?) -> swasm_trap_code {
    guard let global = externBox(value)?.value.global, let bits else {
        return fail(SWASM_ERROR_INVALID_ARGUMENT, "swasm_global_get: not a global, or NULL result")
    }
    bits.pointee = global.rawBits.low
    return SWASM_OK
}

@_cdecl("swasm_global_set")
func capiGlobalSet(_ value: OpaquePointer?, _ bits: UInt64) -> swasm_trap_code {
    guard let global = externBox(value)?.value.global else {
        return fail(SWASM_ERROR_INVALID_ARGUMENT, "swasm_global_set: not a global")
    }
    guard let newValue = Value(bits: bits, type: global.type.valueType) else {
        return fail(SWASM_ERROR_UNSUPPORTED, "swasm_global_set: v128 globals cannot be set through the C API")
    }
    do {
        try global.set(newValue)
        return SWASM_OK
    } catch {
        return fail(error)
    }
}

@_cdecl("swasm_func_param_count")
func capiFuncParamCount(_ value: OpaquePointer?) -> Int { externBox(value)?.value.function?.type.parameters.count ?? 0 }

@_cdecl("swasm_func_result_count")
func capiFuncResultCount(_ value: OpaquePointer?) -> Int { externBox(value)?.value.function?.type.results.count ?? 0 }

@_cdecl("swasm_func_param_type")
func capiFuncParamType(_ value: OpaquePointer?, _ index: Int) -> swasm_valtype {
    guard let types = externBox(value)?.value.function?.type.parameters, types.indices.contains(index) else { return swasm_valtype(0) }
    return swasm_valtype(rawValue: UInt32(types[index].rawValue))
}

@_cdecl("swasm_func_result_type")
func capiFuncResultType(_ value: OpaquePointer?, _ index: Int) -> swasm_valtype {
    guard let types = externBox(value)?.value.function?.type.results, types.indices.contains(index) else { return swasm_valtype(0) }
    return swasm_valtype(rawValue: UInt32(types[index].rawValue))
}

/// Calls `function` through its array-call trampoline with the caller's slots.
func call(_ function: Function, _ slots: UnsafeMutablePointer<UInt64>?, _ count: Int) -> swasm_trap_code {
    let type = function.type
    let needed = max(type.parameters.count, type.results.count)
    guard count >= needed, needed == 0 || slots != nil else {
        return fail(SWASM_ERROR_INVALID_ARGUMENT,
                    "call of \(type): \(needed) slots needed (max of parameters and results), \(count) given")
    }
    guard !type.parameters.contains(.v128), !type.results.contains(.v128) else {
        return fail(SWASM_ERROR_UNSUPPORTED, "call of \(type): v128 values cannot cross the C API")
    }
    guard let trampoline = function.trampoline else {
        if type.results.isEmpty { return SWASM_OK }
        return fail(SWASM_ERROR_UNSUPPORTED, "function of type \(type) has no array-call trampoline (a host function)")
    }
    return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: needed + 1) { frame in
        frame[0] = UInt64(UInt(bitPattern: function.code))
        for index in 0..<needed { frame[index + 1] = index < type.parameters.count ? slots![index] : 0 }
        do {
            try withExtendedLifetime(function) {
                try CodeExecutor.enterWasm(trampoline: trampoline, vmctx: function.vmctx, arguments: frame.baseAddress!)
            }
        } catch {
            return fail(error)
        }
        for index in 0..<type.results.count { slots![index] = frame[index + 1] }
        return SWASM_OK
    }
}

@_cdecl("swasm_func_call")
func capiFuncCall(_ value: OpaquePointer?, _ slots: UnsafeMutablePointer<UInt64>?, _ count: Int) -> swasm_trap_code {
    guard let function = externBox(value)?.value.function else {
        return fail(SWASM_ERROR_INVALID_ARGUMENT, "swasm_func_call: not a function")
    }
    return call(function, slots, count)
}

// MARK: - Instances

@_cdecl("swasm_instantiate")
func capiInstantiate(_ module: OpaquePointer?, _ imports: UnsafePointer<swasm_import>?, _ count: Int) -> OpaquePointer? {
    guard let box = moduleBox(module) else {
        fail(SWASM_ERROR_INVALID_ARGUMENT, "swasm_instantiate: NULL module")
        return nil
    }
    // Match the given imports to the module's by name.
    var given: [[UInt8]: ExternValue] = [:]
    for index in 0..<max(count, 0) {
        guard let entry = imports?[index], let moduleName = entry.module, let name = entry.name,
              let value = externBox(entry.value) else {
            fail(SWASM_ERROR_INVALID_ARGUMENT, "swasm_instantiate: import \(index) has a NULL module, name or value")
            return nil
        }
        given[bytes(moduleName) + [0] + bytes(name)] = value.value
    }
    var values: [ExternValue] = []
    for declared in box.module.imports {
        guard let value = given[Array(declared.module.utf8) + [0] + Array(declared.name.utf8)] else {
            fail(SWASM_ERROR_LINK, "unknown import \"\(declared.module)\" \"\(declared.name)\": expected \(declared.type), none given")
            return nil
        }
        values.append(value)
    }
    do {
        // Unlimited until the host sets fuel or a deadline, as before the
        // C API could set them.
        let limits = ExecutionLimits(epochCounter: processEpoch)
        let instance = try Instance(module: box.module, imports: values, limits: limits)
        return OpaquePointer(Unmanaged.passRetained(InstanceBox(instance, module: box, limits: limits)).toOpaque())
    } catch {
        fail(error)
        return nil
    }
}

// MARK: - Fuel and epoch deadlines

/// The epoch every C instance's deadline is measured against.
let processEpoch = EpochCounter()

@_cdecl("swasm_instance_set_fuel")
func capiInstanceSetFuel(_ handle: OpaquePointer?, _ fuel: UInt64) -> swasm_trap_code {
    guard let box = instanceBox(handle) else {
        return fail(SWASM_ERROR_INVALID_ARGUMENT, "swasm_instance_set_fuel: NULL instance")
    }
    guard box.instance.module.settings.consumeFuel else {
        return fail(SWASM_ERROR_INVALID_ARGUMENT, "swasm_instance_set_fuel: the module was not compiled with fuel (swasmc --consume-fuel)")
    }
    box.limits.fuel = Int64(clamping: fuel)
    return SWASM_OK
}

@_cdecl("swasm_instance_get_fuel")
func capiInstanceGetFuel(_ handle: OpaquePointer?, _ fuel: UnsafeMutablePointer<UInt64>?) -> swasm_trap_code {
    guard let box = instanceBox(handle), let fuel else {
        return fail(SWASM_ERROR_INVALID_ARGUMENT, "swasm_instance_get_fuel: NULL instance or result")
    }
    guard box.instance.module.settings.consumeFuel else {
        return fail(SWASM_ERROR_INVALID_ARGUMENT, "swasm_instance_get_fuel: the module was not compiled with fuel (swasmc --consume-fuel)")
    }
    fuel.pointee = UInt64(max(0, box.limits.fuel))
    return SWASM_OK
}

@_cdecl("swasm_increment_epoch")
func capiIncrementEpoch() { processEpoch.increment() }

@_cdecl("swasm_current_epoch")
func capiCurrentEpoch() -> UInt64 { processEpoch.value }

@_cdecl("swasm_instance_set_epoch_deadline")
func capiInstanceSetEpochDeadline(_ handle: OpaquePointer?, _ ticks: UInt64) -> swasm_trap_code {
    guard let box = instanceBox(handle) else {
        return fail(SWASM_ERROR_INVALID_ARGUMENT, "swasm_instance_set_epoch_deadline: NULL instance")
    }
    guard box.instance.module.settings.epochInterruption else {
        return fail(SWASM_ERROR_INVALID_ARGUMENT,
                    "swasm_instance_set_epoch_deadline: the module was not compiled with epoch checks (swasmc --epoch-interruption)")
    }
    box.limits.setEpochDeadline(ticksBeyondCurrent: ticks)
    return SWASM_OK
}

@_cdecl("swasm_instance_delete")
func capiInstanceDelete(_ instance: OpaquePointer?) {
    guard let instance else { return }
    Unmanaged<InstanceBox>.fromOpaque(UnsafeRawPointer(instance)).release()
}

@_cdecl("swasm_instance_module")
func capiInstanceModule(_ instance: OpaquePointer?) -> OpaquePointer? {
    instanceBox(instance).map { handle($0.module) }
}

@_cdecl("swasm_instance_vmctx")
func capiInstanceVMContext(_ instance: OpaquePointer?) -> UnsafeMutableRawPointer? {
    instanceBox(instance)?.instance.vmContext
}

@_cdecl("swasm_instance_export")
func capiInstanceExport(_ instance: OpaquePointer?, _ name: UnsafePointer<CChar>?) -> OpaquePointer? {
    guard let box = instanceBox(instance), let name else {
        fail(SWASM_ERROR_INVALID_ARGUMENT, "swasm_instance_export: NULL instance or name")
        return nil
    }
    guard let index = box.indexByName[bytes(name)], let value = box.export(at: index) else {
        fail(SWASM_ERROR_INVALID_ARGUMENT, "no export named \"\(String(cString: name))\"")
        return nil
    }
    return handle(value)
}

@_cdecl("swasm_instance_export_at")
func capiInstanceExportAt(_ instance: OpaquePointer?, _ index: Int) -> OpaquePointer? {
    guard let box = instanceBox(instance), let value = box.export(at: index) else {
        fail(SWASM_ERROR_INVALID_ARGUMENT, "no export number \(index)")
        return nil
    }
    return handle(value)
}

@_cdecl("swasm_call")
func capiCall(_ instance: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ slots: UnsafeMutablePointer<UInt64>?, _ count: Int) -> swasm_trap_code {
    guard let box = instanceBox(instance), let name else {
        return fail(SWASM_ERROR_INVALID_ARGUMENT, "swasm_call: NULL instance or name")
    }
    guard let index = box.indexByName[bytes(name)], let function = box.export(at: index)?.value.function else {
        return fail(SWASM_ERROR_INVALID_ARGUMENT, "no exported function named \"\(String(cString: name))\"")
    }
    return call(function, slots, count)
}

@_cdecl("swasm_call_index")
func capiCallIndex(_ instance: OpaquePointer?, _ index: Int, _ slots: UnsafeMutablePointer<UInt64>?, _ count: Int) -> swasm_trap_code {
    guard let box = instanceBox(instance), let function = box.export(at: index)?.value.function else {
        return fail(SWASM_ERROR_INVALID_ARGUMENT, "export number \(index) is not a function")
    }
    return call(function, slots, count)
}
