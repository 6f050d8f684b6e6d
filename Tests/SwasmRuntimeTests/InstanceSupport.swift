// Building CompiledModules by hand for the instance tests: wasm bytes written
// directly (function bodies empty, as in real metadata) and hand-assembled
// x86-64 code with array-call trampolines.
import SwasmABI
@testable import SwasmRuntime
import WasmModel

enum Wasm {
    static func u(_ value: UInt64) -> [UInt8] {
        var value = value, out: [UInt8] = []
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            out.append(byte)
        } while value != 0
        return out
    }

    static func s(_ value: Int64) -> [UInt8] {
        var value = value, out: [UInt8] = []
        while true {
            let byte = UInt8(value & 0x7F)
            value >>= 7
            if (value == 0 && byte & 0x40 == 0) || (value == -1 && byte & 0x40 != 0) { out.append(byte); return out }
            out.append(byte | 0x80)
        }
    }

    static func name(_ text: String) -> [UInt8] { u(UInt64(text.utf8.count)) + Array(text.utf8) }
    static func vec(_ items: [[UInt8]]) -> [UInt8] { u(UInt64(items.count)) + items.flatMap { $0 } }
    static func section(_ id: UInt8, _ items: [[UInt8]]) -> [UInt8] {
        let content = vec(items)
        return [id] + u(UInt64(content.count)) + content
    }
    static func limits(_ min: UInt64, _ max: UInt64?) -> [UInt8] {
        if let max { return [1] + u(min) + u(max) }
        return [0] + u(min)
    }
    static func i32(_ value: Int32) -> [UInt8] { [0x41] + s(Int64(value)) + [0x0B] }
    static func i64(_ value: Int64) -> [UInt8] { [0x42] + s(value) + [0x0B] }
    static func globalGet(_ index: UInt32) -> [UInt8] { [0x23] + u(UInt64(index)) + [0x0B] }
    static func refFunc(_ index: UInt32) -> [UInt8] { [0xD2] + u(UInt64(index)) + [0x0B] }
    static let refNullFunc: [UInt8] = [0xD0, 0x70, 0x0B]
}

/// x86-64 snippets (SysV: rdi = vmctx, then esi, edx, ...).
enum X64 {
    /// `lea eax, [rsi+rdx]; ret`: (vmctx, a, b) -> a + b
    static let add: [UInt8] = [0x8D, 0x04, 0x16, 0xC3]
    /// memory.grow through the helper table: tail-calls helpers[0](vmctx, 0, delta).
    static let grow: [UInt8] = [0x48, 0x8B, 0x47, 0x18, 0x89, 0xF2, 0x31, 0xF6, 0xFF, 0x20]
    /// memory.size: memoryLength >> 16.
    static let size: [UInt8] = [0x48, 0x8B, 0x47, 0x08, 0x48, 0xC1, 0xE8, 0x10, 0xC3]
    /// `ud2`.
    static let trap: [UInt8] = [0x0F, 0x0B]
    /// Stores the i32 42 at address 0 of memory 0.
    static let store42: [UInt8] = [0x48, 0x8B, 0x07, 0xC7, 0x00, 0x2A, 0x00, 0x00, 0x00, 0xC3]
    /// Returns the i32 in global `index` (index < 16).
    static func getGlobal(_ index: UInt8) -> [UInt8] {
        [0x48, 0x8B, 0x47, 0x28, 0x48, 0x8B, 0x40, index * 8, 0x8B, 0x00, 0xC3]
    }
    /// Tail-calls imported function 0 with the same arguments.
    static let callImport0: [UInt8] = [0x48, 0x8B, 0x47, 0x20, 0x48, 0x8B, 0x78, 0x08, 0xFF, 0x20]

    /// Array-call trampolines for integer-only signatures of up to 5 parameters.
    static func trampoline(parameters: Int, results: Int) -> [UInt8] {
        var code: [UInt8] = [0x53, 0x48, 0x89, 0xF3] // push rbx; mov rbx, rsi
        // esi, edx, ecx, r8d, r9d from [rbx + 8 * (i + 1)]
        let loads: [[UInt8]] = [[0x8B, 0x73], [0x8B, 0x53], [0x8B, 0x4B], [0x44, 0x8B, 0x43], [0x44, 0x8B, 0x4B]]
        for i in 0..<parameters { code += loads[i] + [UInt8(8 * (i + 1))] }
        code += [0xFF, 0x13] // call [rbx]
        if results == 1 { code += [0x48, 0x89, 0x43, 0x08] } // mov [rbx+8], rax
        code += [0x5B, 0xC3]
        return code
    }
}

