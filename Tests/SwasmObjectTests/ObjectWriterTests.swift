import Foundation
import Testing
@testable import SwasmObject

/// `int answer(void) { return 42; }` on x86-64: mov $42, %eax; ret.
private let answerX64: [UInt8] = [0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3]
/// The same on AArch64: mov w0, #42; ret.
private let answerA64: [UInt8] = [0x40, 0x05, 0x80, 0x52, 0xc0, 0x03, 0x5f, 0xd6]

private func sampleDescription(target: ObjectTarget = .x86_64) -> ObjectFileDescription {
    // Two functions (a local helper returning 7, then `answer`) and metadata
    // behind a global object symbol.
    let helper: [UInt8] = target == .x86_64 ? [0xb8, 0x07, 0x00, 0x00, 0x00, 0xc3] : [0xe0, 0x00, 0x80, 0x52, 0xc0, 0x03, 0x5f, 0xd6]
    let answer = target == .x86_64 ? answerX64 : answerA64
    let padding = [UInt8](repeating: target == .x86_64 ? 0xcc : 0, count: 16 - helper.count)
    let text = helper + padding + answer
    let metadata: [UInt8] = Array("SWASMETA".utf8) + [1, 0, 0, 0] + [UInt8](repeating: 0xab, count: 20)
    return ObjectFileDescription(target: target, text: text, metadata: metadata, symbols: [
        ObjectSymbol(name: "answer", section: .text, offset: 16, size: answer.count, isGlobal: true, isFunction: true),
        ObjectSymbol(name: "swasm_module_metadata", section: .metadata, offset: 0, size: metadata.count,
                     isGlobal: true, isFunction: false),
        ObjectSymbol(name: "helper", section: .text, offset: 0, size: helper.count, isGlobal: false, isFunction: true),
    ])
}

private struct ToolResult { var status: Int32; var output: String }

private struct MissingTool: Error, CustomStringConvertible {
    var tool: String
    var description: String { "\(tool) is not on PATH; `make deps` installs it" }
}

