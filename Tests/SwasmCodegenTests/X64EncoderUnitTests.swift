// Hand-checked encodings and the checker's own failure path: a wrong REX bit
// or a wrong listing line must be reported at the right instruction.
import Testing
@testable import SwasmCodegen

private func bytes(_ build: (inout X64Assembler) -> Void) -> [UInt8] {
    var a = X64Assembler()
    build(&a)
    return a.finish()
}

@Suite("X64 encoder details")
struct X64EncoderUnitTests {
    @Test("addressing corner cases, from the Intel SDM tables")
    func addressing() {
        #expect(bytes { $0.mov(.s64, .rax, X64Mem(.r12)) } == [0x49, 0x8B, 0x04, 0x24])      // SIB for r12
        #expect(bytes { $0.mov(.s64, .rax, X64Mem(.r13)) } == [0x49, 0x8B, 0x45, 0x00])      // disp8 0 for r13
        #expect(bytes { $0.mov(.s32, .r9, X64Mem(.rsp, 8)) } == [0x44, 0x8B, 0x4C, 0x24, 0x08])
        #expect(bytes { $0.mov(.s32, .rax, X64Mem(base: nil, index: .rcx, scale: 8)) }
                == [0x8B, 0x04, 0xCD, 0, 0, 0, 0])
        #expect(bytes { $0.lea(.s64, .rdx, X64Mem(.rbp, .r13, scale: 4, -129)) }
                == [0x4A, 0x8D, 0x94, 0xAD, 0x7F, 0xFF, 0xFF, 0xFF])
        #expect(bytes { $0.setcc(.e, .rsi) } == [0x40, 0x0F, 0x94, 0xC6])                    // sil needs REX
        #expect(bytes { $0.setcc(.ne, .rbx) } == [0x0F, 0x95, 0xC3])                         // bl does not
    }

    @Test("mov reg, imm picks the shortest flag-free form")
    func movImmediate() {
        #expect(bytes { $0.mov(.s64, .rax, 0) } == [0xB8, 0, 0, 0, 0])                       // not xor
        #expect(bytes { $0.mov(.s64, .r8, 0xffff_ffff) } == [0x41, 0xB8, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(bytes { $0.mov(.s64, .rcx, -1) } == [0x48, 0xC7, 0xC1, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(bytes { $0.mov(.s64, .rdx, 0x1_0000_0000) } == [0x48, 0xBA, 0, 0, 0, 0, 1, 0, 0, 0])
        #expect(bytes { $0.mov(.s32, .rdx, -1) } == [0xBA, 0xFF, 0xFF, 0xFF, 0xFF])
    }

    @Test("labels: offsets are final when emitted; fixups patched by finish()")
    func labels() {
        var a = X64Assembler(recordsListing: true)
        let top = a.newLabel(), out = a.newLabel()
        a.bind(top)
        a.jcc(.e, out)
        let callSite = a.offset
        a.call(top)
        #expect(callSite == 6 && a.offset == 11)
        a.jmp(top)
        a.bind(out)
        a.ret()
        #expect(a.finish() == [0x0F, 0x84, 10, 0, 0, 0, 0xE8, 0xF5, 0xFF, 0xFF, 0xFF, 0xE9, 0xF0, 0xFF, 0xFF, 0xFF, 0xC3])
        #expect(a.listing == [".L0:", "{disp32} je .L1", "call .L0", "{disp32} jmp .L0", ".L1:", "ret"])
        #expect(a.listingOffsets == [0, 0, 6, 11, 16, 16])
    }

    @Test("listing spells operands as GNU as does")
    func listingText() {
        var a = X64Assembler(recordsListing: true)
        a.add(.s64, .rax, X64Mem(.rbx, .rcx, scale: 8, 16))
        a.mov(.s8, X64Mem(.rsp, -8), .rsi)
        a.movzx(.s32, .r10, X64Mem(base: nil, index: .r12, scale: 2), from: .s16)
        a.cvtsi2sd(.xmm9, .s64, .r15)
        a.mov(.s64, .rax, Int64.min)
        #expect(a.listing == [
            "add rax, qword ptr [rbx+rcx*8+16]",
            "mov byte ptr [rsp-8], sil",
            "movzx r10d, word ptr [r12*2]",
            "cvtsi2sd xmm9, r15",
            "movabs rax, -9223372036854775808",
        ])
        var quiet = X64Assembler()
        quiet.add(.s64, .rax, 1)
        #expect(quiet.listing.isEmpty)
    }

    @Test("the GNU as comparison reports a wrong REX bit at its instruction")
    func checkerCatchesWrongRex() throws {
        var a = X64Assembler(recordsListing: true)
        a.mov(.s32, .rax, 1)
        a.add(.s64, .r8, .rax)                      // 49 01 c0
        a.ret()
        var ours = a.finish()
        #expect(ours[5] == 0x49)
        ours[5] ^= 0x01                             // drop REX.B: now `add rax, rax`
        let gas = try assembleWithGas(a.listing)
        let report = firstMismatch(ours: ours, gas: gas, listing: a.listing, offsets: a.listingOffsets)
        #expect(report?.contains("listing[1]: add r8, rax") == true, "\(report ?? "no mismatch")")
        #expect(report?.contains("ours: 48 01 c0") == true)

        // A listing line that does not say what was encoded is caught too.
        var listing = a.listing
        listing[1] = "add rax, r8"
        let other = try assembleWithGas(listing)
        #expect(firstMismatch(ours: a.finish(), gas: other, listing: a.listing, offsets: a.listingOffsets) != nil)
    }
}

