// The binary decoder on hand-built modules: header, section order and sizes,
// cross-section counts, custom and name sections. Every decoding error must be
// `.malformed` and point at a sensible byte.
import Testing
import WasmModel

/// Builds binary modules from section contents.
enum Bin {
    static let header: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]

    static func uleb(_ value: Int) -> [UInt8] {
        var value = UInt64(value)
        var out: [UInt8] = []
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            out.append(byte)
        } while value != 0
        return out
    }

    static func name(_ text: String) -> [UInt8] { uleb(text.utf8.count) + Array(text.utf8) }

    /// A section: id, size, contents.
    static func section(_ id: UInt8, _ contents: [UInt8]) -> [UInt8] { [id] + uleb(contents.count) + contents }

    /// A vector: count, then the items' bytes.
    static func vec(_ items: [[UInt8]]) -> [UInt8] { uleb(items.count) + items.flatMap { $0 } }

    static func custom(_ name: String, _ contents: [UInt8]) -> [UInt8] { section(0, self.name(name) + contents) }

    static func module(_ sections: [UInt8]...) -> [UInt8] { header + sections.flatMap { $0 } }

    // Common sections.
    /// One type, [] -> [].
    static let voidType = section(1, vec([[0x60, 0x00, 0x00]]))
    /// `count` functions of type 0.
    static func functions(_ count: Int) -> [UInt8] { section(3, vec(Array(repeating: [0x00], count: count))) }
    /// `count` bodies with no locals, each just `end`.
    static func code(_ count: Int) -> [UInt8] { section(10, vec(Array(repeating: [0x02, 0x00, 0x0B], count: count))) }
    /// A name section naming functions.
    static func names(_ functions: [(UInt32, String)], module: String? = nil) -> [UInt8] {
        var contents: [UInt8] = []
        if let module { contents += [0x00] + uleb(name(module).count) + name(module) }
        let map = vec(functions.map { uleb(Int($0.0)) + name($0.1) })
        contents += [0x01] + uleb(map.count) + map
        return custom("name", contents)
    }
}

/// Decodes `bytes`, expecting a malformed error; returns it.
@discardableResult
private func expectMalformed(
    _ bytes: [UInt8], offset: Int, _ message: String, sourceLocation: SourceLocation = #_sourceLocation
) -> WasmError? {
    do {
        _ = try Decoder.decode(bytes)
        Issue.record("decoded without error", sourceLocation: sourceLocation)
        return nil
    } catch {
        #expect(error.kind == .malformed, sourceLocation: sourceLocation)
        #expect(error.offset == offset, "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.contains(message), "\(error.message)", sourceLocation: sourceLocation)
        #expect(error.functionIndex == nil && error.functionName == nil, sourceLocation: sourceLocation)
        return error
    }
}

struct HeaderTests {
    @Test func emptyModuleDecodes() throws {
        let module = try Decoder.decode(Bin.header)
        #expect(module.types.isEmpty && module.functions.isEmpty && module.bodies.isEmpty)
        #expect(module.customSections.isEmpty)
        #expect(module.bytes == Bin.header)
    }

    @Test func magic() {
        expectMalformed([], offset: 0, "magic header not detected")
        expectMalformed([0x01, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00], offset: 0, "magic header not detected")
        expectMalformed(Array("wasm\u{1}\0\0\0".utf8), offset: 0, "magic header not detected")
        // A text module given as binary.
        expectMalformed(Array("(module)".utf8), offset: 0, "magic header not detected")
        expectMalformed([0x00, 0x61, 0x73, 0x6E, 0x01, 0x00, 0x00, 0x00], offset: 3, "magic header not detected")
        expectMalformed([0x00, 0x61], offset: 2, "unexpected end")
    }

    @Test func version() {
        expectMalformed([0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00], offset: 4, "unknown binary version")
        expectMalformed([0x00, 0x61, 0x73, 0x6D, 0x00, 0x00, 0x00, 0x01], offset: 4, "unknown binary version")
        expectMalformed([0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00], offset: 4, "unknown binary version")
        expectMalformed([0x00, 0x61, 0x73, 0x6D], offset: 4, "unexpected end")
        expectMalformed([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00], offset: 4, "unexpected end")
    }
}

