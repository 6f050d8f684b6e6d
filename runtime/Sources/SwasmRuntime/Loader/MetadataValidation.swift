// The loader's check of metadata against the module it describes. The
// runtime jumps to function and trampoline offsets, registers the trap site
// table with the signal handler and follows the module's indices, so every
// one of them is checked here, once, in one pass over each table (O(metadata),
// never O(code)): entries are laid out exactly as the compiler lays them out,
// and the module skeleton obeys the wasm validity rules for everything but
// function bodies. What cannot be checked cheaply is the code itself: that
// is trusted, or verified on request with the checksum.
import SwasmABI
import WasmModel

enum MetadataValidation {
    /// Throws the first inconsistency between `metadata` and `module`.
    static func check(_ metadata: MetadataView, module: WasmModel.Module) throws(CompiledModuleError) {
        do {
            try Validator.validateDeclarations(module)
        } catch {
            throw CompiledModuleError("the module in the metadata is invalid: \(error)")
        }
        guard module.bodies.count == module.functions.count else {
            throw CompiledModuleError("module has \(module.bodies.count) bodies for \(module.functions.count) functions")
        }
        guard metadata.functionOffsets.count == module.functions.count, metadata.functionSizes.count == module.functions.count else {
            throw CompiledModuleError("metadata has code for \(metadata.functionOffsets.count) functions, the module defines \(module.functions.count)")
        }
        for (name, table) in [("array-call", metadata.trampolineOffsets), ("host-call", metadata.hostCallOffsets)]
        where table.count != module.types.count {
            throw CompiledModuleError("metadata has \(table.count) \(name) trampolines for \(module.types.count) types")
        }
        guard metadata.trampolineSizes.count == module.types.count, metadata.hostCallSizes.count == module.types.count else {
            throw CompiledModuleError("metadata has trampoline sizes for \(metadata.trampolineSizes.count) and \(metadata.hostCallSizes.count) types, the module has \(module.types.count)")
        }
        try checkCodeLayout(metadata)
        try checkTrapSites(metadata, importedFunctions: UInt32(module.importedFunctionCount))
        try checkCallSites(metadata)
        try checkDataSegments(metadata, count: module.data.count)
    }

    /// Functions in index order, then array-call trampolines and host-call
    /// trampolines in type order, each at the first `codeAlignment` boundary
    /// after the one before and inside `.text`: an entry moved by any amount
    /// breaks the chain.
    static func checkCodeLayout(_ metadata: MetadataView) throws(CompiledModuleError) {
        let alignment = UInt64(ModuleMetadata.codeAlignment)
        var previousEnd: UInt64? = nil
        func place(_ what: @autoclosure () -> String, offset: UInt32, size: UInt32) throws(CompiledModuleError) {
            let start = UInt64(offset), end = start + UInt64(size)
            guard size > 0 else { throw CompiledModuleError("\(what()) at 0x\(hex(start)) has no code") }
            if let previousEnd {
                let expected = (previousEnd + alignment - 1) / alignment * alignment
                guard start == expected else {
                    throw CompiledModuleError("\(what()) starts at 0x\(hex(start)), the code before it ends at 0x\(hex(previousEnd)) (expected 0x\(hex(expected)))")
                }
            } else {
                guard start % alignment == 0 else {
                    throw CompiledModuleError("\(what()) at 0x\(hex(start)) is not \(alignment)-byte aligned")
                }
            }
            guard end <= UInt64(metadata.textSize) else {
                throw CompiledModuleError("\(what()) at 0x\(hex(start)) (\(size) bytes) extends past the end of .text (\(metadata.textSize) bytes)")
            }
            previousEnd = end
        }
        for index in 0..<metadata.functionOffsets.count {
            try place("defined function \(index)", offset: metadata.functionOffsets[index], size: metadata.functionSizes[index])
        }
        for (name, offsets, sizes) in [("array-call", metadata.trampolineOffsets, metadata.trampolineSizes),
                                       ("host-call", metadata.hostCallOffsets, metadata.hostCallSizes)] {
            for type in 0..<offsets.count {
                guard offsets[type] != ModuleMetadata.noTrampoline else {
                    guard sizes[type] == 0 else {
                        throw CompiledModuleError("the absent \(name) trampoline of type \(type) has a size")
                    }
                    continue
                }
                try place("the \(name) trampoline of type \(type)", offset: offsets[type], size: sizes[type])
            }
        }
    }

