// Objects: machine code + metadata → a relocatable ELF file.
//
//   .text            functions (local symbols: name-section names or func[N]),
//                    array-call trampolines, exports as global symbols
//   .swasm_metadata  ModuleMetadata, behind the global metadata symbol
import SwasmABI
import SwasmCodegen
import SwasmObject
import WasmModel

public struct CompiledObject: Sendable {
    public var bytes: [UInt8]
    public var code: ModuleCode
    public var metadata: [UInt8]
}

extension Compiler {
    /// Compiles a validated module into object file bytes.
    public static func compileObject(_ module: Module, options: CompilerOptions, prefix: String, listing: Bool = false) throws -> CompiledObject {
        let backend = try backend(for: options.target)
        let code = try compileToMachineCode(module, options: options, listing: listing)
        var description = ModuleMetadata(
            machine: backend.target.elfMachine,
            moduleBytes: strippedModuleBytes(module),
            functionOffsets: code.functionRanges.map { UInt32($0.lowerBound) },
            functionSizes: code.functionRanges.map { UInt32($0.count) },
            trampolineOffsets: code.trampolineOffsets.map(UInt32.init),
            trapSites: code.trapSites.map {
                TrapSiteRecord(codeOffset: UInt32($0.codeOffset), trapCode: $0.code.rawValue,
                               wasmOffset: $0.wasmOffset, functionIndex: UInt32($0.functionIndex))
            },
            textSize: UInt32(code.text.count))
        description.trampolineSizes = code.trampolineSizes.map(UInt32.init)
        description.hostCallOffsets = code.hostCallOffsets.map(UInt32.init)
        description.hostCallSizes = code.hostCallSizes.map(UInt32.init)
        description.dataSegments = module.data.map { module.bytes[$0.range] }
        description.names = nameSectionContents(module)
        description.callSites = code.callSites
        description.flags.insert(.framePointers)
        description.settings = options.codeSettings
        description.requiredCPUFeatures = backend.requiredFeatures
        let metadata = description.encoded(checksummingText: code.text)

        var symbols: [ObjectSymbol] = []
        let imported = module.importedFunctionCount
        for (i, range) in code.functionRanges.enumerated() {
            symbols.append(ObjectSymbol(name: module.functionName(UInt32(imported + i)), section: .text,
                                        offset: range.lowerBound, size: range.count, isGlobal: false, isFunction: true))
        }
        for (typeIndex, offset) in code.trampolineOffsets.enumerated() {
            let end = typeIndex + 1 < code.trampolineOffsets.count ? code.trampolineOffsets[typeIndex + 1] : code.text.count
            symbols.append(ObjectSymbol(name: "swasm_trampoline[\(typeIndex)]", section: .text, offset: offset,
                                        size: end - offset, isGlobal: false, isFunction: true))
        }
        var exported = Set<String>()
        for export in module.exports where export.kind == .function && Int(export.index) >= imported {
            let name = SwasmABI.exportSymbol(prefix: prefix, name: export.name)
            guard exported.insert(name).inserted else { continue }
            let range = code.functionRanges[Int(export.index) - imported]
            symbols.append(ObjectSymbol(name: name, section: .text, offset: range.lowerBound, size: range.count,
                                        isGlobal: true, isFunction: true))
        }
        let metadataName = prefix.isEmpty ? SwasmABI.metadataSymbol : "\(prefix)_\(SwasmABI.metadataSymbol)"
        symbols.append(ObjectSymbol(name: metadataName, section: .metadata, offset: 0, size: metadata.count,
                                    isGlobal: true, isFunction: false))
        // The start of .text: metadata offsets are relative to it, so a
        // program that links the object statically finds its code here.
        let textName = prefix.isEmpty ? SwasmABI.textSymbol : "\(prefix)_\(SwasmABI.textSymbol)"
        symbols.append(ObjectSymbol(name: textName, section: .text, offset: 0, size: code.text.count,
                                    isGlobal: true, isFunction: false))
        let bytes = try ObjectWriter.write(ObjectFileDescription(target: backend.target.objectTarget, text: code.text, metadata: metadata, symbols: symbols))
        return CompiledObject(bytes: bytes, code: code, metadata: metadata)
    }

    /// The module's binary with every function body and every data
    /// segment's contents emptied and custom sections dropped: what
    /// instantiation decodes. Data contents and names travel in their own
    /// metadata tables, used in place.
    public static func strippedModuleBytes(_ module: Module) -> [UInt8] {
        let bytes = module.bytes
        var out = Array(bytes[0..<8])
        var position = 8
        func readU32() -> Int {
            var result = 0, shift = 0
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                result |= Int(byte & 0x7F) << shift
                shift += 7
                if byte & 0x80 == 0 { break }
            }
            return result
        }
        func appendU32(_ value: Int, to buffer: inout [UInt8]) {
            var v = value
            repeat {
                var byte = UInt8(v & 0x7F)
                v >>= 7
                if v != 0 { byte |= 0x80 }
                buffer.append(byte)
            } while v != 0
        }
        func appendSection(_ id: UInt8, _ content: [UInt8]) {
            out.append(id)
            appendU32(content.count, to: &out)
            out.append(contentsOf: content)
        }
        while position < bytes.count {
            let start = position
            let id = bytes[position]
            position += 1
            let size = readU32()
            position += size
            switch id {
            case 0:
                continue
            case 10:
                var content: [UInt8] = []
                appendU32(module.bodies.count, to: &content)
                for _ in module.bodies { content.append(contentsOf: [0x02, 0x00, 0x0B]) }
                appendSection(10, content)
            case 11:
                var content: [UInt8] = []
                appendU32(module.data.count, to: &content)
                for segment in module.data {
                    // The segment's header is everything before its length
                    // field: a LEB128 whose last byte alone has the top bit clear.
                    var lengthStart = segment.range.lowerBound - 1
                    while lengthStart > segment.offset && bytes[lengthStart - 1] & 0x80 != 0 { lengthStart -= 1 }
                    content.append(contentsOf: bytes[segment.offset..<lengthStart])
                    content.append(0)
                }
                appendSection(11, content)
            default:
                out.append(contentsOf: bytes[start..<position])
            }
        }
        return out
    }

    /// The contents of the module's `name` section, if it has one.
    static func nameSectionContents(_ module: Module) -> ArraySlice<UInt8> {
        guard let section = module.customSections.first(where: { $0.name == "name" }) else { return [] }
        return module.bytes[section.range]
    }
}
