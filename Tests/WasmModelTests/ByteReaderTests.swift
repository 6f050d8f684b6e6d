// LEB128 and UTF-8 primitives of ByteReader, at the exact bounds the binary
// format sets: an N-bit integer takes at most ceil(N/7) bytes, and the unused
// bits of its last byte must be zero (unsigned) or copies of the sign bit
// (signed). Names must be well-formed UTF-8 (no overlong forms, surrogates or
// code points above U+10FFFF).
import Testing
import WasmModel

/// Runs `body` on a reader over `bytes`; returns its result and the position
/// the reader stopped at.
private func read<T>(_ bytes: [UInt8], _ body: (inout ByteReader) throws(WasmError) -> T)
    -> (result: Result<T, WasmError>, position: Int)
{
    bytes.withUnsafeBufferPointer { buffer in
        // A non-nil base even for an empty input.
        let storage = UnsafeMutablePointer<UInt8>.allocate(capacity: max(buffer.count, 1))
        defer { storage.deallocate() }
        if let source = buffer.baseAddress { storage.initialize(from: source, count: buffer.count) }
        var reader = ByteReader(base: UnsafePointer(storage), position: 0, end: buffer.count)
        do throws(WasmError) {
            let value = try body(&reader)
            return (.success(value), reader.position)
        } catch {
            return (.failure(error), reader.position)
        }
    }
}

