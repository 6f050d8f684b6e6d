// The module metadata that travels with compiled code (the `.swasm_metadata`
// section, behind the `swasm_module_metadata` symbol). It is laid out to be
// used where it lies, in the mapped file: loading reads a fixed header and
// a directory of tables, and never copies anything whose size grows with
// the code. Little-endian, every table 8-byte aligned:
//
//   magic "SWASMETA"  u32 format version  u16 machine  u16 reserved (0)
//   u32 flags         u32 .text size      u32 table count (= Table.allCases.count)
//   u32 CPU features the code needs (`CPUFeatures`)
//   u64 structure hash (XXH64 of the header before it, the directory and the
//       tables the loader follows, `Table.isInStructureHash`; checked at every load)
//   u64 checksum (XXH64 of .text and the metadata but this field; flag
//       `checksummed`; checked on request)
//   table directory:  per table, u32 byte offset (from the section start) + u32 entry count
//   tables, in directory order (see `ModuleMetadata.Table`)
//
// The trap site table equals the runtime's C `swasm_trap_entry` array, so
// the loader registers it straight from the mapped file.

/// One entry of the trap site table: 16 bytes.
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

/// One entry of the call site table: 8 bytes. A call's return address (as
/// an offset in `.text`) and the bytecode offset of the wasm call, so that a
/// backtrace can say where each caller was.
public struct CallSiteRecord: Sendable, Hashable {
    public var returnOffset: UInt32
    public var wasmOffset: UInt32

    public init(returnOffset: UInt32, wasmOffset: UInt32) {
        self.returnOffset = returnOffset
        self.wasmOffset = wasmOffset
    }
}

public struct MetadataError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The settings that change the code the compiler generates. An object
/// records the value of each (the metadata's settings table), and whoever
/// loads it compares them with what it needs: code without interruption
/// checks cannot be interrupted, code without bounds checks needs guard
/// regions. A setting added later gets a new id and a default that matches
/// the code compiled before it existed.
public struct CodeSettings: Sendable, Hashable, CustomStringConvertible {
    /// How linear-memory accesses are kept in bounds.
    public enum BoundsChecks: UInt32, Sendable, CaseIterable, CustomStringConvertible {
        /// No checks: memories need the 4 GiB guard region.
        case guardRegion = 0
        /// Every access is compared with the memory's length.
        case explicit = 1

        public var description: String { self == .guardRegion ? "guard region" : "explicit" }
    }

    public var boundsChecks: BoundsChecks
    /// Loops check the instance's interrupt flag.
    public var interruptible: Bool
    /// Code counts the fuel it uses in its store and traps when it runs out.
    public var consumeFuel: Bool
    /// Function entries and loop heads compare the engine's epoch with the
    /// store's deadline.
    public var epochInterruption: Bool

    public init(boundsChecks: BoundsChecks = .guardRegion, interruptible: Bool = false,
                consumeFuel: Bool = false, epochInterruption: Bool = false) {
        self.boundsChecks = boundsChecks
        self.interruptible = interruptible
        self.consumeFuel = consumeFuel
        self.epochInterruption = epochInterruption
    }

    /// Ids of the settings table's entries; never reused.
    enum ID: UInt32, CaseIterable {
        case boundsChecks = 1
        case interruptible = 2
        case consumeFuel = 3
        case epochInterruption = 4
    }

    /// The (id, value) entries of the settings table, by ascending id.
    var entries: [(id: UInt32, value: UInt32)] {
        [(ID.boundsChecks.rawValue, boundsChecks.rawValue), (ID.interruptible.rawValue, interruptible ? 1 : 0),
         (ID.consumeFuel.rawValue, consumeFuel ? 1 : 0), (ID.epochInterruption.rawValue, epochInterruption ? 1 : 0)]
    }

