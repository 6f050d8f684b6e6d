// Constant folding: integer arithmetic, comparisons, extensions and selects
// whose operands are constants become constants (wasm semantics: wrapping
// arithmetic, masked shift counts); `brif` on a constant becomes `jump`.
// Division is folded only when it cannot trap.
import SwasmIR

public enum ConstantFolding {
    public static func run(_ function: Function) {
        // Indexed by value (dense, not hashed: consulted for every operand).
        var constants = [Int64?](repeating: nil, count: function.values.count)
        for block in function.reversePostOrder() {
            for index in function.blocks[Int(block.index)].instructions {
                // The instruction is copied out (retaining its arrays) only
                // once its operands are known to be constants: most are not.
                let opcode = function.instructions[index].opcode
                if opcode == .iconst {
                    constants[Int(function.instructions[index].result.index)] = function.instructions[index].immediate
                    continue
                }
                if opcode == .brif, let condition = constants[Int(function.instructions[index].operands[0].index)] {
                    let taken = function.instructions[index].targets[condition != 0 ? 0 : 1]
                    function.instructions[index] = Instruction(.jump, type: .i32, targets: [taken])
                    continue
                }
                guard function.instructions[index].results.count == 1,
                      !function.instructions[index].operands.isEmpty,
                      function.instructions[index].operands.allSatisfy({ constants[Int($0.index)] != nil })
                else { continue }
                let inst = function.instructions[index]
                guard let folded = fold(inst, inst.operands.map { constants[Int($0.index)]! }) else { continue }
                let type = inst.opcode == .icmp ? IRType.i32 : inst.type
                let normalized = type == .i32 ? Int64(Int32(truncatingIfNeeded: folded)) : folded
                var replacement = Instruction(.iconst, type: type, immediate: normalized)
                replacement.results = inst.results
                function.instructions[index] = replacement
                constants[Int(inst.result.index)] = normalized
            }
        }
    }

    static func fold(_ inst: Instruction, _ v: [Int64]) -> Int64? {
        let is32 = inst.type == .i32
        func u(_ x: Int64) -> UInt64 { is32 ? UInt64(UInt32(truncatingIfNeeded: x)) : UInt64(bitPattern: x) }
        func s(_ x: Int64) -> Int64 { is32 ? Int64(Int32(truncatingIfNeeded: x)) : x }
        let bits: Int64 = is32 ? 32 : 64
        switch inst.opcode {
        case .iadd: return v[0] &+ v[1]
        case .isub: return v[0] &- v[1]
        case .imul: return v[0] &* v[1]
        case .band: return v[0] & v[1]
        case .bor: return v[0] | v[1]
        case .bxor: return v[0] ^ v[1]
        case .ishl: return v[0] << (v[1] & (bits - 1))
        case .ushr: return Int64(bitPattern: u(v[0]) >> UInt64(v[1] & (bits - 1)))
        case .sshr: return s(v[0]) >> (v[1] & (bits - 1))
        case .udiv: return u(v[1]) == 0 ? nil : Int64(bitPattern: u(v[0]) / u(v[1]))
        case .urem: return u(v[1]) == 0 ? nil : Int64(bitPattern: u(v[0]) % u(v[1]))
        case .sdiv:
            if s(v[1]) == 0 || (s(v[1]) == -1 && s(v[0]) == (is32 ? Int64(Int32.min) : Int64.min)) { return nil }
            return s(v[0]) / s(v[1])
        case .srem:
            if s(v[1]) == 0 { return nil }
            if s(v[1]) == -1 { return 0 }
            return s(v[0]) % s(v[1])
        case .icmp:
            let a = v[0], b = v[1]
            switch inst.intCondition {
            case .eq: return a == b ? 1 : 0
            case .ne: return a != b ? 1 : 0
            case .slt: return a < b ? 1 : 0
            case .sle: return a <= b ? 1 : 0
            case .sgt: return a > b ? 1 : 0
            case .sge: return a >= b ? 1 : 0
            case .ult: return UInt64(bitPattern: a) < UInt64(bitPattern: b) ? 1 : 0
            case .ule: return UInt64(bitPattern: a) <= UInt64(bitPattern: b) ? 1 : 0
            case .ugt: return UInt64(bitPattern: a) > UInt64(bitPattern: b) ? 1 : 0
            case .uge: return UInt64(bitPattern: a) >= UInt64(bitPattern: b) ? 1 : 0
            }
        case .uextend: return Int64(UInt32(truncatingIfNeeded: v[0]))
        case .sextend: return Int64(Int32(truncatingIfNeeded: v[0]))
        case .ireduce: return Int64(Int32(truncatingIfNeeded: v[0]))
        case .sext8: return Int64(Int8(truncatingIfNeeded: v[0]))
        case .sext16: return Int64(Int16(truncatingIfNeeded: v[0]))
        case .sext32: return Int64(Int32(truncatingIfNeeded: v[0]))
        case .select: return v[0] != 0 ? v[1] : v[2]
        default: return nil
        }
    }
}