/// Runs a tool found on PATH. A missing tool fails the test: these checks
/// are the point of the tests, so passing without them would prove nothing.
private func run(_ tool: String, _ arguments: [String]) throws -> ToolResult {
    guard let path = findTool(tool) else { throw MissingTool(tool: tool) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ToolResult(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
}

private func findTool(_ name: String) -> String? {
    if name.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
    for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

private func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "swasm-object-tests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

// Little-endian field readers for checking the layout directly.
private func u16(_ bytes: [UInt8], _ offset: Int) -> Int { Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 }
private func u32(_ bytes: [UInt8], _ offset: Int) -> Int { u16(bytes, offset) | u16(bytes, offset + 2) << 16 }
private func u64(_ bytes: [UInt8], _ offset: Int) -> Int { u32(bytes, offset) | u32(bytes, offset + 4) << 32 }

private struct SectionHeader { var name: String; var type, flags, offset, size, link, info, align, entsize: Int }

private func sectionHeaders(_ bytes: [UInt8]) -> [SectionHeader] {
    let shoff = u64(bytes, 0x28), shnum = u16(bytes, 0x3c), shstrndx = u16(bytes, 0x3e)
    func raw(_ i: Int) -> (Int, SectionHeader) {
        let base = shoff + i * 64
        return (u32(bytes, base), SectionHeader(
            name: "", type: u32(bytes, base + 4), flags: u64(bytes, base + 8), offset: u64(bytes, base + 24),
            size: u64(bytes, base + 32), link: u32(bytes, base + 40), info: u32(bytes, base + 44),
            align: u64(bytes, base + 48), entsize: u64(bytes, base + 56)))
    }
    let names = raw(shstrndx).1
    return (0..<shnum).map { i in
        var (nameOffset, header) = raw(i)
        var end = names.offset + nameOffset
        while bytes[end] != 0 { end += 1 }
        header.name = String(decoding: bytes[(names.offset + nameOffset)..<end], as: UTF8.self)
        return header
    }
}

@Suite struct ObjectWriterTests {
    @Test func outputIsDeterministic() throws {
        let first = try ObjectWriter.write(sampleDescription())
        let second = try ObjectWriter.write(sampleDescription())
        #expect(first == second)
        var changed = sampleDescription()
        changed.metadata[0] ^= 1
        #expect(try ObjectWriter.write(changed) != first)
        #expect(try ObjectWriter.write(sampleDescription(target: .aarch64)) == ObjectWriter.write(sampleDescription(target: .aarch64)))
    }

    @Test(arguments: ObjectTarget.allCases)
    func layoutIsPageAlignedAndSymbolsOrdered(target: ObjectTarget) throws {
        let description = sampleDescription(target: target)
        let bytes = try ObjectWriter.write(description)
        #expect(Array(bytes[0..<4]) == [0x7f, 0x45, 0x4c, 0x46])
        #expect(bytes[4] == 2 && bytes[5] == 1 && bytes[6] == 1)  // ELFCLASS64, LSB, EV_CURRENT
        #expect(u16(bytes, 0x10) == 1)                              // ET_REL
        #expect(u16(bytes, 0x12) == Int(target.elfMachine))
        #expect(u16(bytes, 0x3a) == 64)                             // e_shentsize

        let sections = sectionHeaders(bytes)
        #expect(sections.map(\.name) == ["", ".text", ".swasm_metadata", ".note.GNU-stack", ".symtab", ".strtab", ".shstrtab"])
        let text = sections[1], metadata = sections[2], note = sections[3], symtab = sections[4]
        #expect(text.flags == 0x6 && text.align == 4096)
        #expect(text.offset % target.filePageSize == 0 && text.offset > 0)
        #expect(Array(bytes[text.offset..<(text.offset + text.size)]) == description.text)
        #expect(metadata.flags == 0x2 && metadata.align == 16)
        #expect(metadata.offset % target.filePageSize == 0)
        #expect(Array(bytes[metadata.offset..<(metadata.offset + metadata.size)]) == description.metadata)
        #expect(note.flags == 0 && note.size == 0)
        #expect(symtab.type == 2 && symtab.entsize == 24 && symtab.link == 5)
        // null + 3 section symbols + 1 local: the first global is index 5.
        #expect(symtab.info == 5)
        #expect(symtab.size / 24 == 7)
        for i in 0..<(symtab.size / 24) {
            let binding = Int(bytes[symtab.offset + i * 24 + 4]) >> 4
            #expect(binding == (i < symtab.info ? 0 : 1), "symbol \(i) is on the wrong side of sh_info")
        }
        // No relocation sections at all.
        #expect(!sections.contains { $0.type == 4 || $0.type == 9 })
    }

    @Test func readelfReportsACleanObject() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for target in ObjectTarget.allCases {
            let path = "\(directory)/sample-\(target).o"
            try ObjectWriter.write(sampleDescription(target: target), to: path)
            let result = try run("readelf", ["-a", "-W", path])
            #expect(result.status == 0)
            let output = result.output
            #expect(!output.lowercased().contains("warning"), "\(output)")
            #expect(!output.lowercased().contains("error"), "\(output)")
            #expect(output.contains("REL (Relocatable file)"))
            #expect(output.contains(target == .x86_64 ? "Advanced Micro Devices X86-64" : "AArch64"))
            #expect(output.contains("There are no relocations in this file."))
            // Section lines: "[ 1] .text PROGBITS 0000000000000000 001000 000016 00 AX 0 0 4096"
            let sectionLines = output.split(separator: "\n").filter { $0.contains("] .") }
            func fields(_ name: String) -> [Substring]? {
                sectionLines.first { $0.split(separator: " ").contains(Substring(name)) }?
                    .split(separator: "]").last?.split(separator: " ")
            }
            let text = try #require(fields(".text"))
            #expect(text[1] == "PROGBITS" && text[6] == "AX" && text.last == "4096")
            #expect(Int(text[3], radix: 16)! % target.filePageSize == 0)
            let metadata = try #require(fields(".swasm_metadata"))
            #expect(metadata[1] == "PROGBITS" && metadata[6] == "A" && metadata.last == "16")
            let note = try #require(fields(".note.GNU-stack"))
            #expect(note[1] == "PROGBITS" && Int(note[4], radix: 16) == 0)
            #expect(fields(".symtab") != nil && fields(".strtab") != nil && fields(".shstrtab") != nil)
            // Symbols: "Num: Value Size Type Bind Vis Ndx Name"
            let symbolLines = output.split(separator: "\n").map { $0.split(separator: " ") }
                .filter { $0.count >= 8 && $0[0].hasSuffix(":") && Int($0[0].dropLast()) != nil }
            func symbol(_ name: String) -> [Substring]? { symbolLines.first { $0.last.map(String.init) == name } }
            let answer = try #require(symbol("answer"))
            #expect(answer[1] == "0000000000000010" && answer[2] == (target == .x86_64 ? "6" : "8"))
            #expect(answer[3] == "FUNC" && answer[4] == "GLOBAL" && answer[5] == "DEFAULT" && answer[6] == "1")
            let helper = try #require(symbol("helper"))
            #expect(helper[3] == "FUNC" && helper[4] == "LOCAL")
            let meta = try #require(symbol("swasm_module_metadata"))
            #expect(meta[3] == "OBJECT" && meta[4] == "GLOBAL" && meta[6] == "2" && meta[2] == "32")
            #expect(symbolLines.filter { $0.count == 8 && $0[3] == "SECTION" }.count == 3)
            #expect(output.contains("Symbol table '.symtab' contains 7 entries"))
        }
    }

    @Test func objdumpDisassemblesWithSymbolNames() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/sample.o"
        try ObjectWriter.write(sampleDescription(), to: path)
        let result = try run("objdump", ["-d", path])
        #expect(result.status == 0)
        #expect(!result.output.lowercased().contains("warning"), "\(result.output)")
        #expect(result.output.contains("Disassembly of section .text:"))
        #expect(result.output.contains("<helper>:"))
        #expect(result.output.contains("<answer>:"))
        #expect(result.output.contains("mov    $0x2a,%eax"))
        #expect(result.output.contains("mov    $0x7,%eax"))
        #expect(result.output.contains("ret"))
    }

    @Test func linksWithCAndRuns() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ObjectWriter.write(sampleDescription(), to: "\(directory)/answer.o")
        try """
        #include <stdio.h>
        int answer(void);
        extern const unsigned char swasm_module_metadata[];
        int main(void) {
            printf("%d %.8s\\n", answer(), (const char *)swasm_module_metadata);
            return answer() == 42 ? 0 : 1;
        }
        """.write(toFile: "\(directory)/main.c", atomically: true, encoding: .utf8)
        let link = try run("cc", ["-Wl,--fatal-warnings", "-o", "\(directory)/main", "\(directory)/main.c", "\(directory)/answer.o"])
        #expect(link.status == 0, "\(link.output)")
        #expect(!link.output.lowercased().contains("warning"), "\(link.output)")
        let result = try run("\(directory)/main", [])
        #expect(result.status == 0)
        #expect(result.output == "42 SWASMETA\n")
    }

    @Test func linksForAArch64AndRunsUnderQemu() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ObjectWriter.write(sampleDescription(target: .aarch64), to: "\(directory)/answer.o")
        try "int answer(void); int main(void) { return answer(); }"
            .write(toFile: "\(directory)/main.c", atomically: true, encoding: .utf8)
        let link = try run("aarch64-linux-gnu-gcc", ["-static", "-o", "\(directory)/main", "\(directory)/main.c", "\(directory)/answer.o"])
        #expect(link.status == 0, "\(link.output)")
        let result = try run("qemu-aarch64", ["\(directory)/main"])
        #expect(result.status == 42)
    }

    @Test func emptySectionsStillMakeAValidObject() throws {
        let bytes = try ObjectWriter.write(ObjectFileDescription(target: .x86_64, text: [], metadata: [], symbols: []))
        let sections = sectionHeaders(bytes)
        #expect(sections[1].size == 0 && sections[1].offset == 4096)
        #expect(sections[4].info == 4)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ObjectWriter.write(ObjectFileDescription(target: .x86_64, text: [], metadata: [], symbols: []), to: "\(directory)/empty.o")
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: "\(directory)/empty.o"))) == bytes)
        let result = try run("readelf", ["-a", "-W", "\(directory)/empty.o"])
        #expect(result.status == 0 && !result.output.lowercased().contains("warning"), "\(result.output)")
    }

    @Test func largeTextKeepsMetadataPageAligned() throws {
        let text = [UInt8](repeating: 0x90, count: 3 * 4096 + 17) + [0xc3]
        let bytes = try ObjectWriter.write(ObjectFileDescription(target: .x86_64, text: text, metadata: [1, 2, 3], symbols: [
            ObjectSymbol(name: "f", section: .text, offset: 0, size: text.count, isGlobal: true, isFunction: true),
        ]))
        let sections = sectionHeaders(bytes)
        #expect(sections[1].offset == 4096 && sections[1].size == text.count)
        #expect(sections[2].offset == 5 * 4096)
        #expect(Array(bytes[sections[1].offset..<(sections[1].offset + text.count)]) == text)
    }

    @Test func rejectsInvalidSymbols() {
        func attempt(_ symbol: ObjectSymbol, _ more: [ObjectSymbol] = []) -> ObjectWriterError? {
            do {
                _ = try ObjectWriter.write(ObjectFileDescription(target: .x86_64, text: answerX64, metadata: [0, 0], symbols: [symbol] + more))
                return nil
            } catch let error as ObjectWriterError {
                return error
            } catch {
                return nil
            }
        }
        let ok = ObjectSymbol(name: "f", section: .text, offset: 0, size: 6, isGlobal: true, isFunction: true)
        #expect(attempt(ok) == nil)
        var symbol = ok
        symbol.name = ""
        #expect(attempt(symbol) == .invalidSymbol(name: "", reason: "empty name"))
        symbol.name = "a\0b"
        #expect(attempt(symbol) == .invalidSymbol(name: "a\0b", reason: "NUL byte in name"))
        symbol = ok
        symbol.size = 7
        #expect(attempt(symbol)?.description.contains("outside its section") == true)
        symbol = ok
        symbol.offset = -1
        #expect(attempt(symbol) != nil)
        symbol = ok
        symbol.section = .metadata
        #expect(attempt(symbol) != nil)
        symbol.size = 2
        #expect(attempt(symbol) == nil)
        symbol = ok
        symbol.offset = Int.max
        #expect(attempt(symbol) != nil)
        #expect(attempt(ok, [ok]) == .duplicateGlobalSymbol("f"))
        var local = ok
        local.isGlobal = false
        #expect(attempt(local, [local, ok]) == nil)  // locals may share a name
    }

    @Test func writeToAnUnwritablePathThrows() {
        #expect(throws: ObjectWriterError.self) {
            try ObjectWriter.write(sampleDescription(), to: "/nonexistent-directory/x.o")
        }
    }
}