/// A module assembled by hand.
struct TestModule {
    var types: [FunctionType] = []
    var imports: [[UInt8]] = []
    /// Defined functions: type index, machine code, trap offsets in the code.
    var functions: [(type: UInt32, code: [UInt8], traps: [(offset: UInt32, code: TrapCode)])] = []
    var tables: [[UInt8]] = []
    var memories: [[UInt8]] = []
    var globals: [[UInt8]] = []
    var exports: [[UInt8]] = []
    var start: UInt32?
    var elements: [[UInt8]] = []
    var data: [[UInt8]] = []
    /// Each data segment's contents: they travel in the metadata, not in the module.
    var dataContents: [[UInt8]] = []
    /// Trampolines emitted for these type indices (integer signatures).
    var trampolineTypes: Set<Int>? = nil
    var importedFunctionCount = 0
    var requiredCPUFeatures: CPUFeatures = []

    mutating func type(_ parameters: [ValueType], _ results: [ValueType]) -> UInt32 {
        let type = FunctionType(parameters: parameters, results: results)
        if let index = types.firstIndex(of: type) { return UInt32(index) }
        types.append(type)
        return UInt32(types.count - 1)
    }

    mutating func importFunction(_ module: String, _ name: String, type: UInt32) {
        imports.append(Wasm.name(module) + Wasm.name(name) + [0x00] + Wasm.u(UInt64(type)))
        importedFunctionCount += 1
    }
    mutating func importTable(_ module: String, _ name: String, _ element: ValueType, _ min: UInt64, _ max: UInt64?) {
        imports.append(Wasm.name(module) + Wasm.name(name) + [0x01, element.rawValue] + Wasm.limits(min, max))
    }
    mutating func importMemory(_ module: String, _ name: String, _ min: UInt64, _ max: UInt64?) {
        imports.append(Wasm.name(module) + Wasm.name(name) + [0x02] + Wasm.limits(min, max))
    }
    mutating func importGlobal(_ module: String, _ name: String, _ type: ValueType, mutable: Bool) {
        imports.append(Wasm.name(module) + Wasm.name(name) + [0x03, type.rawValue, mutable ? 1 : 0])
    }
    mutating func function(_ type: UInt32, _ code: [UInt8], traps: [(offset: UInt32, code: TrapCode)] = []) {
        functions.append((type, code, traps))
    }
    mutating func table(_ element: ValueType, _ min: UInt64, _ max: UInt64?) {
        tables.append([element.rawValue] + Wasm.limits(min, max))
    }
    mutating func memory(_ min: UInt64, _ max: UInt64?) { memories.append(Wasm.limits(min, max)) }
    mutating func global(_ type: ValueType, mutable: Bool, _ initializer: [UInt8]) {
        globals.append([type.rawValue, mutable ? 1 : 0] + initializer)
    }
    mutating func export(_ name: String, _ kind: ExternalKind, _ index: UInt32) {
        exports.append(Wasm.name(name) + [kind.rawValue] + Wasm.u(UInt64(index)))
    }
    /// Active segment for table 0 with function indices.
    mutating func activeElements(offset: [UInt8], _ functions: [UInt32]) {
        elements.append([0x00] + offset + Wasm.vec(functions.map { Wasm.u(UInt64($0)) }))
    }
    mutating func passiveElements(_ functions: [UInt32]) {
        elements.append([0x01, 0x00] + Wasm.vec(functions.map { Wasm.u(UInt64($0)) }))
    }
    mutating func activeData(offset: [UInt8], _ bytes: [UInt8]) {
        data.append([0x00] + offset + [0])
        dataContents.append(bytes)
    }
    mutating func passiveData(_ bytes: [UInt8]) {
        data.append([0x01, 0])
        dataContents.append(bytes)
    }

