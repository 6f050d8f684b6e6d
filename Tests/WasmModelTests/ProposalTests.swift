// Encodings that WebAssembly 2.0 lacks but a later proposal defines are
// refused by naming the feature: `unsupported: tail calls (proposal
// "tail-call"): return_call`. The error keeps the kind 2.0 gives the bytes
// (malformed or invalid), so the spec testsuite's expectations still hold.
import Testing
import WasmModel

/// Expects `bytes` to be refused for `proposal` at `offset`, naming `what`.
private func expectProposal(
    _ bytes: [UInt8], _ proposal: Proposal, _ kind: WasmError.Kind = .malformed, offset: Int, _ what: String,
    function: UInt32? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
    do {
        _ = try Validator.decodeAndValidate(bytes)
        Issue.record("accepted, expected \(proposal)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.proposal == proposal, "\(error)", sourceLocation: sourceLocation)
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        #expect(error.offset == offset, "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.hasPrefix("unsupported: \(proposal.feature) (proposal \"\(proposal.rawValue)\"): "),
                "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.contains(what), "\(error)", sourceLocation: sourceLocation)
        #expect(error.functionIndex == function, "\(error)", sourceLocation: sourceLocation)
    }
}

struct ProposalModuleTests {
    @Test func tagSection() {
        expectProposal(Bin.module([0x0D, 0x00]), .exceptions, offset: 8, "tag section")
    }

    @Test(arguments: [
        (0x5F, Proposal.gc), (0x5E, .gc), (0x4E, .gc), (0x50, .gc), (0x4F, .gc),
    ] as [(UInt8, Proposal)])
    func typeForms(form: UInt8, proposal: Proposal) {
        expectProposal(Bin.module(Bin.section(1, [0x01, form, 0x00, 0x00])), proposal, offset: 11, "type form")
    }

    @Test(arguments: [
        (0x64, Proposal.functionReferences), (0x63, .functionReferences), (0x6E, .gc), (0x6C, .gc), (0x71, .gc),
        (0x69, .exceptions),
    ] as [(UInt8, Proposal)])
    func valueTypes(byte: UInt8, proposal: Proposal) {
        expectProposal(Bin.module(Bin.section(1, [0x01, 0x60, 0x01, byte, 0x00])), proposal, offset: 13, "value type")
    }

    @Test(arguments: [
        (0x02, Proposal.threads), (0x03, .threads), (0x04, .memory64), (0x05, .memory64), (0x08, .customPageSizes),
    ] as [(UInt8, Proposal)])
    func memoryLimitsFlags(flags: UInt8, proposal: Proposal) {
        expectProposal(Bin.module(Bin.section(5, [0x01, flags, 0x01, 0x02])), proposal, offset: 11, "limits flags")
    }

    @Test func table64() {
        expectProposal(Bin.module(Bin.section(4, [0x01, 0x70, 0x05, 0x00, 0x01])), .memory64, offset: 12, "limits flags 0x05")
    }

    @Test func tagImportAndExport() {
        expectProposal(Bin.module(Bin.section(2, [0x01] + Bin.name("m") + Bin.name("t") + [0x04, 0x00, 0x00])),
                       .exceptions, offset: 15, "tag import")
        expectProposal(Bin.module(Bin.section(7, [0x01] + Bin.name("t") + [0x04, 0x00])), .exceptions, offset: 13, "tag export")
    }

    @Test func gcInstructionInAConstantExpression() {
        // (global i32 (ref.i31 ...)): 0xFB 0x1C.
        expectProposal(Bin.module(Bin.section(6, [0x01, 0x7F, 0x00, 0xFB, 0x1C, 0x0B])), .gc, offset: 13, "instruction 0xfb 28")
    }

    @Test func extendedConstantExpression() {
        // (global i32 (i32.add (i32.const 1) (i32.const 2)))
        let global: [UInt8] = [0x01, 0x7F, 0x00, 0x41, 0x01, 0x41, 0x02, 0x6A, 0x0B]
        expectProposal(Bin.module(Bin.section(6, global)), .extendedConst, .invalid, offset: 17, "i32.add")
    }

    @Test func secondMemory() {
        expectProposal(Bin.module(Bin.section(5, Bin.vec([[0x00, 0x01], [0x00, 0x01]]))), .multiMemory, .invalid,
                       offset: 10, "2 memories")
    }

    @Test func unassignedBytesStayPlainlyMalformed() throws {
        for bytes in [Bin.module([0x0E, 0x00]), Bin.module(Bin.section(1, [0x01, 0x60, 0x01, 0x7A, 0x00]))] {
            do {
                _ = try Validator.decodeAndValidate(bytes)
                Issue.record("accepted")
            } catch {
                #expect(error.kind == .malformed && error.proposal == nil, "\(error)")
                #expect(!error.message.contains("unsupported"), "\(error)")
            }
        }
    }
}

struct ProposalInstructionTests {
    /// One function with a memory, a funcref table and `code` as its body
    /// (no locals); returns the module and the offset of `code`.
    static func module(_ code: [UInt8]) throws -> (bytes: [UInt8], codeOffset: Int) {
        let body = [0x00] + code
        let bytes = Bin.module(Bin.voidType, Bin.functions(1), Bin.section(4, Bin.vec([[0x70, 0x00, 0x01]])),
                               Bin.section(5, Bin.vec([[0x00, 0x01]])),
                               Bin.section(10, Bin.vec([Bin.uleb(body.count) + body])))
        let decoded = try Decoder.decode(bytes)
        return (bytes, decoded.bodies[0].code.lowerBound)
    }

    @Test(arguments: [
        ([0x06, 0x40, 0x0B, 0x0B], 0, Proposal.exceptions, "try"),
        ([0x08, 0x00, 0x0B], 0, .exceptions, "throw"),
        ([0x0A, 0x0B], 0, .exceptions, "throw_ref"),
        ([0x1F, 0x40, 0x00, 0x0B, 0x0B], 0, .exceptions, "try_table"),
        ([0x12, 0x00, 0x0B], 0, .tailCall, "return_call"),
        ([0x41, 0x00, 0x13, 0x00, 0x00, 0x0B], 2, .tailCall, "return_call_indirect"),
        ([0x14, 0x00, 0x0B], 0, .functionReferences, "call_ref"),
        ([0xD0, 0x70, 0xD4, 0x1A, 0x0B], 2, .functionReferences, "ref.as_non_null"),
        ([0xD0, 0x70, 0xD3, 0x0B], 2, .gc, "ref.eq"),
        ([0xFB, 0x1C, 0x0B], 0, .gc, "instruction 0xfb 28"),
        ([0xFE, 0x03, 0x00, 0x0B], 0, .threads, "atomic instruction 0xfe 3"),
        ([0xFD, 0x80, 0x02, 0x0B], 0, .relaxedSIMD, "instruction 0xfd 256"),
        ([0xFC, 0x13, 0x0B], 0, .wideArithmetic, "instruction 0xfc 19"),
        // i32.load with memarg flags 0x40: a memory index follows.
        ([0x41, 0x00, 0x28, 0x40, 0x00, 0x00, 0x1A, 0x0B], 3, .multiMemory, "memory index in i32.load"),
        // memory.size of memory 1.
        ([0x3F, 0x01, 0x1A, 0x0B], 1, .multiMemory, "zero byte expected in memory.size"),
        // block (result (ref null func)).
        ([0x02, 0x63, 0x70, 0x0B, 0x0B], 1, .functionReferences, "block type 0x63"),
        ([0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0x1C, 0x01, 0x6E, 0x1A, 0x0B], 8, .gc, "select type 0x6e"),
        ([0xD0, 0x6E, 0x1A, 0x0B], 1, .gc, "ref.null of heap type 0x6e"),
    ] as [([UInt8], Int, Proposal, String)])
    func instruction(code: [UInt8], at index: Int, proposal: Proposal, what: String) throws {
        let (bytes, codeOffset) = try Self.module(code)
        expectProposal(bytes, proposal, offset: codeOffset + index, what, function: 0)
    }

    @Test func unassignedOpcodeStaysIllegal() throws {
        let (bytes, codeOffset) = try Self.module([0x27, 0x0B])
        do {
            _ = try Validator.decodeAndValidate(bytes)
            Issue.record("accepted")
        } catch {
            #expect(error.kind == .malformed && error.proposal == nil && error.offset == codeOffset, "\(error)")
            #expect(error.message == "illegal opcode 0x27", "\(error)")
        }
    }
}
