// Reads the text form that `Printer` writes, so that passes can be tested on
// hand-written functions. Value and block numbers are kept as written.
import SwasmABI

public struct ParseError: Error, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

public enum Parser {
    /// Parses every `function` in `text`.
    public static func parseFunctions(_ text: String) throws -> [Function] {
        var parser = TokenStream(text)
        var functions: [Function] = []
        while !parser.atEnd {
            functions.append(try parser.function())
        }
        return functions
    }

    public static func parseFunction(_ text: String) throws -> Function {
        let functions = try parseFunctions(text)
        guard functions.count == 1 else { throw ParseError(line: 1, message: "expected one function, found \(functions.count)") }
        return functions[0]
    }
}

struct Token: Equatable {
    enum Kind { case word, number, punct }
    var kind: Kind
    var text: String
    var line: Int
}

struct TokenStream {
    var tokens: [Token] = []
    var position = 0

    init(_ text: String) {
        var line = 1
        var chars = Array(text.unicodeScalars)
        chars.append("\n")
        var i = 0
        func isWord(_ c: Unicode.Scalar) -> Bool {
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_" || c == "."
        }
        while i < chars.count {
            let c = chars[i]
            if c == "\n" { line += 1; i += 1; continue }
            if c == " " || c == "\t" || c == "\r" { i += 1; continue }
            if c == ";" { // comment to end of line
                while i < chars.count && chars[i] != "\n" { i += 1 }
                continue
            }
            if (c >= "0" && c <= "9") || (c == "-" && i + 1 < chars.count && chars[i + 1] >= "0" && chars[i + 1] <= "9" && !(tokens.last.map { $0.kind != .punct } ?? false)) {
                var j = i + 1
                while j < chars.count && isWord(chars[j]) && chars[j] != "." { j += 1 }
                tokens.append(Token(kind: .number, text: String(String.UnicodeScalarView(chars[i..<j])), line: line))
                i = j
                continue
            }
            if isWord(c) {
                var j = i + 1
                while j < chars.count && isWord(chars[j]) { j += 1 }
                tokens.append(Token(kind: .word, text: String(String.UnicodeScalarView(chars[i..<j])), line: line))
                i = j
                continue
            }
            if c == "-" && i + 1 < chars.count && chars[i + 1] == ">" {
                tokens.append(Token(kind: .punct, text: "->", line: line))
                i += 2
                continue
            }
            tokens.append(Token(kind: .punct, text: String(c), line: line))
            i += 1
        }
    }

    var atEnd: Bool { position >= tokens.count }
    var line: Int { position < tokens.count ? tokens[position].line : (tokens.last?.line ?? 1) }

    func error(_ message: String) -> ParseError { ParseError(line: line, message: message) }

    func peek(_ offset: Int = 0) -> Token? {
        position + offset < tokens.count ? tokens[position + offset] : nil
    }

    mutating func next() throws -> Token {
        guard position < tokens.count else { throw error("unexpected end of input") }
        position += 1
        return tokens[position - 1]
    }

    mutating func expect(_ text: String) throws {
        let token = try next()
        guard token.text == text else { throw ParseError(line: token.line, message: "expected '\(text)', found '\(token.text)'") }
    }

    mutating func accept(_ text: String) -> Bool {
        if peek()?.text == text { position += 1; return true }
        return false
    }

    mutating func word() throws -> String {
        let token = try next()
        guard token.kind == .word else { throw ParseError(line: token.line, message: "expected a name, found '\(token.text)'") }
        return token.text
    }

    mutating func integer() throws -> Int64 {
        // `iconst.i32 -7` as the printer writes it: after a word the
        // tokenizer keeps `-` apart, for offsets like `v1-4`.
        if peek()?.text == "-", peek(1)?.kind == .number {
            position += 1
            return 0 &- (try integer())
        }
        let token = try next()
        guard token.kind == .number else { throw ParseError(line: token.line, message: "expected a number, found '\(token.text)'") }
        var text = Substring(token.text)
        let negative = text.hasPrefix("-")
        if negative { text = text.dropFirst() }
        let value: UInt64?
        if text.hasPrefix("0x") { value = UInt64(text.dropFirst(2), radix: 16) } else { value = UInt64(text) }
        guard let value else { throw ParseError(line: token.line, message: "bad number '\(token.text)'") }
        // Wrapping: -9223372036854775808 is Int64.min.
        return negative ? 0 &- Int64(bitPattern: value) : Int64(bitPattern: value)
    }

    /// A word like `v12`, `block3`, `sig0`, `fn7`: returns the number.
    mutating func numbered(_ prefix: String) throws -> Int {
        let token = try next()
        guard token.text.hasPrefix(prefix), let n = Int(token.text.dropFirst(prefix.count)) else {
            throw ParseError(line: token.line, message: "expected \(prefix)N, found '\(token.text)'")
        }
        return n
    }

