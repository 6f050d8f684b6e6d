// XXH64, the 64-bit xxHash of Yann Collet's published specification: fast
// (several GB/s), well distributed, and not cryptographic. The metadata uses
// it to notice corruption, never to authenticate: anyone who can change an
// object can recompute a hash, and loading native code means trusting it.
//
// Buffers are chained by passing one hash as the next one's seed, so that
// pieces that do not lie next to each other hash without being copied.

public enum ObjectHash {
    static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    @inline(__always) static func rotate(_ value: UInt64, _ bits: UInt64) -> UInt64 {
        (value << bits) | (value >> (64 - bits))
    }

    @inline(__always) static func round(_ accumulator: UInt64, _ lane: UInt64) -> UInt64 {
        rotate(accumulator &+ lane &* prime2, 31) &* prime1
    }

    @inline(__always) static func merge(_ hash: UInt64, _ accumulator: UInt64) -> UInt64 {
        (hash ^ round(0, accumulator)) &* prime1 &+ prime4
    }

    /// XXH64 of `bytes` with `seed`.
    public static func xxh64(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let count = bytes.count
        @inline(__always) func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        @inline(__always) func u32(_ at: Int) -> UInt64 {
            UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
        }
        var at = 0
        var hash: UInt64
        if count >= 32 {
            var v1 = seed &+ prime1 &+ prime2, v2 = seed &+ prime2, v3 = seed, v4 = seed &- prime1
            while at <= count - 32 {
                v1 = round(v1, u64(at))
                v2 = round(v2, u64(at + 8))
                v3 = round(v3, u64(at + 16))
                v4 = round(v4, u64(at + 24))
                at += 32
            }
            hash = rotate(v1, 1) &+ rotate(v2, 7) &+ rotate(v3, 12) &+ rotate(v4, 18)
            hash = merge(hash, v1)
            hash = merge(hash, v2)
            hash = merge(hash, v3)
            hash = merge(hash, v4)
        } else {
            hash = seed &+ prime5
        }
        hash = hash &+ UInt64(count)
        while at + 8 <= count {
            hash ^= round(0, u64(at))
            hash = rotate(hash, 27) &* prime1 &+ prime4
            at += 8
        }
        if at + 4 <= count {
            hash ^= u32(at) &* prime1
            hash = rotate(hash, 23) &* prime2 &+ prime3
            at += 4
        }
        while at < count {
            hash ^= UInt64(bytes[at]) &* prime5
            hash = rotate(hash, 11) &* prime1
            at += 1
        }
        hash ^= hash >> 33
        hash = hash &* prime2
        hash ^= hash >> 29
        hash = hash &* prime3
        hash ^= hash >> 32
        return hash
    }

    public static func xxh64(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { xxh64($0, seed: seed) }
    }
}
