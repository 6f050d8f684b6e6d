// The allocator's time grows about linearly with a function's size when
// every instruction asks for temporaries (a per-temporary copy of the
// whole list once made it quadratic: 80,000 instructions took 12 s).
import Foundation
import SwasmIR
import Testing
@testable import SwasmCodegen

private func chain(_ count: Int) throws -> Function {
    var lines = ["function %f(i64) -> (i64) {", "block0(v0: i64):"]
    var last = 0
    for k in 1...count {
        lines.append("    v\(k) = iadd.i64 v\(last), v0")
        last = k
    }
    lines += ["    return v\(last)", "}"]
    return try Parser.parseFunction(lines.joined(separator: "\n"))
}

private func oneOfEach(_ function: Function, _ index: Int) -> TemporaryRequest {
    TemporaryRequest(general: 1, vector: 1)
}

/// The fastest of three allocations of `function`, in seconds.
private func allocationTime(_ function: Function) -> Double {
    var best = Double.infinity
    for _ in 0..<3 {
        let start = Date()
        _ = LinearScan(function: function, registers: X64ABI.registers, temporaries: oneOfEach).allocate()
        best = min(best, Date().timeIntervalSince(start))
    }
    return best
}

@Suite struct LinearScanScalingTests {
    @Test func allocationWithTemporariesScalesLinearly() throws {
        let small = try chain(10_000), large = try chain(40_000)
        let ratio = allocationTime(large) / allocationTime(small)
        // Four times the instructions: about 4 when linear, 13 when each
        // temporary copied the list.
        #expect(ratio < 8, "4x the instructions took \(ratio)x the time")
    }
}