struct SectionTests {
    @Test func decodesASmallModule() throws {
        let bytes = Bin.module(
            Bin.section(1, Bin.vec([[0x60, 0x01, 0x7F, 0x01, 0x7E], [0x60, 0x00, 0x00]])),
            Bin.section(2, Bin.vec([Bin.name("env") + Bin.name("g") + [0x03, 0x7F, 0x00]])),
            Bin.functions(1),
            Bin.section(5, Bin.vec([[0x01, 0x01, 0x02]])),
            Bin.section(7, Bin.vec([Bin.name("run") + [0x00, 0x00]])),
            Bin.section(10, Bin.vec([[0x04, 0x01, 0x03, 0x7C, 0x0B]])))
        let module = try Decoder.decode(bytes)
        #expect(module.types == [FunctionType(parameters: [.i32], results: [.i64]), FunctionType(parameters: [], results: [])])
        #expect(module.imports.map(\.name) == ["g"])
        #expect(module.importedGlobalCount == 1)
        #expect(module.memories == [MemoryType(limits: Limits(min: 1, max: 2))])
        #expect(module.exports.map(\.name) == ["run"])
        #expect(module.exports.first?.kind == .function)
        #expect(module.bodies.count == 1)
        #expect(module.bodies[0].localCount == 3)
        #expect(module.bodies[0].locals.first?.type == .f64)
        #expect(module.bytes[module.bodies[0].code] == [0x0B])
    }

    @Test func unknownSectionID() {
        expectMalformed(Bin.module([0x0E, 0x00]), offset: 8, "malformed section id")
        expectMalformed(Bin.module(Bin.voidType, [0xFF, 0x00]), offset: 8 + Bin.voidType.count, "malformed section id")
    }

    @Test func sectionsOutOfOrder() {
        // Function (3) before type (1).
        let functionFirst = Bin.module(Bin.section(3, [0x00]), Bin.section(1, [0x00]))
        expectMalformed(functionFirst, offset: 11, "out of order")
        // A repeated section.
        expectMalformed(Bin.module(Bin.voidType, Bin.voidType), offset: 8 + Bin.voidType.count, "out of order")
        // Data count (12) belongs before code (10).
        let dataCountAfterCode = Bin.module(Bin.section(10, [0x00]), Bin.section(12, [0x00]))
        expectMalformed(dataCountAfterCode, offset: 11, "out of order")
        // Data (11) after code and data count is fine; data before code is not.
        let dataBeforeCode = Bin.module(Bin.section(11, [0x00]), Bin.section(10, [0x00]))
        expectMalformed(dataBeforeCode, offset: 11, "out of order")
    }

    @Test func sectionsInOrderWithCustomSectionsAnywhere() throws {
        let bytes = Bin.module(
            Bin.custom("first", []), Bin.voidType, Bin.custom("second", [1]), Bin.functions(1),
            Bin.section(12, [0x00]), Bin.custom("third", [2, 3]), Bin.code(1),
            Bin.section(11, [0x00]), Bin.custom("last", []))
        let module = try Decoder.decode(bytes)
        #expect(module.customSections.map(\.name) == ["first", "second", "third", "last"])
        #expect(module.dataCount == 0)
    }

    @Test func sectionSizeMismatch() {
        // A type section with an extra byte after its one (empty) vector.
        let extra = Bin.module(Bin.section(1, [0x00, 0x00]))
        expectMalformed(extra, offset: 11, "section size mismatch")
        // A declared size that runs past the end of the module.
        expectMalformed(Bin.module([0x01, 0x05, 0x00]), offset: 9, "length out of bounds")
        // A declared size shorter than the contents: the section ends mid-type.
        let short = Bin.module([0x01, 0x04, 0x01, 0x60, 0x01, 0x7F, 0x00])
        expectMalformed(short, offset: 14, "unexpected end")
        // A vector count larger than the section could hold.
        expectMalformed(Bin.module([0x01, 0x02, 0x01, 0x60, 0x00, 0x00]), offset: 10, "length out of bounds")
        // A section size that is not a valid u32.
        expectMalformed(Bin.module([0x01, 0x80, 0x80, 0x80, 0x80, 0x10]), offset: 9, "integer too large")
        // Section id with no size.
        expectMalformed(Bin.module([0x01]), offset: 9, "unexpected end")
    }

