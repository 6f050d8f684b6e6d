// Precompiled objects are native code: they load only through the entry
// points named for trust, must match the engine's code settings, and every
// corruption of their metadata is either refused or harmless. The checksum
// catches changed code and data on request.
import Foundation
import SwasmABI
import Testing
import Swasm

/// Every kind of metadata table in use: imports (a host-call trampoline),
/// several types, a table with elements, globals, memory, active and passive
/// data, traps of several kinds, calls, a loop.
private let sample = """
    (module
      (import "env" "twice" (func $twice (param i32) (result i32)))
      (type $binary (func (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      (table 4 funcref)
      (global $counter (mut i32) (i32.const 7))
      (global $base i64 (i64.const 40))
      (elem (i32.const 0) $add $sub)
      (data (i32.const 16) "swasm!")
      (data $passive "passive")
      (func $add (export "add") (type $binary) (i32.add (local.get 0) (local.get 1)))
      (func $sub (type $binary) (i32.sub (local.get 0) (local.get 1)))
      (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
      (func (export "indirect") (param i32 i32 i32) (result i32)
        (call_indirect (type $binary) (local.get 1) (local.get 2) (local.get 0)))
      (func (export "load") (param i32) (result i32) (i32.load8_u offset=16 (local.get 0)))
      (func (export "host") (param i32) (result i32) (call $twice (call $add (local.get 0) (i32.const 1))))
      (func (export "count") (result i64)
        (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
        (i64.add (global.get $base) (i64.extend_i32_u (global.get $counter))))
      (func (export "sum") (param i32) (result i32) (local i32)
        (block (loop
          (br_if 1 (i32.eqz (local.get 0)))
          (local.set 1 (i32.add (local.get 1) (local.get 0)))
          (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
          (br 0)))
        (local.get 1))
      (func (export "init") (memory.init $passive (i32.const 100) (i32.const 0) (i32.const 7)))
      (func (export "stop") unreachable))
    """

/// The calls whose outcomes must not change.
private let script: [(String, [Value])] = [
    ("add", [.i32(2), .i32(3)]), ("div", [.i32(7), .i32(2)]), ("div", [.i32(1), .i32(0)]),
    ("div", [.i32(0x8000_0000), .i32(UInt32.max)]),
    ("indirect", [.i32(0), .i32(5), .i32(3)]), ("indirect", [.i32(1), .i32(5), .i32(3)]),
    ("indirect", [.i32(2), .i32(5), .i32(3)]), ("indirect", [.i32(9), .i32(5), .i32(3)]),
    ("load", [.i32(0)]), ("load", [.i32(5)]), ("load", [.i32(65536)]), ("host", [.i32(20)]),
    ("count", []), ("count", []), ("sum", [.i32(10)]), ("init", []), ("load", [.i32(84)]), ("stop", []),
]

/// What running the script on `module` gives: results, or trap kinds.
private func outcomes(_ module: Module) throws -> [String] {
    let store = Store(engine: module.engine)
    let twice = Func.wrap(store) { (value: Int32) -> Int32 in value &* 2 }
    let instance = try Instance(store, module: module, imports: [.func(twice)])
    return try script.map { name, arguments in
        guard let function = instance.func(name) else { return "no export \(name)" }
        do {
            return "\(try function.call(arguments))"
        } catch let trap as Trap {
            return "trap \(trap.code)"
        }
    }
}

/// The byte ranges of an object: the metadata section, and inside it (as
/// offsets from its start) the tables' ranges.
private struct ObjectLayout {
    var metadataStart: Int
    var metadataCount: Int
    var directory: [(offset: Int, count: Int)]