    mutating func type() throws -> IRType {
        let text = try word()
        guard let type = IRType.allCases.first(where: { $0.description == text }) else {
            throw error("unknown type '\(text)'")
        }
        return type
    }

    mutating func typeList() throws -> [IRType] {
        if accept("(") {
            var types: [IRType] = []
            if accept(")") { return types }
            repeat { types.append(try type()) } while accept(",")
            try expect(")")
            return types
        }
        return [try type()]
    }

    mutating func signature() throws -> Signature {
        let parameters = try typeList()
        try expect("->")
        return Signature(parameters: parameters, results: try typeList())
    }

    // MARK: - Functions

    mutating func function() throws -> Function {
        try expect("function")
        try expect("%")
        let name = try word()
        let signature = try self.signature()
        try expect("{")
        let function = Function(name: name, signature: signature)
        var builder = NumberedBuilder(function: function)
        while peek()?.text.hasPrefix("sig") == true && peek(1)?.text == "=" {
            let index = try numbered("sig")
            try expect("=")
            guard index == function.signatures.count else { throw error("signatures must be numbered in order") }
            function.signatures.append(try self.signature())
        }
        while peek()?.text.hasPrefix("fn") == true && peek(1)?.text == "=" {
            let callee = try numbered("fn")
            try expect("=")
            function.calleeSignatures[Int64(callee)] = try numbered("sig")
        }
        var current: Block?
        while !accept("}") {
            if let token = peek(), token.text.hasPrefix("block"), peek(1)?.text == "(" || peek(1)?.text == ":" {
                let block = builder.block(try numbered("block"))
                function.layout.append(block)
                if accept("(") {
                    repeat {
                        let value = try numbered("v")
                        try expect(":")
                        builder.define(value, type: try type(), as: .parameter(block, function.blocks[Int(block.index)].parameters.count))
                        function.blocks[Int(block.index)].parameters.append(Value(UInt32(value)))
                    } while accept(",")
                    try expect(")")
                }
                try expect(":")
                current = block
                continue
            }
            guard let block = current else { throw error("instruction outside a block") }
            try instruction(in: block, builder: &builder)
        }
        for block in function.layout where function.blocks[Int(block.index)].instructions.isEmpty {
            throw error("\(block) is empty")
        }
        return function
    }

    mutating func blockCall(_ builder: inout NumberedBuilder) throws -> BlockCall {
        let block = builder.block(try numbered("block"))
        var arguments: [Value] = []
        if accept("(") {
            if !accept(")") {
                repeat { arguments.append(Value(UInt32(try numbered("v")))) } while accept(",")
                try expect(")")
            }
        }
        return BlockCall(block, arguments)
    }

    mutating func value() throws -> Value { Value(UInt32(try numbered("v"))) }

    mutating func address() throws -> (Value, Int64) {
        let base = try value()
        var offset: Int64 = 0
        if accept("+") {
            offset = try integer()
        } else if accept("-") {
            offset = -(try integer())
        } else if peek()?.kind == .number {
            offset = try integer()
        }
        return (base, offset)
    }

    mutating func trapCode() throws -> TrapCode {
        let name = try word()
        guard let code = TrapCode.allCases.first(where: { Printer.trapName($0) == name }) else {
            throw error("unknown trap code '\(name)'")
        }
        return code
    }

