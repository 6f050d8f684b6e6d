// Every WebAssembly 2.0 instruction, one row each: opcode, text name,
// immediate operands, and for instructions with a fixed stack signature the
// signature itself ("ii:i" pops i32 i32, pushes i32; letters i l f d v are
// i32 i64 f32 f64 v128). The decoder, the validator and the dumps all read
// this one table. Rows without a signature ("special") have rules of their
// own in the validator.

/// The immediate operands that follow an opcode.
public enum Immediate: UInt8, Sendable {
    case none
    case blockType
    case labelIndex
    case brTable
    case functionIndex
    case callIndirect       // type index, table index
    case localIndex
    case globalIndex
    case tableIndex
    case memarg
    case zeroByte           // memory.size / memory.grow reserved byte
    case i32
    case i64
    case f32
    case f64
    case selectTypes        // vector of value types
    case referenceType      // ref.null
    case memoryInit         // data index, zero byte
    case dataIndex
    case memoryCopy         // two zero bytes
    case tableInit          // element index, table index
    case elementIndex
    case tableCopy          // two table indices
    case v128
    case shuffle            // 16 lane indices
    case lane
    case memargLane
}

/// One instruction of the table.
public struct OpcodeInfo: Sendable {
    public let name: String
    public let immediate: Immediate
    /// Nil for instructions the validator types by their own rules.
    public let inputs: [ValueType]?
    public let output: ValueType?
    /// log2 of the natural alignment of a memory access.
    public let alignment: UInt8
    /// Number of lanes for lane-indexed SIMD instructions.
    public let lanes: UInt8
}

/// Opcode prefixes.
public enum OpcodePrefix {
    public static let misc: UInt8 = 0xFC
    public static let simd: UInt8 = 0xFD
}

public enum Opcodes {
    /// Single-byte opcodes, indexed by opcode.
    public static let plain: [OpcodeInfo?] = buildTable(plainRows, size: 256)
    /// 0xFC-prefixed opcodes, indexed by the LEB128 sub-opcode.
    public static let misc: [OpcodeInfo?] = buildTable(miscRows, size: 32)
    /// 0xFD-prefixed opcodes, indexed by the LEB128 sub-opcode.
    public static let simd: [OpcodeInfo?] = buildTable(simdRows, size: 256)

    /// The instruction for an opcode and (for prefixed ones) sub-opcode.
    public static func info(_ opcode: UInt8, _ sub: UInt32 = 0) -> OpcodeInfo? {
        switch opcode {
        case OpcodePrefix.misc: return sub < misc.count ? misc[Int(sub)] : nil
        case OpcodePrefix.simd: return sub < simd.count ? simd[Int(sub)] : nil
        default: return plain[Int(opcode)]
        }
    }
}

struct Row {
    let code: UInt32
    let name: String
    let immediate: Immediate
    let signature: String?
    let alignment: UInt8
    let lanes: UInt8

    init(_ code: UInt32, _ name: String, _ immediate: Immediate = .none, _ signature: String? = nil, align: UInt8 = 0, lanes: UInt8 = 0) {
        self.code = code
        self.name = name
        self.immediate = immediate
        self.signature = signature
        self.alignment = align
        self.lanes = lanes
    }
}

/// A row with a fixed signature and no immediates.
private func op(_ code: UInt32, _ name: String, _ signature: String) -> Row {
    Row(code, name, .none, signature)
}

/// A memory access with its natural alignment (log2 of the access width).
private func mem(_ code: UInt32, _ name: String, _ align: UInt8, _ signature: String) -> Row {
    Row(code, name, .memarg, signature, align: align)
}

/// A row whose typing rule lives in the validator.
private func special(_ code: UInt32, _ name: String, _ immediate: Immediate = .none) -> Row {
    Row(code, name, immediate, nil)
}