    init(_ bytes: [UInt8]) throws {
        let magic = Array("SWASMETA".utf8)
        let start = try #require((0..<(bytes.count - 8)).first { bytes[$0..<($0 + 8)].elementsEqual(magic) })
        func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(bytes[start + at + $1]) << (8 * $1) } }
        metadataStart = start
        directory = ModuleMetadata.Table.allCases.map { (u32(ModuleMetadata.headerSize + $0.rawValue * 8),
                                                         u32(ModuleMetadata.headerSize + $0.rawValue * 8 + 4)) }
        let last = ModuleMetadata.Table.allCases.last!
        metadataCount = directory[last.rawValue].offset + directory[last.rawValue].count * last.entrySize
    }

    func range(_ table: ModuleMetadata.Table) -> Range<Int> {
        let entry = directory[table.rawValue]
        return entry.offset..<(entry.offset + entry.count * table.entrySize)
    }

    /// Metadata offsets of the bytes the structure hash covers: the header,
    /// the directory and every table the loader follows.
    var interpreted: [Int] {
        let directoryEnd = ModuleMetadata.headerSize + ModuleMetadata.Table.allCases.count * 8
        return Array(0..<directoryEnd) + ModuleMetadata.Table.allCases.filter(\.isInStructureHash).flatMap { Array(range($0)) }
    }

    /// `bytes` with the metadata's structure hash recomputed, as a crafted object would have it.
    func rehashed(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        let metadata = Array(bytes[metadataStart..<(metadataStart + metadataCount)])
        guard let hash = metadata.withUnsafeBytes({ MetadataView.structureHash(of: $0) }) else { return bytes }
        let at = metadataStart + ModuleMetadata.structureHashOffset
        withUnsafeBytes(of: hash.littleEndian) { bytes.replaceSubrange(at..<(at + 8), with: $0) }
        return bytes
    }
}

