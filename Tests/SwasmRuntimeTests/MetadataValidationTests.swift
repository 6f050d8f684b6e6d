// The loader's checks of metadata that is consistent with its own hash (as
// a crafted object's would be): every entry the runtime follows is checked
// against the module and the code layout, so a moved entry is an error and
// never a jump into the middle of an instruction.
import SwasmABI
@testable import SwasmRuntime
import Testing
import WasmModel

@Suite struct MetadataValidationTests {
    /// Two functions and two types, each with an array-call trampoline, a
    /// trap site in `trap`, two data segments.
    func sample() -> TestModule {
        var m = TestModule()
        let binary = m.type([.i32, .i32], [.i32])
        let nullary = m.type([], [])
        m.function(binary, X64.add)
        m.function(nullary, [0x90] + X64.trap + [0xC3], traps: [(offset: 1, code: .unreachable)])
        m.export("add", .function, 0)
        m.export("trap", .function, 1)
        m.memory(1, nil)
        m.activeData(offset: Wasm.i32(0), [1, 2, 3])
        m.activeData(offset: Wasm.i32(8), [4, 5])
        return m
    }

    func load(_ text: [UInt8], _ metadata: [UInt8]) -> String? {
        do {
            _ = try CompiledModule(text: text, metadata: metadata)
            return nil
        } catch {
            return "\(error)"
        }
    }

    func load(_ change: (inout ModuleMetadata) -> Void) -> String? {
        var (text, metadata) = sample().layout()
        change(&metadata)
        return load(text, metadata.encoded())
    }