private func valueType(_ letter: Character) -> ValueType {
    switch letter {
    case "i": return .i32
    case "l": return .i64
    case "f": return .f32
    case "d": return .f64
    case "v": return .v128
    default: preconditionFailure("bad signature letter \(letter)")
    }
}

private func buildTable(_ rows: [Row], size: Int) -> [OpcodeInfo?] {
    var table = [OpcodeInfo?](repeating: nil, count: size)
    for row in rows {
        precondition(table[Int(row.code)] == nil, "duplicate opcode \(row.name)")
        var inputs: [ValueType]?
        var output: ValueType?
        if let signature = row.signature {
            let parts = signature.split(separator: ":", omittingEmptySubsequences: false)
            inputs = parts[0].map(valueType)
            output = parts[1].first.map(valueType)
        }
        table[Int(row.code)] = OpcodeInfo(
            name: row.name, immediate: row.immediate, inputs: inputs, output: output,
            alignment: row.alignment, lanes: row.lanes)
    }
    return table
}

private let plainRows: [Row] = [
    special(0x00, "unreachable"),
    special(0x01, "nop"),
    special(0x02, "block", .blockType),
    special(0x03, "loop", .blockType),
    special(0x04, "if", .blockType),
    special(0x05, "else"),
    special(0x0B, "end"),
    special(0x0C, "br", .labelIndex),
    special(0x0D, "br_if", .labelIndex),
    special(0x0E, "br_table", .brTable),
    special(0x0F, "return"),
    special(0x10, "call", .functionIndex),
    special(0x11, "call_indirect", .callIndirect),
    special(0x1A, "drop"),
    special(0x1B, "select"),
    special(0x1C, "select", .selectTypes),
    special(0x20, "local.get", .localIndex),
    special(0x21, "local.set", .localIndex),
    special(0x22, "local.tee", .localIndex),
    special(0x23, "global.get", .globalIndex),
    special(0x24, "global.set", .globalIndex),
    special(0x25, "table.get", .tableIndex),
    special(0x26, "table.set", .tableIndex),
    mem(0x28, "i32.load", 2, "i:i"),
    mem(0x29, "i64.load", 3, "i:l"),
    mem(0x2A, "f32.load", 2, "i:f"),
    mem(0x2B, "f64.load", 3, "i:d"),
    mem(0x2C, "i32.load8_s", 0, "i:i"),
    mem(0x2D, "i32.load8_u", 0, "i:i"),
    mem(0x2E, "i32.load16_s", 1, "i:i"),
    mem(0x2F, "i32.load16_u", 1, "i:i"),
    mem(0x30, "i64.load8_s", 0, "i:l"),
    mem(0x31, "i64.load8_u", 0, "i:l"),
    mem(0x32, "i64.load16_s", 1, "i:l"),
    mem(0x33, "i64.load16_u", 1, "i:l"),
    mem(0x34, "i64.load32_s", 2, "i:l"),
    mem(0x35, "i64.load32_u", 2, "i:l"),
    mem(0x36, "i32.store", 2, "ii:"),
    mem(0x37, "i64.store", 3, "il:"),
    mem(0x38, "f32.store", 2, "if:"),
    mem(0x39, "f64.store", 3, "id:"),
    mem(0x3A, "i32.store8", 0, "ii:"),
    mem(0x3B, "i32.store16", 1, "ii:"),
    mem(0x3C, "i64.store8", 0, "il:"),
    mem(0x3D, "i64.store16", 1, "il:"),
    mem(0x3E, "i64.store32", 2, "il:"),
    Row(0x3F, "memory.size", .zeroByte, ":i"),
    Row(0x40, "memory.grow", .zeroByte, "i:i"),
    Row(0x41, "i32.const", .i32, ":i"),
    Row(0x42, "i64.const", .i64, ":l"),
    Row(0x43, "f32.const", .f32, ":f"),
    Row(0x44, "f64.const", .f64, ":d"),

    op(0x45, "i32.eqz", "i:i"),
    op(0x46, "i32.eq", "ii:i"), op(0x47, "i32.ne", "ii:i"),
    op(0x48, "i32.lt_s", "ii:i"), op(0x49, "i32.lt_u", "ii:i"),
    op(0x4A, "i32.gt_s", "ii:i"), op(0x4B, "i32.gt_u", "ii:i"),
    op(0x4C, "i32.le_s", "ii:i"), op(0x4D, "i32.le_u", "ii:i"),
    op(0x4E, "i32.ge_s", "ii:i"), op(0x4F, "i32.ge_u", "ii:i"),
    op(0x50, "i64.eqz", "l:i"),
    op(0x51, "i64.eq", "ll:i"), op(0x52, "i64.ne", "ll:i"),
    op(0x53, "i64.lt_s", "ll:i"), op(0x54, "i64.lt_u", "ll:i"),
    op(0x55, "i64.gt_s", "ll:i"), op(0x56, "i64.gt_u", "ll:i"),
    op(0x57, "i64.le_s", "ll:i"), op(0x58, "i64.le_u", "ll:i"),
    op(0x59, "i64.ge_s", "ll:i"), op(0x5A, "i64.ge_u", "ll:i"),
    op(0x5B, "f32.eq", "ff:i"), op(0x5C, "f32.ne", "ff:i"),
    op(0x5D, "f32.lt", "ff:i"), op(0x5E, "f32.gt", "ff:i"),
    op(0x5F, "f32.le", "ff:i"), op(0x60, "f32.ge", "ff:i"),
    op(0x61, "f64.eq", "dd:i"), op(0x62, "f64.ne", "dd:i"),
    op(0x63, "f64.lt", "dd:i"), op(0x64, "f64.gt", "dd:i"),
    op(0x65, "f64.le", "dd:i"), op(0x66, "f64.ge", "dd:i"),

    op(0x67, "i32.clz", "i:i"), op(0x68, "i32.ctz", "i:i"), op(0x69, "i32.popcnt", "i:i"),
    op(0x6A, "i32.add", "ii:i"), op(0x6B, "i32.sub", "ii:i"), op(0x6C, "i32.mul", "ii:i"),
    op(0x6D, "i32.div_s", "ii:i"), op(0x6E, "i32.div_u", "ii:i"),
    op(0x6F, "i32.rem_s", "ii:i"), op(0x70, "i32.rem_u", "ii:i"),
    op(0x71, "i32.and", "ii:i"), op(0x72, "i32.or", "ii:i"), op(0x73, "i32.xor", "ii:i"),
    op(0x74, "i32.shl", "ii:i"), op(0x75, "i32.shr_s", "ii:i"), op(0x76, "i32.shr_u", "ii:i"),
    op(0x77, "i32.rotl", "ii:i"), op(0x78, "i32.rotr", "ii:i"),
    op(0x79, "i64.clz", "l:l"), op(0x7A, "i64.ctz", "l:l"), op(0x7B, "i64.popcnt", "l:l"),
    op(0x7C, "i64.add", "ll:l"), op(0x7D, "i64.sub", "ll:l"), op(0x7E, "i64.mul", "ll:l"),
    op(0x7F, "i64.div_s", "ll:l"), op(0x80, "i64.div_u", "ll:l"),
    op(0x81, "i64.rem_s", "ll:l"), op(0x82, "i64.rem_u", "ll:l"),
    op(0x83, "i64.and", "ll:l"), op(0x84, "i64.or", "ll:l"), op(0x85, "i64.xor", "ll:l"),
    op(0x86, "i64.shl", "ll:l"), op(0x87, "i64.shr_s", "ll:l"), op(0x88, "i64.shr_u", "ll:l"),
    op(0x89, "i64.rotl", "ll:l"), op(0x8A, "i64.rotr", "ll:l"),
    op(0x8B, "f32.abs", "f:f"), op(0x8C, "f32.neg", "f:f"), op(0x8D, "f32.ceil", "f:f"),
    op(0x8E, "f32.floor", "f:f"), op(0x8F, "f32.trunc", "f:f"), op(0x90, "f32.nearest", "f:f"),
    op(0x91, "f32.sqrt", "f:f"),
    op(0x92, "f32.add", "ff:f"), op(0x93, "f32.sub", "ff:f"), op(0x94, "f32.mul", "ff:f"),
    op(0x95, "f32.div", "ff:f"), op(0x96, "f32.min", "ff:f"), op(0x97, "f32.max", "ff:f"),
    op(0x98, "f32.copysign", "ff:f"),
    op(0x99, "f64.abs", "d:d"), op(0x9A, "f64.neg", "d:d"), op(0x9B, "f64.ceil", "d:d"),
    op(0x9C, "f64.floor", "d:d"), op(0x9D, "f64.trunc", "d:d"), op(0x9E, "f64.nearest", "d:d"),
    op(0x9F, "f64.sqrt", "d:d"),
    op(0xA0, "f64.add", "dd:d"), op(0xA1, "f64.sub", "dd:d"), op(0xA2, "f64.mul", "dd:d"),
    op(0xA3, "f64.div", "dd:d"), op(0xA4, "f64.min", "dd:d"), op(0xA5, "f64.max", "dd:d"),
    op(0xA6, "f64.copysign", "dd:d"),

    op(0xA7, "i32.wrap_i64", "l:i"),
    op(0xA8, "i32.trunc_f32_s", "f:i"), op(0xA9, "i32.trunc_f32_u", "f:i"),
    op(0xAA, "i32.trunc_f64_s", "d:i"), op(0xAB, "i32.trunc_f64_u", "d:i"),
    op(0xAC, "i64.extend_i32_s", "i:l"), op(0xAD, "i64.extend_i32_u", "i:l"),
    op(0xAE, "i64.trunc_f32_s", "f:l"), op(0xAF, "i64.trunc_f32_u", "f:l"),
    op(0xB0, "i64.trunc_f64_s", "d:l"), op(0xB1, "i64.trunc_f64_u", "d:l"),
    op(0xB2, "f32.convert_i32_s", "i:f"), op(0xB3, "f32.convert_i32_u", "i:f"),
    op(0xB4, "f32.convert_i64_s", "l:f"), op(0xB5, "f32.convert_i64_u", "l:f"),
    op(0xB6, "f32.demote_f64", "d:f"),
    op(0xB7, "f64.convert_i32_s", "i:d"), op(0xB8, "f64.convert_i32_u", "i:d"),
    op(0xB9, "f64.convert_i64_s", "l:d"), op(0xBA, "f64.convert_i64_u", "l:d"),
    op(0xBB, "f64.promote_f32", "f:d"),
    op(0xBC, "i32.reinterpret_f32", "f:i"), op(0xBD, "i64.reinterpret_f64", "d:l"),
    op(0xBE, "f32.reinterpret_i32", "i:f"), op(0xBF, "f64.reinterpret_i64", "l:d"),
    op(0xC0, "i32.extend8_s", "i:i"), op(0xC1, "i32.extend16_s", "i:i"),
    op(0xC2, "i64.extend8_s", "l:l"), op(0xC3, "i64.extend16_s", "l:l"), op(0xC4, "i64.extend32_s", "l:l"),

    special(0xD0, "ref.null", .referenceType),
    special(0xD1, "ref.is_null"),
    special(0xD2, "ref.func", .functionIndex),
]