/// A deterministic generator, so that a failing seed can be replayed.
private struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct ObjectTrustTests {
    let engine = Engine()

    func objectBytes(_ engine: Engine = Engine()) throws -> [UInt8] {
        try Module(engine: engine, text: sample).serialize()
    }

    /// Loads `bytes`; nil when the load is refused with a `ModuleError`.
    func outcomesOrRefusal(_ bytes: [UInt8], engine: Engine = Engine()) throws -> [String]? {
        let module: Module
        do {
            module = try Module.deserialize(engine: engine, trustedObject: bytes)
        } catch is ModuleError {
            return nil
        }
        do {
            return try outcomes(module)
        } catch {
            // Instantiation may refuse what loading let through (a data
            // segment out of bounds, say): a clean error, not wrong answers.
            return ["refused at instantiation: \(error)"]
        }
    }

    @Test func compilingEntryPointsRefuseObjects() throws {
        let bytes = try objectBytes()
        let fromBytes = #expect(throws: ModuleError.self) { try Module(engine: engine, bytes: bytes) }
        #expect("\(fromBytes!)".contains("precompiled swasm object (native code)"))
        #expect("\(fromBytes!)".contains("Module.deserialize(engine:trustedObject:)"))
        let path = temporaryPath("trust.o")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let fromFile = #expect(throws: ModuleError.self) { try Module(engine: engine, contentsOfFile: path) }
        #expect("\(fromFile!)".contains("\(path): a precompiled swasm object"))
        // The trusted entry points load it; they refuse WebAssembly.
        let baseline = try outcomes(try Module(engine: engine, text: sample))
        #expect(try outcomes(try Module.deserialize(engine: engine, trustedObject: bytes)) == baseline)
        #expect(try outcomes(try Module.deserialize(engine: engine, trustedObjectFile: path)) == baseline)
        #expect(throws: ModuleError.self) {
            try Module.deserialize(engine: engine, trustedObject: [0x00, 0x61, 0x73, 0x6D, 1, 0, 0, 0])
        }
    }

    @Test func baselineOutcomes() throws {
        let got = try outcomes(try Module(engine: engine, text: sample))
        #expect(got == [
            "[i32:5]", "[i32:3]", "trap integer divide by zero", "trap integer overflow",
            "[i32:8]", "[i32:2]", "trap uninitialized element", "trap out of bounds table access",
            "[i32:115]", "[i32:33]", "trap out of bounds memory access", "[i32:42]",
            "[i64:48]", "[i64:49]", "[i32:55]", "[]", "[i32:112]", "trap unreachable executed",
        ], "\(got)")
    }

    /// Objects must record every setting that changes the code, and an
    /// engine refuses code compiled with other settings.
    @Test func settingsMismatchesAreRefused() throws {
        let plain = try objectBytes()
        var interruptible = Engine.Config()
        interruptible.interruptible = true
        var explicit = Engine.Config()
        explicit.memoryStrategy = .explicitBoundsChecks
        for (config, setting, object, needed) in [
            (interruptible, "interruptible (swasmc --interruptible)", "no interruption checks", "interruption checks"),
            (explicit, "bounds checks (swasmc --bounds-checks)", "guard region", "explicit"),
        ] {
            let error = #expect(throws: ModuleError.self) { try Module.deserialize(engine: Engine(config), trustedObject: plain) }
            guard case .settingsMismatch(_, let mismatches)? = error else {
                Issue.record("not a settings mismatch: \(String(describing: error))")
                continue
            }
            #expect(mismatches.map(\.setting) == [setting])
            #expect("\(error!)".contains("\(setting): the object has \(object), the engine needs \(needed)"))
            // And the other way round; the same settings load.
            let matching = try objectBytes(Engine(config))
            #expect(throws: ModuleError.self) { try Module.deserialize(engine: engine, trustedObject: matching) }
            #expect(try outcomes(try Module.deserialize(engine: Engine(config), trustedObject: matching)) == outcomes(Module(engine: engine, text: sample)))
        }
    }

    /// Objects of the format before the settings record, the layout checks
    /// and the hashes (the crash reproducers of the review among them) are
    /// refused as another version.
    @Test(arguments: ["obj-metadata-table-3-551.o", "obj-metadata-table-3-552.o", "obj-metadata-random-707.o"])
    func objectsOfTheOldFormatAreRefused(_ name: String) throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("objects").appendingPathComponent(name).path
        let error = #expect(throws: ModuleError.self) { try Module.deserialize(engine: engine, trustedObjectFile: path) }
        #expect("\(error!)".contains("object format version 3, this swasm reads version \(SwasmABI.objectFormatVersion)"), "\(error!)")
    }

    /// Each interpreted metadata byte changed (as a disk or a copy would
    /// change it, without recomputing any hash): refused, or no change in
    /// behaviour (bytes the loader never reads: the checksum field).
    @Test func everyChangedMetadataByteIsRefusedOrHarmless() throws {
        let original = try objectBytes()
        let layout = try ObjectLayout(original)
        let baseline = try #require(try outcomesOrRefusal(original))
        var generator = SplitMix(state: 0x0B1E_C7)
        var refused = 0, harmless = 0
        for at in layout.interpreted {
            var bytes = original
            let change = at % 2 == 0 ? 0x01 : UInt8.random(in: 1...255, using: &generator)
            bytes[layout.metadataStart + at] ^= change
            guard let result = try outcomesOrRefusal(bytes) else { refused += 1; continue }
            #expect(result == baseline, "metadata byte \(at) ^ \(change)")
            harmless += 1
        }
        #expect(refused > 500)
        #expect(harmless == 8, "only the checksum field is not read at load")
    }

    /// Several bytes at once, many seeds.
    @Test func randomMetadataCorruptionIsRefusedOrHarmless() throws {
        let original = try objectBytes()
        let layout = try ObjectLayout(original)
        let interpreted = layout.interpreted
        let baseline = try #require(try outcomesOrRefusal(original))
        for seed in 0..<300 as Range<UInt64> {
            var generator = SplitMix(state: seed)
            var bytes = original
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                bytes[layout.metadataStart + interpreted.randomElement(using: &generator)!] = UInt8.random(in: 0...255, using: &generator)
            }
            if let result = try outcomesOrRefusal(bytes) { #expect(result == baseline, "seed \(seed)") }
        }
    }

    /// Crafted metadata (its hash recomputed) whose layout entries moved:
    /// every u32 of the code layout, settings and data segment tables, the
    /// header and the directory, by ±1, ±16 and at random. Refused or
    /// harmless, never a jump into the middle of code.
    @Test func craftedLayoutEntriesAreRefusedOrHarmless() throws {
        let original = try objectBytes()
        let layout = try ObjectLayout(original)
        let baseline = try #require(try outcomesOrRefusal(original))
        let tables: [ModuleMetadata.Table] = [.settings, .functionOffsets, .functionSizes, .trampolines, .trampolineSizes,
                                              .hostCalls, .hostCallSizes, .dataSegments]
        var fields = [12, 16, 20, 24, 28] + (0..<(ModuleMetadata.Table.allCases.count * 2)).map { ModuleMetadata.headerSize + 4 * $0 }
        for table in tables { fields += Array(stride(from: layout.range(table).lowerBound, to: layout.range(table).upperBound, by: 4)) }
        var generator = SplitMix(state: 0xC4AF_7ED)
        var refused = 0
        for field in fields {
            for delta in [1, -1, 16, -16, Int(UInt32.random(in: 0...UInt32.max, using: &generator))] {
                var bytes = original
                let at = layout.metadataStart + field
                let value = (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) }
                withUnsafeBytes(of: UInt32(truncatingIfNeeded: value + delta).littleEndian) { bytes.replaceSubrange(at..<(at + 4), with: $0) }
                guard let result = try outcomesOrRefusal(layout.rehashed(bytes)) else { refused += 1; continue }
                #expect(result == baseline, "field at metadata byte \(field) + \(delta)")
            }
        }
        #expect(refused > fields.count * 3)
    }

    /// Trap and call site entries (changed by accident or crafted: they are
    /// not in the structure hash) can only change what a trap reports, as
    /// they are looked up, never followed: every load is refused or runs,
    /// the calls that do not trap answer the same.
    @Test func craftedSiteEntriesNeverCrash() throws {
        let original = try objectBytes()
        let layout = try ObjectLayout(original)
        let baseline = try #require(try outcomesOrRefusal(original))
        var generator = SplitMix(state: 0x5173)
        let fields = [ModuleMetadata.Table.trapSites, .callSites].flatMap { Array(stride(from: layout.range($0).lowerBound, to: layout.range($0).upperBound, by: 4)) }
        #expect(fields.count > 20)
        for field in fields {
            for delta in [1, -1, 2, Int(UInt32.random(in: 0...UInt32.max, using: &generator))] {
                var bytes = original
                let at = layout.metadataStart + field
                let value = (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) }
                withUnsafeBytes(of: UInt32(truncatingIfNeeded: value + delta).littleEndian) { bytes.replaceSubrange(at..<(at + 4), with: $0) }
                guard let result = try outcomesOrRefusal(bytes) else { continue }
                for (got, expected) in zip(result, baseline) {
                    #expect(got == expected || (got.hasPrefix("trap") && expected.hasPrefix("trap")), "field at \(field) + \(delta)")
                }
            }
        }
    }

    /// Code and data contents are not checked at load: the checksum catches
    /// their changes when the engine asks for it.
    @Test func checksumVerificationRefusesChangedObjects() throws {
        let original = try objectBytes()
        let layout = try ObjectLayout(original)
        var verifying = Engine.Config()
        verifying.verifyObjectChecksums = true
        let verifier = Engine(verifying)
        #expect(try outcomesOrRefusal(original, engine: verifier) == outcomes(Module(engine: engine, text: sample)))
        // .text starts at the object's first page.
        let textStart = 4096
        var changed: [[UInt8]] = []
        for at in stride(from: textStart, to: textStart + 64, by: 7) {
            var bytes = original
            bytes[at] ^= 0x10
            changed.append(bytes)
        }
        for at in layout.range(.data) {
            var bytes = original
            bytes[layout.metadataStart + at] ^= 0x01
            changed.append(bytes)
        }
        for bytes in changed {
            let error = #expect(throws: ModuleError.self) { try Module.deserialize(engine: verifier, trustedObject: bytes) }
            #expect("\(error!)".contains("checksum mismatch"))
        }
        // Without verification, a changed data byte loads: the object is trusted.
        var data = original
        data[layout.metadataStart + layout.range(.data).lowerBound] ^= 0x01
        #expect(try outcomesOrRefusal(data) != nil)
    }
}
