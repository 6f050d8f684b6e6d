// A cursor over a module's bytes with the binary format's primitive decoders.
// LEB128 is bounded exactly as the spec says: an N-bit integer takes at most
// ceil(N/7) bytes, and the unused bits of the last byte must be zero (unsigned)
// or a sign extension (signed).

/// Reads primitives from a byte buffer. The buffer must outlive the reader.
public struct ByteReader {
    @usableFromInline let base: UnsafePointer<UInt8>
    public var position: Int
    public let end: Int

    public init(base: UnsafePointer<UInt8>, position: Int, end: Int) {
        self.base = base
        self.position = position
        self.end = end
    }

    @inlinable public var isAtEnd: Bool { position >= end }
    @inlinable public var remaining: Int { end - position }

    @usableFromInline func unexpectedEnd() -> WasmError {
        WasmError(.malformed, offset: position, "unexpected end of section or function")
    }

    @inlinable public mutating func readByte() throws(WasmError) -> UInt8 {
        guard position < end else { throw unexpectedEnd() }
        let byte = base[position]
        position += 1
        return byte
    }

    @inlinable public func peekByte() -> UInt8? {
        position < end ? base[position] : nil
    }

    public mutating func readBytes(_ count: Int) throws(WasmError) -> Range<Int> {
        guard count <= remaining else {
            throw WasmError(.malformed, offset: position, "unexpected end: \(count) bytes needed, \(remaining) left")
        }
        let start = position
        position += count
        return start..<position
    }

    @inlinable public mutating func readU32() throws(WasmError) -> UInt32 {
        // Fast path: one byte.
        if position < end, base[position] < 0x80 {
            let value = UInt32(base[position])
            position += 1
            return value
        }
        return UInt32(truncatingIfNeeded: try readUnsignedSlow(bits: 32))
    }

    public mutating func readU64() throws(WasmError) -> UInt64 {
        try readUnsignedSlow(bits: 64)
    }

    @usableFromInline mutating func readUnsignedSlow(bits: Int) throws(WasmError) -> UInt64 {
        let start = position
        var result: UInt64 = 0
        var shift = 0
        while true {
            guard position < end else { throw unexpectedEnd() }
            let byte = base[position]
            position += 1
            let remainingBits = bits - shift
            if remainingBits < 7 {
                // Last possible byte: the continuation bit and the bits past
                // the integer's width must be clear.
                if byte & 0x80 != 0 {
                    throw WasmError(.malformed, offset: start, "integer representation too long: more than \((bits + 6) / 7) bytes for a u\(bits)")
                }
                if UInt64(byte) >> UInt64(remainingBits) != 0 {
                    throw WasmError(.malformed, offset: start, "integer too large: value does not fit in u\(bits)")
                }
            }
            result |= UInt64(byte & 0x7F) << UInt64(shift)
            shift += 7
            if byte & 0x80 == 0 { return result }
        }
    }

    @inlinable public mutating func readS32() throws(WasmError) -> Int32 {
        if position < end, base[position] < 0x80 {
            let byte = base[position]
            position += 1
            return Int32(Int8(bitPattern: byte << 1) >> 1)
        }
        return Int32(truncatingIfNeeded: try readSignedSlow(bits: 32))
    }

    public mutating func readS64() throws(WasmError) -> Int64 {
        try readSignedSlow(bits: 64)
    }

    /// Signed 33-bit integer, used for block types.
    public mutating func readS33() throws(WasmError) -> Int64 {
        try readSignedSlow(bits: 33)
    }

    @usableFromInline mutating func readSignedSlow(bits: Int) throws(WasmError) -> Int64 {
        let start = position
        var result: Int64 = 0
        var shift = 0
        while true {
            guard position < end else { throw unexpectedEnd() }
            let byte = base[position]
            position += 1
            let remainingBits = bits - shift
            if remainingBits < 7 {
                if byte & 0x80 != 0 {
                    throw WasmError(.malformed, offset: start, "integer representation too long: more than \((bits + 6) / 7) bytes for an s\(bits)")
                }
                // The bits above the value's sign bit must all equal it.
                let signAndUnused = Int8(bitPattern: byte << 1) >> Int8(remainingBits)
                if signAndUnused != 0 && signAndUnused != -1 {
                    throw WasmError(.malformed, offset: start, "integer too large: value does not fit in s\(bits)")
                }
            }
            result |= Int64(byte & 0x7F) << Int64(shift)
            shift += 7
            if byte & 0x80 == 0 {
                if shift < 64 && byte & 0x40 != 0 {
                    result |= -1 << Int64(shift)
                }
                return result
            }
        }
    }

    public mutating func readF32Bits() throws(WasmError) -> UInt32 {
        let range = try readBytes(4)
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(base[range.lowerBound + i]) << UInt32(8 * i) }
        return value
    }

    public mutating func readF64Bits() throws(WasmError) -> UInt64 {
        let range = try readBytes(8)
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(base[range.lowerBound + i]) << UInt64(8 * i) }
        return value
    }

    public mutating func readV128() throws(WasmError) -> V128 {
        let low = try readF64Bits()
        let high = try readF64Bits()
        return V128(low: low, high: high)
    }

    /// A length-prefixed UTF-8 name.
    public mutating func readName() throws(WasmError) -> String {
        let lengthOffset = position
        let length = try readU32()
        guard Int(length) <= remaining else {
            throw WasmError(.malformed, offset: lengthOffset, "length out of bounds: name of \(length) bytes, \(remaining) left")
        }
        let range = try readBytes(Int(length))
        let buffer = UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)
        if let badOffset = firstInvalidUTF8(buffer) {
            throw WasmError(.malformed, offset: range.lowerBound + badOffset, "malformed UTF-8 encoding in name")
        }
        return String(decoding: buffer, as: UTF8.self)
    }

    /// A vector length, checked against the bytes left so that a huge count
    /// cannot make a caller reserve memory it will never fill.
    public mutating func readCount(minimumElementSize: Int = 1) throws(WasmError) -> Int {
        let offset = position
        let count = Int(try readU32())
        if minimumElementSize > 0 && count > remaining / minimumElementSize {
            throw WasmError(.malformed, offset: offset, "length out of bounds: \(count) entries declared, only \(remaining) bytes left")
        }
        return count
    }
}

/// Returns the index of the first byte of an ill-formed UTF-8 sequence, or nil.
/// Rejects overlong forms, surrogates and code points above U+10FFFF.
func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    var i = 0
    let n = bytes.count
    while i < n {
        let b0 = bytes[i]
        if b0 < 0x80 { i += 1; continue }
        var need = 0
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: need = 1
        case 0xE0: need = 2; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: need = 2
        case 0xED: need = 2; upper = 0x9F
        case 0xF0: need = 3; lower = 0x90
        case 0xF1...0xF3: need = 3
        case 0xF4: need = 3; upper = 0x8F
        default: return i
        }
        if i + need >= n { return i }
        let b1 = bytes[i + 1]
        if b1 < lower || b1 > upper { return i }
        var k = 2
        while k <= need {
            let b = bytes[i + k]
            if b < 0x80 || b > 0xBF { return i }
            k += 1
        }
        i += need + 1
    }
    return nil
}