/// Expects `body` to succeed with `expected`, having consumed every byte.
private func expectValue<T: Equatable>(
    _ bytes: [UInt8], _ expected: T, _ body: (inout ByteReader) throws(WasmError) -> T,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let (result, position) = read(bytes, body)
    switch result {
    case .success(let value):
        #expect(value == expected, "bytes \(bytes)", sourceLocation: sourceLocation)
        #expect(position == bytes.count, "did not consume all of \(bytes)", sourceLocation: sourceLocation)
    case .failure(let error):
        Issue.record("bytes \(bytes): unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

/// Expects `body` to fail with a malformed error at `offset` whose message contains `message`.
private func expectError<T>(
    _ bytes: [UInt8], offset: Int, _ message: String, _ body: (inout ByteReader) throws(WasmError) -> T,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let (result, _) = read(bytes, body)
    switch result {
    case .success(let value):
        Issue.record("bytes \(bytes): expected an error, got \(value)", sourceLocation: sourceLocation)
    case .failure(let error):
        #expect(error.kind == .malformed, sourceLocation: sourceLocation)
        #expect(error.offset == offset, "bytes \(bytes): \(error)", sourceLocation: sourceLocation)
        #expect(error.message.contains(message), "bytes \(bytes): \(error.message)", sourceLocation: sourceLocation)
        #expect(error.functionIndex == nil, sourceLocation: sourceLocation)
    }
}

private let tooLong = "integer representation too long"
private let tooLarge = "integer too large"
private let unexpectedEnd = "unexpected end"

struct UnsignedLEB128Tests {
    @Test func u32Values() {
        expectValue([0x00], UInt32(0)) { r throws(WasmError) in try r.readU32() }
        expectValue([0x7F], UInt32(127)) { r throws(WasmError) in try r.readU32() }
        expectValue([0x80, 0x01], UInt32(128)) { r throws(WasmError) in try r.readU32() }
        expectValue([0xE5, 0x8E, 0x26], UInt32(624_485)) { r throws(WasmError) in try r.readU32() }
        // Maximum value in the maximum five bytes.
        expectValue([0xFF, 0xFF, 0xFF, 0xFF, 0x0F], UInt32.max) { r throws(WasmError) in try r.readU32() }
        // Zero padded to the maximum length is allowed.
        expectValue([0x80, 0x80, 0x80, 0x80, 0x00], UInt32(0)) { r throws(WasmError) in try r.readU32() }
        expectValue([0x81, 0x80, 0x80, 0x80, 0x00], UInt32(1)) { r throws(WasmError) in try r.readU32() }
    }

    @Test func u32StopsAfterItsLastByte() throws {
        let (result, position) = read([0x80, 0x01, 0xAA]) { r throws(WasmError) in try r.readU32() }
        #expect(try result.get() == 128)
        #expect(position == 2)
    }

    @Test func u32TooLongOrTooLarge() {
        // Sixth byte: the fifth has its continuation bit set.
        expectError([0x80, 0x80, 0x80, 0x80, 0x80, 0x00], offset: 0, tooLong) { r throws(WasmError) in try r.readU32() }
        expectError([0xFF, 0xFF, 0xFF, 0xFF, 0x8F, 0x00], offset: 0, tooLong) { r throws(WasmError) in try r.readU32() }
        // Bits 32 and up set in the fifth byte.
        expectError([0xFF, 0xFF, 0xFF, 0xFF, 0x1F], offset: 0, tooLarge) { r throws(WasmError) in try r.readU32() }
        expectError([0x80, 0x80, 0x80, 0x80, 0x10], offset: 0, tooLarge) { r throws(WasmError) in try r.readU32() }
        expectError([0x80, 0x80, 0x80, 0x80, 0x70], offset: 0, tooLarge) { r throws(WasmError) in try r.readU32() }
        // The error points at the start of the integer, not at the start of the buffer.
        let (result, _) = read([0x01, 0x80, 0x80, 0x80, 0x80, 0x10]) { r throws(WasmError) in
            _ = try r.readByte()
            return try r.readU32()
        }
        #expect(result.failureOffset == 1)
    }

    @Test func u32Truncated() {
        expectError([], offset: 0, unexpectedEnd) { r throws(WasmError) in try r.readU32() }
        expectError([0x80], offset: 1, unexpectedEnd) { r throws(WasmError) in try r.readU32() }
        expectError([0xFF, 0xFF, 0xFF, 0xFF], offset: 4, unexpectedEnd) { r throws(WasmError) in try r.readU32() }
    }

    @Test func u64Bounds() {
        expectValue([0xFF, 0xFF, 0xFF, 0xFF, 0x0F], UInt64(UInt32.max)) { r throws(WasmError) in try r.readU64() }
        expectValue([0x80, 0x80, 0x80, 0x80, 0x10], UInt64(1) << 32) { r throws(WasmError) in try r.readU64() }
        expectValue([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], UInt64.max) { r throws(WasmError) in try r.readU64() }
        expectValue([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], UInt64(0)) { r throws(WasmError) in try r.readU64() }
        let elevenBytes: [UInt8] = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]
        expectError(elevenBytes, offset: 0, tooLong) { r throws(WasmError) in try r.readU64() }
        expectError([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02], offset: 0, tooLarge) { r throws(WasmError) in try r.readU64() }
        expectError([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7E], offset: 0, tooLarge) { r throws(WasmError) in try r.readU64() }
        expectError([0xFF, 0xFF, 0xFF], offset: 3, unexpectedEnd) { r throws(WasmError) in try r.readU64() }
    }
}

struct SignedLEB128Tests {
    @Test func s32Values() {
        expectValue([0x00], Int32(0)) { r throws(WasmError) in try r.readS32() }
        expectValue([0x3F], Int32(63)) { r throws(WasmError) in try r.readS32() }
        expectValue([0x40], Int32(-64)) { r throws(WasmError) in try r.readS32() }
        expectValue([0x7F], Int32(-1)) { r throws(WasmError) in try r.readS32() }
        expectValue([0xC0, 0x00], Int32(64)) { r throws(WasmError) in try r.readS32() }
        expectValue([0xBF, 0x7F], Int32(-65)) { r throws(WasmError) in try r.readS32() }
        expectValue([0x80, 0x7F], Int32(-128)) { r throws(WasmError) in try r.readS32() }
        expectValue([0xC0, 0xBB, 0x78], Int32(-123_456)) { r throws(WasmError) in try r.readS32() }
        expectValue([0xFF, 0xFF, 0xFF, 0xFF, 0x07], Int32.max) { r throws(WasmError) in try r.readS32() }
        expectValue([0x80, 0x80, 0x80, 0x80, 0x78], Int32.min) { r throws(WasmError) in try r.readS32() }
        // Padded encodings of small values.
        expectValue([0xFF, 0xFF, 0xFF, 0xFF, 0x7F], Int32(-1)) { r throws(WasmError) in try r.readS32() }
        expectValue([0x80, 0x80, 0x80, 0x80, 0x00], Int32(0)) { r throws(WasmError) in try r.readS32() }
    }

    @Test func s32BadLastByte() {
        expectError([0x80, 0x80, 0x80, 0x80, 0x80, 0x00], offset: 0, tooLong) { r throws(WasmError) in try r.readS32() }
        expectError([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], offset: 0, tooLong) { r throws(WasmError) in try r.readS32() }
        // Last byte: 4 value bits, then 3 bits that must copy bit 3 (the sign).
        for last: UInt8 in [0x08, 0x10, 0x20, 0x40, 0x4F, 0x70, 0x77, 0x0F | 0x10] {
            expectError([0xFF, 0xFF, 0xFF, 0xFF, last], offset: 0, tooLarge) { r throws(WasmError) in try r.readS32() }
        }
        expectError([0x80], offset: 1, unexpectedEnd) { r throws(WasmError) in try r.readS32() }
        expectError([0xFF, 0xFF, 0xFF, 0xFF], offset: 4, unexpectedEnd) { r throws(WasmError) in try r.readS32() }
        expectError([], offset: 0, unexpectedEnd) { r throws(WasmError) in try r.readS32() }
    }

    @Test func s64Bounds() {
        expectValue([0x7F], Int64(-1)) { r throws(WasmError) in try r.readS64() }
        expectValue([0x80, 0x80, 0x80, 0x80, 0x78], Int64(Int32.min)) { r throws(WasmError) in try r.readS64() }
        expectValue([0x80, 0x80, 0x80, 0x80, 0x70], Int64(-1) << 32) { r throws(WasmError) in try r.readS64() }
        expectValue([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00], Int64.max) { r throws(WasmError) in try r.readS64() }
        expectValue([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F], Int64.min) { r throws(WasmError) in try r.readS64() }
        expectValue([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], Int64(-1)) { r throws(WasmError) in try r.readS64() }
        let prefix: [UInt8] = Array(repeating: 0x80, count: 9)
        expectError(prefix + [0x80, 0x00], offset: 0, tooLong) { r throws(WasmError) in try r.readS64() }
        // Tenth byte: 1 value bit (the sign), 6 bits that must copy it.
        for last: UInt8 in [0x01, 0x02, 0x40, 0x7E, 0x3F] {
            expectError(prefix + [last], offset: 0, tooLarge) { r throws(WasmError) in try r.readS64() }
        }
        expectError(prefix, offset: 9, unexpectedEnd) { r throws(WasmError) in try r.readS64() }
    }

    @Test func s33Bounds() {
        expectValue([0x40], Int64(-64)) { r throws(WasmError) in try r.readS33() }
        expectValue([0x7F], Int64(-1)) { r throws(WasmError) in try r.readS33() }
        // The largest and smallest s33: 2^32 - 1 and -2^32.
        expectValue([0xFF, 0xFF, 0xFF, 0xFF, 0x0F], Int64(UInt32.max)) { r throws(WasmError) in try r.readS33() }
        expectValue([0x80, 0x80, 0x80, 0x80, 0x70], -(Int64(1) << 32)) { r throws(WasmError) in try r.readS33() }
        expectError([0x80, 0x80, 0x80, 0x80, 0x80, 0x00], offset: 0, tooLong) { r throws(WasmError) in try r.readS33() }
        // Last byte: 5 value bits, then 2 that must copy bit 4.
        for last: UInt8 in [0x10, 0x20, 0x40, 0x60, 0x1F, 0x50] {
            expectError([0x80, 0x80, 0x80, 0x80, last], offset: 0, tooLarge) { r throws(WasmError) in try r.readS33() }
        }
        expectError([0xFF, 0xFF], offset: 2, unexpectedEnd) { r throws(WasmError) in try r.readS33() }
    }
}

struct FixedWidthTests {
    @Test func littleEndianFloatsAndVectors() {
        expectValue([0x00, 0x00, 0x80, 0x3F], UInt32(0x3F80_0000)) { r throws(WasmError) in try r.readF32Bits() }
        expectValue([1, 2, 3, 4, 5, 6, 7, 8], UInt64(0x0807_0605_0403_0201)) { r throws(WasmError) in try r.readF64Bits() }
        let bytes = (UInt8(0)..<16).map { $0 }
        expectValue(bytes, V128(low: 0x0706_0504_0302_0100, high: 0x0F0E_0D0C_0B0A_0908)) { r throws(WasmError) in try r.readV128() }
        expectError([1, 2, 3], offset: 0, unexpectedEnd) { r throws(WasmError) in try r.readF32Bits() }
    }

    @Test func countIsCheckedAgainstRemainingBytes() {
        expectValue([0x03, 0xAA, 0xBB, 0xCC], 3) { r throws(WasmError) in
            let count = try r.readCount()
            _ = try r.readBytes(count)
            return count
        }
        expectError([0x04, 0xAA, 0xBB, 0xCC], offset: 0, "length out of bounds") { r throws(WasmError) in try r.readCount() }
        expectError([0x02, 0xAA, 0xBB, 0xCC], offset: 0, "length out of bounds") { r throws(WasmError) in
            try r.readCount(minimumElementSize: 2)
        }
    }
}

/// Reads a name made of `content`, prefixed with one length byte.
private func readName(_ content: [UInt8]) -> Result<String, WasmError> {
    read([UInt8(content.count)] + content) { r throws(WasmError) in try r.readName() }.result
}

struct NameTests {
    @Test(arguments: [
        ("plain", [0x70, 0x6C, 0x61, 0x69, 0x6E]),
        ("", []),
        ("é", [0xC3, 0xA9]),
        ("\u{7FF}", [0xDF, 0xBF]),
        ("\u{800}", [0xE0, 0xA0, 0x80]),
        ("€", [0xE2, 0x82, 0xAC]),
        ("\u{D7FF}", [0xED, 0x9F, 0xBF]),
        ("\u{E000}", [0xEE, 0x80, 0x80]),
        ("\u{FFFF}", [0xEF, 0xBF, 0xBF]),
        ("\u{10000}", [0xF0, 0x90, 0x80, 0x80]),
        ("𝄞", [0xF0, 0x9D, 0x84, 0x9E]),
        ("\u{10FFFF}", [0xF4, 0x8F, 0xBF, 0xBF]),
        ("a\u{0}b", [0x61, 0x00, 0x62]),
    ] as [(String, [UInt8])])
    func validNames(expected: String, content: [UInt8]) throws {
        let name = try readName(content).get()
        #expect(name == expected)
        #expect(Array(name.utf8) == content)
    }

    /// Ill-formed UTF-8, and the index within the content of the byte where
    /// the ill-formed sequence starts.
    @Test(arguments: [
        // Overlong forms.
        ([0xC0, 0x80], 0), ([0xC1, 0xBF], 0), ([0xE0, 0x80, 0x80], 0), ([0xE0, 0x9F, 0xBF], 0),
        ([0xF0, 0x80, 0x80, 0x80], 0), ([0xF0, 0x8F, 0xBF, 0xBF], 0), ([0x61, 0xC0, 0xAF], 1),
        // Surrogates.
        ([0xED, 0xA0, 0x80], 0), ([0xED, 0xBF, 0xBF], 0), ([0x41, 0x42, 0xED, 0xB0, 0x80], 2),
        // Above U+10FFFF, and bytes that never occur.
        ([0xF4, 0x90, 0x80, 0x80], 0), ([0xF5, 0x80, 0x80, 0x80], 0), ([0xF8, 0x88, 0x80, 0x80, 0x80], 0),
        ([0xFE], 0), ([0xFF], 0), ([0x61, 0xF7, 0xBF, 0xBF, 0xBF], 1),
        // Truncated sequences: at the end, or cut short by another character.
        ([0xC3], 0), ([0xE2, 0x82], 0), ([0xF0, 0x9D, 0x84], 0), ([0x61, 0x62, 0xF0], 2),
        ([0xE2, 0x82, 0x41], 0), ([0xC3, 0x41], 0), ([0xF0, 0x9D, 0x84, 0x41], 0), ([0xC3, 0xC3, 0xA9], 0),
        // Stray continuation bytes.
        ([0x80], 0), ([0xBF], 0), ([0x61, 0x80], 1), ([0xC3, 0xA9, 0xA9], 2), ([0xE2, 0x82, 0xAC, 0x80, 0x61], 3),
    ] as [([UInt8], Int)])
    func invalidNames(content: [UInt8], badIndex: Int) {
        switch readName(content) {
        case .success(let name):
            Issue.record("\(content) accepted as \(name.debugDescription)")
        case .failure(let error):
            #expect(error.kind == .malformed)
            #expect(error.message.contains("malformed UTF-8"), "\(error.message)")
            // One length byte precedes the content.
            #expect(error.offset == 1 + badIndex, "\(content): \(error)")
        }
    }

    @Test func nameLongerThanInput() {
        expectError([0x05, 0x61, 0x62], offset: 0, "length out of bounds") { r throws(WasmError) in try r.readName() }
        expectError([0x80], offset: 1, unexpectedEnd) { r throws(WasmError) in try r.readName() }
    }

    @Test func nameLengthIsLEB128() {
        let content = [UInt8](repeating: 0x7A, count: 130)
        expectValue([0x82, 0x01] + content, String(repeating: "z", count: 130)) { r throws(WasmError) in try r.readName() }
    }
}

private extension Result where Failure == WasmError {
    var failureOffset: Int? {
        if case .failure(let error) = self { return error.offset }
        return nil
    }
}
