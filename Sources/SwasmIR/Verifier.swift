// Checks the IR's invariants; runs after every pass in debug builds.
//
// - every block in the layout ends with exactly one terminator, and only there
// - every value is defined once, and every use is dominated by its definition
// - operand types match each opcode's rule; block arguments match parameters
// - call operands match the callee's signature

public struct VerifierError: Error, CustomStringConvertible {
    public var function: String
    public var message: String
    public var description: String { "IR verifier: function %\(function): \(message)" }

    public init(function: String, message: String) {
        self.function = function
        self.message = message
    }
}

public enum Verifier {
    public static func verify(_ function: Function) throws(VerifierError) {
        var checker = VerifierState(function: function)
        try checker.run()
    }
}

struct VerifierState {
    let function: Function
    var definedIn: [Block?]
    var positionInBlock: [Int]

    init(function: Function) {
        self.function = function
        definedIn = Array(repeating: nil, count: function.values.count)
        positionInBlock = Array(repeating: -1, count: function.values.count)
    }

    func fail(_ message: String) -> VerifierError {
        VerifierError(function: function.name, message: message)
    }

    mutating func run() throws(VerifierError) {
        guard !function.layout.isEmpty else { throw fail("no blocks") }
        let inLayout = Set(function.layout)
        guard inLayout.count == function.layout.count else { throw fail("a block appears twice in the layout") }
        let entryParameters = function.parameters(of: function.entry).map { function.type(of: $0) }
        guard entryParameters == function.signature.parameters else {
            throw fail("entry block parameters \(entryParameters) differ from the signature \(function.signature.parameters)")
        }
        // Definitions.
        for block in function.layout {
            for value in function.parameters(of: block) {
                try define(value, in: block, at: -1)
            }
            let instructions = function.blocks[Int(block.index)].instructions
            guard let last = instructions.last else { throw fail("\(block) is empty") }
            guard function.instructions[last].opcode.isTerminator else { throw fail("\(block) does not end with a terminator") }
            for (position, index) in instructions.enumerated() {
                let inst = function.instructions[index]
                if inst.opcode.isTerminator && index != last {
                    throw fail("\(block): terminator \(inst.opcode) before the end of the block")
                }
                for value in inst.results { try define(value, in: block, at: position) }
                for target in inst.targets where !inLayout.contains(target.block) {
                    throw fail("\(block) branches to \(target.block), which is not in the layout")
                }
            }
        }
        // Uses.
        let dominators = DominatorTree(function)
        for block in function.layout where dominators.isReachable(block) {
            for (position, index) in function.blocks[Int(block.index)].instructions.enumerated() {
                let inst = function.instructions[index]
                for value in inst.operands + inst.targets.flatMap(\.arguments) {
                    guard Int(value.index) < definedIn.count, let home = definedIn[Int(value.index)] else {
                        throw fail("\(block): \(inst.opcode) uses undefined \(value)")
                    }
                    let dominated = home == block
                        ? positionInBlock[Int(value.index)] < position
                        : dominators.dominates(home, block)
                    if !dominated {
                        throw fail("\(block): use of \(value) in \(inst.opcode) is not dominated by its definition")
                    }
                }
                try checkTypes(inst, in: block)
            }
        }
    }

    mutating func define(_ value: Value, in block: Block, at position: Int) throws(VerifierError) {
        guard Int(value.index) < definedIn.count else { throw fail("\(value) out of range") }
        if definedIn[Int(value.index)] != nil { throw fail("\(value) defined twice") }
        definedIn[Int(value.index)] = block
        positionInBlock[Int(value.index)] = position
    }

    func type(_ value: Value) -> IRType { function.type(of: value) }

    func expect(_ inst: Instruction, _ condition: Bool, _ what: @autoclosure () -> String) throws(VerifierError) {
        if !condition { throw fail("\(inst.opcode).\(inst.type): \(what())") }
    }