private let miscRows: [Row] = [
    op(0, "i32.trunc_sat_f32_s", "f:i"), op(1, "i32.trunc_sat_f32_u", "f:i"),
    op(2, "i32.trunc_sat_f64_s", "d:i"), op(3, "i32.trunc_sat_f64_u", "d:i"),
    op(4, "i64.trunc_sat_f32_s", "f:l"), op(5, "i64.trunc_sat_f32_u", "f:l"),
    op(6, "i64.trunc_sat_f64_s", "d:l"), op(7, "i64.trunc_sat_f64_u", "d:l"),
    Row(8, "memory.init", .memoryInit, "iii:"),
    special(9, "data.drop", .dataIndex),
    Row(10, "memory.copy", .memoryCopy, "iii:"),
    Row(11, "memory.fill", .zeroByte, "iii:"),
    special(12, "table.init", .tableInit),
    special(13, "elem.drop", .elementIndex),
    special(14, "table.copy", .tableCopy),
    special(15, "table.grow", .tableIndex),
    special(16, "table.size", .tableIndex),
    special(17, "table.fill", .tableIndex),
]

/// SIMD shorthand: unary, binary, ternary on v128; test (v128 -> i32);
/// shift (v128 i32 -> v128).
private func vun(_ c: UInt32, _ n: String) -> Row { op(c, n, "v:v") }
private func vbin(_ c: UInt32, _ n: String) -> Row { op(c, n, "vv:v") }
private func vtest(_ c: UInt32, _ n: String) -> Row { op(c, n, "v:i") }
private func vshift(_ c: UInt32, _ n: String) -> Row { op(c, n, "vi:v") }
private func lane(_ c: UInt32, _ n: String, _ lanes: UInt8, _ sig: String) -> Row {
    Row(c, n, .lane, sig, lanes: lanes)
}
private func memLane(_ c: UInt32, _ n: String, _ align: UInt8, _ sig: String) -> Row {
    Row(c, n, .memargLane, sig, align: align, lanes: 16 >> align)
}