    var bytes: [UInt8] {
        var out: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]
        out += Wasm.section(1, types.map { [0x60] + Wasm.vec($0.parameters.map { [$0.rawValue] }) + Wasm.vec($0.results.map { [$0.rawValue] }) })
        if !imports.isEmpty { out += Wasm.section(2, imports) }
        if !functions.isEmpty { out += Wasm.section(3, functions.map { Wasm.u(UInt64($0.type)) }) }
        if !tables.isEmpty { out += Wasm.section(4, tables) }
        if !memories.isEmpty { out += Wasm.section(5, memories) }
        if !globals.isEmpty { out += Wasm.section(6, globals) }
        if !exports.isEmpty { out += Wasm.section(7, exports) }
        if let start { out += [8] + Wasm.u(UInt64(Wasm.u(UInt64(start)).count)) + Wasm.u(UInt64(start)) }
        if !elements.isEmpty { out += Wasm.section(9, elements) }
        if !functions.isEmpty { out += Wasm.section(10, functions.map { _ in [0x02, 0x00, 0x0B] }) }
        if !data.isEmpty { out += Wasm.section(11, data) }
        return out
    }

    /// Lays out the code (16-byte aligned pieces) and builds the module.
    func compile() throws -> CompiledModule {
        let (text, metadata) = layout()
        return try CompiledModule(text: text, metadata: metadata.encoded())
    }

    /// The code (16-byte aligned pieces) and the metadata describing it.
    func layout() -> (text: [UInt8], metadata: ModuleMetadata) {
        var text: [UInt8] = []
        func place(_ code: [UInt8]) -> UInt32 {
            while text.count % 16 != 0 { text.append(0xCC) }
            let offset = UInt32(text.count)
            text += code
            return offset
        }
        let importedFunctions = importedFunctionCount
        var offsets: [UInt32] = [], sizes: [UInt32] = [], sites: [TrapSiteRecord] = []
        for (index, function) in functions.enumerated() {
            let offset = place(function.code)
            offsets.append(offset)
            sizes.append(UInt32(function.code.count))
            for trap in function.traps {
                sites.append(TrapSiteRecord(codeOffset: offset + trap.offset, trapCode: trap.code.rawValue, wasmOffset: 0x40,
                                            functionIndex: UInt32(importedFunctions + index)))
            }
        }
        var trampolines: [UInt32] = [], trampolineSizes: [UInt32] = []
        for (index, type) in types.enumerated() {
            let integers = (type.parameters + type.results).allSatisfy { $0 == .i32 || $0 == .i64 }
                && type.parameters.count <= 5 && type.results.count <= 1
            if integers && (trampolineTypes?.contains(index) ?? true) {
                let code = X64.trampoline(parameters: type.parameters.count, results: type.results.count)
                trampolines.append(place(code))
                trampolineSizes.append(UInt32(code.count))
            } else {
                trampolines.append(ModuleMetadata.noTrampoline)
                trampolineSizes.append(0)
            }
        }
        var metadata = ModuleMetadata(machine: 62, moduleBytes: bytes, functionOffsets: offsets, functionSizes: sizes,
                                      trampolineOffsets: trampolines, trapSites: sites.sorted { $0.codeOffset < $1.codeOffset },
                                      textSize: UInt32(text.count))
        metadata.trampolineSizes = trampolineSizes
        // No host-call trampolines: these modules' imports are wasm functions.
        metadata.hostCallOffsets = types.map { _ in ModuleMetadata.noTrampoline }
        metadata.dataSegments = dataContents.map { $0[...] }
        metadata.requiredCPUFeatures = requiredCPUFeatures
        return (text, metadata)
    }
}

extension Instance {
    func exportedFunction(_ name: String) throws -> Function {
        guard let function = export(named: name)?.function else { throw InstanceError.unsupported("no function export \(name)") }
        return function
    }
}

/// The C type of helpers, to call them as compiled code would.
typealias GrowHelper = @convention(c) (UnsafeMutableRawPointer?, UInt32, UInt32) -> UInt32
typealias TableGrowHelper = @convention(c) (UnsafeMutableRawPointer?, UInt32, UInt32, UInt64) -> UInt32
typealias FiveArgumentHelper = @convention(c) (UnsafeMutableRawPointer?, UInt32, UInt32, UInt32, UInt32, UInt32) -> UInt32
typealias FillHelper = @convention(c) (UnsafeMutableRawPointer?, UInt32, UInt32, UInt32, UInt32) -> UInt32
typealias TableFillHelper = @convention(c) (UnsafeMutableRawPointer?, UInt32, UInt32, UInt64, UInt32) -> UInt32
typealias DropHelper = @convention(c) (UnsafeMutableRawPointer?, UInt32) -> Void

/// A helper of `vmctx`'s helper table, as a typed C function pointer.
func helper<F>(_ vmctx: UnsafeMutableRawPointer, _ id: HelperID, as type: F.Type) -> F {
    let table = vmctx.load(fromByteOffset: VMContextLayout.helpers, as: UnsafePointer<UnsafeRawPointer?>.self)
    return unsafeBitCast(table[id.rawValue]!, to: F.self)
}

func memoryLength(_ vmctx: UnsafeMutableRawPointer) -> UInt64 {
    vmctx.load(fromByteOffset: VMContextLayout.memoryLength, as: UInt64.self)
}

func tableDescriptor(_ vmctx: UnsafeMutableRawPointer, _ index: Int) -> (elements: UInt64, count: UInt64, maximum: UInt64) {
    let tables = vmctx.load(fromByteOffset: VMContextLayout.tables, as: UnsafeRawPointer.self) + index * TableDescriptorLayout.size
    return (tables.load(fromByteOffset: TableDescriptorLayout.elements, as: UInt64.self),
            tables.load(fromByteOffset: TableDescriptorLayout.count, as: UInt64.self),
            tables.load(fromByteOffset: TableDescriptorLayout.maximum, as: UInt64.self))
}
