// Inputs the coverage-guided fuzzers found (Fuzz/regressions/<target>/),
// replayed through the same entry points, and the seed corpus run once
// through both so that the entry points themselves stay correct.
import Foundation
import SwasmFuzzTargets
import Testing

private let fuzzDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fuzz")

private func files(_ folder: String) -> [String] {
    let directory = fuzzDirectory.appendingPathComponent(folder)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return names.filter { !$0.hasPrefix(".") }.sorted().map { "\(folder)/\($0)" }
}

private func bytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: fuzzDirectory.appendingPathComponent(path)))
}

@Suite struct FuzzRegressionTests {
    @Test(arguments: files("regressions/validate"))
    func validateRegression(_ path: String) throws {
        try FuzzTargets.validate(try bytes(path))
    }

    @Test(arguments: files("regressions/compile"))
    func compileRegression(_ path: String) throws {
        try FuzzTargets.compile(try bytes(path))
    }

    @Test func theSeedCorpusIsThereAndPassesBothTargets() throws {
        let corpus = files("corpus")
        #expect(corpus.count >= 100, "Fuzz/corpus holds \(corpus.count) files")
        for path in corpus {
            let input = try bytes(path)
            try FuzzTargets.validate(input)
            try FuzzTargets.compile(input)
        }
    }
}