    /// Reads the settings table: settings this swasm knows, once each, by
    /// ascending id, with a value it knows. A table written before a setting
    /// existed ends before its id; the setting then has its default, which
    /// is what that code does.
    init(table: MetadataView.U32Table) throws(MetadataError) {
        let count = table.count / 2
        guard count <= ID.allCases.count else {
            throw MetadataError("the settings table has \(count) entries, this swasm knows \(ID.allCases.count)")
        }
        var settings = CodeSettings()
        func flag(_ value: UInt32, _ name: String) throws(MetadataError) -> Bool {
            guard value <= 1 else { throw MetadataError("\(name) setting has value \(value), expected 0 or 1") }
            return value == 1
        }
        for (index, expected) in ID.allCases.prefix(count).enumerated() {
            let id = table[2 * index], value = table[2 * index + 1]
            guard id == expected.rawValue else {
                throw MetadataError("settings entry \(index) is for setting \(id), expected setting \(expected.rawValue)")
            }
            switch expected {
            case .boundsChecks:
                guard let mode = BoundsChecks(rawValue: value) else {
                    throw MetadataError("unknown bounds-check mode \(value) in the settings table")
                }
                settings.boundsChecks = mode
            case .interruptible: settings.interruptible = try flag(value, "interruptible")
            case .consumeFuel: settings.consumeFuel = try flag(value, "fuel")
            case .epochInterruption: settings.epochInterruption = try flag(value, "epoch interruption")
            }
        }
        self = settings
    }

    /// One setting whose value differs between compiled code and what its
    /// user needs.
    public struct Mismatch: Sendable, Hashable, CustomStringConvertible {
        /// The setting, with the `swasmc` option that sets it.
        public var setting: String
        public var compiled: String
        public var needed: String
        public var description: String { "\(setting): the object has \(compiled), the engine needs \(needed)" }
    }

    /// Every setting whose value here (the compiled code's) differs from `needed`.
    public func mismatches(against needed: CodeSettings) -> [Mismatch] {
        var result: [Mismatch] = []
        if boundsChecks != needed.boundsChecks {
            result.append(Mismatch(setting: "bounds checks (swasmc --bounds-checks)",
                                   compiled: boundsChecks.description, needed: needed.boundsChecks.description))
        }
        func compare(_ compiled: Bool, _ needed: Bool, _ setting: String, _ checks: String) {
            guard compiled != needed else { return }
            func text(_ on: Bool) -> String { on ? checks : "no " + checks }
            result.append(Mismatch(setting: setting, compiled: text(compiled), needed: text(needed)))
        }
        compare(interruptible, needed.interruptible, "interruptible (swasmc --interruptible)", "interruption checks")
        compare(consumeFuel, needed.consumeFuel, "fuel (swasmc --consume-fuel)", "fuel counting")
        compare(epochInterruption, needed.epochInterruption, "epoch interruption (swasmc --epoch-interruption)", "epoch checks")
        return result
    }

    public var description: String {
        "bounds checks: \(boundsChecks), interruptible: \(interruptible ? "yes" : "no"), "
            + "fuel: \(consumeFuel ? "yes" : "no"), epoch interruption: \(epochInterruption ? "yes" : "no")"
    }
}

/// Metadata as the compiler builds it; `encoded()` gives the section bytes.
public struct ModuleMetadata: Sendable {
    public static let magic: [UInt8] = Array("SWASMETA".utf8)
    public static let noTrampoline = UInt32.max
    public static let headerSize = 48
    /// Where the header keeps the structure hash and the checksum.
    public static let structureHashOffset = 32
    public static let checksumOffset = 40
    /// Code pieces (functions, trampolines) start at multiples of this.
    public static let codeAlignment = 16

