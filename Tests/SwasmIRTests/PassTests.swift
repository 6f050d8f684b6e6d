// Each optimization pass on small functions: what it must change, and what
// it must leave alone because changing it would change behavior.
import SwasmIR
import SwasmOpt
import Testing

@Suite struct ConstantFoldingTests {
    static func folded(_ body: String, result: String = "i32") throws -> String {
        try afterPass("function %f(i64, i32) -> (\(result)) {\nblock0(v0: i64, v1: i32):\n\(body)\n}\n", ConstantFolding.run)
    }

    @Test(arguments: [
        // Wrapping arithmetic at the type's width.
        ("v2 = iconst.i32 2147483647\n    v3 = iconst.i32 1\n    v4 = iadd.i32 v2, v3", "v4 = iconst.i32 -2147483648"),
        ("v2 = iconst.i32 6\n    v3 = iconst.i32 7\n    v4 = imul.i32 v2, v3", "v4 = iconst.i32 42"),
        ("v2 = iconst.i32 0\n    v3 = iconst.i32 1\n    v4 = isub.i32 v2, v3", "v4 = iconst.i32 -1"),
        // Shift counts are taken modulo the width.
        ("v2 = iconst.i32 1\n    v3 = iconst.i32 33\n    v4 = ishl.i32 v2, v3", "v4 = iconst.i32 2"),
        ("v2 = iconst.i32 -8\n    v3 = iconst.i32 1\n    v4 = ushr.i32 v2, v3", "v4 = iconst.i32 2147483644"),
        ("v2 = iconst.i32 -8\n    v3 = iconst.i32 1\n    v4 = sshr.i32 v2, v3", "v4 = iconst.i32 -4"),
        // Comparisons: signed and unsigned readings of the same bits differ.
        ("v2 = iconst.i32 -1\n    v3 = iconst.i32 1\n    v4 = icmp.i32 slt v2, v3", "v4 = iconst.i32 1"),
        ("v2 = iconst.i32 -1\n    v3 = iconst.i32 1\n    v4 = icmp.i32 ult v2, v3", "v4 = iconst.i32 0"),
        // Division that cannot trap.
        ("v2 = iconst.i32 -7\n    v3 = iconst.i32 2\n    v4 = sdiv.i32 v2, v3", "v4 = iconst.i32 -3"),
        ("v2 = iconst.i32 -7\n    v3 = iconst.i32 2\n    v4 = srem.i32 v2, v3", "v4 = iconst.i32 -1"),
    ])
    func foldsToTheWasmResult(body: String, expected: String) throws {
        let printed = try Self.folded("    \(body)\n    return v4")
        #expect(printed.contains("    \(expected)\n"), "\(printed)")
    }

    @Test(arguments: [
        ("v2 = iconst.i32 7\n    v3 = iconst.i32 0\n    v4 = sdiv.i32 v2, v3", "v4 = sdiv.i32 v2, v3"),
        ("v2 = iconst.i32 7\n    v3 = iconst.i32 0\n    v4 = urem.i32 v2, v3", "v4 = urem.i32 v2, v3"),
        ("v2 = iconst.i32 -2147483648\n    v3 = iconst.i32 -1\n    v4 = sdiv.i32 v2, v3", "v4 = sdiv.i32 v2, v3"),
    ])
    func leavesDivisionsThatTrap(body: String, kept: String) throws {
        let printed = try Self.folded("    \(body)\n    return v4")
        #expect(printed.contains("    \(kept)\n"), "a trapping division was folded away:\n\(printed)")
    }

    @Test func aConstantConditionBecomesAJump() throws {
        let printed = try Self.folded("""
                v2 = iconst.i32 0
                brif v2, block1, block2(v1)
            block1:
                trap unreachable
            block2(v3: i32):
                return v3
            """)
        #expect(printed.contains("    jump block2(v1)\n"), "\(printed)")
        #expect(!printed.contains("brif"))
    }

    @Test func leavesNonConstantOperandsAlone() throws {
        let printed = try Self.folded("    v2 = iconst.i32 3\n    v3 = iadd.i32 v1, v2\n    return v3")
        #expect(printed.contains("    v3 = iadd.i32 v1, v2\n"), "\(printed)")
    }
}

@Suite struct CopyPropagationTests {
    @Test func aParameterFedTheSameValueOnEveryEdgeIsReplacedByIt() throws {
        let printed = try afterPass("""
            function %f(i64, i32) -> (i32) {
            block0(v0: i64, v1: i32):
                brif v1, block1(v1), block2(v1)
            block1(v2: i32):
                jump block2(v2)
            block2(v3: i32):
                return v3
            }
            """, CopyPropagation.run)
        // v2 is a copy of v1, which makes v3 one too: removed in a second round.
        #expect(printed.contains("    return v1\n"), "\(printed)")
        #expect(!printed.contains("v2: i32") && !printed.contains("v3: i32"), "\(printed)")
    }

