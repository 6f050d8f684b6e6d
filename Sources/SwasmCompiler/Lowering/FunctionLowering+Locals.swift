// Wasm locals in SSA form, built in the one forward pass over the body.
//
// The lowering keeps the value of every local at the point it has reached
// (`localValues`); reading a local costs nothing more. Control flow is
// structured, so values only meet at three places, and each is handled
// where the construct is:
//
// - the end of a block or if: each construct records the locals changed
//   inside it, nested constructs included (with their values at its start),
//   and every branch to its end records the values of the locals changed so
//   far. At the end, a local
//   whose incoming values are all one value takes it; otherwise the end
//   block gets a parameter. Locals the construct does not change keep their
//   value without being looked at.
// - the else of an if: the locals the then arm changed get back their
//   values at the if.
// - a loop header: a parameter for each local assigned anywhere in the
//   loop (known from a scan of the body before lowering); every branch back
//   passes their current values.
//
// A local that no later code reads (known from the same scan) gets no
// parameter, at a merge or a loop header: its value there is never used.
//
// The work is proportional to the code and to the changed locals at each
// merge, never to all locals times all blocks. No step recurses.
import SwasmIR

/// The locals a construct changed, each with its value at the start of the
/// construct, in order of first change.
struct LocalChanges {
    private(set) var locals: [Int] = []
    private(set) var valuesAtStart: [Value] = []
    private var members: Set<Int> = []

    func contains(_ local: Int) -> Bool { members.contains(local) }

    mutating func note(_ local: Int, valueAtStart: Value) {
        if members.insert(local).inserted {
            locals.append(local)
            valuesAtStart.append(valueAtStart)
        }
    }
}

/// A branch to a construct's end: which branch target, and the values of
/// the construct's changed locals at the branch (for the first
/// `values.count` of them; the others had not changed yet).
struct IncomingBranch {
    var instruction: Int
    var slot: Int
    var values: [Value]
}

extension FunctionLowering {
    mutating func setLocal(_ local: Int, _ value: Value) {
        noteChange(local)
        localValues[local] = value
    }

    /// Notes that `local` is about to change in every open construct that
    /// has not seen it change yet: a branch to any of them must pass it.
    /// Those are the innermost ones (a construct that saw the change
    /// encloses only constructs that did too), so the walk stops at the
    /// first that knows, and each construct notes each local once. The
    /// function's own end merges only the hidden fuel local: no code after
    /// it reads the others, but it writes the fuel back.
    mutating func noteChange(_ local: Int) {
        var index = frames.count - 1
        while index >= 0 && (frames[index].kind != .function || local == fuelLocal)
                && !frames[index].changes.contains(local) {
            frames[index].changes.note(local, valueAtStart: localValues[local])
            index -= 1
        }
    }

    /// Jumps into a new loop header, giving it a parameter for each local
    /// the loop assigns; from here those locals are the parameters.
    mutating func enterLoop(header: Block, arguments: [Value], loopOffset: Int) -> [Int] {
        let assigned = loopAssignments.locals(assignedInLoopAt: loopOffset).filter {
            loopAssignments.mayBeRead($0, after: loopOffset, outermostLoop: outermostLoop)
        }
        builder.jump(header, arguments + assigned.map { localValues[$0] })
        for local in assigned {
            noteChange(local)
            localValues[local] = function.addParameter(localTypes[local], to: header)
        }
        return assigned
    }

    /// The branch target for a branch `depth` constructs out, passing
    /// `operands` as the label's values. Records the branch as incoming to
    /// a block's end; to a loop header, passes the loop's locals.
    mutating func branchTarget(depth: Int, operands: [Value], instruction: Int, slot: Int) -> BlockCall {
        let index = frames.count - 1 - depth
        if frames[index].kind == .loop {
            return BlockCall(frames[index].label, operands + frames[index].loopLocals.map { localValues[$0] })
        }
        let changed = frames[index].changes.locals
        frames[index].incoming.append(IncomingBranch(instruction: instruction, slot: slot,
                                                     values: changed.map { localValues[$0] }))
        return BlockCall(frames[index].label, operands)
    }

    /// At else: the else arm starts with the locals' values at the if.
    mutating func restoreLocalsForElse(of frame: LoweringFrame) {
        for (local, value) in zip(frame.changes.locals, frame.changes.valuesAtStart) {
            localValues[local] = value
        }
    }

    /// At the end of a construct whose end block is reachable: gives each
    /// local it changed its value at the end block. (The enclosing
    /// constructs noted the changes when they happened.)
    mutating func mergeLocals(at frame: LoweringFrame) {
        let changes = frame.changes
        if !frame.incoming.isEmpty {
            for (position, local) in changes.locals.enumerated() {
                let atStart = changes.valuesAtStart[position]
                func incomingValue(_ branch: IncomingBranch) -> Value {
                    position < branch.values.count ? branch.values[position] : atStart
                }
                let first = incomingValue(frame.incoming[0])
                if !loopAssignments.mayBeRead(local, after: instructionOffset, outermostLoop: outermostLoop)
                    || frame.incoming.allSatisfy({ incomingValue($0) == first }) {
                    localValues[local] = first
                    continue
                }
                let parameter = function.addParameter(localTypes[local], to: frame.end)
                for branch in frame.incoming {
                    function.instructions[branch.instruction].targets[branch.slot].arguments.append(incomingValue(branch))
                }
                localValues[local] = parameter
            }
        }
    }
}
