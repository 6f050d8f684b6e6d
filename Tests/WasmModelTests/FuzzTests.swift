// Robustness: decoding and validating mutated spec modules must end in a
// module or a WasmError, never a crash or a hang. Fixed seed, so a failure
// reproduces; SWASM_FUZZ_COUNT and SWASM_FUZZ_SEED change the run
// (`make soak` runs the release-built driver for longer).
import Foundation
import SwasmSpec
import Testing
import WasmModel

@Suite struct FuzzTests {
    static var specDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["SWASM_SPEC_DIR"] {
            return URL(fileURLWithPath: path)
        }
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.appendingPathComponent("../shared/spec/wasm-2.0/json").standardized
    }

    @Test func mutatedSpecModulesNeverCrashTheDecoderOrValidator() throws {
        let environment = ProcessInfo.processInfo.environment
        let count = environment["SWASM_FUZZ_COUNT"].flatMap(Int.init) ?? 100_000
        let seed = environment["SWASM_FUZZ_SEED"].flatMap(UInt64.init) ?? 1
        let corpus = try ModuleMutator.corpus(in: Self.specDirectory)
        try #require(corpus.count > 1000, "spec modules not found in \(Self.specDirectory.path)")

        var rng = SeededGenerator(seed: seed)
        var outcomes: [WasmError.Kind?: Int] = [:]
        for _ in 0..<count {
            let input = ModuleMutator.mutate(corpus[Int.random(in: 0..<corpus.count, using: &rng)], using: &rng)
            do throws(WasmError) {
                _ = try Validator.decodeAndValidate(input)
                outcomes[nil, default: 0] += 1
            } catch {
                #expect(error.offset >= 0 && error.offset <= input.count, "error offset outside the input: \(error)")
                outcomes[error.kind, default: 0] += 1
            }
        }
        // The mutations must actually reach all three outcomes, or the test
        // is not exercising the validator.
        #expect(outcomes[.malformed, default: 0] > count / 10)
        #expect(outcomes[.invalid, default: 0] > 0)
        #expect(outcomes[nil, default: 0] > 0)
    }

    @Test func mutatorIsDeterministic() throws {
        let sample: [UInt8] = Array(0..<200).map { UInt8($0 & 0xFF) }
        var a = SeededGenerator(seed: 42)
        var b = SeededGenerator(seed: 42)
        for _ in 0..<100 {
            #expect(ModuleMutator.mutate(sample, using: &a) == ModuleMutator.mutate(sample, using: &b))
        }
    }
}