    @Test func aLoopParameterFedOnlyItselfAndOneValueIsACopy() throws {
        let printed = try afterPass("""
            function %f(i64, i32) -> (i32) {
            block0(v0: i64, v1: i32):
                jump block1(v1)
            block1(v2: i32):
                brif v2, block1(v2), block2
            block2:
                return v2
            }
            """, CopyPropagation.run)
        #expect(printed.contains("block1:\n"), "\(printed)")
        #expect(printed.contains("    return v1\n"), "\(printed)")
    }

    @Test func aParameterThatMergesDifferentValuesStays() throws {
        let text = """
            function %f(i64, i32) -> (i32) {
            block0(v0: i64, v1: i32):
                v2 = iconst.i32 5
                brif v1, block1(v1), block1(v2)
            block1(v3: i32):
                return v3
            }

            """
        #expect(try afterPass(text, CopyPropagation.run) == text)
    }
}

@Suite struct DeadCodeEliminationTests {
    @Test func removesUnusedPureInstructionsAndKeepsEffects() throws {
        let printed = try afterPass("""
            function %f(i64, i32) -> (i32) {
                sig0 = (i64) -> ()
                fn0 = sig0
            block0(v0: i64, v1: i32):
                v2 = iconst.i32 1
                v3 = iadd.i32 v1, v2
                v4 = pload.i64 v0+0
                v5 = sdiv.i32 v1, v1
                v6 = load.i32 v4, v1+0
                pstore.i32 v0+8, v1
                call fn0(v0)
                return v1
            }
            """, DeadCodeElimination.run)
        // Unused and free of effects: gone.
        #expect(!printed.contains("v2 =") && !printed.contains("v3 ="), "\(printed)")
        // The division and the heap load may trap; the store and the call write.
        #expect(printed.contains("v5 = sdiv.i32 v1, v1"), "\(printed)")
        #expect(printed.contains("v6 = load.i32 v4, v1+0"), "\(printed)")
        #expect(printed.contains("v4 = pload.i64 v0+0"), "the load's address must stay: \(printed)")
        #expect(printed.contains("pstore.i32 v0+8, v1") && printed.contains("call fn0(v0)"), "\(printed)")
    }

    @Test func removesBlocksTheEntryCannotReach() throws {
        let printed = try afterPass("""
            function %f(i64, i32) -> (i32) {
            block0(v0: i64, v1: i32):
                jump block2
            block1:
                v2 = iconst.i32 9
                jump block2
            block2:
                return v1
            }
            """, DeadCodeElimination.run)
        #expect(!printed.contains("block1"), "\(printed)")
    }

    @Test func keepsValuesPassedAlongBranches() throws {
        let text = """
            function %f(i64, i32) -> (i32) {
            block0(v0: i64, v1: i32):
                v2 = iconst.i32 3
                jump block1(v2)
            block1(v3: i32):
                return v3
            }

            """
        #expect(try afterPass(text, DeadCodeElimination.run) == text)
    }
}

@Suite struct PipelineRunTests {
    /// The whole pipeline at -O1 on a function that needs every pass:
    /// the trivial parameter hides a constant until copy propagation
    /// removes it, folding then decides the branch, and dce clears up.
    @Test func thePassesTogetherReduceToAConstant() throws {
        let function = try Parser.parseFunction("""
            function %f(i64, i32) -> (i32) {
            block0(v0: i64, v1: i32):
                v2 = iconst.i32 20
                jump block1(v2)
            block1(v3: i32):
                v4 = iconst.i32 22
                v5 = iadd.i32 v3, v4
                v6 = icmp.i32 eq v5, v4
                brif v6, block2, block3
            block2:
                trap unreachable
            block3:
                return v5
            }
            """)
        let log = PassLog()
        try Pipeline.run(function, options: Pipeline.Options(level: 1, verify: true, observer: { name, _ in log.append(name) }))
        #expect(log.names == Pipeline.passes.filter { $0.level <= 1 }.map(\.name))
        #expect(Printer.print(function) == """
            function %f(i64, i32) -> (i32) {
            block0(v0: i64, v1: i32):
                jump block1
            block1:
                v5 = iconst.i32 42
                jump block3
            block3:
                return v5
            }

            """)
    }
}

/// Pass names collected by the pipeline's observer.
final class PassLog: @unchecked Sendable {
    private(set) var names: [String] = []
    func append(_ name: String) { names.append(name) }
}
