// The spec testsuite's scripts as wast2json writes them: one JSON file per
// `.wast`, a list of commands run in order. See ../shared/spec/README.md.
import Foundation

public struct SpecScript: Decodable, Sendable {
    public var sourceFilename: String
    public var commands: [SpecCommand]

    enum CodingKeys: String, CodingKey {
        case sourceFilename = "source_filename"
        case commands
    }

    public static func load(_ url: URL) throws -> SpecScript {
        try JSONDecoder().decode(SpecScript.self, from: Data(contentsOf: url))
    }
}

public struct SpecCommand: Decodable, Sendable {
    public var type: String
    public var line: Int
    public var filename: String?
    public var name: String?
    public var `as`: String?
    public var moduleType: String?
    public var text: String?
    public var action: SpecAction?
    public var expected: [SpecValue]?

    enum CodingKeys: String, CodingKey {
        case type, line, filename, name, `as`, text, action, expected
        case moduleType = "module_type"
    }
}

public struct SpecAction: Decodable, Sendable {
    public var type: String
    public var module: String?
    public var field: String
    public var args: [SpecValue]?
}

/// A value as the scripts write it: a type and a string (or one string per
/// lane for v128).
public struct SpecValue: Decodable, Sendable {
    public var type: String
    public var laneType: String?
    public var value: [String]

    enum CodingKeys: String, CodingKey {
        case type, value
        case laneType = "lane_type"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        laneType = try container.decodeIfPresent(String.self, forKey: .laneType)
        if let single = try? container.decode(String.self, forKey: .value) {
            value = [single]
        } else {
            value = try container.decodeIfPresent([String].self, forKey: .value) ?? []
        }
    }
}