    /// The tables, in directory order, with the size of one entry.
    public enum Table: Int, CaseIterable, Sendable {
        /// The wasm module with empty function bodies, empty data segments
        /// and no custom sections: what instantiation decodes.
        case module
        /// (u32 setting id, u32 value) per setting that shapes the code
        /// (`CodeSettings`), by ascending id.
        case settings
        /// u32 code offset of each defined function, ascending.
        case functionOffsets
        /// u32 code size of each defined function.
        case functionSizes
        /// u32 array-call trampoline offset per type index (`noTrampoline`: none).
        case trampolines
        /// u32 size of each array-call trampoline (0 for none).
        case trampolineSizes
        /// u32 host-call trampoline offset per type index.
        case hostCalls
        /// u32 size of each host-call trampoline (0 for none).
        case hostCallSizes
        /// `TrapSiteRecord`s sorted by code offset.
        case trapSites
        /// `CallSiteRecord`s sorted by return offset.
        case callSites
        /// Per data segment: u32 offset into `data` and u32 length.
        case dataSegments
        /// The contents of every data segment, back to back.
        case data
        /// The contents of the `name` custom section (without its name), or nothing.
        case names

        public var entrySize: Int {
            switch self {
            case .module, .data, .names: return 1
            case .functionOffsets, .functionSizes, .trampolines, .trampolineSizes, .hostCalls, .hostCallSizes: return 4
            case .trapSites: return 16
            case .settings, .callSites, .dataSegments: return 8
            }
        }

        /// Whether the structure hash covers the table: every table the
        /// loader follows (the module, where code starts, the settings,
        /// where data segments lie). Not the data and names contents, which
        /// are handed on as they are, nor the trap and call site tables,
        /// which only say how a trap is reported (its kind and location),
        /// never whether or where code runs: they are checked entry by
        /// entry instead, and hashing them would cost about as much again
        /// as the rest of a large module's load. The optional checksum
        /// covers everything.
        public var isInStructureHash: Bool {
            switch self {
            case .data, .names, .trapSites, .callSites: return false
            default: return true
            }
        }
    }

    /// Bits of `flags`: properties of the code the runtime adapts to.
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// The code keeps a frame-pointer chain that backtraces can walk.
        public static let framePointers = Flags(rawValue: 1 << 1)
        /// The header's checksum covers `.text` and the metadata.
        public static let checksummed = Flags(rawValue: 1 << 3)

