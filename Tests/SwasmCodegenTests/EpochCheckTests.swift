// `epoch_check` calls its helper out of line and keeps every register, so
// the allocator must see no call there: a loop with a check keeps its
// values in caller-saved registers, with no spill slot and no callee-saved
// register. The AArch64 out-of-line call (saves, call, restores) is checked
// against GNU as.
import SwasmIR
import Testing
@testable import SwasmCodegen

/// A float accumulator and a counter live through a loop with a check.
private let checkedLoop = """
    function %sum(i64, i32, f64) -> (f64) {
    block0(v0: i64, v1: i32, v2: f64):
        v3 = fconst.f64 0x0
        jump block1(v1, v3)
    block1(v4: i32, v5: f64):
        epoch_check v0
        v6 = fadd.f64 v5, v2
        v7 = iconst.i32 1
        v8 = isub.i32 v4, v7
        brif v8, block1(v8, v6), block2
    block2:
        return v6
    }
    """

@Suite struct EpochCheckTests {
    @Test func theCheckIsNoCallToTheX64Allocator() throws {
        let function = try Parser.parseFunction(checkedLoop)
        try Verifier.verify(function)
        let allocation = LinearScan(function: function, registers: X64ABI.registers, clobbers: X64ABI.clobbers,
                                    temporaries: X64ABI.temporaries,
                                    entryTemporaries: X64ABI.entryTemporaries(function)).allocate()
        #expect(allocation.slots.isEmpty)
        #expect(allocation.usedCalleeSaved(.general).isEmpty)
        #expect(allocation.usedCalleeSaved(.vector).isEmpty)
        #expect(AllocationChecker.check(function, allocation, registers: X64ABI.registers, clobbers: X64ABI.clobbers,
                                        temporaries: X64ABI.temporaries,
                                        entryTemporaries: X64ABI.entryTemporaries(function)).isEmpty)
    }

    @Test func theCheckIsNoCallToTheAArch64Allocator() throws {
        let function = try Parser.parseFunction(checkedLoop)
        let allocation = A64ABI.allocate(function)
        #expect(allocation.slots.isEmpty)
        #expect(allocation.usedCalleeSaved(.general).isEmpty)
        #expect(allocation.usedCalleeSaved(.vector).isEmpty)
    }

    @Test func theAArch64OutOfLineCallEncodesAsGNUAsDoes() throws {
        let function = try Parser.parseFunction(checkedLoop)
        let allocation = A64ABI.allocate(function)
        var generator = A64CodeGen(function: function, allocation: allocation, rules: A64TemporaryRules(function),
                                   listing: true, longReach: false)
        try generator.run()
        // The helper is called through the check's first temporary.
        let carrier = allocation.temporaries(at: function.blocks[1].instructions[0]).general[0]
        #expect(generator.asm.listing.contains("blr x\(carrier)"))
        #expect(generator.asm.listing.contains { $0.hasPrefix("str q") })
        // Bytes only: objdump folds the trailing udf words (zeros) into "...".
        let gnu = try a64AssembleWithGNU(generator.asm.listing)
        #expect(try generator.asm.finish() == gnu.bytes)
    }

    /// Under pressure values live across the check in x15-x17 and
    /// v29-v31 too (no longer reserved): the out-of-line call saves and
    /// restores them like every caller-saved register holding a value, but
    /// the check's own temporary, which holds none there.
    @Test func theAArch64OutOfLineCallKeepsFormerScratchRegisters() throws {
        var text = "function %f(i64, i64, f64) -> (i64, f64) {\nblock0(v0: i64, v1: i64, v2: f64):\n"
        var integers: [String] = [], floats: [String] = []
        for k in 0..<36 {
            text += "    v\(3 + 2 * k) = iadd.i64 \(integers.last ?? "v0"), v1\n"
            integers.append("v\(3 + 2 * k)")
            text += "    v\(4 + 2 * k) = fadd.f64 \(floats.last ?? "v2"), v2\n"
            floats.append("v\(4 + 2 * k)")
        }
        text += "    epoch_check v0\n"
        var next = 3 + 2 * 36
        var (integerSum, floatSum) = (integers.removeLast(), floats.removeLast())
        for (i, f) in zip(integers.reversed(), floats.reversed()) {
            text += "    v\(next) = iadd.i64 \(integerSum), \(i)\n    v\(next + 1) = fadd.f64 \(floatSum), \(f)\n"
            (integerSum, floatSum) = ("v\(next)", "v\(next + 1)")
            next += 2
        }
        text += "    return \(integerSum), \(floatSum)\n}\n"
        let function = try Parser.parseFunction(text)
        let allocation = A64ABI.allocate(function)
        let check = try #require(function.blocks[0].instructions.first { function.instructions[$0].opcode == .epochCheck })
        let carrier = allocation.temporaries(at: check).general[0]
        var generator = A64CodeGen(function: function, allocation: allocation, rules: A64TemporaryRules(function),
                                   listing: true, longReach: false)
        try generator.run()
        let listing = generator.asm.listing
        // The stub: saves from its `sub sp` to the call, restores after it.
        let call = try #require(listing.firstIndex(of: "blr x\(carrier)"))
        let start = try #require(listing[..<call].lastIndex { $0.hasPrefix("sub sp, sp") })
        let end = try #require(listing[call...].firstIndex { $0.hasPrefix("add sp, sp") })
        let (saves, restores) = (listing[start..<call], listing[call..<end])
        // Every caller-saved general register holding an integer (but the
        // carrier, which holds none at the check), the former scratch ones
        // among them.
        var heldGeneral = Set<Int>()
        for (i, data) in function.values.enumerated() where data.type.regClass == .general {
            if case .register(let r) = allocation.locations[i] { heldGeneral.insert(Int(r)) }
        }
        #expect(!heldGeneral.isDisjoint(with: 15...17), "a former scratch register holds an integer: \(heldGeneral.sorted())")
        for r in heldGeneral.sorted() where r <= 17 && r != Int(carrier) {
            #expect(saves.contains { $0.hasPrefix("str x\(r), [sp") }, "x\(r) saved")
            #expect(restores.contains { $0.hasPrefix("ldr x\(r), [sp") }, "x\(r) restored")
        }
        // Every caller-saved vector register holding a float, the former
        // scratch ones among them.
        var heldVector = Set<Int>()
        for (i, data) in function.values.enumerated() where data.type.regClass == .vector {
            if case .register(let r) = allocation.locations[i] { heldVector.insert(Int(r)) }
        }
        #expect(!heldVector.isDisjoint(with: 29...31), "a former scratch register holds a float: \(heldVector.sorted())")
        for r in heldVector.sorted() where !(8...15).contains(r) {
            #expect(saves.contains { $0.hasPrefix("str q\(r), [sp") }, "v\(r) saved")
            #expect(restores.contains { $0.hasPrefix("ldr q\(r), [sp") }, "v\(r) restored")
        }
        #expect(!saves.contains { $0.hasPrefix("str x\(carrier), [sp") }, "the carrier holds no value at the check")
        let gnu = try a64AssembleWithGNU(listing)
        #expect(try generator.asm.finish() == gnu.bytes)
    }

    @Test func theX64OutOfLineCallKeepsTheStackAligned() throws {
        let function = try Parser.parseFunction(checkedLoop)
        let compiled = try X64CodeGen.compile(function, listing: true)
        let listing = compiled.listing
        let call = try #require(listing.firstIndex(of: "call qword ptr [rax+88]"))
        // Everything pushed or reserved between the stub's label and the call.
        let stub = try #require(listing[..<call].lastIndex { $0.hasSuffix(":") })
        var bytes = 0
        for line in listing[stub..<call] {
            if line.hasPrefix("push ") { bytes += 8 }
            if line.hasPrefix("sub rsp, "), let n = Int(line.dropFirst("sub rsp, ".count)) { bytes += n }
        }
        #expect(bytes > 0 && bytes % 16 == 0)
        #expect(compiled.returnSites.count == 1, "the helper's call, for backtraces from it")
    }

    /// With twelve values live across the check, the formerly reserved
    /// registers hold values too: the stub saves every caller-saved register
    /// that holds one (rax and rcx among them) and tests the helper's answer
    /// in eax before restoring rax, with nothing but flag-neutral
    /// instructions between the test and the branch.
    @Test func theX64OutOfLineCallSavesEveryCallerSavedRegisterInUse() throws {
        var lines = ["function %f(i64, i64) -> (i64) {", "block0(v0: i64, v1: i64):"]
        for k in 2...13 { lines.append("    v\(k) = pload.i64 v1+\(8 * k)") }
        lines.append("    epoch_check v0")
        var sum = 2
        for k in 3...13 {
            lines.append("    v\(k + 12) = iadd.i64 v\(sum), v\(k)")
            sum = k + 12
        }
        lines += ["    return v\(sum)", "}"]
        let function = try Parser.parseFunction(lines.joined(separator: "\n"))
        let allocation = LinearScan(function: function, registers: X64ABI.registers, clobbers: X64ABI.clobbers,
                                    temporaries: X64ABI.temporaries,
                                    entryTemporaries: X64ABI.entryTemporaries(function)).allocate()
        var generator = X64CodeGen(function: function, allocation: allocation, listing: true)
        try generator.run()
        let (general, _) = generator.callerSavedInUse()
        #expect(general.contains(.rax) && general.contains(.rcx), "\(general)")
        let listing = generator.asm.listing
        let call = try #require(listing.firstIndex(of: "call qword ptr [rax+88]"))
        let stub = try #require(listing[..<call].lastIndex { $0.hasSuffix(":") })
        let pushed = Set(listing[stub..<call].filter { $0.hasPrefix("push ") }.map { String($0.dropFirst(5)) })
        #expect(pushed == Set(general.map { "\($0)" }))
        let test = try #require(listing[call...].firstIndex(of: "test eax, eax"))
        let branch = try #require(listing[call...].firstIndex { $0.contains("jne") })
        #expect(test == call + 1)
        for line in listing[test + 1..<branch] {
            #expect(line.hasPrefix("pop ") || line.hasPrefix("movsd ") || line.hasPrefix("lea rsp"), "\(line) between the test and its branch")
        }
    }
}
