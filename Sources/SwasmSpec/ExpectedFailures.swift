// The list of spec checks known to fail: one `file.json:line` per line,
// `#` comments allowed. A whole file can be listed as `file.json:*`.
import Foundation

public struct ExpectedFailures: Sendable {
    public var entries: Set<String>

    public init(entries: Set<String> = []) { self.entries = entries }

    public init(contentsOf url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        var entries = Set<String>()
        for rawLine in text.split(separator: "\n") {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                .trimmingCharacters(in: .whitespaces)
            if !line.isEmpty { entries.insert(line) }
        }
        self.entries = entries
    }

    public func contains(_ failure: SpecFailure) -> Bool {
        entries.contains(failure.key) || entries.contains("\(failure.file):*")
    }
}