        /// The bits this swasm knows; objects with others are refused.
        public static let known: Flags = [.framePointers, .checksummed]
    }

    /// ELF machine number of the code (62 x86-64, 183 AArch64).
    public var machine: UInt16
    public var flags: Flags = []
    public var settings = CodeSettings()
    /// Instruction-set extensions the code uses; the loader refuses the code
    /// on a CPU that lacks one.
    public var requiredCPUFeatures: CPUFeatures = []
    public var moduleBytes: [UInt8]
    public var functionOffsets: [UInt32]
    public var functionSizes: [UInt32]
    public var trampolineOffsets: [UInt32]
    /// Size of each array-call trampoline (0 where there is none).
    public var trampolineSizes: [UInt32] = []
    /// Per type index: the trampoline through which compiled code calls a
    /// host function of that type (see `X64Backend.hostCallTrampoline`).
    public var hostCallOffsets: [UInt32] = []
    public var hostCallSizes: [UInt32] = []
    public var trapSites: [TrapSiteRecord]
    public var callSites: [CallSiteRecord] = []
    /// The contents of each data segment, in segment order.
    public var dataSegments: [ArraySlice<UInt8>] = []
    /// The `name` section's contents.
    public var names: ArraySlice<UInt8> = []
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

    /// The section bytes. With `text`, the header also carries a checksum
    /// over the code and the metadata (flag `checksummed`).
    public func encoded(checksummingText text: [UInt8]? = nil) -> [UInt8] {
        var out = Self.magic
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func u64(_ v: UInt64, at offset: Int) {
            withUnsafeBytes(of: v.littleEndian) { out.replaceSubrange(offset..<(offset + 8), with: $0) }
        }
        var flags = self.flags
        flags.remove(.checksummed)
        if text != nil { flags.insert(.checksummed) }
        u32(SwasmABI.objectFormatVersion)
        u16(machine)
        u16(0)
        u32(flags.rawValue)
        u32(textSize)
        u32(UInt32(Table.allCases.count))
        u32(requiredCPUFeatures.rawValue)
        out.append(contentsOf: repeatElement(0, count: 16))   // structure hash, checksum
        let directory = out.count
        out.append(contentsOf: repeatElement(0, count: Table.allCases.count * 8))
        func table(_ which: Table, count: Int, _ body: () -> Void) {
            while out.count % 8 != 0 { out.append(0) }
            let start = out.count
            body()
            precondition(out.count - start == count * which.entrySize)
            let slot = directory + which.rawValue * 8
            withUnsafeBytes(of: UInt32(start).littleEndian) { out.replaceSubrange(slot..<(slot + 4), with: $0) }
            withUnsafeBytes(of: UInt32(count).littleEndian) { out.replaceSubrange((slot + 4)..<(slot + 8), with: $0) }
        }
        /// Sizes for a trampoline table: as given, or 0 for every entry.
        func sizes(_ given: [UInt32], for offsets: [UInt32]) -> [UInt32] {
            given.count == offsets.count ? given : offsets.map { _ in 0 }
        }
        table(.module, count: moduleBytes.count) { out.append(contentsOf: moduleBytes) }
        let settingEntries = settings.entries
        table(.settings, count: settingEntries.count) { settingEntries.forEach { u32($0.id); u32($0.value) } }
        table(.functionOffsets, count: functionOffsets.count) { functionOffsets.forEach(u32) }
        table(.functionSizes, count: functionSizes.count) { functionSizes.forEach(u32) }
        table(.trampolines, count: trampolineOffsets.count) { trampolineOffsets.forEach(u32) }
        table(.trampolineSizes, count: trampolineOffsets.count) { sizes(trampolineSizes, for: trampolineOffsets).forEach(u32) }
        table(.hostCalls, count: hostCallOffsets.count) { hostCallOffsets.forEach(u32) }
        table(.hostCallSizes, count: hostCallOffsets.count) { sizes(hostCallSizes, for: hostCallOffsets).forEach(u32) }
        table(.trapSites, count: trapSites.count) {
            for site in trapSites {
                u32(site.codeOffset)
                u32(site.trapCode)
                u32(site.wasmOffset)
                u32(site.functionIndex)
            }
        }
        table(.callSites, count: callSites.count) {
            for site in callSites {
                u32(site.returnOffset)
                u32(site.wasmOffset)
            }
        }
        table(.dataSegments, count: dataSegments.count) {
            var position = 0
            for segment in dataSegments {
                u32(UInt32(position))
                u32(UInt32(segment.count))
                position += segment.count
            }
        }
        table(.data, count: dataSegments.reduce(0) { $0 + $1.count }) {
            for segment in dataSegments { out.append(contentsOf: segment) }
        }
        table(.names, count: names.count) { out.append(contentsOf: names) }
        let structureHash = out.withUnsafeBytes { MetadataView.structureHash(of: $0)! }
        u64(structureHash, at: Self.structureHashOffset)
        if let text {
            let checksum = text.withUnsafeBytes { code in out.withUnsafeBytes { MetadataView.checksum(text: code, metadata: $0) } }
            u64(checksum, at: Self.checksumOffset)
        }
        return out
    }
}

/// Metadata read in place: views into bytes that someone else keeps alive
/// (a mapped object file, a linked executable's data, or an array).
///
/// Decoding checks the header, that the tables tile the section, the
/// settings table, and the structure hash (over the header and the tables
/// the loader follows), so that accidental corruption of any of them is
/// noticed. Checking the entries against
/// the module is the loader's job (`CompiledModule`); users of the tables
/// still check what they index with, so that a wrong entry can give wrong
/// answers but never a read outside the section.
public struct MetadataView: @unchecked Sendable {
    public let machine: UInt16
    public let flags: ModuleMetadata.Flags
    public let settings: CodeSettings
    public let requiredCPUFeatures: CPUFeatures
    public let textSize: UInt32
    /// The whole section.
    public let bytes: UnsafeRawBufferPointer
    public let module: UnsafeRawBufferPointer
    public let functionOffsets: U32Table
    public let functionSizes: U32Table
    public let trampolineOffsets: U32Table
    public let trampolineSizes: U32Table
    public let hostCallOffsets: U32Table
    public let hostCallSizes: U32Table
    /// `swasm_trap_entry` records, 4-byte aligned.
    public let trapSites: UnsafeRawBufferPointer
    public var trapSiteCount: Int { trapSites.count / 16 }
    public let callSites: UnsafeRawBufferPointer
    public let dataSegmentTable: U32Table
    public let data: UnsafeRawBufferPointer
    public let names: UnsafeRawBufferPointer