    @Test func functionAndCodeCountsMustMatch() {
        let twoForOne = Bin.module(Bin.voidType, Bin.functions(2), Bin.code(1))
        expectMalformed(twoForOne, offset: twoForOne.count, "function and code section have inconsistent lengths")
        let noCode = Bin.module(Bin.voidType, Bin.functions(1))
        expectMalformed(noCode, offset: noCode.count, "function and code section have inconsistent lengths")
        let noFunctions = Bin.module(Bin.voidType, Bin.code(1))
        expectMalformed(noFunctions, offset: noFunctions.count, "inconsistent lengths")
    }

    @Test func dataCountMustMatchDataSection() throws {
        let passive: [UInt8] = [0x01, 0x00] // passive segment of no bytes
        let mismatch = Bin.module(Bin.section(12, [0x02]), Bin.section(11, Bin.vec([passive])))
        expectMalformed(mismatch, offset: mismatch.count, "data count and data section have inconsistent lengths")
        let noData = Bin.module(Bin.section(12, [0x01]))
        expectMalformed(noData, offset: noData.count, "data count and data section have inconsistent lengths")
        let matching = try Decoder.decode(Bin.module(Bin.section(12, [0x02]), Bin.section(11, Bin.vec([passive, passive]))))
        #expect(matching.dataCount == 2)
        #expect(matching.data.count == 2)
        // Without a data count section any number of segments is fine.
        #expect(try Decoder.decode(Bin.module(Bin.section(11, Bin.vec([passive])))).dataCount == nil)
    }

    @Test func malformedEntries() {
        // Function type form other than 0x60, at the form byte.
        expectMalformed(Bin.module(Bin.section(1, [0x01, 0x61, 0x00, 0x00])), offset: 11, "malformed function type")
        // A value type that does not exist, at its byte.
        expectMalformed(Bin.module(Bin.section(1, [0x01, 0x60, 0x01, 0x7A, 0x00])), offset: 13, "malformed value type")
        // Import kind 5 (4, a tag, is named as exception handling).
        let badImport = Bin.section(2, Bin.vec([Bin.name("m") + Bin.name("n") + [0x05, 0x00]]))
        expectMalformed(Bin.module(badImport), offset: 15, "malformed import kind")
        // Limits flag 2 (i64 memories do not exist in 2.0).
        expectMalformed(Bin.module(Bin.section(5, [0x01, 0x02, 0x00])), offset: 11, "limits")
        // Mutability 2.
        expectMalformed(Bin.module(Bin.section(6, [0x01, 0x7F, 0x02, 0x41, 0x00, 0x0B])), offset: 12, "malformed mutability")
        // A body whose size runs past its section. The code section starts at
        // 8 + 6 (types) + 4 (functions) = 18: id, size, count, then the body size at 21.
        let longBody = Bin.module(Bin.voidType, Bin.functions(1), Bin.section(10, [0x01, 0x05, 0x00, 0x0B]))
        expectMalformed(longBody, offset: 21, "length out of bounds")
        // More than 2^32 - 1 locals: the second group's count (at 29, after the
        // body size at 21, the group count and a 5-byte first count and its type).
        let locals: [UInt8] = [0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F, 0x01, 0x7F]
        let manyLocals = Bin.module(Bin.voidType, Bin.functions(1), Bin.section(10, Bin.vec([Bin.uleb(locals.count + 1) + locals + [0x0B]])))
        expectMalformed(manyLocals, offset: 29, "too many locals")
        // A data segment longer than its section.
        expectMalformed(Bin.module(Bin.section(11, [0x01, 0x01, 0x05, 0xAA])), offset: 12, "unexpected end")
    }
}

struct CustomSectionTests {
    @Test func customSectionsAreKept() throws {
        let bytes = Bin.module(Bin.custom("a", [1, 2, 3]), Bin.voidType, Bin.custom("producers", []), Bin.custom("a", [9]))
        let module = try Decoder.decode(bytes)
        #expect(module.customSections.map(\.name) == ["a", "producers", "a"])
        #expect(module.customSections.map { Array(module.bytes[$0.range]) } == [[1, 2, 3], [], [9]])
        #expect(module.types.count == 1)
    }

