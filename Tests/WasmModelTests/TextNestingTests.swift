// The text reader's nesting guard: the parser recurses per folded level, so
// depth is bounded before parsing and the parser runs on a stack of its own,
// whatever stack the caller has.
import Foundation
import Testing
import WasmText

struct TextNestingTests {
    /// A function of `depth - 2` folded blocks: `(module (func (block ...)))`
    /// opens `depth` parentheses.
    static func foldedBlocks(depth: Int) -> String {
        "(module (func " + String(repeating: "(block ", count: depth - 2) + String(repeating: ")", count: depth - 2) + "))"
    }

    @Test func nestingUpToTheLimitAssembles() throws {
        // Deeper than an 8 MiB stack holds in a debug build when the parser
        // runs on the caller's thread.
        let bytes = try WasmText.assemble(Self.foldedBlocks(depth: WasmText.maximumNesting))
        #expect(bytes.starts(with: [0x00, 0x61, 0x73, 0x6D]))
    }

    @Test func deeperNestingIsRefusedWhereItStarts() {
        let source = Self.foldedBlocks(depth: WasmText.maximumNesting + 1)
        #expect {
            _ = try WasmText.assemble(source)
        } throws: { error in
            guard let error = error as? WatError else { return false }
            // "(module (func " is 14 characters; each "(block " 7 more.
            return error.line == 1 && error.column == 15 + 7 * (WasmText.maximumNesting - 2)
                && error.message.contains("nested more than \(WasmText.maximumNesting) deep")
        }
    }

    @Test func parenthesesInCommentsAndStringsDoNotCount() throws {
        let many = String(repeating: "(", count: 3 * WasmText.maximumNesting)
        let source = """
            ;; \(many)
            (; \(many) (; nested ;) \(many) ;)
            (module (func (export "\(many)")))
            """
        _ = try WasmText.assemble(source)
    }

    @Test func callerWithASmallStackCanAssembleDeepNesting() throws {
        let source = Self.foldedBlocks(depth: 2_000)
        let finished = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        let thread = Thread {
            outcome.succeeded = (try? WasmText.assemble(source)) != nil
            finished.signal()
        }
        thread.stackSize = 256 << 10
        thread.start()
        finished.wait()
        #expect(outcome.succeeded)
    }
}

private final class Outcome: @unchecked Sendable {
    var succeeded = false
}