    func checkTypes(_ inst: Instruction, in block: Block) throws(VerifierError) {
        let ops = inst.operands
        let t = inst.type
        switch inst.opcode.format {
        case .constant:
            try expect(inst, ops.isEmpty && inst.results.count == 1, "takes no operands, one result")
            try expect(inst, inst.opcode == .iconst ? t.isInteger : t.isFloat, "wrong type")
        case .binary:
            try expect(inst, ops.count == 2 && type(ops[0]) == t && type(ops[1]) == t, "operands must be \(t)")
            try expect(inst, inst.opcode.rawValue >= Opcode.fadd.rawValue ? t.isFloat : t.isInteger, "wrong type class")
        case .unary:
            try expect(inst, ops.count == 1, "takes one operand")
            let from = type(ops[0])
            switch inst.opcode {
            case .uextend, .sextend: try expect(inst, from == .i32 && t == .i64, "extends i32 to i64")
            case .ireduce: try expect(inst, from == .i64 && t == .i32, "reduces i64 to i32")
            case .fpromote: try expect(inst, from == .f32 && t == .f64, "promotes f32 to f64")
            case .fdemote: try expect(inst, from == .f64 && t == .f32, "demotes f64 to f32")
            case .fcvtToSint, .fcvtToUint, .fcvtToSintSat, .fcvtToUintSat:
                try expect(inst, from.isFloat && t.isInteger, "converts float to integer")
            case .fcvtFromSint, .fcvtFromUint:
                try expect(inst, from.isInteger && t.isFloat, "converts integer to float")
            case .bitcast: try expect(inst, from.byteSize == t.byteSize && from != t, "reinterprets same-size types")
            case .sext32: try expect(inst, from == t && t == .i64, "works on i64")
            default: try expect(inst, from == t, "operand must be \(t)")
            }
        case .compare:
            try expect(inst, ops.count == 2 && type(ops[0]) == type(ops[1]) && t == .i32, "compares two values of one type")
            try expect(inst, inst.opcode == .icmp ? type(ops[0]).isInteger : type(ops[0]).isFloat, "wrong type class")
        case .select:
            try expect(inst, ops.count == 3 && type(ops[0]) == .i32 && type(ops[1]) == t && type(ops[2]) == t, "select c:i32, a:\(t), b:\(t)")
        case .memory:
            let heap = inst.opcode == .load || inst.opcode == .store
            let isStore = inst.opcode == .store || inst.opcode == .pstore
            try expect(inst, ops.count == (heap ? 2 : 1) + (isStore ? 1 : 0), "wrong operand count")
            if heap {
                try expect(inst, type(ops[0]) == .i64 && type(ops[1]) == .i32, "heap access takes an i64 base and an i32 index")
            } else {
                try expect(inst, type(ops[0]) == .i64, "pointer must be i64")
            }
            if isStore {
                try expect(inst, type(ops[ops.count - 1]) == t, "stored value must be \(t)")
            }
        case .call:
            let signature: Signature
            var arguments = ops
            if inst.opcode == .call {
                guard let index = function.calleeSignatures[inst.immediate] else { throw fail("call of fn\(inst.immediate) without signature") }
                signature = function.signatures[index]
            } else {
                guard Int(inst.immediate) < function.signatures.count else { throw fail("call_ptr with unknown sig\(inst.immediate)") }
                signature = function.signatures[Int(inst.immediate)]
                try expect(inst, !ops.isEmpty && type(ops[0]) == .i64, "callee must be an i64 pointer")
                arguments.removeFirst()
            }
            try expect(inst, arguments.map(type) == signature.parameters, "arguments do not match \(signature)")
            try expect(inst, inst.results.map(type) == signature.results, "results do not match \(signature)")
        case .jump, .branchIf, .branchTable:
            if inst.opcode != .jump { try expect(inst, type(ops[0]) == .i32, "condition or index must be i32") }
            for target in inst.targets {
                let parameters = function.parameters(of: target.block).map(type)
                let arguments = target.arguments.map(type)
                try expect(inst, parameters == arguments, "\(target.block) takes \(parameters), given \(arguments)")
            }
        case .ret:
            try expect(inst, ops.map(type) == function.signature.results, "returns \(ops.map(type)), signature says \(function.signature.results)")
        case .trap:
            if inst.opcode == .epochCheck {
                try expect(inst, ops.count == 1 && type(ops[0]) == .i64, "operand must be the i64 vmctx")
            } else if inst.opcode != .trap {
                try expect(inst, ops.count == 1 && type(ops[0]) == .i32, "condition must be i32")
            }
        }
    }
}

/// Dominators by the algorithm of Lengauer and Tarjan (the simple version,
/// with path compression), every step iterative. The iterative algorithm of
/// Cooper, Harvey and Kennedy walks up the tree at every merge, which costs
/// the nesting depth each time: quadratic for deeply nested loops.
public struct DominatorTree {
    var order: [Block] = []
    var postIndex: [Int]
    var immediate: [Int]
    /// Entry and exit numbers of each block in a depth-first walk of the
    /// tree: `a` dominates `b` when `b`'s interval lies within `a`'s. A walk
    /// up the tree per query would cost the nesting depth each time.
    var treeEntry: [Int]
    var treeExit: [Int]