    @Test func customSectionNameMustBeWellFormed() {
        // Name length beyond the section: section size 2, name length 5.
        expectMalformed(Bin.module([0x00, 0x02, 0x05, 0x61, 0x62, 0x63, 0x64, 0x65]), offset: 10, "length out of bounds")
        // Invalid UTF-8 in the name, reported at the bad byte.
        expectMalformed(Bin.module([0x00, 0x04, 0x03, 0x61, 0xED, 0xA0]), offset: 12, "malformed UTF-8")
        // An empty custom section has no name at all.
        expectMalformed(Bin.module([0x00, 0x00]), offset: 10, "unexpected end")
    }

    @Test func nameSectionGivesFunctionNames() throws {
        let bytes = Bin.module(
            Bin.voidType, Bin.functions(3), Bin.code(3),
            Bin.names([(0, "first"), (2, "dritte €")], module: "mod"))
        let module = try Decoder.decode(bytes)
        #expect(module.names.moduleName == "mod")
        #expect(module.names.functionNames == [0: "first", 2: "dritte €"])
        #expect(module.functionName(0) == "first")
        #expect(module.functionName(1) == "func[1]")
        #expect(module.functionName(2) == "dritte €")
        #expect(module.customSections.map(\.name) == ["name"])
    }

    @Test func localNames() throws {
        let locals = Bin.vec([[0x00] + Bin.vec([[0x00] + Bin.name("x"), [0x01] + Bin.name("y")])])
        let bytes = Bin.module(Bin.voidType, Bin.functions(1), Bin.code(1), Bin.custom("name", [0x02] + Bin.uleb(locals.count) + locals))
        let module = try Decoder.decode(bytes)
        #expect(module.names.localNames == [0: [0: "x", 1: "y"]])
    }

    @Test(arguments: [
        // A subsection longer than the section.
        [0x01, 0x10, 0x01, 0x00],
        // A function name with invalid UTF-8.
        [0x01, 0x05, 0x01, 0x00, 0x02, 0xC0, 0x80],
        // A count larger than the entries present.
        [0x01, 0x02, 0x05, 0x00],
        // A truncated subsection header.
        [0x01],
    ] as [[UInt8]])
    func malformedNameSectionIsIgnored(contents: [UInt8]) throws {
        let bytes = Bin.module(Bin.voidType, Bin.functions(1), Bin.code(1), Bin.custom("name", contents))
        let module = try Decoder.decode(bytes)
        #expect(module.names.functionNames.isEmpty)
        #expect(module.names.moduleName == nil)
        #expect(module.customSections.map(\.name) == ["name"])
        #expect(module.bodies.count == 1)
    }

    @Test func nameSectionBeforeOtherSectionsStillDecodes() throws {
        let bytes = Bin.module(Bin.names([(0, "f")]), Bin.voidType, Bin.functions(1), Bin.code(1))
        let module = try Decoder.decode(bytes)
        #expect(module.names.functionNames[0] == "f")
    }
}

// Function bodies are decoded by the validator, so these go through it.

/// Expects `bytes` to decode and fail validation in function 0.
private func expectInvalidBody(_ bytes: [UInt8], _ message: String, limits: ImplementationLimits = .default,
                               sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        _ = try Validator.decodeAndValidate(bytes, limits: limits)
        Issue.record("validated", sourceLocation: sourceLocation)
    } catch {
        #expect(error.kind == .invalid && error.functionIndex == 0, "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.contains(message), "\(error)", sourceLocation: sourceLocation)
    }
}

struct ManyLocalsTests {
    /// One function of type [i32] -> [result] with local groups `groups`
    /// whose body is `local.get index`.
    static func module(result: ValueType, index: Int, groups: [(Int, ValueType)]) -> [UInt8] {
        let type = Bin.section(1, Bin.vec([[0x60, 0x01, 0x7F, 0x01, result.rawValue]]))
        let locals = Bin.vec(groups.map { Bin.uleb($0.0) + [$0.1.rawValue] })
        let body = locals + [0x20] + Bin.uleb(index) + [0x0B]
        return Bin.module(type, Bin.functions(1), Bin.section(10, Bin.vec([Bin.uleb(body.count) + body])))
    }

    static let groups: [(Int, ValueType)] = [(10, .f32), (70_000, .i64), (5, .f64)]
    /// More locals than the default limit allows, to reach the grouped lookup.
    static let limits = { var limits = ImplementationLimits(); limits.locals = 100_000; return limits }()