    /// Sets the u32 at `offset` of encoded metadata and recomputes the structure hash.
    func patched(_ bytes: [UInt8], at offset: Int, _ value: UInt32) -> [UInt8] {
        var bytes = bytes
        withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<(offset + 4), with: $0) }
        return rehashed(bytes)
    }

    func rehashed(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        let hash = bytes.withUnsafeBytes { MetadataView.structureHash(of: $0)! }
        let at = ModuleMetadata.structureHashOffset
        withUnsafeBytes(of: hash.littleEndian) { bytes.replaceSubrange(at..<(at + 8), with: $0) }
        return bytes
    }

    func tableOffset(_ bytes: [UInt8], _ table: ModuleMetadata.Table) -> Int {
        let slot = ModuleMetadata.headerSize + table.rawValue * 8
        return Int(bytes[slot]) | Int(bytes[slot + 1]) << 8 | Int(bytes[slot + 2]) << 16 | Int(bytes[slot + 3]) << 24
    }

    @Test func theSampleLoadsAndRuns() throws {
        let instance = try Instance(module: try sample().compile(), imports: [])
        #expect(try instance.call(try instance.exportedFunction("add"), [.i32(2), .i32(3)]) == [.i32(5)])
        let trap = #expect(throws: Trap.self) { try instance.call(try instance.exportedFunction("trap"), []) }
        #expect(trap?.code == .unreachable)
    }

    @Test(arguments: [1, -1, 2, 16, -16, 256])
    func movedTrampolinesAreRefused(_ delta: Int) {
        for type in 0..<2 {
            let error = load { $0.trampolineOffsets[type] = UInt32(truncatingIfNeeded: Int($0.trampolineOffsets[type]) + delta) }
            #expect(error?.contains("array-call trampoline of type \(type)") == true, "\(String(describing: error))")
        }
    }

    @Test(arguments: [1, -1, 16, -16])
    func movedFunctionsAreRefused(_ delta: Int) {
        for function in 0..<2 {
            let error = load { $0.functionOffsets[function] = UInt32(truncatingIfNeeded: Int($0.functionOffsets[function]) + delta) }
            #expect(error != nil, "function \(function) moved by \(delta) was accepted")
        }
        // A size that reaches into the next piece's slot.
        #expect(load { $0.functionSizes[0] += 16 } != nil)
        #expect(load { $0.functionSizes[1] = 0 }?.contains("has no code") == true)
    }

    @Test func tablesOfTheWrongLengthAreRefused() {
        #expect(load { $0.trampolineOffsets.removeLast(); $0.trampolineSizes.removeLast() }?.contains("trampolines for 2 types") == true)
        #expect(load { $0.functionOffsets.append(0x40); $0.functionSizes.append(4) }?.contains("code for 3 functions") == true)
        #expect(load { $0.textSize += 16 }?.contains("metadata says") == true)
    }

    @Test func trapSitesAreChecked() {
        // Outside the function it names, or naming another function.
        #expect(load { $0.trapSites[0].codeOffset = 0 }?.contains("not inside function 1") == true)
        #expect(load { $0.trapSites[0].functionIndex = 0 }?.contains("not inside function 0") == true)
        #expect(load { $0.trapSites[0].functionIndex = 7 } != nil)
        // Trap codes the host raises, or none at all.
        for code in [0, TrapCode.exit.rawValue, TrapCode.hostError.rawValue, 99] {
            #expect(load { $0.trapSites[0].trapCode = code }?.contains("trap code \(code)") == true)
        }
        // Out of order.
        #expect(load {
            $0.trapSites.append($0.trapSites[0])
            $0.trapSites[0].codeOffset += 1
        }?.contains("out of order") == true)
    }

    @Test func callSitesAreChecked() {
        #expect(load { $0.callSites = [CallSiteRecord(returnOffset: 0x7000, wasmOffset: 1)] }?.contains("outside every function") == true)
        #expect(load {
            $0.callSites = [CallSiteRecord(returnOffset: 3, wasmOffset: 1), CallSiteRecord(returnOffset: 2, wasmOffset: 1)]
        }?.contains("out of order") == true)
    }

    @Test func dataSegmentTableMustTileTheData() {
        let (text, metadata) = sample().layout()
        let bytes = metadata.encoded()
        let table = tableOffset(bytes, .dataSegments)
        // Second segment's offset and length, the first's length.
        #expect(load(text, patched(bytes, at: table + 8, 4))?.contains("data segment 1 starts at byte 4") == true)
        #expect(load(text, patched(bytes, at: table + 12, 1))?.contains("data segments hold 4 bytes") == true)
        #expect(load(text, patched(bytes, at: table + 4, 2)) != nil)
    }

    @Test func theModuleMustBeValid() {
        var m = sample()
        m.export("ghost", .function, 9)
        let (text, metadata) = m.layout()
        let ghost = load(text, metadata.encoded())
        #expect(ghost?.contains("unknown func 9 in export") == true, "\(String(describing: ghost))")
        var global = sample()
        global.global(.i64, mutable: false, Wasm.i32(1))
        let (globalText, globalMetadata) = global.layout()
        #expect(load(globalText, globalMetadata.encoded())?.contains("the module in the metadata is invalid") == true)
    }

    @Test func headerFieldsAreChecked() {
        let (text, metadata) = sample().layout()
        let bytes = metadata.encoded()
        #expect(load(text, patched(bytes, at: 16, 1 << 7))?.contains("flags 0x80 are unknown") == true)
        let settings = tableOffset(bytes, .settings)
        #expect(load(text, patched(bytes, at: settings + 4, 7))?.contains("unknown bounds-check mode 7") == true)
        #expect(load(text, patched(bytes, at: settings + 12, 2))?.contains("interruptible setting has value 2") == true)
        #expect(load(text, patched(bytes, at: settings, 5))?.contains("for setting 5") == true)
        var machine = bytes
        machine[12] = 183
        #expect(load(text, rehashed(machine))?.contains("aarch64") == true)
        var version = bytes
        version[8] = 3
        #expect(load(text, version)?.contains("object format version 3, this swasm reads version 4") == true)
    }

    /// Code compiled here for another machine (a cross-compiling engine)
    /// keeps its interface but is not mapped, and instantiating it is
    /// refused with both machines named; the same code for this machine
    /// still goes through the normal path.
    @Test func foreignCodeIsDescribedButNotInstantiated() throws {
        let (text, metadata) = sample().layout()
        var bytes = metadata.encoded()
        let other: UInt16 = ObjectImage.hostMachine == 62 ? 183 : 62
        bytes[12] = UInt8(other)
        let foreign = try CompiledModule(foreignText: text, metadata: rehashed(bytes))
        #expect(!foreign.runsHere)
        #expect(foreign.exports.map(\.name) == ["add", "trap"])
        #expect(load(text, rehashed(bytes)) != nil)
        #expect {
            _ = try Instance(module: foreign, imports: [])
        } throws: { error in
            "\(error)" == "the module was compiled for \(ObjectImage.machineName(other)) and cannot be instantiated on this host (\(ObjectImage.machineName(ObjectImage.hostMachine))); serialize it and load it on its machine"
        }
        #expect(try CompiledModule(foreignText: text, metadata: metadata.encoded()).runsHere)
        #expect(throws: CompiledModuleError.self) { try CompiledModule(foreignText: Array(text.dropLast()), metadata: rehashed(bytes)) }
    }

    /// Without recomputing the hash, any change to a byte the loader
    /// follows is noticed before anything else is looked at; only the
    /// checksum field, padding and the data and names contents are left.
    @Test func theStructureHashCatchesEveryChangedByte() throws {
        let (text, metadata) = sample().layout()
        let bytes = metadata.encoded()
        var covered = Set(0..<ModuleMetadata.checksumOffset)
        covered.formUnion(ModuleMetadata.headerSize..<(ModuleMetadata.headerSize + ModuleMetadata.Table.allCases.count * 8))
        for table in ModuleMetadata.Table.allCases where table.isInStructureHash {
            let slot = ModuleMetadata.headerSize + table.rawValue * 8 + 4
            let count = Int(bytes[slot]) | Int(bytes[slot + 1]) << 8
            covered.formUnion(tableOffset(bytes, table)..<(tableOffset(bytes, table) + count * table.entrySize))
        }
        #expect(covered.count > 200)
        // Trap and call site entries are checked one by one instead (other tests).
        let sites = [ModuleMetadata.Table.trapSites, .callSites].flatMap { table -> [Int] in
            let slot = ModuleMetadata.headerSize + table.rawValue * 8 + 4
            return Array(tableOffset(bytes, table)..<(tableOffset(bytes, table) + Int(bytes[slot]) * table.entrySize))
        }
        for at in 0..<bytes.count where !sites.contains(at) {
            var copy = bytes
            copy[at] ^= 0x20
            let error = load(text, copy)
            if covered.contains(at) {
                #expect(error != nil, "byte \(at) changed, yet the metadata loads")
            } else {
                #expect(error == nil, "byte \(at) is not interpreted, yet: \(String(describing: error))")
            }
        }
    }

    /// Fuel and epoch flags are 0 or 1 (objects whose table ends before
    /// them: ObjectTrustTests).
    @Test func fuelAndEpochSettingsAreChecked() throws {
        let (text, metadata) = sample().layout()
        let bytes = metadata.encoded()
        let settings = tableOffset(bytes, .settings)
        #expect(load(text, patched(bytes, at: settings + 20, 2))?.contains("fuel setting has value 2") == true)
        #expect(load(text, patched(bytes, at: settings + 28, 3))?.contains("epoch interruption setting has value 3") == true)
        #expect(load(text, patched(bytes, at: settings + 24, 9))?.contains("for setting 9, expected setting 4") == true)
    }

    @Test func settingsAreRecordedAndCompared() throws {
        var (text, metadata) = sample().layout()
        metadata.settings = CodeSettings(boundsChecks: .explicit, interruptible: true, consumeFuel: true, epochInterruption: true)
        let module = try CompiledModule(text: text, metadata: metadata.encoded())
        #expect(module.settings == CodeSettings(boundsChecks: .explicit, interruptible: true, consumeFuel: true, epochInterruption: true))
        #expect(module.usesExplicitBoundsChecks)
        let mismatches = CodeSettings().mismatches(against: module.settings).map(\.description)
        #expect(mismatches == [
            "bounds checks (swasmc --bounds-checks): the object has guard region, the engine needs explicit",
            "interruptible (swasmc --interruptible): the object has no interruption checks, the engine needs interruption checks",
            "fuel (swasmc --consume-fuel): the object has no fuel counting, the engine needs fuel counting",
            "epoch interruption (swasmc --epoch-interruption): the object has no epoch checks, the engine needs epoch checks",
        ])
        #expect(module.settings.mismatches(against: module.settings).isEmpty)
    }

    @Test func checksumCoversCodeAndMetadata() throws {
        let (text, metadata) = sample().layout()
        let bytes = metadata.encoded(checksummingText: text)
        try bytes.withUnsafeBytes { raw in
            let view = try MetadataView.decode(raw)
            try text.withUnsafeBytes { try view.verifyChecksum(text: $0) }
            var changed = text
            changed[changed.count - 1] ^= 1
            #expect(throws: MetadataError.self) { try changed.withUnsafeBytes { try view.verifyChecksum(text: $0) } }
        }
        // Data contents are covered too (they are not in the structure hash).
        var data = bytes
        data[tableOffset(bytes, .data)] ^= 1
        try data.withUnsafeBytes { raw in
            let view = try MetadataView.decode(raw)
            #expect(throws: MetadataError.self) { try text.withUnsafeBytes { try view.verifyChecksum(text: $0) } }
        }
        // Metadata encoded without code carries no checksum to verify.
        try metadata.encoded().withUnsafeBytes { raw in
            let view = try MetadataView.decode(raw)
            let error = #expect(throws: MetadataError.self) { try text.withUnsafeBytes { try view.verifyChecksum(text: $0) } }
            #expect(error?.description.contains("no checksum") == true)
        }
    }

    /// XXH64 known answers (from the reference implementation).
    @Test func xxh64MatchesTheReference() {
        let cases: [([UInt8], UInt64, UInt64)] = [
            ([], 0xef46_db37_51d8_e999, 0x6e01_c031_7d5c_53d0),
            (Array("a".utf8), 0xd24e_c4f1_a98c_6e5b, 0xa41f_d1e6_d12c_9a9e),
            (Array("abc".utf8), 0x44bc_2cf5_ad77_0999, 0xfc77_5f09_1949_e650),
            ((0..<100).map { UInt8($0) }, 0x6ac1_e580_3216_6597, 0x9c53_95b5_da7d_2126),
            (Array(String(repeating: "swasm", count: 13).utf8), 0xf147_c515_845e_3644, 0xf4bc_5c56_9677_b632),
        ]
        for (bytes, unseeded, seeded) in cases {
            #expect(ObjectHash.xxh64(bytes) == unseeded, "\(bytes.count) bytes")
            #expect(ObjectHash.xxh64(bytes, seed: 0x1234) == seeded, "\(bytes.count) bytes, seeded")
        }
    }
}
