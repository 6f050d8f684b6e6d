// The validator on modules written in the text format (assembled with
// WasmText, which also emits a name section), and the opcode tables.
import Testing
import WasmModel
import WasmText

/// Assembles `wat`; records the text error as a test failure.
private func assemble(_ wat: String, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8]? {
    do {
        return try WasmText.assemble(wat)
    } catch {
        Issue.record("wat did not assemble: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Expects `wat` to decode and validate.
@discardableResult
private func expectValid(_ wat: String, sourceLocation: SourceLocation = #_sourceLocation) -> Module? {
    guard let bytes = assemble(wat, sourceLocation: sourceLocation) else { return nil }
    do {
        return try Validator.decodeAndValidate(bytes)
    } catch {
        Issue.record("rejected: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Expects `bytes` to decode and then fail validation; returns the error.
@discardableResult
private func expectInvalid(
    _ bytes: [UInt8], _ message: String, function: UInt32? = nil, name: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) -> WasmError? {
    let module: Module
    do {
        module = try Decoder.decode(bytes)
    } catch {
        Issue.record("did not decode: \(error)", sourceLocation: sourceLocation)
        return nil
    }
    do {
        try Validator.validate(module)
        Issue.record("validated, expected \"\(message)\"", sourceLocation: sourceLocation)
        return nil
    } catch {
        #expect(error.kind == .invalid, "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.contains(message), "\(error)", sourceLocation: sourceLocation)
        #expect(error.functionIndex == function, "\(error)", sourceLocation: sourceLocation)
        #expect(error.functionName == name, "\(error)", sourceLocation: sourceLocation)
        #expect(error.offset >= 0 && error.offset < bytes.count, "\(error)", sourceLocation: sourceLocation)
        if function != nil {
            // Inside a body, which comes after the header and the sections before code.
            #expect(error.offset > 8, "\(error)", sourceLocation: sourceLocation)
        }
        return error
    }
}

@discardableResult
private func expectInvalid(
    _ wat: String, _ message: String, function: UInt32? = nil, name: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) -> WasmError? {
    guard let bytes = assemble(wat, sourceLocation: sourceLocation) else { return nil }
    return expectInvalid(bytes, message, function: function, name: name, sourceLocation: sourceLocation)
}

struct ValidModuleTests {
    @Test func multiValueBlocks() throws {
        let module = try #require(expectValid("""
            (module
              (func $swap (param i32 i64) (result i64 i32) local.get 1 local.get 0)
              (func $blocks (param i32) (result i32)
                i32.const 1 i64.const 2
                block (param i32 i64) (result i64 i32)
                  call $swap
                end
                drop
                i32.wrap_i64
                loop (param i32) (result i32)
                  i32.const 1 i32.add
                end
                local.get 0
                if (param i32) (result i32 i32)
                  i32.const 2
                else
                  i32.const 3
                end
                i32.add))
            """))
        #expect(module.types.contains(FunctionType(parameters: [.i32, .i64], results: [.i64, .i32])))
        #expect(module.names.functionNames[1] == "blocks")
    }

    @Test func brTable() {
        expectValid("""
            (module
              (func (param i32) (result i32)
                block (result i32)
                  block (result i32)
                    i32.const 10
                    local.get 0
                    br_table 0 1 0
                  end
                  i32.const 1
                  i32.add
                end)
              (func (param i32)
                block block block
                  local.get 0 br_table 2 1 0
                end end end)
              (func (param i32) (result i64)
                unreachable
                br_table 0 0))
            """)
    }

    @Test func typedAndUntypedSelect() {
        expectValid("""
            (module
              (func (param externref externref i32) (result externref)
                (select (result externref) (local.get 0) (local.get 1) (local.get 2)))
              (func (param v128 v128 i32) (result v128)
                (select (local.get 0) (local.get 1) (local.get 2)))
              (func (result f64)
                (select (result f64) (f64.const 1) (f64.const 2) (i32.const 0))))
            """)
    }

    @Test func refFuncDeclaredByElementSegment() {
        expectValid("""
            (module
              (table 1 funcref)
              (elem declare func $f)
              (func $f)
              (func (result funcref) ref.func $f)
              (func (result i32) ref.null func ref.is_null))
            """)
        // An active segment and an export declare references too.
        expectValid("""
            (module
              (table 2 funcref)
              (elem (i32.const 0) $a)
              (func $a) (func $b (export "b"))
              (func (result funcref) ref.func $a drop ref.func $b))
            """)
    }

    @Test func simdLaneOperations() {
        expectValid("""
            (module
              (memory 1)
              (func (param v128) (result i32)
                local.get 0 i8x16.extract_lane_s 15
                local.get 0 i16x8.extract_lane_u 7 i32.add
                local.get 0 i32x4.extract_lane 3 i32.add)
              (func (param v128) (result v128)
                local.get 0 i64.const 5 i64x2.replace_lane 1
                local.get 0 f64.const 1 f64x2.replace_lane 0
                i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31
                i32.const 0 i8x16.splat i8x16.swizzle)
              (func (param v128) (result v128)
                i32.const 0 local.get 0 v128.load8_lane 15
                drop
                i32.const 0 local.get 0 v128.load64_lane align=8 1
                i32.const 0 local.get 0 v128.store32_lane 3
                i32.const 0 v128.load32_zero
                i32x4.add))
            """)
    }

    @Test func bulkMemoryWithDataCount() throws {
        let module = try #require(expectValid("""
            (module
              (memory 1)
              (data $d "hello")
              (data $e (i32.const 8) "world")
              (table 4 funcref)
              (elem $el func $f $f)
              (func $f
                (memory.init $d (i32.const 0) (i32.const 0) (i32.const 5))
                (data.drop $e)
                (memory.copy (i32.const 16) (i32.const 0) (i32.const 5))
                (memory.fill (i32.const 0) (i32.const 0) (i32.const 4))
                (table.init $el (i32.const 0) (i32.const 0) (i32.const 2))
                (elem.drop $el)
                (drop (table.grow (ref.null func) (i32.const 1)))))
            """))
        #expect(module.dataCount == 2)
        #expect(module.data.count == 2)
    }
}

struct InvalidFunctionTests {
    /// Function index space: the import is 0, `ok` is 1, the body under test is 2.
    static func module(_ body: String, prelude: String = "") -> String {
        """
        (module
          (import "env" "imported" (func $imported))
          \(prelude)
          (func $ok (result i32) i32.const 1)
          (func $bad \(body)))
        """
    }

    @Test func typeMismatch() throws {
        let bytes = try WasmText.assemble(Self.module("(param i64) (result i32) i32.const 1 local.get 0 i32.add"))
        let error = try #require(expectInvalid(bytes, "type mismatch", function: 2, name: "bad"))
        // The offset is that of the offending instruction.
        #expect(bytes[error.offset] == 0x6A)
        #expect(error.message.contains("i32.add"))
        #expect(error.message.contains("expected i32, found i64"))
    }

    @Test func resultTypeMismatch() {
        expectInvalid(Self.module("(result i32) i64.const 0"), "type mismatch", function: 2, name: "bad")
        expectInvalid(Self.module("(result i32 i32) i32.const 0"), "type mismatch", function: 2, name: "bad")
        expectInvalid(Self.module("i32.const 0"), "type mismatch", function: 2, name: "bad")
        expectInvalid(Self.module("(param i32) block (result i32) end drop"), "type mismatch", function: 2, name: "bad")
        expectInvalid(Self.module("(param i32) (local.get 0) (if (result i32) (then (i32.const 1))) drop"),
                      "type mismatch", function: 2, name: "bad")
    }

    /// Replaces the one occurrence of `find` in `bytes` with `replacement`.
    static func patch(_ bytes: [UInt8], _ find: [UInt8], _ replacement: [UInt8]) throws -> [UInt8] {
        let starts = bytes.indices.filter { bytes[$0...].starts(with: find) }
        try #require(starts.count == 1, "pattern \(find) found \(starts.count) times")
        var result = bytes
        result.replaceSubrange(starts[0]..<starts[0] + find.count, with: replacement)
        return result
    }

    // The assembler rejects out-of-range local indices, so these are patched
    // into the binary: `local.get 1; drop; end` becomes `local.get 2; ...`.
    @Test func unknownLocal() throws {
        let get = try WasmText.assemble(Self.module("(param i32) (local f64) local.get 1 drop"))
        let badGet = try Self.patch(get, [0x20, 0x01, 0x1A, 0x0B], [0x20, 0x02, 0x1A, 0x0B])
        let error = try #require(expectInvalid(badGet, "unknown local 2", function: 2, name: "bad"))
        #expect(badGet[error.offset] == 0x20)
        let set = try WasmText.assemble(Self.module("(local i32) i32.const 0 local.set 0"))
        let badSet = try Self.patch(set, [0x21, 0x00, 0x0B], [0x21, 0x01, 0x0B])
        expectInvalid(badSet, "unknown local 1", function: 2, name: "bad")
    }

    @Test func unknownLabel() {
        expectInvalid(Self.module("block br 2 end"), "unknown label", function: 2, name: "bad")
        expectInvalid(Self.module("(param i32) block local.get 0 br_table 0 5 end"), "unknown label", function: 2, name: "bad")
    }

    @Test func alignmentLargerThanNatural() throws {
        let prelude = "(memory 1)"
        expectInvalid(Self.module("(result i32) i32.const 0 i32.load align=8", prelude: prelude),
                      "alignment must not be larger than natural", function: 2, name: "bad")
        expectInvalid(Self.module("i32.const 0 i64.const 0 i64.store8 align=2", prelude: prelude),
                      "alignment must not be larger than natural", function: 2, name: "bad")
        expectInvalid(Self.module("(result v128) i32.const 0 v128.load32_splat align=8", prelude: prelude),
                      "alignment must not be larger than natural", function: 2, name: "bad")
        // Natural alignment itself is fine.
        expectValid(Self.module("(result i64) i32.const 0 i64.load align=8", prelude: prelude))
    }

    @Test func invalidLaneIndex() {
        expectInvalid(Self.module("(param v128) (result i32) local.get 0 i8x16.extract_lane_s 16"),
                      "invalid lane index", function: 2, name: "bad")
        expectInvalid(Self.module("(param v128) (result v128) local.get 0 i64.const 0 i64x2.replace_lane 2"),
                      "invalid lane index", function: 2, name: "bad")
        expectInvalid(Self.module("(param v128) (result v128) local.get 0 local.get 0 i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 32"),
                      "invalid lane index", function: 2, name: "bad")
        expectInvalid(Self.module("(param v128) (result v128) i32.const 0 local.get 0 v128.load32_lane 4", prelude: "(memory 1)"),
                      "invalid lane index", function: 2, name: "bad")
    }

    @Test func undeclaredFunctionReference() {
        expectInvalid(Self.module("(result funcref) ref.func $ok"), "undeclared function reference", function: 2, name: "bad")
    }

    @Test func immutableGlobal() {
        expectInvalid(Self.module("i32.const 1 global.set $g", prelude: "(global $g i32 (i32.const 0))"),
                      "global is immutable", function: 2, name: "bad")
        expectValid(Self.module("i32.const 1 global.set $g", prelude: "(global $g (mut i32) (i32.const 0))"))
    }

    @Test func unnamedFunction() throws {
        let error = try #require(expectInvalid("(module (func) (func (result i32) f32.const 0))", "type mismatch", function: 1, name: nil))
        #expect(error.description.hasPrefix("offset 0x\(String(error.offset, radix: 16)): in function 1: type mismatch"))
    }

    @Test func descriptionFormat() throws {
        let bytes = try Self.patch(try WasmText.assemble(Self.module("(param i32) local.get 0 drop")), [0x20, 0x00, 0x1A, 0x0B], [0x20, 0x07, 0x1A, 0x0B])
        let error = try #require(expectInvalid(bytes, "unknown local", function: 2, name: "bad"))
        let description = error.description
        let prefix = "offset 0x\(String(error.offset, radix: 16)): in function 2 (bad): unknown local 7"
        #expect(description.hasPrefix(prefix), "\(description)")
        #expect(description == "offset 0x\(String(error.offset, radix: 16)): in function 2 (bad): \(error.message)")
        #expect(!description.contains("\n"))
    }
}

struct InvalidModuleTests {
    @Test func duplicateExportName() throws {
        let error = try #require(expectInvalid("""
            (module
              (func $a (export "same"))
              (global (export "same") i32 (i32.const 0)))
            """, "duplicate export name"))
        #expect(error.message.contains("\"same\""))
        #expect(error.description.hasPrefix("offset 0x\(String(error.offset, radix: 16)): duplicate export name"))
        // Names that differ only in normalization are distinct.
        expectValid(#"(module (func (export "\c3\a9")) (func (export "e\cc\81")))"#)
    }

    @Test func multipleMemories() {
        // Two memories: one imported, one defined, or both defined.
        let memory = Bin.section(5, Bin.vec([[0x00, 0x01]]))
        let importedMemory = Bin.section(2, Bin.vec([Bin.name("env") + Bin.name("m") + [0x02, 0x00, 0x01]]))
        expectInvalid(Bin.module(importedMemory, memory), "multiple memories")
        expectInvalid(Bin.module(Bin.section(5, Bin.vec([[0x00, 0x01], [0x00, 0x01]]))), "multiple memories")
        // One is fine.
        #expect(throws: Never.self) { _ = try Validator.decodeAndValidate(Bin.module(memory)) }
    }

    @Test func otherModuleRules() {
        expectInvalid("(module (memory 2 1))", "size minimum must not be greater than maximum")
        expectInvalid("(module (memory 65537))", "memory size must be at most 65536 pages")
        expectInvalid("(module (global i32 (i64.const 0)))", "type mismatch")
        expectInvalid("(module (func $f (param i32)) (start $f))", "start function")
        expectInvalid(Bin.module(Bin.section(7, Bin.vec([Bin.name("f") + [0x00, 0x03]]))), "unknown func 3")
    }
}

struct OpcodeTableTests {
    @Test func namesAreUniquePerTable() {
        for (label, table) in [("plain", Opcodes.plain), ("misc", Opcodes.misc), ("simd", Opcodes.simd)] {
            var seen: [String: Int] = [:]
            for (code, info) in table.enumerated() {
                guard let info else { continue }
                #expect(!info.name.isEmpty)
                if let previous = seen[info.name] {
                    // `select` and `select t*` share a text name in the spec.
                    let allowed = label == "plain" && info.name == "select" && previous == 0x1B && code == 0x1C
                    #expect(allowed, "\(label): \(info.name) at \(previous) and \(code)")
                }
                seen[info.name] = code
            }
        }
        #expect(Opcodes.plain[0x1B]?.immediate == Immediate.none)
        #expect(Opcodes.plain[0x1C]?.immediate == .selectTypes)
    }

    @Test func simdOpcodesMatchTheSpec() throws {
        let expected: [UInt32: String] = [
            0x00: "v128.load", 0x0A: "v128.load64_splat", 0x0B: "v128.store", 0x0C: "v128.const",
            0x0D: "i8x16.shuffle", 0x0E: "i8x16.swizzle", 0x0F: "i8x16.splat", 0x14: "f64x2.splat",
            0x15: "i8x16.extract_lane_s", 0x22: "f64x2.replace_lane", 0x23: "i8x16.eq", 0x4C: "f64x2.ge",
            0x4D: "v128.not", 0x52: "v128.bitselect", 0x53: "v128.any_true", 0x54: "v128.load8_lane",
            0x5B: "v128.store64_lane", 0x5C: "v128.load32_zero", 0x5D: "v128.load64_zero",
            0x5E: "f32x4.demote_f64x2_zero", 0x5F: "f64x2.promote_low_f32x4", 0x62: "i8x16.popcnt",
            0x64: "i8x16.bitmask", 0x67: "f32x4.ceil", 0x74: "f64x2.ceil", 0x7A: "f64x2.trunc", 0x7B: "i8x16.avgr_u",
            0x7C: "i16x8.extadd_pairwise_i8x16_s", 0x82: "i16x8.q15mulr_sat_s", 0x94: "f64x2.nearest",
            0x95: "i16x8.mul", 0x9B: "i16x8.avgr_u", 0xAE: "i32x4.add", 0xBA: "i32x4.dot_i16x8_s", 0xC1: "i64x2.neg",
            0xD5: "i64x2.mul", 0xD6: "i64x2.eq", 0xDB: "i64x2.ge_s", 0xE3: "f32x4.sqrt", 0xEA: "f32x4.pmin",
            0xF7: "f64x2.pmax", 0xF8: "i32x4.trunc_sat_f32x4_s", 0xFC: "i32x4.trunc_sat_f64x2_s_zero",
            0xFF: "f64x2.convert_low_i32x4_u",
        ]
        for (code, name) in expected {
            #expect(Opcodes.info(OpcodePrefix.simd, code)?.name == name, "0xfd \(code)")
        }
        // Opcodes the SIMD proposal leaves unassigned.
        for code: UInt32 in [0x9A, 0xA2, 0xA5, 0xA6, 0xAF, 0xB0, 0xB2, 0xB3, 0xB4, 0xBB, 0xC2, 0xC5, 0xC6, 0xCF, 0xD0, 0xD2, 0xD3, 0xD4, 0xE2, 0xEE] {
            #expect(Opcodes.info(OpcodePrefix.simd, code) == nil, "0xfd \(code)")
        }
        #expect(Opcodes.simd.compactMap { $0 }.count == 236)
        #expect(Opcodes.info(OpcodePrefix.simd, 256) == nil)
    }

    @Test func simdSignaturesAlignmentsAndLanes() throws {
        func info(_ code: UInt32) throws -> OpcodeInfo { try #require(Opcodes.info(OpcodePrefix.simd, code)) }
        // v128.load, v128.load8x8_s, v128.load8_splat, v128.load32_zero: log2 of the access width.
        #expect(try [0x00, 0x01, 0x07, 0x5C].map { try info($0).alignment } == [4, 3, 0, 2])
        #expect(try info(0x0B).inputs == [.i32, .v128] && info(0x0B).output == nil)
        #expect(try info(0x15).lanes == 16 && info(0x15).inputs == [.v128] && info(0x15).output == .i32)
        #expect(try info(0x1D).lanes == 2 && info(0x1D).output == .i64) // i64x2.extract_lane
        #expect(try info(0x1E).inputs == [.v128, .i64])
        #expect(try info(0x20).inputs == [.v128, .f32]) // f32x4.replace_lane
        let load8Lane = try info(0x54)
        #expect(load8Lane.immediate == .memargLane && load8Lane.alignment == 0 && load8Lane.lanes == 16)
        let store64Lane = try info(0x5B)
        #expect(store64Lane.alignment == 3 && store64Lane.lanes == 2 && store64Lane.output == nil)
        #expect(try info(0x52).inputs == [.v128, .v128, .v128])
        #expect(try info(0x6B).inputs == [.v128, .i32]) // i8x16.shl
        #expect(try info(0x53).output == .i32)
    }

    @Test func plainAndMiscSpotChecks() {
        #expect(Opcodes.info(0x28)?.name == "i32.load" && Opcodes.info(0x28)?.alignment == 2)
        #expect([0x3E, 0xC4, 0xD2].map { Opcodes.info($0)?.name } == ["i64.store32", "i64.extend32_s", "ref.func"])
        #expect(Opcodes.info(0x06) == nil && Opcodes.info(0xFC, 18) == nil)
        #expect([0, 8, 17].map { Opcodes.info(0xFC, $0)?.name } == ["i32.trunc_sat_f32_s", "memory.init", "table.fill"])
        #expect(Opcodes.misc.compactMap { $0 }.count == 18)
    }
}