    mutating func instruction(in block: Block, builder: inout NumberedBuilder) throws {
        var sourceOffset: UInt32 = 0
        if accept("@") {
            let token = try next()
            guard let offset = UInt32(token.text, radix: 16) else { throw error("bad source offset '\(token.text)'") }
            sourceOffset = offset
        }
        var results: [Int] = []
        if peek()?.text.hasPrefix("v") == true, peek(1)?.text == "=" || peek(1)?.text == "," {
            repeat { results.append(try numbered("v")) } while accept(",")
            try expect("=")
        }
        let mnemonic = try word()
        var name = Substring(mnemonic)
        var type = IRType.i32
        if let dot = mnemonic.lastIndex(of: "."), let t = IRType.allCases.first(where: { $0.description == mnemonic[mnemonic.index(after: dot)...] }) {
            name = mnemonic[..<dot]
            type = t
        }
        var inst: Instruction
        var resultTypes: [IRType] = []
        let function = builder.function
        if let width = MemoryWidth.allCases.first(where: { $0.loadName == name || "p" + $0.loadName == name }) {
            var operands: [Value] = []
            if !name.hasPrefix("p") {
                operands.append(try value())
                try expect(",")
            }
            let (base, offset) = try address()
            operands.append(base)
            inst = Instruction(name.hasPrefix("p") ? .pload : .load, type: type, operands: operands, immediate: offset, subcode: width.rawValue)
            resultTypes = [type]
        } else if let width = MemoryWidth.allCases.first(where: { $0.storeName == name || "p" + $0.storeName == name }) {
            var operands: [Value] = []
            if !name.hasPrefix("p") {
                operands.append(try value())
                try expect(",")
            }
            let (base, offset) = try address()
            operands.append(base)
            try expect(",")
            operands.append(try value())
            // store8 etc. name the narrow width; the unsigned variant stands for it.
            let narrow: MemoryWidth = width == .s8 ? .u8 : width == .s16 ? .u16 : width == .s32 ? .u32 : width
            inst = Instruction(name.hasPrefix("p") ? .pstore : .store, type: type, operands: operands, immediate: offset, subcode: narrow.rawValue)
        } else {
            guard let opcode = Opcode.byName[String(name)] else { throw error("unknown opcode '\(mnemonic)'") }
            inst = Instruction(opcode, type: type)
            switch opcode.format {
            case .memory:
                throw error("memory access '\(mnemonic)' needs a width-named opcode")
            case .constant:
                inst.immediate = try integer()
                resultTypes = [type]
            case .unary:
                inst.operands = [try value()]
                resultTypes = [type]
            case .binary:
                inst.operands = [try value()]
                try expect(",")
                inst.operands.append(try value())
                resultTypes = [type]
            case .compare:
                let condition = try word()
                if opcode == .icmp {
                    guard let c = IntCondition.allCases.first(where: { $0.description == condition }) else { throw error("bad condition \(condition)") }
                    inst.subcode = c.rawValue
                } else {
                    guard let c = FloatCondition.allCases.first(where: { $0.description == condition }) else { throw error("bad condition \(condition)") }
                    inst.subcode = c.rawValue
                }
                inst.operands = [try value()]
                try expect(",")
                inst.operands.append(try value())
                inst.type = .i32
                resultTypes = [.i32]
            case .select:
                inst.operands = [try value()]
                try expect(",")
                inst.operands.append(try value())
                try expect(",")
                inst.operands.append(try value())
                resultTypes = [type]
            case .call:
                let signature: Signature
                if opcode == .call {
                    let callee = try numbered("fn")
                    inst.immediate = Int64(callee)
                    guard let index = function.calleeSignatures[Int64(callee)] else { throw error("fn\(callee) has no signature line") }
                    signature = function.signatures[index]
                } else {
                    let index = try numbered("sig")
                    guard index < function.signatures.count else { throw error("unknown sig\(index)") }
                    inst.immediate = Int64(index)
                    signature = function.signatures[index]
                    inst.operands = [try value()]
                }
                try expect("(")
                if !accept(")") {
                    repeat { inst.operands.append(try value()) } while accept(",")
                    try expect(")")
                }
                resultTypes = signature.results
            case .jump:
                inst.targets = [try blockCall(&builder)]
            case .branchIf:
                inst.operands = [try value()]
                try expect(",")
                inst.targets = [try blockCall(&builder)]
                try expect(",")
                inst.targets.append(try blockCall(&builder))
            case .branchTable:
                inst.operands = [try value()]
                try expect(",")
                inst.targets = [try blockCall(&builder)]
                try expect(",")
                try expect("[")
                if !accept("]") {
                    repeat { inst.targets.append(try blockCall(&builder)) } while accept(",")
                    try expect("]")
                }
            case .ret:
                if peek()?.text.hasPrefix("v") == true && peek()?.kind == .word {
                    repeat { inst.operands.append(try value()) } while accept(",")
                }
            case .trap:
                if opcode == .trap {
                    inst.immediate = Int64(try trapCode().rawValue)
                } else if opcode == .epochCheck {
                    inst.operands = [try value()]
                    inst.subcode = UInt8(TrapCode.interrupted.rawValue)
                } else {
                    inst.operands = [try value()]
                    try expect(",")
                    inst.subcode = UInt8(try trapCode().rawValue)
                }
            }
        }
        inst.sourceOffset = sourceOffset
        guard results.count == resultTypes.count else {
            throw error("\(mnemonic) produces \(resultTypes.count) results, \(results.count) named")
        }
        let index = function.instructions.count
        inst.results = results.map { Value(UInt32($0)) }
        for (i, value) in results.enumerated() {
            builder.define(value, type: resultTypes[i], as: .result(instruction: index, i))
        }
        function.instructions.append(inst)
        function.blocks[Int(block.index)].instructions.append(index)
    }
}

/// Creates values and blocks at the numbers the text gives them.
struct NumberedBuilder {
    let function: Function

    mutating func block(_ number: Int) -> Block {
        while function.blocks.count <= number { function.blocks.append(BlockData()) }
        return Block(UInt32(number))
    }

    mutating func define(_ number: Int, type: IRType, as definition: ValueDefinition) {
        while function.values.count <= number {
            // Gaps get a placeholder that nothing refers to.
            function.values.append(ValueData(type: .i32, definition: .result(instruction: -1, 0)))
        }
        function.values[number] = ValueData(type: type, definition: definition)
    }
}
