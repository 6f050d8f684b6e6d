// Deterministic mutations of module bytes for robustness testing of the
// decoder and validator: bit flips, byte overwrites, truncations, inserted
// and deleted runs, and LEB128-shaped noise. Same seed, same inputs.
import Foundation

/// SplitMix64: small, fast, and the same on every platform.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

public enum ModuleMutator {
    /// Applies one to four random mutations to `bytes`.
    public static func mutate(_ bytes: [UInt8], using rng: inout SeededGenerator) -> [UInt8] {
        var out = bytes
        // Mostly one in-place change, which keeps section sizes intact and so
        // reaches the validator; sometimes several, or structural ones.
        let rounds = Int.random(in: 0..<4, using: &rng) == 0 ? Int.random(in: 2...4, using: &rng) : 1
        for _ in 0..<rounds {
            let roll = Int.random(in: 0..<10, using: &rng)
            let kind = roll < 6 ? roll % 2 : Int.random(in: 2..<7, using: &rng)
            let position = out.isEmpty ? 0 : Int.random(in: 0..<out.count, using: &rng)
            switch kind {
            case 0: // flip one bit
                if !out.isEmpty { out[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng) }
            case 1: // overwrite a byte with an interesting value
                let interesting: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x40, 0x0B, 0x60, 0x70, 0x6F, 0x7B, 0xFC, 0xFD]
                if !out.isEmpty { out[position] = interesting.randomElement(using: &rng)! }
            case 2: // truncate
                out.removeSubrange(position...)
            case 3: // insert random bytes
                let count = Int.random(in: 1...8, using: &rng)
                out.insert(contentsOf: (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: position)
            case 4: // delete a run
                let count = min(Int.random(in: 1...16, using: &rng), out.count - position)
                if count > 0 { out.removeSubrange(position..<(position + count)) }
            case 5: // LEB128 continuation noise: a long or over-large varint
                let leb: [UInt8] = Bool.random(using: &rng) ? [0x80, 0x80, 0x80, 0x80, 0x80, 0x00] : [0xFF, 0xFF, 0xFF, 0xFF, 0x7F]
                out.insert(contentsOf: leb, at: position)
            default: // duplicate a run (repeated sections, repeated instructions)
                let count = min(Int.random(in: 1...32, using: &rng), out.count - position)
                if count > 0 { out.insert(contentsOf: Array(out[position..<(position + count)]), at: position) }
            }
        }
        return out
    }

    /// Every binary module file in a spec JSON folder, sorted by name.
    public static func corpus(in directory: URL) throws -> [[UInt8]] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".wasm") }
            .sorted()
        return try names.map { [UInt8](try Data(contentsOf: directory.appendingPathComponent($0))) }
    }
}
