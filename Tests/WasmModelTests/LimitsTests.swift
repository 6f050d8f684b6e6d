// The implementation limits: each one is refused one past its value, as an
// `.implementationLimit` error that names the limit and points at the count
// or size that breaks it, and accepted at its value where that is cheap to
// build. Counts are checked as soon as they are read, so the module bytes
// after an over-limit count only need to be long enough to be plausible.
import Testing
import WasmModel

/// Decodes and validates `bytes`, expecting an implementation-limit error.
@discardableResult
private func expectLimit(
    _ bytes: [UInt8], limits: ImplementationLimits = .default, offset: Int, _ message: String,
    sourceLocation: SourceLocation = #_sourceLocation
) -> WasmError? {
    do {
        _ = try Validator.decodeAndValidate(bytes, limits: limits)
        Issue.record("accepted, expected \"\(message)\"", sourceLocation: sourceLocation)
        return nil
    } catch {
        #expect(error.kind == .implementationLimit, "\(error)", sourceLocation: sourceLocation)
        #expect(error.offset == offset, "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.contains(message), "\(error.message)", sourceLocation: sourceLocation)
        return error
    }
}

/// A section holding `count` and then `padding` zero bytes.
private func countedSection(_ id: UInt8, count: Int, padding: Int) -> [UInt8] {
    Bin.section(id, Bin.uleb(count) + [UInt8](repeating: 0, count: padding))
}

/// Offset of the first byte of a section's contents when it is the first
/// section after the header and `contents` is its contents.
private func contentOffset(_ contents: Int) -> Int { 8 + 1 + Bin.uleb(contents).count }

struct ImplementationLimitTests {
    @Test func defaultsAreTheJSAPILimits() {
        let limits = ImplementationLimits.default
        #expect(limits.moduleSize == 1_073_741_824)
        #expect(limits.types == 1_000_000 && limits.functions == 1_000_000 && limits.globals == 1_000_000)
        #expect(limits.imports == 1_000_000 && limits.exports == 1_000_000)
        #expect(limits.dataSegments == 100_000 && limits.tables == 100_000 && limits.memories == 100)
        #expect(limits.tableSize == 10_000_000 && limits.elementSegmentEntries == 10_000_000)
        #expect(limits.parameters == 1_000 && limits.results == 1_000)
        #expect(limits.functionBodySize == 7_654_321 && limits.locals == 50_000)
        #expect(limits.brTableTargets == 65_520)
    }

    /// A module with one function of type [i32] -> [] whose body is `body`
    /// (local declarations included).
    static func oneFunction(body: [UInt8]) -> (bytes: [UInt8], bodyOffset: Int) {
        let type = Bin.section(1, Bin.vec([[0x60, 0x01, 0x7F, 0x00]]))
        let prefix = Bin.header + type + Bin.functions(1)
        let contents = Bin.vec([Bin.uleb(body.count) + body])
        // Code section: id, size, count (1 byte), then the body's size field.
        let bodyOffset = prefix.count + 1 + Bin.uleb(contents.count).count + 1
        return (prefix + Bin.section(10, contents), bodyOffset)
    }

    @Test func functionBodySize() throws {
        let limit = ImplementationLimits.default.functionBodySize
        // No locals, nops, end.
        func body(_ size: Int) -> [UInt8] { [0x00] + [UInt8](repeating: 0x01, count: size - 2) + [0x0B] }
        let over = Self.oneFunction(body: body(limit + 1))
        expectLimit(over.bytes, offset: over.bodyOffset,
                    "function body of 7654322 bytes exceeds the implementation limit of 7654321 bytes")
        _ = try Validator.decodeAndValidate(Self.oneFunction(body: body(limit)).bytes)
    }

    @Test func localsCountTheParameters() throws {
        // The type has one parameter: 50,000 declared locals make 50,001.
        let over = Self.oneFunction(body: Bin.vec([Bin.uleb(50_000) + [0x7F]]) + [0x0B])
        expectLimit(over.bytes, offset: over.bodyOffset,
                    "function with 50001 locals (1 parameters, 50000 declared) exceeds the implementation limit of 50000 locals")
        let split = Self.oneFunction(body: Bin.vec([Bin.uleb(25_000) + [0x7F], Bin.uleb(25_000) + [0x7E]]) + [0x0B])
        expectLimit(split.bytes, offset: split.bodyOffset, "50001 locals")
        _ = try Validator.decodeAndValidate(Self.oneFunction(body: Bin.vec([Bin.uleb(49_999) + [0x7F]]) + [0x0B]).bytes)
    }

    @Test func brTableTargets() throws {
        func body(_ targets: Int) -> [UInt8] {
            // block; local.get 0; br_table 0 0 ... 0 (default 0); end; end
            [0x00, 0x02, 0x40, 0x20, 0x00, 0x0E] + Bin.uleb(targets) + [UInt8](repeating: 0, count: targets + 1) + [0x0B, 0x0B]
        }
        let over = Self.oneFunction(body: body(65_521))
        // The count follows the locals (1 byte), block (2), local.get (2) and br_table (1).
        let countOffset = over.bodyOffset + Bin.uleb(body(65_521).count).count + 6
        expectLimit(over.bytes, offset: countOffset, "br_table of 65521 labels exceeds the implementation limit of 65520 labels")
        _ = try Validator.decodeAndValidate(Self.oneFunction(body: body(65_520)).bytes)
    }