    /// More than 2^16 locals take the validator's grouped lookup.
    @Test(arguments: [
        (0, ValueType.i32), (1, .f32), (10, .f32), (11, .i64), (40_000, .i64), (70_010, .i64),
        (70_011, .f64), (70_015, .f64),
    ])
    func localTypesAcrossGroups(index: Int, type: ValueType) {
        #expect(throws: Never.self) {
            _ = try Validator.decodeAndValidate(Self.module(result: type, index: index, groups: Self.groups), limits: Self.limits)
        }
        let other: ValueType = type == .i64 ? .f64 : .i64
        expectInvalidBody(Self.module(result: other, index: index, groups: Self.groups), "type mismatch", limits: Self.limits)
    }

    @Test func indexPastTheLastGroup() {
        expectInvalidBody(Self.module(result: .f64, index: 70_016, groups: Self.groups), "unknown local 70016", limits: Self.limits)
        expectInvalidBody(Self.module(result: .i32, index: 2, groups: [(1, .i32)]), "unknown local 2")
    }
}

struct MalformedBodyTests {
    /// Instruction encodings are checked by the validator, which reports them
    /// as `.malformed` and names the function.
    @Test(arguments: [
        ([0x27, 0x0B], "illegal opcode"),                        // unassigned opcode
        ([0xFD, 0x9A, 0x01, 0x0B], "illegal opcode"),            // unassigned SIMD opcode
        ([0x01], "unexpected end"),                              // no final end
        ([0x0B, 0x01], "section size mismatch"),                 // bytes after the final end
        ([0x3F, 0x01, 0x1A, 0x0B], "zero byte expected"),        // memory.size 1
        ([0x05, 0x0B], "else without a matching if"),
        ([0x41, 0x80, 0x80, 0x80, 0x80, 0x10, 0x1A, 0x0B], "integer too large"),
    ] as [([UInt8], String)])
    func malformedInstruction(code: [UInt8], message: String) throws {
        let body = [0x00] + code
        let bytes = Bin.module(Bin.voidType, Bin.functions(1), Bin.section(5, Bin.vec([[0x00, 0x01]])),
                               Bin.section(10, Bin.vec([Bin.uleb(body.count) + body])), Bin.names([(0, "m")]))
        let module = try Decoder.decode(bytes)
        do {
            try Validator.validate(module)
            Issue.record("validated")
        } catch {
            #expect(error.kind == .malformed, "\(error)")
            #expect(error.message.contains(message), "\(error)")
            #expect(error.functionIndex == 0)
            #expect(error.functionName == "m")
            #expect(module.bodies[0].code.contains(error.offset) || error.offset == module.bodies[0].code.upperBound, "\(error)")
        }
    }
}

struct MalformedKindTests {
    /// A spread of malformed inputs: each must fail as `.malformed`, at an
    /// offset inside the input.
    @Test(arguments: [
        [], [0x00], Bin.header + [0x01], Bin.header + [0x01, 0x01], Bin.header + [0x0A, 0x01, 0x01],
        Bin.module(Bin.section(1, [0x01, 0x60, 0x80])),
        Bin.module(Bin.section(7, [0x01, 0x01, 0x61, 0x09, 0x00])),
        Bin.module(Bin.section(9, [0x01, 0x08])),
        Bin.module(Bin.section(11, [0x01, 0x03])),
        Bin.module(Bin.section(6, [0x01, 0x7F, 0x00, 0x41, 0x00])),
        Bin.module(Bin.section(6, [0x01, 0x7F, 0x00, 0xFE, 0x0B])),
        Bin.module(Bin.section(4, [0x01, 0x7F, 0x00, 0x00])),
        Bin.module(Bin.section(8, [0x80, 0x80, 0x80, 0x80, 0x80, 0x00])),
    ] as [[UInt8]])
    func everyDecodingErrorIsMalformed(bytes: [UInt8]) {
        do {
            _ = try Decoder.decode(bytes)
            Issue.record("\(bytes) decoded")
        } catch {
            #expect(error.kind == .malformed)
            #expect(error.offset >= 0 && error.offset <= bytes.count, "\(error)")
            #expect(error.description.hasPrefix("offset 0x\(String(error.offset, radix: 16)): "))
        }
    }
}
