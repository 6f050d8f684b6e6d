// What the lowering must know about locals before it reaches them: which
// locals each loop assigns (a loop header gets one block parameter per
// local assigned in the loop, and must know them before the back edges),
// and where each local is read last (a local never read again needs no
// parameter at all). One pass over the (validated) body, with explicit
// stacks.
import WasmModel

struct LoopAssignments {
    /// Loop opcode offset → locals assigned inside the loop (nested loops
    /// included). Loops that assign nothing
    /// are absent. Sorted by local index: the order of the header parameters.
    private(set) var localsByLoop: [Int: [Int]] = [:]
    /// Offset of the last `local.get` of each local, -1 if none.
    private(set) var lastRead: [Int] = []

    /// Whether `local` may be read at or after code offset `offset`, when
    /// the outermost loop open there (if any) starts at `outermostLoop`:
    /// a read anywhere in that loop can come again.
    func mayBeRead(_ local: Int, after offset: Int, outermostLoop: Int?) -> Bool {
        lastRead[local] >= (outermostLoop ?? offset)
    }

    func locals(assignedInLoopAt offset: Int) -> [Int] { localsByLoop[offset] ?? [] }

    private struct OpenLoop {
        var offset: Int
        var locals: [Int] = []
        var members: Set<Int> = []

        mutating func note(_ local: Int) {
            if members.insert(local).inserted { locals.append(local) }
        }
    }

    /// `assignedInEveryLoop`: a hidden local (the fuel) that every loop
    /// changes and that is read at the end of the function.
    static func scan(_ reader: ByteReader, localCount: Int, assignedInEveryLoop hidden: Int? = nil) throws(WasmError) -> LoopAssignments {
        var reader = reader
        var result = LoopAssignments()
        result.lastRead = Array(repeating: -1, count: localCount)
        if let hidden { result.lastRead[hidden] = Int.max }
        // For each open construct: whether it is a loop (its `end` closes one).
        var constructIsLoop: [Bool] = []
        var loops: [OpenLoop] = []
        while reader.position < reader.end {
            let offset = reader.position
            let opcode = try reader.readByte()
            switch opcode {
            case 0x02, 0x04:
                try reader.skipImmediate(.blockType)
                constructIsLoop.append(false)
            case 0x03:
                try reader.skipImmediate(.blockType)
                constructIsLoop.append(true)
                loops.append(OpenLoop(offset: offset))
                if let hidden { loops[loops.count - 1].note(hidden) }
            case 0x0B:
                // The body's final `end` closes no construct.
                guard let isLoop = constructIsLoop.popLast(), isLoop else { continue }
                let loop = loops.removeLast()
                if loop.locals.isEmpty { continue }
                result.localsByLoop[loop.offset] = loop.locals.sorted()
                if !loops.isEmpty {
                    for local in loop.locals { loops[loops.count - 1].note(local) }
                }
            case 0x20: // local.get
                let local = Int(try reader.readU32())
                if local < result.lastRead.count { result.lastRead[local] = offset }
            case 0x21, 0x22: // local.set, local.tee
                let local = Int(try reader.readU32())
                if !loops.isEmpty { loops[loops.count - 1].note(local) }
            default:
                var sub: UInt32 = 0
                if opcode == OpcodePrefix.misc || opcode == OpcodePrefix.simd { sub = try reader.readU32() }
                guard let info = Opcodes.info(opcode, sub) else {
                    throw WasmError(.unsupported, offset: offset, "not supported yet: opcode 0x\(String(opcode, radix: 16))")
                }
                try reader.skipImmediate(info.immediate)
            }
        }
        return result
    }
}
