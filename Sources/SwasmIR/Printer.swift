// The IR's text form, read back by `Parser`:
//
//   function %name(i64, i32) -> i32 {
//       sig0 = (i64, i32) -> i32
//       fn3 = sig0
//   block0(v0: i64, v1: i32):
//       v2 = iconst.i32 5
//       v3 = iadd.i32 v1, v2
//   @1f v4 = load.i32 v9, v3+8      (memory base, 32-bit index + offset)
//       brif v4, block1(v3), block2
//   ...
//   }
//
// `@hex` is the wasm offset of instructions that can trap.
import SwasmABI

extension Function: CustomStringConvertible {
    public var description: String { Printer.print(self) }
}

public enum Printer {
    public static func print(_ function: Function) -> String {
        var out = "function %\(function.name)(\(function.signature.parameters.map(\.description).joined(separator: ", ")))"
        out += " -> (\(function.signature.results.map(\.description).joined(separator: ", "))) {\n"
        for (i, signature) in function.signatures.enumerated() {
            out += "    sig\(i) = \(signature)\n"
        }
        for (callee, signature) in function.calleeSignatures.sorted(by: { $0.key < $1.key }) {
            out += "    fn\(callee) = sig\(signature)\n"
        }
        for block in function.layout {
            let parameters = function.parameters(of: block)
            out += "\(block)"
            if !parameters.isEmpty {
                out += "(" + parameters.map { "\($0): \(function.type(of: $0))" }.joined(separator: ", ") + ")"
            }
            out += ":\n"
            for index in function.blocks[Int(block.index)].instructions {
                out += print(function.instructions[index], in: function) + "\n"
            }
        }
        return out + "}\n"
    }

    static func blockCall(_ call: BlockCall) -> String {
        if call.arguments.isEmpty { return call.block.description }
        return "\(call.block)(" + call.arguments.map(\.description).joined(separator: ", ") + ")"
    }

    static func list(_ values: [Value]) -> String {
        values.map(\.description).joined(separator: ", ")
    }

    static func offset(_ immediate: Int64) -> String {
        immediate >= 0 ? "+\(immediate)" : "\(immediate)"
    }

    public static func print(_ inst: Instruction, in function: Function) -> String {
        var line = inst.sourceOffset != 0 ? "@\(String(inst.sourceOffset, radix: 16))" : ""
        line = line.padding(toLength: 4)
        if !inst.results.isEmpty { line += list(inst.results) + " = " }
        let t = inst.type
        let ops = inst.operands
        switch inst.opcode.format {
        case .constant:
            if inst.opcode == .iconst {
                line += "iconst.\(t) \(inst.immediate)"
            } else {
                line += "fconst.\(t) 0x\(String(UInt64(bitPattern: inst.immediate), radix: 16))"
            }
        case .unary:
            line += "\(inst.opcode).\(t) \(ops[0])"
        case .binary:
            line += "\(inst.opcode).\(t) \(ops[0]), \(ops[1])"
        case .compare:
            let condition = inst.opcode == .icmp ? inst.intCondition.description : inst.floatCondition.description
            line += "\(inst.opcode).\(function.type(of: ops[0])) \(condition) \(ops[0]), \(ops[1])"
        case .select:
            line += "select.\(t) \(ops[0]), \(ops[1]), \(ops[2])"
        case .memory:
            switch inst.opcode {
            case .load: line += "\(inst.width.loadName).\(t) \(ops[0]), \(ops[1])\(offset(inst.immediate))"
            case .store: line += "\(inst.width.storeName).\(t) \(ops[0]), \(ops[1])\(offset(inst.immediate)), \(ops[2])"
            case .pload: line += "p\(inst.width.loadName).\(t) \(ops[0])\(offset(inst.immediate))"
            default: line += "p\(inst.width.storeName).\(t) \(ops[0])\(offset(inst.immediate)), \(ops[1])"
            }
        case .call:
            if inst.opcode == .call {
                line += "call fn\(inst.immediate)(\(list(ops)))"
            } else {
                line += "call_ptr sig\(inst.immediate) \(ops[0])(\(list(Array(ops.dropFirst()))))"
            }
        case .jump:
            line += "jump \(blockCall(inst.targets[0]))"
        case .branchIf:
            line += "brif \(ops[0]), \(blockCall(inst.targets[0])), \(blockCall(inst.targets[1]))"
        case .branchTable:
            line += "br_table \(ops[0]), \(blockCall(inst.targets[0])), [\(inst.targets.dropFirst().map(blockCall).joined(separator: ", "))]"
        case .ret:
            line += ops.isEmpty ? "return" : "return \(list(ops))"
        case .trap:
            if inst.opcode == .trap {
                line += "trap \(trapName(inst.trapCode))"
            } else if inst.opcode == .epochCheck {
                line += "epoch_check \(ops[0])"
            } else {
                line += "\(inst.opcode) \(ops[0]), \(trapName(inst.trapCode))"
            }
        }
        return line
    }

    public static func trapName(_ code: TrapCode) -> String {
        switch code {
        case .unreachable: return "unreachable"
        case .memoryOutOfBounds: return "heap_oob"
        case .tableOutOfBounds: return "table_oob"
        case .indirectCallToNull: return "icall_null"
        case .indirectCallTypeMismatch: return "bad_sig"
        case .integerDivideByZero: return "int_divz"
        case .integerOverflow: return "int_ovf"
        case .invalidConversionToInteger: return "bad_toint"
        case .callStackExhausted: return "stk_ovf"
        case .nullReference: return "null_ref"
        case .exit: return "exit"
        case .hostError: return "host_err"
        case .interrupted: return "interrupt"
        case .outOfFuel: return "out_of_fuel"
        }
    }
}

extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
