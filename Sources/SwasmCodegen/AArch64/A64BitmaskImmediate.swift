// Logical ("bitmask") immediates: the values and/orr/eor/ands/tst accept.
//
// Such a value is a 2-, 4-, 8-, 16-, 32- or 64-bit element repeated across
// the register, where the element is a run of ones rotated right. It is
// encoded as N:immr:imms: N and the high bits of imms give the element size,
// the low bits of imms the number of ones minus one, immr the rotation.
// All zeros and all ones are not encodable.

public struct A64BitmaskImmediate: Sendable, Hashable {
    public let n: UInt32
    public let immr: UInt32
    public let imms: UInt32

    /// The encoding of `value` at `width`, or nil if it has none. At `.w`
    /// only the low 32 bits may be set.
    public init?(_ value: UInt64, width: A64Width) {
        guard value & ~width.mask == 0 else { return nil }
        // A 32-bit pattern is the 64-bit pattern of the value repeated twice.
        let full = width == .w ? value | value << 32 : value
        guard full != 0 && full != UInt64.max else { return nil }
        // The smallest element size whose repetition gives the value.
        var size = 64
        while size > 2 {
            let half = size / 2
            let mask = (UInt64(1) << half) - 1
            guard full & mask == (full >> half) & mask else { break }
            size = half
        }
        let elementMask = size == 64 ? UInt64.max : (UInt64(1) << size) - 1
        let element = full & elementMask
        let ones = element.nonzeroBitCount
        // Rotating the element right by `r` must give the run of ones at bit 0.
        let run = (UInt64(1) << ones) - 1
        var rotation: Int?
        for r in 0..<size where Self.rotateRight(element, by: r, size: size) == run {
            rotation = r
            break
        }
        guard let r = rotation else { return nil }
        // The element is `run` rotated right by immr.
        n = size == 64 ? 1 : 0
        immr = UInt32((size - r) % size)
        imms = UInt32((~(size * 2 - 1) & 0x3f) | (ones - 1))
    }

    /// Whether `value` is a logical immediate at `width`.
    public static func isEncodable(_ value: UInt64, width: A64Width) -> Bool {
        A64BitmaskImmediate(value, width: width) != nil
    }

    static func rotateRight(_ v: UInt64, by r: Int, size: Int) -> UInt64 {
        guard r != 0 else { return v }
        let mask = size == 64 ? UInt64.max : (UInt64(1) << size) - 1
        return ((v >> r) | (v << (size - r))) & mask
    }
}