    @Test func parametersAndResults() throws {
        let parameters = [0x60] + Bin.uleb(1_001) + [UInt8](repeating: 0x7F, count: 1_001) + [0x00]
        expectLimit(Bin.module(Bin.section(1, Bin.vec([parameters]))), offset: contentOffset(parameters.count + 1) + 2,
                    "function type of 1001 parameters exceeds the implementation limit of 1000 parameters")
        let results = [0x60, 0x00] + Bin.uleb(1_001) + [UInt8](repeating: 0x7E, count: 1_001)
        expectLimit(Bin.module(Bin.section(1, Bin.vec([results]))), offset: contentOffset(results.count + 1) + 3,
                    "function type of 1001 results exceeds the implementation limit of 1000 results")
        let atLimit = [0x60] + Bin.uleb(1_000) + [UInt8](repeating: 0x7F, count: 1_000) + Bin.uleb(1_000) + [UInt8](repeating: 0x7F, count: 1_000)
        _ = try Validator.decodeAndValidate(Bin.module(Bin.section(1, Bin.vec([atLimit]))))
    }

    /// Section counts, each one past the limit, with room for the minimum
    /// size of every entry so that the count itself is plausible.
    @Test(arguments: [
        (1, 1_000_001, 3, "type section of 1000001 types exceeds the implementation limit of 1000000 types"),
        (2, 1_000_001, 4, "import section of 1000001 imports"),
        (3, 1_000_001, 1, "function section of 1000001 functions"),
        (4, 100_001, 3, "module of 100001 tables exceeds the implementation limit of 100000 tables"),
        (5, 101, 2, "module of 101 memories exceeds the implementation limit of 100 memories"),
        (6, 1_000_001, 4, "global section of 1000001 globals"),
        (7, 1_000_001, 3, "export section of 1000001 exports"),
        (11, 100_001, 2, "data section of 100001 segments"),
    ] as [(UInt8, Int, Int, String)])
    func sectionCounts(id: UInt8, count: Int, entrySize: Int, message: String) {
        let contentsSize = Bin.uleb(count).count + count * entrySize
        expectLimit(Bin.module(countedSection(id, count: count, padding: count * entrySize)),
                    offset: contentOffset(contentsSize), message)
    }

    @Test func importedTablesAndMemoriesCount() {
        let limits = { var l = ImplementationLimits(); l.tables = 2; l.memories = 1; return l }()
        let table: [UInt8] = Bin.name("m") + Bin.name("t") + [0x01, 0x70, 0x00, 0x00]
        let tables = Bin.module(Bin.section(2, Bin.vec([table, table, table])))
        // The third import's kind byte.
        expectLimit(tables, limits: limits, offset: contentOffset(1 + 3 * table.count) + 1 + 2 * table.count + 4,
                    "module of 3 tables")
        let memory: [UInt8] = Bin.name("m") + Bin.name("m") + [0x02, 0x00, 0x00]
        let memories = Bin.module(Bin.section(2, Bin.vec([memory])), Bin.section(5, Bin.vec([[0x00, 0x00]])))
        expectLimit(memories, limits: limits, offset: 8 + 2 + 1 + memory.count + 2, "module of 2 memories")
    }

    @Test func tableMinimumSize() throws {
        let over = Bin.section(4, Bin.vec([[0x70, 0x00] + Bin.uleb(10_000_001)]))
        expectLimit(Bin.module(over), offset: contentOffset(over.count - 2),
                    "table with a minimum of 10000001 elements exceeds the implementation limit of 10000000 elements")
        // A larger maximum only bounds growth.
        _ = try Validator.decodeAndValidate(Bin.module(Bin.section(4, Bin.vec([[0x70, 0x01, 0x00] + Bin.uleb(0xFFFF_FFFF)]))))
        _ = try Validator.decodeAndValidate(Bin.module(Bin.section(4, Bin.vec([[0x70, 0x00] + Bin.uleb(10_000_000)]))))
    }

    @Test func elementSegmentEntries() {
        // Passive segment (flags 1) of element kind funcref (0x00), then the count.
        let segment: [UInt8] = [0x01, 0x00] + Bin.uleb(10_000_001) + [UInt8](repeating: 0, count: 10_000_001)
        let section = Bin.section(9, Bin.vec([segment]))
        expectLimit(Bin.module(section), offset: section.count - segment.count + 2 + 8,
                    "element segment of 10000001 entries exceeds the implementation limit of 10000000 entries")
    }

    @Test func moduleSizeIsCheckedFirst() throws {
        var limits = ImplementationLimits()
        limits.moduleSize = 16
        let module = Bin.module(Bin.voidType, Bin.functions(1), Bin.code(1))
        expectLimit(module, limits: limits, offset: 0,
                    "module of \(module.count) bytes exceeds the implementation limit of 16 bytes")
        limits.moduleSize = module.count
        _ = try Validator.decodeAndValidate(module, limits: limits)
    }

    @Test func limitsCanBeRaised() throws {
        var limits = ImplementationLimits()
        limits.locals = 100_000
        let many = Self.oneFunction(body: Bin.vec([Bin.uleb(70_000) + [0x7F]]) + [0x0B])
        _ = try Validator.decodeAndValidate(many.bytes, limits: limits)
        expectLimit(many.bytes, offset: many.bodyOffset, "70001 locals")
    }
}