    /// Trap codes compiled code raises at trap sites (not the host's own),
    /// as a bit set: the check runs once per site.
    static let siteTrapCodes: UInt64 = TrapCode.allCases.filter { $0 != .exit && $0 != .hostError }
        .reduce(0) { $0 | 1 << UInt64($1.rawValue) }

    /// Sorted by code offset (the signal handler searches them), each inside
    /// the function it names, with a trap code compiled code raises. A large
    /// module has hundreds of thousands: one tight pass.
    static func checkTrapSites(_ metadata: MetadataView, importedFunctions: UInt32) throws(CompiledModuleError) {
        guard let sites = metadata.trapSites.baseAddress else { return }
        let validCodes = siteTrapCodes
        let offsets = metadata.functionOffsets, sizes = metadata.functionSizes
        let functionCount = UInt32(offsets.count)
        var previous: UInt32 = 0
        for index in 0..<metadata.trapSiteCount {
            // Entries are 4-byte aligned (the section is, and so is every table).
            let entry = sites + index * 16
            let offset = UInt32(littleEndian: entry.load(as: UInt32.self))
            let code = UInt32(littleEndian: entry.load(fromByteOffset: 4, as: UInt32.self))
            let function = UInt32(littleEndian: entry.load(fromByteOffset: 12, as: UInt32.self))
            guard offset >= previous else {
                throw CompiledModuleError("trap site \(index) at 0x\(hex(UInt64(offset))) is out of order")
            }
            guard code < 64, validCodes & (1 << UInt64(code)) != 0 else {
                throw CompiledModuleError("trap site \(index) has trap code \(code), which compiled code does not raise")
            }
            let defined = function &- importedFunctions
            guard function >= importedFunctions, defined < functionCount,
                  offset &- offsets[Int(defined)] < sizes[Int(defined)] else {
                throw CompiledModuleError("trap site \(index) at 0x\(hex(UInt64(offset))) is not inside function \(function)")
            }
            previous = offset
        }
    }

    /// Sorted by return offset, each inside a defined function's code. Both
    /// tables are sorted (the layout check made the functions so), so one
    /// walk over the two does it.
    static func checkCallSites(_ metadata: MetadataView) throws(CompiledModuleError) {
        guard let sites = metadata.callSites.baseAddress else { return }
        let offsets = metadata.functionOffsets, sizes = metadata.functionSizes
        var previous: UInt32 = 0
        var function = 0
        for index in 0..<(metadata.callSites.count / 8) {
            let offset = UInt32(littleEndian: sites.load(fromByteOffset: index * 8, as: UInt32.self))
            guard offset > previous else {
                throw CompiledModuleError("call site \(index) at 0x\(hex(UInt64(offset))) is out of order")
            }
            // A return address may equal the end of its function (a call
            // that never returns, last).
            while function < offsets.count, UInt64(offsets[function]) + UInt64(sizes[function]) < UInt64(offset) {
                function += 1
            }
            guard function < offsets.count, offset > offsets[function] else {
                throw CompiledModuleError("call site \(index) returns to 0x\(hex(UInt64(offset))), outside every function")
            }
            previous = offset
        }
    }

    /// One (offset, length) per segment of the module, back to back, filling
    /// the data table exactly.
    static func checkDataSegments(_ metadata: MetadataView, count: Int) throws(CompiledModuleError) {
        guard metadata.dataSegmentCount == count else {
            throw CompiledModuleError("metadata has contents for \(metadata.dataSegmentCount) data segments, the module has \(count)")
        }
        var position: UInt64 = 0
        for index in 0..<count {
            let offset = UInt64(metadata.dataSegmentTable[2 * index]), length = UInt64(metadata.dataSegmentTable[2 * index + 1])
            guard offset == position else {
                throw CompiledModuleError("data segment \(index) starts at byte \(offset) of the data table, expected \(position)")
            }
            position += length
        }
        guard position == UInt64(metadata.data.count) else {
            throw CompiledModuleError("data segments hold \(position) bytes, the data table has \(metadata.data.count)")
        }
    }

    static func hex(_ value: UInt64) -> String { String(value, radix: 16) }
}