    /// A read-only table of little-endian u32 values.
    public struct U32Table: @unchecked Sendable {
        public let bytes: UnsafeRawBufferPointer
        public var count: Int { bytes.count / 4 }
        public subscript(index: Int) -> UInt32 {
            UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
        }
    }

    public var dataSegmentCount: Int { dataSegmentTable.count / 2 }

    /// The contents of data segment `index` (empty when the table points outside `data`).
    public func dataSegment(_ index: Int) -> UnsafeRawBufferPointer {
        let offset = Int(dataSegmentTable[2 * index]), length = Int(dataSegmentTable[2 * index + 1])
        guard offset <= data.count, length <= data.count - offset else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: data[offset..<(offset + length)])
    }

    /// The bytecode offset of the call whose return address is at
    /// `returnOffset` in `.text`.
    public func callSiteWasmOffset(returnOffset: UInt32) -> UInt32? {
        var low = 0, high = callSites.count / 8
        while low < high {
            let middle = (low + high) / 2
            let key = UInt32(littleEndian: callSites.loadUnaligned(fromByteOffset: middle * 8, as: UInt32.self))
            if key == returnOffset {
                return UInt32(littleEndian: callSites.loadUnaligned(fromByteOffset: middle * 8 + 4, as: UInt32.self))
            }
            if key < returnOffset { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// Index (among defined functions) of the function whose code holds
    /// `codeOffset`.
    public func definedFunction(containing codeOffset: UInt32) -> Int? {
        var low = 0, high = functionOffsets.count
        while low < high {
            let middle = (low + high) / 2
            if functionOffsets[middle] <= codeOffset { low = middle + 1 } else { high = middle }
        }
        let candidate = low - 1
        guard candidate >= 0, candidate < functionSizes.count else { return nil }
        let start = functionOffsets[candidate]
        return codeOffset - start < functionSizes[candidate] ? candidate : nil
    }

    /// The section's table directory entry for `table`: (byte offset, entry count).
    static func directoryEntry(_ bytes: UnsafeRawBufferPointer, _ table: ModuleMetadata.Table) -> (offset: Int, count: Int) {
        let slot = ModuleMetadata.headerSize + table.rawValue * 8
        return (Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: slot, as: UInt32.self))),
                Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: slot + 4, as: UInt32.self))))
    }

    /// The hash over the header (without its hash fields), the directory and
    /// the tables `isInStructureHash` picks, as the header records it; nil when
    /// the directory or a table does not lie inside `bytes`.
    public static func structureHash(of bytes: UnsafeRawBufferPointer) -> UInt64? {
        let directoryEnd = ModuleMetadata.headerSize + ModuleMetadata.Table.allCases.count * 8
        guard bytes.count >= directoryEnd else { return nil }
        var hash = ObjectHash.xxh64(UnsafeRawBufferPointer(rebasing: bytes[0..<ModuleMetadata.structureHashOffset]))
        hash = ObjectHash.xxh64(UnsafeRawBufferPointer(rebasing: bytes[ModuleMetadata.headerSize..<directoryEnd]), seed: hash)
        for table in ModuleMetadata.Table.allCases where table.isInStructureHash {
            let (offset, count) = directoryEntry(bytes, table)
            guard offset <= bytes.count, count * table.entrySize <= bytes.count - offset else { return nil }
            hash = ObjectHash.xxh64(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count * table.entrySize)]), seed: hash)
        }
        return hash
    }

    /// The checksum over `text` and the whole metadata but the checksum field.
    static func checksum(text: UnsafeRawBufferPointer, metadata bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash = ObjectHash.xxh64(text)
        hash = ObjectHash.xxh64(UnsafeRawBufferPointer(rebasing: bytes[0..<ModuleMetadata.checksumOffset]), seed: hash)
        return ObjectHash.xxh64(UnsafeRawBufferPointer(rebasing: bytes[(ModuleMetadata.checksumOffset + 8)...]), seed: hash)
    }

    /// Checks the checksum recorded at compile time against `text` (the
    /// code as mapped) and the metadata. O(size of the code): on request only.
    public func verifyChecksum(text: UnsafeRawBufferPointer) throws(MetadataError) {
        guard flags.contains(.checksummed) else {
            throw MetadataError("the object carries no checksum to verify")
        }
        let recorded = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: ModuleMetadata.checksumOffset, as: UInt64.self))
        let actual = Self.checksum(text: text, metadata: bytes)
        guard recorded == actual else {
            throw MetadataError("checksum mismatch: the object records \(hex(recorded)), its code and metadata hash to \(hex(actual)); the object was changed after it was compiled")
        }
    }

    /// Checks the header, the table directory, the settings and the
    /// structure hash; O(module skeleton + functions + types), never O(code).
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(MetadataError) -> MetadataView {
        func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        guard bytes.count >= 8, bytes[0..<8].elementsEqual(ModuleMetadata.magic) else {
            throw MetadataError("not swasm module metadata (bad magic)")
        }
        // The version comes before any other check, so that objects of
        // another format (whose header may be shorter) get this error.
        guard bytes.count >= 12 else {
            throw MetadataError("metadata is truncated: \(bytes.count) bytes, the header alone is \(ModuleMetadata.headerSize)")
        }
        let version = u32(8)
        guard version == SwasmABI.objectFormatVersion else {
            throw MetadataError("object format version \(version), this swasm reads version \(SwasmABI.objectFormatVersion): recompile the module with this swasmc")
        }
        guard bytes.count >= ModuleMetadata.headerSize else {
            throw MetadataError("metadata is truncated: \(bytes.count) bytes, the header alone is \(ModuleMetadata.headerSize)")
        }
        let machine = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 12, as: UInt16.self))
        guard bytes.loadUnaligned(fromByteOffset: 14, as: UInt16.self) == 0 else {
            throw MetadataError("the header's reserved field is not zero")
        }
        let flags = ModuleMetadata.Flags(rawValue: u32(16))
        let unknownFlags = flags.subtracting(ModuleMetadata.Flags.known)
        guard unknownFlags.isEmpty else {
            throw MetadataError("metadata flags 0x\(String(unknownFlags.rawValue, radix: 16)) are unknown to this swasm")
        }
        let textSize = u32(20)
        let tableCount = Int(u32(24))
        guard tableCount == ModuleMetadata.Table.allCases.count else {
            throw MetadataError("metadata has \(tableCount) tables, expected \(ModuleMetadata.Table.allCases.count)")
        }
        let directoryEnd = ModuleMetadata.headerSize + tableCount * 8
        guard bytes.count >= directoryEnd else {
            throw MetadataError("metadata is truncated: \(bytes.count) bytes, the table directory ends at \(directoryEnd)")
        }
        guard UInt(bitPattern: bytes.baseAddress) % 4 == 0 else {
            throw MetadataError("metadata is not 4-byte aligned in memory")
        }
        // The tables follow each other in directory order, each at the first
        // 8-byte boundary after the one before, and fill the section: a
        // table moved or resized by a changed directory entry is noticed.
        var tables: [UnsafeRawBufferPointer] = []
        var end = directoryEnd
        for table in ModuleMetadata.Table.allCases {
            let (offset, count) = directoryEntry(bytes, table)
            let size = count * table.entrySize
            guard offset <= bytes.count, size <= bytes.count - offset else {
                throw MetadataError("metadata table \(table) (\(count) entries at byte \(offset)) lies outside the \(bytes.count)-byte section")
            }
            let expected = (end + 7) / 8 * 8
            guard offset == expected else {
                throw MetadataError("metadata table \(table) is at byte \(offset), expected \(expected) (after the table before it)")
            }
            tables.append(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + size)]))
            end = offset + size
        }
        guard end == bytes.count else {
            throw MetadataError("the metadata tables end at byte \(end), the section at \(bytes.count)")
        }
        let recordedHash = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: ModuleMetadata.structureHashOffset, as: UInt64.self))
        let actualHash = structureHash(of: bytes)!
        guard recordedHash == actualHash else {
            throw MetadataError("metadata is corrupted: its structure hash is \(hex(actualHash)), the header records \(hex(recordedHash))")
        }
        func table(_ which: ModuleMetadata.Table) -> UnsafeRawBufferPointer { tables[which.rawValue] }
        let settings = try CodeSettings(table: U32Table(bytes: table(.settings)))
        return MetadataView(machine: machine, flags: flags, settings: settings,
                            requiredCPUFeatures: CPUFeatures(rawValue: u32(28)),
                            textSize: textSize, bytes: bytes, module: table(.module),
                            functionOffsets: U32Table(bytes: table(.functionOffsets)),
                            functionSizes: U32Table(bytes: table(.functionSizes)),
                            trampolineOffsets: U32Table(bytes: table(.trampolines)),
                            trampolineSizes: U32Table(bytes: table(.trampolineSizes)),
                            hostCallOffsets: U32Table(bytes: table(.hostCalls)),
                            hostCallSizes: U32Table(bytes: table(.hostCallSizes)),
                            trapSites: table(.trapSites), callSites: table(.callSites),
                            dataSegmentTable: U32Table(bytes: table(.dataSegments)),
                            data: table(.data), names: table(.names))
    }
}

