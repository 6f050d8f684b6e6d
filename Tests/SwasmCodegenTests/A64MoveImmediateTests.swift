// The indexed search for the logical immediate closest to a constant gives
// what a pass over all 5,334 of them gives (the pass, once per constant of
// three or four halfwords, made such constants cost seconds per thousand).
import Testing
@testable import SwasmCodegen

/// The plain search: every logical immediate, fewest differing halfwords,
/// the first among equals.
private func closestByScan(_ v: UInt64, differingAtMost limit: Int) -> UInt64? {
    var best: (imm: UInt64, differing: Int)?
    for imm in A64BitmaskImmediate.all64 {
        var differing = 0
        for i in 0..<4 where (imm ^ v) >> UInt64(i * 16) & 0xffff != 0 { differing += 1 }
        if differing <= limit && differing < (best?.differing ?? Int.max) { best = (imm, differing) }
    }
    return best?.imm
}

@Suite struct A64MoveImmediateTests {
    @Test func theIndexAgreesWithAScan() {
        var generator = SystemRandomNumberGenerator()
        var values: [UInt64] = [0x9E37_79B9_7F4A_7C15, 0x5555_5555_1234_5555, 0x00FF_00FF_ABCD_00FF, 0xFFFF_0000_1234_FFFF]
        // Logical immediates with one or two halfwords changed: the cases the index must find.
        for _ in 0..<300 {
            var v = A64BitmaskImmediate.all64.randomElement(using: &generator)!
            for _ in 0..<Int.random(in: 1...2, using: &generator) {
                let k = UInt64.random(in: 0..<4, using: &generator) * 16
                v = v & ~(0xFFFF << k) | UInt64.random(in: 0...0xFFFF, using: &generator) << k
            }
            values.append(v)
        }
        for _ in 0..<300 { values.append(UInt64.random(in: 0...UInt64.max, using: &generator)) }
        for v in values {
            for limit in 1...2 {
                #expect(A64Assembler.closestLogicalImmediate(v, differingAtMost: limit) == closestByScan(v, differingAtMost: limit),
                        "0x\(String(v, radix: 16)) within \(limit)")
            }
        }
    }
}
