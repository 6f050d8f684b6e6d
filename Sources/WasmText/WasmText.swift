// Text format input: `.wat` source turned into binary bytes, which then go
// through the same decoder and validator as any `.wasm`.
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
    /// Parses a module in the text format and returns its binary encoding.
    public static func assemble(_ source: String) throws(WatError) -> [UInt8] {
        do {
            return try wat2wasm(source, options: EncodeOptions(nameSection: true))
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
            throw WatError(line: line, column: column, message: message)
        }
    }
}