func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}

/// Instruction-set extensions compiled code may need beyond the machine's
/// baseline (x86-64: SSE2). Bits are per machine.
public struct CPUFeatures: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// x86-64 SSE4.1 (`roundss`/`roundsd` for floor, ceil, trunc, nearest).
    public static let sse41 = CPUFeatures(rawValue: 1 << 0)
    /// x86-64 POPCNT.
    public static let popcnt = CPUFeatures(rawValue: 1 << 1)
    /// x86-64 LZCNT (ABM).
    public static let lzcnt = CPUFeatures(rawValue: 1 << 2)
    /// x86-64 BMI1 (`tzcnt`).
    public static let bmi1 = CPUFeatures(rawValue: 1 << 3)

    /// What the x86-64 backend uses today (Intel Haswell, AMD Piledriver and later).
    public static let x86_64Baseline: CPUFeatures = [.sse41, .popcnt, .lzcnt, .bmi1]

    /// AArch64 LSE atomics (FEAT_LSE: `ldadd`, `cas`, `swp`).
    public static let aarch64LSE = CPUFeatures(rawValue: 1 << 0)
    /// AArch64 load-acquire RCpc (FEAT_LRCPC: `ldapr`).
    public static let aarch64RCPC = CPUFeatures(rawValue: 1 << 1)

    /// Lower-case names of the features in this set on x86-64, unknown bits as `bitN`.
    public var names: [String] { names(machine: 62) }

    /// Lower-case names of the features in this set for code of `machine`
    /// (ELF `e_machine`: 62 x86-64, 183 AArch64), unknown bits as `bitN`.
    public func names(machine: UInt16) -> [String] {
        let known: [(CPUFeatures, String)]
        switch machine {
        case 62: known = [(.sse41, "sse4.1"), (.popcnt, "popcnt"), (.lzcnt, "lzcnt"), (.bmi1, "bmi1")]
        case 183: known = [(.aarch64LSE, "lse"), (.aarch64RCPC, "rcpc")]
        default: known = []
        }
        var result = known.filter { contains($0.0) }.map(\.1)
        for bit in 0..<32 where rawValue & (1 << bit) != 0 && !known.contains(where: { $0.0.rawValue == 1 << bit }) {
            result.append("bit\(bit)")
        }
        return result
    }
}

#if _endian(big)
#error("the metadata tables are read in place as little-endian values")
#endif