private let simdRows: [Row] = [
    mem(0x00, "v128.load", 4, "i:v"),
    mem(0x01, "v128.load8x8_s", 3, "i:v"), mem(0x02, "v128.load8x8_u", 3, "i:v"),
    mem(0x03, "v128.load16x4_s", 3, "i:v"), mem(0x04, "v128.load16x4_u", 3, "i:v"),
    mem(0x05, "v128.load32x2_s", 3, "i:v"), mem(0x06, "v128.load32x2_u", 3, "i:v"),
    mem(0x07, "v128.load8_splat", 0, "i:v"), mem(0x08, "v128.load16_splat", 1, "i:v"),
    mem(0x09, "v128.load32_splat", 2, "i:v"), mem(0x0A, "v128.load64_splat", 3, "i:v"),
    mem(0x0B, "v128.store", 4, "iv:"),
    Row(0x0C, "v128.const", .v128, ":v"),
    Row(0x0D, "i8x16.shuffle", .shuffle, "vv:v"),
    vbin(0x0E, "i8x16.swizzle"),
    op(0x0F, "i8x16.splat", "i:v"), op(0x10, "i16x8.splat", "i:v"), op(0x11, "i32x4.splat", "i:v"),
    op(0x12, "i64x2.splat", "l:v"), op(0x13, "f32x4.splat", "f:v"), op(0x14, "f64x2.splat", "d:v"),
    lane(0x15, "i8x16.extract_lane_s", 16, "v:i"), lane(0x16, "i8x16.extract_lane_u", 16, "v:i"),
    lane(0x17, "i8x16.replace_lane", 16, "vi:v"),
    lane(0x18, "i16x8.extract_lane_s", 8, "v:i"), lane(0x19, "i16x8.extract_lane_u", 8, "v:i"),
    lane(0x1A, "i16x8.replace_lane", 8, "vi:v"),
    lane(0x1B, "i32x4.extract_lane", 4, "v:i"), lane(0x1C, "i32x4.replace_lane", 4, "vi:v"),
    lane(0x1D, "i64x2.extract_lane", 2, "v:l"), lane(0x1E, "i64x2.replace_lane", 2, "vl:v"),
    lane(0x1F, "f32x4.extract_lane", 4, "v:f"), lane(0x20, "f32x4.replace_lane", 4, "vf:v"),
    lane(0x21, "f64x2.extract_lane", 2, "v:d"), lane(0x22, "f64x2.replace_lane", 2, "vd:v"),
    vbin(0x23, "i8x16.eq"), vbin(0x24, "i8x16.ne"), vbin(0x25, "i8x16.lt_s"), vbin(0x26, "i8x16.lt_u"),
    vbin(0x27, "i8x16.gt_s"), vbin(0x28, "i8x16.gt_u"), vbin(0x29, "i8x16.le_s"), vbin(0x2A, "i8x16.le_u"),
    vbin(0x2B, "i8x16.ge_s"), vbin(0x2C, "i8x16.ge_u"),
    vbin(0x2D, "i16x8.eq"), vbin(0x2E, "i16x8.ne"), vbin(0x2F, "i16x8.lt_s"), vbin(0x30, "i16x8.lt_u"),
    vbin(0x31, "i16x8.gt_s"), vbin(0x32, "i16x8.gt_u"), vbin(0x33, "i16x8.le_s"), vbin(0x34, "i16x8.le_u"),
    vbin(0x35, "i16x8.ge_s"), vbin(0x36, "i16x8.ge_u"),
    vbin(0x37, "i32x4.eq"), vbin(0x38, "i32x4.ne"), vbin(0x39, "i32x4.lt_s"), vbin(0x3A, "i32x4.lt_u"),
    vbin(0x3B, "i32x4.gt_s"), vbin(0x3C, "i32x4.gt_u"), vbin(0x3D, "i32x4.le_s"), vbin(0x3E, "i32x4.le_u"),
    vbin(0x3F, "i32x4.ge_s"), vbin(0x40, "i32x4.ge_u"),
    vbin(0x41, "f32x4.eq"), vbin(0x42, "f32x4.ne"), vbin(0x43, "f32x4.lt"), vbin(0x44, "f32x4.gt"),
    vbin(0x45, "f32x4.le"), vbin(0x46, "f32x4.ge"),
    vbin(0x47, "f64x2.eq"), vbin(0x48, "f64x2.ne"), vbin(0x49, "f64x2.lt"), vbin(0x4A, "f64x2.gt"),
    vbin(0x4B, "f64x2.le"), vbin(0x4C, "f64x2.ge"),
    vun(0x4D, "v128.not"), vbin(0x4E, "v128.and"), vbin(0x4F, "v128.andnot"), vbin(0x50, "v128.or"),
    vbin(0x51, "v128.xor"), op(0x52, "v128.bitselect", "vvv:v"), vtest(0x53, "v128.any_true"),
    memLane(0x54, "v128.load8_lane", 0, "iv:v"), memLane(0x55, "v128.load16_lane", 1, "iv:v"),
    memLane(0x56, "v128.load32_lane", 2, "iv:v"), memLane(0x57, "v128.load64_lane", 3, "iv:v"),
    memLane(0x58, "v128.store8_lane", 0, "iv:"), memLane(0x59, "v128.store16_lane", 1, "iv:"),
    memLane(0x5A, "v128.store32_lane", 2, "iv:"), memLane(0x5B, "v128.store64_lane", 3, "iv:"),
    mem(0x5C, "v128.load32_zero", 2, "i:v"), mem(0x5D, "v128.load64_zero", 3, "i:v"),
    vun(0x5E, "f32x4.demote_f64x2_zero"), vun(0x5F, "f64x2.promote_low_f32x4"),
    vun(0x60, "i8x16.abs"), vun(0x61, "i8x16.neg"), vun(0x62, "i8x16.popcnt"),
    vtest(0x63, "i8x16.all_true"), vtest(0x64, "i8x16.bitmask"),
    vbin(0x65, "i8x16.narrow_i16x8_s"), vbin(0x66, "i8x16.narrow_i16x8_u"),
    vun(0x67, "f32x4.ceil"), vun(0x68, "f32x4.floor"), vun(0x69, "f32x4.trunc"), vun(0x6A, "f32x4.nearest"),
    vshift(0x6B, "i8x16.shl"), vshift(0x6C, "i8x16.shr_s"), vshift(0x6D, "i8x16.shr_u"),
    vbin(0x6E, "i8x16.add"), vbin(0x6F, "i8x16.add_sat_s"), vbin(0x70, "i8x16.add_sat_u"),
    vbin(0x71, "i8x16.sub"), vbin(0x72, "i8x16.sub_sat_s"), vbin(0x73, "i8x16.sub_sat_u"),
    vun(0x74, "f64x2.ceil"), vun(0x75, "f64x2.floor"),
    vbin(0x76, "i8x16.min_s"), vbin(0x77, "i8x16.min_u"), vbin(0x78, "i8x16.max_s"), vbin(0x79, "i8x16.max_u"),
    vun(0x7A, "f64x2.trunc"), vbin(0x7B, "i8x16.avgr_u"),
    vun(0x7C, "i16x8.extadd_pairwise_i8x16_s"), vun(0x7D, "i16x8.extadd_pairwise_i8x16_u"),
    vun(0x7E, "i32x4.extadd_pairwise_i16x8_s"), vun(0x7F, "i32x4.extadd_pairwise_i16x8_u"),
    vun(0x80, "i16x8.abs"), vun(0x81, "i16x8.neg"), vbin(0x82, "i16x8.q15mulr_sat_s"),
    vtest(0x83, "i16x8.all_true"), vtest(0x84, "i16x8.bitmask"),
    vbin(0x85, "i16x8.narrow_i32x4_s"), vbin(0x86, "i16x8.narrow_i32x4_u"),
    vun(0x87, "i16x8.extend_low_i8x16_s"), vun(0x88, "i16x8.extend_high_i8x16_s"),
    vun(0x89, "i16x8.extend_low_i8x16_u"), vun(0x8A, "i16x8.extend_high_i8x16_u"),
    vshift(0x8B, "i16x8.shl"), vshift(0x8C, "i16x8.shr_s"), vshift(0x8D, "i16x8.shr_u"),
    vbin(0x8E, "i16x8.add"), vbin(0x8F, "i16x8.add_sat_s"), vbin(0x90, "i16x8.add_sat_u"),
    vbin(0x91, "i16x8.sub"), vbin(0x92, "i16x8.sub_sat_s"), vbin(0x93, "i16x8.sub_sat_u"),
    vun(0x94, "f64x2.nearest"), vbin(0x95, "i16x8.mul"),
    vbin(0x96, "i16x8.min_s"), vbin(0x97, "i16x8.min_u"), vbin(0x98, "i16x8.max_s"), vbin(0x99, "i16x8.max_u"),
    vbin(0x9B, "i16x8.avgr_u"),
    vbin(0x9C, "i16x8.extmul_low_i8x16_s"), vbin(0x9D, "i16x8.extmul_high_i8x16_s"),
    vbin(0x9E, "i16x8.extmul_low_i8x16_u"), vbin(0x9F, "i16x8.extmul_high_i8x16_u"),
    vun(0xA0, "i32x4.abs"), vun(0xA1, "i32x4.neg"),
    vtest(0xA3, "i32x4.all_true"), vtest(0xA4, "i32x4.bitmask"),
    vun(0xA7, "i32x4.extend_low_i16x8_s"), vun(0xA8, "i32x4.extend_high_i16x8_s"),
    vun(0xA9, "i32x4.extend_low_i16x8_u"), vun(0xAA, "i32x4.extend_high_i16x8_u"),
    vshift(0xAB, "i32x4.shl"), vshift(0xAC, "i32x4.shr_s"), vshift(0xAD, "i32x4.shr_u"),
    vbin(0xAE, "i32x4.add"), vbin(0xB1, "i32x4.sub"), vbin(0xB5, "i32x4.mul"),
    vbin(0xB6, "i32x4.min_s"), vbin(0xB7, "i32x4.min_u"), vbin(0xB8, "i32x4.max_s"), vbin(0xB9, "i32x4.max_u"),
    vbin(0xBA, "i32x4.dot_i16x8_s"),
    vbin(0xBC, "i32x4.extmul_low_i16x8_s"), vbin(0xBD, "i32x4.extmul_high_i16x8_s"),
    vbin(0xBE, "i32x4.extmul_low_i16x8_u"), vbin(0xBF, "i32x4.extmul_high_i16x8_u"),
    vun(0xC0, "i64x2.abs"), vun(0xC1, "i64x2.neg"),
    vtest(0xC3, "i64x2.all_true"), vtest(0xC4, "i64x2.bitmask"),
    vun(0xC7, "i64x2.extend_low_i32x4_s"), vun(0xC8, "i64x2.extend_high_i32x4_s"),
    vun(0xC9, "i64x2.extend_low_i32x4_u"), vun(0xCA, "i64x2.extend_high_i32x4_u"),
    vshift(0xCB, "i64x2.shl"), vshift(0xCC, "i64x2.shr_s"), vshift(0xCD, "i64x2.shr_u"),
    vbin(0xCE, "i64x2.add"), vbin(0xD1, "i64x2.sub"), vbin(0xD5, "i64x2.mul"),
    vbin(0xD6, "i64x2.eq"), vbin(0xD7, "i64x2.ne"), vbin(0xD8, "i64x2.lt_s"), vbin(0xD9, "i64x2.gt_s"),
    vbin(0xDA, "i64x2.le_s"), vbin(0xDB, "i64x2.ge_s"),
    vbin(0xDC, "i64x2.extmul_low_i32x4_s"), vbin(0xDD, "i64x2.extmul_high_i32x4_s"),
    vbin(0xDE, "i64x2.extmul_low_i32x4_u"), vbin(0xDF, "i64x2.extmul_high_i32x4_u"),
    vun(0xE0, "f32x4.abs"), vun(0xE1, "f32x4.neg"), vun(0xE3, "f32x4.sqrt"),
    vbin(0xE4, "f32x4.add"), vbin(0xE5, "f32x4.sub"), vbin(0xE6, "f32x4.mul"), vbin(0xE7, "f32x4.div"),
    vbin(0xE8, "f32x4.min"), vbin(0xE9, "f32x4.max"), vbin(0xEA, "f32x4.pmin"), vbin(0xEB, "f32x4.pmax"),
    vun(0xEC, "f64x2.abs"), vun(0xED, "f64x2.neg"), vun(0xEF, "f64x2.sqrt"),
    vbin(0xF0, "f64x2.add"), vbin(0xF1, "f64x2.sub"), vbin(0xF2, "f64x2.mul"), vbin(0xF3, "f64x2.div"),
    vbin(0xF4, "f64x2.min"), vbin(0xF5, "f64x2.max"), vbin(0xF6, "f64x2.pmin"), vbin(0xF7, "f64x2.pmax"),
    vun(0xF8, "i32x4.trunc_sat_f32x4_s"), vun(0xF9, "i32x4.trunc_sat_f32x4_u"),
    vun(0xFA, "f32x4.convert_i32x4_s"), vun(0xFB, "f32x4.convert_i32x4_u"),
    vun(0xFC, "i32x4.trunc_sat_f64x2_s_zero"), vun(0xFD, "i32x4.trunc_sat_f64x2_u_zero"),
    vun(0xFE, "f64x2.convert_low_i32x4_s"), vun(0xFF, "f64x2.convert_low_i32x4_u"),
]
