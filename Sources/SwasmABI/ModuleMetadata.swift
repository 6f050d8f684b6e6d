// The module metadata that travels with compiled code (the `.swasm_metadata`
// section, behind the `swasm_module_metadata` symbol). Little-endian:
//
//   magic "SWASMETA"  u32 format version  u16 machine  u16 reserved
//   u32 count + bytes   module: the wasm module with empty function bodies
//                       (types, imports, exports, memories, tables, globals,
//                       segments, start, names)
//   u32 count + u32[]   code offset of each defined function in .text
//   u32 count + u32[]   code size of each defined function
//   u32 count + u32[]   array-call trampoline offset per type index (0xFFFFFFFF: none)
//   u32 count + u32[]   host-call trampoline offset per type index (0xFFFFFFFF: none)
//   u32 count + 16-byte trap sites, sorted by code offset:
//                       u32 code offset, u32 trap code, u32 wasm offset, u32 function index
//   u32 .text size
//
// The trap site layout equals the runtime's C `swasm_trap_site`, so the
// loader can register the table straight from the mapped file.

public struct TrapSiteRecord: Sendable, Hashable {
    public var codeOffset: UInt32
    public var trapCode: UInt32
    public var wasmOffset: UInt32
    public var functionIndex: UInt32

    public init(codeOffset: UInt32, trapCode: UInt32, wasmOffset: UInt32, functionIndex: UInt32) {
        self.codeOffset = codeOffset
        self.trapCode = trapCode
        self.wasmOffset = wasmOffset
        self.functionIndex = functionIndex
    }
}

public struct MetadataError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public struct ModuleMetadata: Sendable {
    public static let magic: [UInt8] = Array("SWASMETA".utf8)
    public static let noTrampoline = UInt32.max

    /// ELF machine number of the code (62 x86-64, 183 AArch64).
    public var machine: UInt16
    public var moduleBytes: [UInt8]
    public var functionOffsets: [UInt32]
    public var functionSizes: [UInt32]
    public var trampolineOffsets: [UInt32]
    /// Per type index: the trampoline through which compiled code calls a
    /// host function of that type (see `X64Backend.hostCallTrampoline`).
    public var hostCallOffsets: [UInt32] = []
    public var trapSites: [TrapSiteRecord]
    public var textSize: UInt32

    public init(machine: UInt16, moduleBytes: [UInt8], functionOffsets: [UInt32], functionSizes: [UInt32],
                trampolineOffsets: [UInt32], trapSites: [TrapSiteRecord], textSize: UInt32) {
        self.machine = machine
        self.moduleBytes = moduleBytes
        self.functionOffsets = functionOffsets
        self.functionSizes = functionSizes
        self.trampolineOffsets = trampolineOffsets
        self.trapSites = trapSites
        self.textSize = textSize
    }

    public func encoded() -> [UInt8] {
        var out = Self.magic
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        u32(SwasmABI.objectFormatVersion)
        u16(machine)
        u16(0)
        u32(UInt32(moduleBytes.count))
        out.append(contentsOf: moduleBytes)
        while out.count % 4 != 0 { out.append(0) }
        for list in [functionOffsets, functionSizes, trampolineOffsets, hostCallOffsets] {
            u32(UInt32(list.count))
            list.forEach(u32)
        }
        u32(UInt32(trapSites.count))
        for site in trapSites {
            u32(site.codeOffset)
            u32(site.trapCode)
            u32(site.wasmOffset)
            u32(site.functionIndex)
        }
        u32(textSize)
        return out
    }

    /// Decodes metadata, checking magic, version and every length.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(MetadataError) -> ModuleMetadata {
        var position = 0
        func need(_ n: Int) throws(MetadataError) {
            guard n >= 0, position + n <= bytes.count else {
                throw MetadataError("metadata is truncated at byte \(position) (\(n) more bytes needed, \(bytes.count - position) left)")
            }
        }
        func u32() throws(MetadataError) -> UInt32 {
            try need(4)
            var v: UInt32 = 0
            for i in 0..<4 { v |= UInt32(bytes[position + i]) << (8 * UInt32(i)) }
            position += 4
            return v
        }
        func u16() throws(MetadataError) -> UInt16 {
            try need(2)
            let v = UInt16(bytes[position]) | UInt16(bytes[position + 1]) << 8
            position += 2
            return v
        }
        func list() throws(MetadataError) -> [UInt32] {
            let count = Int(try u32())
            try need(count * 4)
            var values: [UInt32] = []
            values.reserveCapacity(count)
            for _ in 0..<count { values.append(try u32()) }
            return values
        }
        try need(8)
        guard Array(bytes[0..<8]) == magic else {
            throw MetadataError("not swasm module metadata (bad magic)")
        }
        position = 8
        let version = try u32()
        guard version == SwasmABI.objectFormatVersion else {
            throw MetadataError("object format version \(version), this swasm reads version \(SwasmABI.objectFormatVersion): recompile the module with this swasmc")
        }
        let machine = try u16()
        _ = try u16()
        let moduleLength = Int(try u32())
        try need(moduleLength)
        let moduleBytes = Array(bytes[position..<(position + moduleLength)])
        position += moduleLength
        while position % 4 != 0 { position += 1 }
        let offsets = try list()
        let sizes = try list()
        let trampolines = try list()
        let hostCalls = try list()
        let siteCount = Int(try u32())
        try need(siteCount * 16)
        var sites: [TrapSiteRecord] = []
        sites.reserveCapacity(siteCount)
        for _ in 0..<siteCount {
            sites.append(TrapSiteRecord(codeOffset: try u32(), trapCode: try u32(), wasmOffset: try u32(), functionIndex: try u32()))
        }
        let textSize = try u32()
        guard offsets.count == sizes.count else { throw MetadataError("function offset and size tables differ in length") }
        for (offset, size) in zip(offsets, sizes) where UInt64(offset) + UInt64(size) > UInt64(textSize) {
            throw MetadataError("function at 0x\(String(offset, radix: 16)) extends past the end of .text")
        }
        for offset in trampolines + hostCalls where offset != noTrampoline && offset >= textSize {
            throw MetadataError("trampoline offset 0x\(String(offset, radix: 16)) is outside .text")
        }
        for site in sites where site.codeOffset >= textSize {
            throw MetadataError("trap site 0x\(String(site.codeOffset, radix: 16)) is outside .text")
        }
        var metadata = ModuleMetadata(machine: machine, moduleBytes: moduleBytes, functionOffsets: offsets, functionSizes: sizes,
                                      trampolineOffsets: trampolines, trapSites: sites, textSize: textSize)
        metadata.hostCallOffsets = hostCalls
        return metadata
    }
}
