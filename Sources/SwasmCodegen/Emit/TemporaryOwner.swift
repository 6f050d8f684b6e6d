// What a set of selection temporaries belongs to, named when selection
// asks for more temporaries than the allocator granted: a count in a
// target's temporaries table is then wrong.
import SwasmIR

/// What temporaries belong to, named in a failure message: an instruction
/// (by index into the function's instructions), or the entry's moves.
enum TemporaryOwner: CustomStringConvertible {
    case none
    case instruction(Opcode, Int)
    case entry
    /// A branch's moves placed out of line, on a critical edge.
    case edgeMoves

    var description: String {
        switch self {
        case .none: return "no instruction"
        case .instruction(let opcode, let index): return "\(opcode) (instruction \(index))"
        case .entry: return "the incoming parameters' moves"
        case .edgeMoves: return "an out-of-line edge's moves"
        }
    }
}
