// Hand-checked AArch64 encodings, label reach at its exact limits, the
// move-immediate materializer evaluated, and the bitmask-immediate test
// checked against GNU as on values it must refuse.
import Testing
@testable import SwasmCodegen

private func words(_ build: (inout A64Assembler) -> Void) throws -> [UInt32] {
    var a = A64Assembler()
    build(&a)
    let bytes = try a.finish()
    return stride(from: 0, to: bytes.count, by: 4).map {
        UInt32(bytes[$0]) | UInt32(bytes[$0 + 1]) << 8 | UInt32(bytes[$0 + 2]) << 16 | UInt32(bytes[$0 + 3]) << 24
    }
}

/// Evaluates a movz/movn/movk/orr-immediate sequence on one register, from
/// the instruction words alone.
private func evaluateMoves(_ program: [UInt32]) -> UInt64? {
    var x: UInt64 = 0
    for word in program {
        let sf = word >> 31, mask: UInt64 = sf == 1 ? .max : 0xffff_ffff
        if word & 0x1F80_0000 == 0x1280_0000 {                 // move wide
            let opc = (word >> 29) & 3, shift = UInt64((word >> 21) & 3) * 16, imm = UInt64((word >> 5) & 0xffff)
            switch opc {
            case 0b00: x = ~(imm << shift) & mask
            case 0b10: x = imm << shift
            case 0b11: x = (x & ~(0xffff << shift) | imm << shift) & mask
            default: return nil
            }
        } else if word & 0x7F80_03E0 == 0x3200_03E0 {          // orr d, zr, #imm
            let w: A64Width = sf == 1 ? .x : .w
            guard let v = decodeBitmask(n: (word >> 22) & 1, immr: (word >> 16) & 0x3f, imms: (word >> 10) & 0x3f, w) else { return nil }
            x = v
        } else {
            return nil
        }
    }
    return x
}

@Suite("AArch64 encoder details")
struct AArch64EncoderUnitTests {
    @Test("encodings from the Arm ARM, as objdump shows them")
    func handChecked() throws {
        #expect(try words { $0.stp(.x, .fp, .lr, .preIndex(.sp, -16)) } == [0xa9bf_7bfd])
        #expect(try words { $0.ldp(.x, .fp, .lr, .postIndex(.sp, 16)) } == [0xa8c1_7bfd])
        #expect(try words { $0.load(.q, .v0, .offset(.sp, 32)) } == [0x3dc0_0be0])
        #expect(try words { $0.orr(.x, .x0, .zr, imm: 0xff00_ff00_ff00_ff00) } == [0xb208_9fe0])
        #expect(try words { $0.cset(.x, .x0, .eq) } == [0x9a9f_17e0])
        #expect(try words { $0.fmov(.d, .v0, 1.0) } == [0x1e6e_1000])
        #expect(try words { $0.ret() } == [0xd65f_03c0])
        #expect(try words { $0.add(.w, .sp, .sp, imm: 0) } == [0x1100_03ff])
        #expect(try words { $0.loadStore(.ldrsw, .x0, .offset(.sp, 4)) } == [0xb980_07e0])
        #expect(try words { $0.loadStore(.ldrX, .x0, .offset(.x1, -1)) } == [0xf85f_f020])   // ldur
    }

