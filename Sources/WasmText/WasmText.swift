// Text format input: `.wat` source turned into binary bytes, which then go
// through the same decoder and validator as any `.wasm`.
//
// The text parser underneath recurses once per level of folded nesting
// (`(block (block ...))`), so a hostile source could overflow whatever stack
// the caller happens to run on. Two guards keep its depth bounded: parentheses
// are counted before parsing and a source nested deeper than
// `maximumNesting` is refused, and the parser runs on a thread of its own
// whose stack holds that depth with a wide margin.
import Foundation
import WAT

/// A text-format error with its 1-based line and column.
public struct WatError: Error, Sendable, CustomStringConvertible {
    public var line: Int?
    public var column: Int?
    public var message: String

    public var description: String {
        if let line, let column { return "line \(line), column \(column): \(message)" }
        return message
    }
}

public enum WasmText {
    /// The deepest parenthesis nesting accepted. Real modules stay far below
    /// it; the parser's stack (`parserStackSize`) holds several times more.
    public static let maximumNesting = 10_000

    /// Stack of the parsing thread: address space reserved, touched only as
    /// deep as the source nests.
    static let parserStackSize = 512 << 20

    /// Parses a module in the text format and returns its binary encoding.
    public static func assemble(_ source: String) throws(WatError) -> [UInt8] {
        if let tooDeep = firstPositionNestedDeeperThan(maximumNesting, in: source) {
            throw WatError(line: tooDeep.line, column: tooDeep.column,
                           message: "parentheses nested more than \(maximumNesting) deep (the limit of the text format reader)")
        }
        let outcome = ParseOutcome()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            outcome.result = parse(source)
            done.signal()
        }
        thread.stackSize = parserStackSize
        thread.start()
        done.wait()
        return try outcome.result!.get()
    }

    static func parse(_ source: String) -> Result<[UInt8], WatError> {
        do {
            return .success(try wat2wasm(source, options: EncodeOptions(nameSection: true)))
        } catch {
            var message = error.description
            var line: Int?
            var column: Int?
            if let location = error.location {
                let position = location.computeLineAndColumn()
                line = position.line
                // The library counts line 1's columns from 0 and later lines'
                // from the newline before them, so only line 1 needs the +1.
                column = position.line == 1 ? position.column + 1 : position.column
                // The library appends " at Location(...)"; we report it ourselves.
                if let range = message.range(of: " at Location", options: .backwards) {
                    message = String(message[..<range.lowerBound])
                }
            }
            return .failure(WatError(line: line, column: column, message: message))
        }
    }

    /// The 1-based line and column of the first `(` that opens level
    /// `limit + 1`, or nil. Parentheses inside strings and comments (`;;` to
    /// the end of the line, `(; ... ;)` nested) do not count.
    static func firstPositionNestedDeeperThan(_ limit: Int, in source: String) -> (line: Int, column: Int)? {
        var depth = 0
        var line = 1
        var lineStart = 0
        var commentDepth = 0
        var inString = false
        var inLineComment = false
        let bytes = Array(source.utf8)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            let next: UInt8 = i + 1 < bytes.count ? bytes[i + 1] : 0
            if byte == UInt8(ascii: "\n") {
                line += 1
                lineStart = i + 1
                inLineComment = false
            } else if inLineComment {
                // Skipped to the end of the line.
            } else if commentDepth > 0 {
                if byte == UInt8(ascii: "(") && next == UInt8(ascii: ";") { commentDepth += 1; i += 1 }
                else if byte == UInt8(ascii: ";") && next == UInt8(ascii: ")") { commentDepth -= 1; i += 1 }
            } else if inString {
                if byte == UInt8(ascii: "\\") { i += 1 }
                else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: ";") && next == UInt8(ascii: ";") {
                inLineComment = true
            } else if byte == UInt8(ascii: "(") && next == UInt8(ascii: ";") {
                commentDepth = 1
                i += 1
            } else if byte == UInt8(ascii: "(") {
                depth += 1
                if depth > limit {
                    let column = String(decoding: bytes[lineStart..<i], as: UTF8.self).count + 1
                    return (line, column)
                }
            } else if byte == UInt8(ascii: ")") {
                depth -= 1
            }
            i += 1
        }
        return nil
    }
}

/// Carries the parser's result from its thread; the semaphore orders the
/// write before the read.
private final class ParseOutcome: @unchecked Sendable {
    var result: Result<[UInt8], WatError>?
}
