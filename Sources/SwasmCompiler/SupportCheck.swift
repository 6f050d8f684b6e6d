// What the backend cannot compile yet is refused here, before any function
// is lowered, with the place it occurs. Today that is every v128 value: the
// backend has no vector registers in its calling convention, spill slots or
// moves, so a v128 that merely passes through a parameter, local, block or
// call would be compiled as if it were a 64-bit integer. Refusing the whole
// module on the first v128 is the only way to never emit wrong code for it.
import WasmModel

enum SupportCheck {
    /// Throws an `.unsupported` error for the first v128 in `module`: in an
    /// import, a global, a function's signature or locals, a block type, a
    /// typed `select`, a SIMD instruction, or any type in the type section.
    static func check(_ module: Module) throws(WasmError) {
        let v128 = ValueType.v128
        func uses(_ type: FunctionType) -> Bool { type.parameters.contains(v128) || type.results.contains(v128) }
        func typeOf(_ index: UInt32) -> FunctionType? {
            Int(index) < module.types.count ? module.types[Int(index)] : nil
        }

        var functionIndex: UInt32 = 0
        var globalIndex = 0
        for entry in module.imports {
            switch entry.descriptor {
            case .function(let typeIndex):
                if let type = typeOf(typeIndex), uses(type) {
                    throw refusal(entry.offset, "imported function \(entry.module).\(entry.name) has type \(type)")
                        .in(function: functionIndex, of: module)
                }
                functionIndex += 1
            case .global(let type):
                if type.valueType == v128 {
                    throw refusal(entry.offset, "imported global \(globalIndex) (\(entry.module).\(entry.name)) is a v128")
                }
                globalIndex += 1
            case .table, .memory:
                break
            }
        }
        for global in module.globals {
            if global.type.valueType == v128 {
                throw refusal(global.offset, "global \(globalIndex) is a v128")
            }
            globalIndex += 1
        }
        try module.bytes.withUnsafeBufferPointer { (buffer: UnsafeBufferPointer<UInt8>) throws(WasmError) in
            guard let base = buffer.baseAddress else { return }
            for (i, body) in module.bodies.enumerated() {
                let index = functionIndex + UInt32(i)
                if i < module.functions.count, let type = typeOf(module.functions[i]), uses(type) {
                    throw refusal(body.offset, "its type is \(type)").in(function: index, of: module)
                }
                do throws(WasmError) {
                    try checkBody(body, base: base, end: buffer.count)
                } catch {
                    throw error.in(function: index, of: module)
                }
            }
        }
        // Types that no function has but call_indirect or a block type may use.
        for (index, type) in module.types.enumerated() where uses(type) {
            let offset = index < module.typeOffsets.count ? module.typeOffsets[index] : 0
            throw refusal(offset, "type \(index) is \(type)")
        }
    }

    static func refusal(_ offset: Int, _ what: String) -> WasmError {
        WasmError(.unsupported, offset: offset, "unsupported: SIMD (v128): \(what); v128 values are not compiled yet")
    }

    static let plainImmediates: [Immediate?] = Opcodes.plain.map { $0?.immediate }
    static let miscImmediates: [Immediate?] = Opcodes.misc.map { $0?.immediate }

    /// Walks the local declarations and instructions of a validated body.
    static func checkBody(_ body: FunctionBody, base: UnsafePointer<UInt8>, end: Int) throws(WasmError) {
        var r = ByteReader(base: base, position: body.offset, end: end)
        _ = try r.readU32()  // the body's size
        var localIndex: UInt64 = 0
        for _ in 0..<(try r.readU32()) {
            let offset = r.position
            let count = try r.readU32()
            if try r.readByte() == ValueType.v128.rawValue && count > 0 {
                throw refusal(offset, "local \(localIndex) is a v128")
            }
            localIndex += UInt64(count)
        }
        r = ByteReader(base: base, position: body.code.lowerBound, end: body.code.upperBound)
        while !r.isAtEnd {
            let offset = r.position
            let opcode = try r.readByte()
            switch opcode {
            case 0x02, 0x03, 0x04:
                if r.peekByte() == ValueType.v128.rawValue {
                    throw refusal(offset, "\(Opcodes.plain[Int(opcode)]?.name ?? "block") of type v128")
                }
                _ = try r.readS33()
            case 0x1C:
                for _ in 0..<(try r.readU32()) where try r.readByte() == ValueType.v128.rawValue {
                    throw refusal(offset, "select of type v128")
                }
            case OpcodePrefix.simd:
                let sub = try r.readU32()
                throw refusal(offset, "instruction \(Opcodes.info(opcode, sub)?.name ?? "0xfd \(sub)")")
            case OpcodePrefix.misc:
                let sub = Int(try r.readU32())
                guard sub < miscImmediates.count, let immediate = miscImmediates[sub] else {
                    throw WasmError(.malformed, offset: offset, "illegal opcode 0xfc \(sub)")
                }
                try r.skipImmediate(immediate)
            default:
                guard let immediate = plainImmediates[Int(opcode)] else {
                    throw WasmError(.malformed, offset: offset, "illegal opcode 0x\(String(opcode, radix: 16))")
                }
                try r.skipImmediate(immediate)
            }
        }
    }
}

extension WasmError {
    /// The error placed in function `index` of `module`.
    func `in`(function index: UInt32, of module: Module) -> WasmError {
        var error = self
        error.functionIndex = index
        error.functionName = module.names.functionNames[index]
        return error
    }
}