    @Test("listing lines use objdump's spelling")
    func listingText() {
        var a = A64Assembler(recordsListing: true)
        a.movz(.x, .x0, 0x10, shift: 16); a.movn(.w, .x1, 0xffff); a.fmov(.s, .v2, -0.125)
        a.lsl(.x, .x3, .x4, 4); a.cset(.w, .x5, .hs); a.loadStore(.ldrb, .x6, .register(.x7, .x8, .uxtw, scaled: true))
        let l = a.newLabel(); a.bind(l); a.tbnz(.x9, bit: 40, l)
        #expect(a.listing == [
            "mov x0, #0x100000", "movn w1, #0xffff", "fmov s2, #-1.250000000000000000e-01",
            "lsl x3, x4, #4", "cset w5, cs", "ldrb w6, [x7, w8, uxtw #0]", ".L0:", "tbnz x9, #40, .L0",
        ])
        #expect(a.listingOffsets == [0, 4, 8, 12, 16, 20, 24, 24])
    }

    @Test("label reach: the last distance each branch field holds works, the next one throws")
    func labelReach() throws {
        // (emit the reference, its reach in bytes) for b.cond/cbz/ldr literal (imm19), tbz (imm14), adr (21 bits).
        let kinds: [(String, (inout A64Assembler, A64Label) -> Void, Int)] = [
            ("b.cond", { $0.b(.ne, $1) }, 1 << 20), ("cbz", { $0.cbz(.x, .x3, $1) }, 1 << 20),
            ("ldr literal", { $0.ldrLiteral(.x, .x3, $1) }, 1 << 20), ("tbz", { $0.tbz(.x3, bit: 5, $1) }, 1 << 15),
            ("adr", { $0.adr(.x3, $1) }, 1 << 20),
        ]
        for (name, reference, reach) in kinds {
            for (gap, fits) in [(reach - 4, true), (reach, false)] {
                // Forward: the label is `gap` bytes past the reference.
                var a = A64Assembler()
                let label = a.newLabel()
                reference(&a, label)
                for _ in 0..<(gap - 4) / 4 { a.nop() }
                a.bind(label)
                if fits {
                    #expect(throws: Never.self, "\(name) forward \(gap)") { _ = try a.finish() }
                } else {
                    #expect(throws: A64AssemblerError.labelOutOfRange(label: ".L0", at: 0, distance: gap, limit: reach),
                            "\(name) forward \(gap)") { _ = try a.finish() }
                }
                // Backward: the label is `gap + 4` bytes before; -reach is the last that fits.
                var back = A64Assembler()
                let top = back.newLabel()
                back.bind(top)
                for _ in 0..<(gap + 4) / 4 { back.nop() }
                reference(&back, top)
                if fits {
                    #expect(throws: Never.self, "\(name) backward") { _ = try back.finish() }
                } else {
                    #expect(throws: A64AssemblerError.self, "\(name) backward \(gap + 4)") { _ = try back.finish() }
                }
            }
        }
        // The largest forward b.cond distance lands in imm19 as 0x3ffff.
        var a = A64Assembler()
        let far = a.newLabel()
        a.b(.eq, far)
        for _ in 0..<((1 << 20) - 8) / 4 { a.nop() }
        a.bind(far)
        let code = try a.finish()
        let first = UInt32(code[0]) | UInt32(code[1]) << 8 | UInt32(code[2]) << 16 | UInt32(code[3]) << 24
        #expect(first == 0x5400_0000 | 0x3_fffe << 5 || first == 0x5400_0000 | 0x3_ffff << 5)
        #expect((first >> 5) & 0x7ffff == UInt32((1 << 20) - 4) / 4)
    }

    @Test("an unbound label is an error, not a crash")
    func unboundLabel() {
        var a = A64Assembler()
        let l = a.newLabel()
        a.b(l)
        #expect(throws: A64AssemblerError.unboundLabel(".L0")) { _ = try a.finish() }
    }

    @Test("movImmediate: the sequence computes the value, in at most 4 (2 at W) instructions, 1 when one suffices")
    func movImmediateEvaluated() throws {
        var rng = A64SampleRandom(seed: 7)
        var samples = moveImmediateSamples()
        for _ in 0..<5000 {
            let r = rng.next()
            // Random values with random halfwords forced to 0 or 0xffff.
            let forced = (0..<4).reduce(r) { v, i in
                switch (r >> (60 - UInt64(i) * 2)) & 3 {
                case 0: return v & ~(0xffff << UInt64(i * 16))
                case 1: return v | 0xffff << UInt64(i * 16)
                default: return v
                }
            }
            samples += [r, forced]
        }
        for w in A64Width.allCases {
            for value in samples {
                let v = value & w.mask
                let program = try words { $0.movImmediate(w, .x0, v) }
                #expect(evaluateMoves(program) == v, "0x\(String(v, radix: 16)) at \(w)")
                #expect(program.count <= w.bits / 16)
                let halfwords = (0..<w.bits / 16).map { (v >> UInt64($0 * 16)) & 0xffff }
                let simple = halfwords.filter { $0 != 0 }.count <= 1 || halfwords.filter { $0 != 0xffff }.count <= 1
                if simple || A64BitmaskImmediate.isEncodable(v, width: w) {
                    #expect(program.count == 1, "0x\(String(v, radix: 16)) at \(w) takes \(program.count)")
                }
            }
        }
    }

    @Test("bitmask immediates: every encodable value round-trips; values near them are refused exactly when GNU as refuses them")
    func bitmaskImmediates() throws {
        for w in A64Width.allCases {
            let all = allBitmaskImmediates(w)
            let valid = Set(all)
            for v in all {
                let e = try #require(A64BitmaskImmediate(v, width: w), "0x\(String(v, radix: 16))")
                #expect(decodeBitmask(n: e.n, immr: e.immr, imms: e.imms, w) == v)
            }
            // Candidates: neighbours and single-bit flips of valid values, and random values.
            var rng = A64SampleRandom(seed: UInt64(w.bits))
            var candidates: Set<UInt64> = [0, w.mask]
            for (k, v) in all.enumerated() where k % 3 == 0 {
                candidates.formUnion([(v &+ 1) & w.mask, (v &- 1) & w.mask, v ^ (1 << UInt64(k % w.bits))])
            }
            for _ in 0..<2000 { candidates.insert(rng.next() & w.mask) }
            var refused: [UInt64] = []
            for v in candidates.sorted() {
                #expect(A64BitmaskImmediate.isEncodable(v, width: w) == valid.contains(v), "0x\(String(v, radix: 16))")
                if !valid.contains(v) { refused.append(v) }
            }
            let lines = refused.map { "and \(w == .x ? "x0, x1" : "w0, w1"), #0x\(String($0, radix: 16))" }
            let rejected = try a64LinesRejectedByGNU(lines)
            #expect(rejected.count == lines.count, "GNU as accepted \(lines.count - rejected.count) values we refuse")
            #expect(refused.count > 1000)
        }
    }

    @Test("FP immediates: exactly the 256 values of the 8-bit form; zero and 0.1 have none")
    func fpImmediates() {
        let values = Set((0..<UInt32(256)).map { A64Assembler.decodeFPImmediate($0) })
        #expect(values.count == 256)
        #expect(A64Assembler.fpImmediate(0) == nil && A64Assembler.fpImmediate(0.1) == nil && A64Assembler.fpImmediate(32) == nil)
        #expect(A64Assembler.fpImmediate(2.0) != nil && A64Assembler.fpImmediate(-31.0) != nil && A64Assembler.fpImmediate(0.125) != nil)
        #expect(A64Assembler.scientific(-0.125) == "-1.250000000000000000e-01")
        #expect(A64Assembler.scientific(31) == "3.100000000000000000e+01")
    }

    @Test("the GNU comparison reports a wrong field at its instruction, and a listing line objdump spells differently")
    func checkerCatchesMistakes() throws {
        var a = A64Assembler(recordsListing: true)
        a.add(.x, .x0, .x1, imm: 16)
        a.mov(.x, .x2, .x3)                        // orr x2, xzr, x3: aa0303e2
        a.ret()
        var ours = try a.finish()
        ours[4] ^= 0x01                            // Rd x2 -> x3
        let gnu = try a64AssembleWithGNU(a.listing)
        let report = firstMismatch(ours: ours, gas: gnu.bytes, listing: a.listing, offsets: a.listingOffsets)
        #expect(report?.contains("listing[1]: mov x2, x3") == true, "\(report ?? "no mismatch")")
        #expect(report?.contains("ours: e3 03 03 aa") == true)

        // Same bytes, but not objdump's spelling: the text comparison catches it.
        var respelled = a
        respelled.listing[1] = "orr x2, xzr, x3"
        withKnownIssue { _ = try expectMatchesGNU(respelled) }
    }
}