    public init(_ function: Function) {
        order = function.reversePostOrder()
        postIndex = Array(repeating: -1, count: function.blocks.count)
        immediate = Array(repeating: -1, count: function.blocks.count)
        for (i, block) in order.enumerated() { postIndex[Int(block.index)] = order.count - 1 - i }
        treeEntry = Array(repeating: -1, count: function.blocks.count)
        treeExit = Array(repeating: -1, count: function.blocks.count)
        guard let entry = order.first else { return }
        // Depth-first spanning tree: blocks numbered in preorder; from here
        // on, vertices are those numbers.
        var number = [Int](repeating: -1, count: function.blocks.count)
        var vertex: [Int] = []
        var parent: [Int] = []
        var stack: [(block: Int, parent: Int)] = [(Int(entry.index), -1)]
        while let top = stack.popLast() {
            let block = top.block, from = top.parent
            if number[block] >= 0 { continue }
            number[block] = vertex.count
            vertex.append(block)
            parent.append(from)
            let successors = function.successors(of: Block(UInt32(block)))
            for successor in successors.reversed() where number[Int(successor.index)] < 0 {
                stack.append((Int(successor.index), number[block]))
            }
        }
        let count = vertex.count
        var predecessors = [[Int]](repeating: [], count: count)
        for v in 0..<count {
            for successor in function.successors(of: Block(UInt32(vertex[v]))) {
                predecessors[number[Int(successor.index)]].append(v)
            }
        }
        var semi = Array(0..<count)
        var label = Array(0..<count)
        var ancestor = [Int](repeating: -1, count: count)
        var idom = [Int](repeating: 0, count: count)
        var bucket = [[Int]](repeating: [], count: count)
        var path: [Int] = []
        // The vertex with the least semidominator on the tree path above v
        // (as linked so far), compressing the path on the way.
        func evaluate(_ v: Int) -> Int {
            if ancestor[v] < 0 { return v }
            var x = v
            while ancestor[ancestor[x]] >= 0 {
                path.append(x)
                x = ancestor[x]
            }
            while let y = path.popLast() {
                let a = ancestor[y]
                if semi[label[a]] < semi[label[y]] { label[y] = label[a] }
                ancestor[y] = ancestor[a]
            }
            return label[v]
        }
        for w in stride(from: count - 1, through: 1, by: -1) {
            for v in predecessors[w] {
                let u = evaluate(v)
                if semi[u] < semi[w] { semi[w] = semi[u] }
            }
            bucket[semi[w]].append(w)
            let p = parent[w]
            ancestor[w] = p
            for v in bucket[p] {
                let u = evaluate(v)
                idom[v] = semi[u] < semi[v] ? u : p
            }
            bucket[p] = []
        }
        for w in 1..<count where idom[w] != semi[w] { idom[w] = idom[idom[w]] }
        immediate[vertex[0]] = vertex[0]
        for w in 1..<count { immediate[vertex[w]] = vertex[idom[w]] }
        numberTree(from: Int(entry.index))
    }

    private mutating func numberTree(from root: Int) {
        var children = [[Int]](repeating: [], count: immediate.count)
        for block in order.dropFirst() {
            let b = Int(block.index)
            children[immediate[b]].append(b)
        }
        var counter = 0
        var stack: [(block: Int, next: Int)] = [(root, 0)]
        treeEntry[root] = counter
        counter += 1
        while let top = stack.popLast() {
            if top.next < children[top.block].count {
                stack.append((top.block, top.next + 1))
                let child = children[top.block][top.next]
                treeEntry[child] = counter
                counter += 1
                stack.append((child, 0))
            } else {
                treeExit[top.block] = counter
                counter += 1
            }
        }
    }

    public func isReachable(_ block: Block) -> Bool { postIndex[Int(block.index)] >= 0 }

    /// True when every path from the entry to `b` passes through `a`.
    public func dominates(_ a: Block, _ b: Block) -> Bool {
        guard isReachable(a), isReachable(b) else { return false }
        let x = Int(a.index), y = Int(b.index)
        return treeEntry[x] <= treeEntry[y] && treeExit[y] <= treeExit[x]
    }

    public func immediateDominator(of block: Block) -> Block? {
        let i = immediate[Int(block.index)]
        return i < 0 || i == Int(block.index) ? nil : Block(UInt32(i))
    }
}
