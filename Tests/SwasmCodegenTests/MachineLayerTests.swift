// The small shared pieces of the machine layer: call relocations of both
// targets, the constant pool's layout, use counts for fusion.
import Testing
@testable import SwasmCodegen

@Suite struct RelocTests {
    @Test func x86Rel32IsRelativeToTheEndOfItsFourBytes() throws {
        var text = [UInt8](repeating: 0x90, count: 64)
        try Reloc.x86Rel32.patch(&text, at: 33, target: 16)
        #expect(Array(text[33..<37]) == [0xEB, 0xFF, 0xFF, 0xFF])   // 16 - 37 = -21
        try Reloc.x86Rel32.patch(&text, at: 1, target: 48)
        #expect(Array(text[1..<5]) == [43, 0, 0, 0])
    }

    /// `bl` is 0x94000000 | imm26; the other bits are kept.
    @Test func aarch64Call26CountsWordsFromTheInstruction() throws {
        var text: [UInt8] = [0, 0, 0, 0x94] + [UInt8](repeating: 0, count: 12) + [0, 0, 0, 0x94]
        try Reloc.aarch64Call26.patch(&text, at: 0, target: 16)
        #expect(Array(text[0..<4]) == [4, 0, 0, 0x94])
        try Reloc.aarch64Call26.patch(&text, at: 16, target: 0)
        #expect(Array(text[16..<20]) == [0xFC, 0xFF, 0xFF, 0x97])  // -4 words
    }

    @Test func outOfRangeAndMisalignedCallsAreErrors() {
        var text = [UInt8](repeating: 0, count: 8)
        #expect(throws: RelocError.outOfRange(.aarch64Call26, offset: 0, target: 128 << 20)) {
            try Reloc.aarch64Call26.patch(&text, at: 0, target: 128 << 20)
        }
        #expect(throws: RelocError.misaligned(.aarch64Call26, offset: 0, target: 6)) {
            try Reloc.aarch64Call26.patch(&text, at: 0, target: 6)
        }
        #expect(throws: RelocError.outOfRange(.x86Rel32, offset: 0, target: 1 << 32)) {
            try Reloc.x86Rel32.patch(&text, at: 0, target: 1 << 32)
        }
    }
}

@Suite struct ConstantPoolTests {
    @Test func entriesAreSharedAndSixteenByteOnesComeFirst() {
        var pool = ConstantPool<Int>()
        var next = 0
        func fresh() -> Int { next += 1; return next }
        let a = pool.label(for: UInt64(0x3FF0_0000_0000_0000), newLabel: fresh)
        let vector = pool.label(for: [UInt8](repeating: 7, count: 16), newLabel: fresh)
        let again = pool.label(for: UInt64(0x3FF0_0000_0000_0000), newLabel: fresh)
        #expect(a == again)
        #expect(next == 2)
        #expect(pool.alignment == 16)
        #expect(pool.layout.map(\.label) == [vector, a])
        #expect(pool.layout[1].bytes == [0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
    }

    @Test func aPoolOfEightByteEntriesIsAlignedToEight() {
        var pool = ConstantPool<Int>()
        _ = pool.label(for: UInt64(1)) { 1 }
        #expect(pool.alignment == 8)
    }
}
