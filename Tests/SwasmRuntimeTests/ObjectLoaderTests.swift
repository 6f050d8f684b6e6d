import Foundation
import Testing
@testable import SwasmRuntime

// The objects here are built byte by byte with the same layout as
// SwasmObject's ObjectWriter (this test target does not depend on it):
// header, .text at a page-aligned offset, .swasm_metadata at the next page,
// .note.GNU-stack, .symtab, .strtab, .shstrtab, section headers.

#if arch(x86_64)
/// `int answer(void) { return 42; }` and `helper` returning 7.
private let answerCode: [UInt8] = [0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3]
private let helperCode: [UInt8] = [0xb8, 0x07, 0x00, 0x00, 0x00, 0xc3]
#elseif arch(arm64)
private let answerCode: [UInt8] = [0x40, 0x05, 0x80, 0x52, 0xc0, 0x03, 0x5f, 0xd6]
private let helperCode: [UInt8] = [0xe0, 0x00, 0x80, 0x52, 0xc0, 0x03, 0x5f, 0xd6]
#endif

private struct TestSymbol {
    var name: String
    var section: Int     // ELF section index: 1 .text, 2 .swasm_metadata
    var value: Int
    var size: Int
    var global: Bool
    var function: Bool
}

private struct TestObject {
    var machine: UInt16 = ObjectImage.hostMachine
    var type: UInt16 = 1
    var text: [UInt8] = helperCode + [UInt8](repeating: 0, count: 16 - helperCode.count) + answerCode
    var metadata: [UInt8] = Array("SWASMETA".utf8) + [1, 0, 0, 0] + (0..<20).map { UInt8($0) }
    var textOffset = 4096
    var metadataName = ".swasm_metadata"
    var relocationsAgainstText = false
    var symbols: [TestSymbol] = [
        TestSymbol(name: "helper", section: 1, value: 0, size: helperCode.count, global: false, function: true),
        TestSymbol(name: "answer", section: 1, value: 16, size: answerCode.count, global: true, function: true),
        TestSymbol(name: "swasm_module_metadata", section: 2, value: 0, size: 32, global: true, function: false),
    ]

    func bytes() -> [UInt8] {
        func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
        func align(_ value: Int, _ alignment: Int) -> Int { (value + alignment - 1) / alignment * alignment }

        var strtab: [UInt8] = [0]
        var symtab = [UInt8](repeating: 0, count: 24)
        for section in 1...3 { symtab += le(UInt32(0)) + [3, 0] + le(UInt16(section)) + le(UInt64(0)) + le(UInt64(0)) }
        let ordered = symbols.filter { !$0.global } + symbols.filter(\.global)
        for symbol in ordered {
            let name = strtab.count
            strtab += Array(symbol.name.utf8) + [0]
            symtab += le(UInt32(name)) + [(symbol.global ? 1 : 0) << 4 | (symbol.function ? 2 : 1), 0]
                + le(UInt16(symbol.section)) + le(UInt64(symbol.value)) + le(UInt64(symbol.size))
        }
        var sectionNames = [".text", metadataName, ".note.GNU-stack", ".symtab", ".strtab", ".shstrtab"]
        if relocationsAgainstText { sectionNames.append(".rela.text") }
        var shstrtab: [UInt8] = [0]
        var nameOffsets: [Int] = []
        for name in sectionNames { nameOffsets.append(shstrtab.count); shstrtab += Array(name.utf8) + [0] }
        let rela: [UInt8] = relocationsAgainstText ? le(UInt64(1)) + le(UInt64(2) | UInt64(4) << 32) + le(Int64(-4)) : []

        // (offset, contents) of sections 1...
        var placed: [(Int, [UInt8])] = []
        var offset = textOffset
        placed.append((offset, text))
        offset = align(offset + text.count, 4096)
        placed.append((offset, metadata))
        offset += metadata.count
        placed.append((offset, []))
        offset = align(offset, 8)
        for contents in [symtab, strtab, shstrtab] + (relocationsAgainstText ? [rela] : []) {
            placed.append((offset, contents))
            offset += contents.count
        }
        let tableOffset = align(offset, 8)
        let count = placed.count + 1

        var file = [UInt8](repeating: 0, count: tableOffset)
        file.replaceSubrange(0..<16, with: [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        file.replaceSubrange(16..<64, with: le(type) + le(machine) + le(UInt32(1)) + le(UInt64(0)) + le(UInt64(0))
            + le(UInt64(tableOffset)) + le(UInt32(0)) + le(UInt16(64)) + le(UInt16(0)) + le(UInt16(0))
            + le(UInt16(64)) + le(UInt16(count)) + le(UInt16(6)))
        for (at, contents) in placed { file.replaceSubrange(at..<(at + contents.count), with: contents) }

        func sectionHeader(name: Int, type: UInt32, flags: UInt64, index: Int, link: UInt32 = 0, info: UInt32 = 0,
                           align: UInt64, entsize: UInt64 = 0) -> [UInt8] {
            let (at, contents) = placed[index - 1]
            return le(UInt32(name)) + le(type) + le(flags) + le(UInt64(0)) + le(UInt64(at)) + le(UInt64(contents.count))
                + le(link) + le(info) + le(align) + le(entsize)
        }
        file += [UInt8](repeating: 0, count: 64)
        file += sectionHeader(name: nameOffsets[0], type: 1, flags: 6, index: 1, align: 4096)
        file += sectionHeader(name: nameOffsets[1], type: 1, flags: 2, index: 2, align: 16)
        file += sectionHeader(name: nameOffsets[2], type: 1, flags: 0, index: 3, align: 1)
        file += sectionHeader(name: nameOffsets[3], type: 2, flags: 0, index: 4, link: 5,
                              info: UInt32(4 + symbols.filter { !$0.global }.count), align: 8, entsize: 24)
        file += sectionHeader(name: nameOffsets[4], type: 3, flags: 0, index: 5, align: 1)
        file += sectionHeader(name: nameOffsets[5], type: 3, flags: 0, index: 6, align: 1)
        if relocationsAgainstText {
            file += sectionHeader(name: nameOffsets[6], type: 4, flags: 0x40, index: 7, link: 4, info: 1, align: 8, entsize: 24)
        }
        return file
    }
}

/// A scratch directory, removed at the end of each test.
private final class Scratch {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "swasm-loader-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ bytes: [UInt8], name: String = "object.o") throws -> String {
        let file = "\(path)/\(name)"
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }
}

private func loaderError(_ body: () throws -> Void) -> LoaderError? {
    do {
        try body()
        return nil
    } catch let error as LoaderError {
        return error
    } catch {
        Issue.record("not a LoaderError: \(error)")
        return nil
    }
}

private func runTool(_ tool: String, _ arguments: [String]) -> Int32? {
    let candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        .map { "\($0)/\(tool)" }
    guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.standardError = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    process.waitUntilExit()
    return process.terminationStatus
}

/// SplitMix64: a fixed-seed generator, so failures reproduce.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// The name of an error's enum case.
private func caseName(_ error: LoaderError) -> String {
    Mirror(reflecting: error).children.first?.label ?? String(describing: error)
}

/// Touches everything a loaded image exposes, to shake out bad reads.
private func exercise(_ image: ObjectImage) -> Int {
    var sum = 0
    for byte in image.text { sum &+= Int(byte) }
    for byte in image.metadata { sum &+= Int(byte) }
    for (name, symbol) in image.symbols() { sum &+= name.utf8.count &+ symbol.offset &+ symbol.size }
    for name in ["answer", "helper", "swasm_module_metadata", "", "missing"] {
        if let symbol = image.symbol(named: name) { sum &+= symbol.offset &+ symbol.size }
        if let address = image.textAddress(ofSymbol: name) { sum &+= Int(address.load(as: UInt8.self)) }
    }
    return sum
}

@Suite struct ObjectLoaderTests {
    @Test func loadsAndMapsAnObject() throws {
        let scratch = try Scratch()
        let object = TestObject()
        let image = try ObjectImage(path: try scratch.write(object.bytes()))
        #expect(image.machine == ObjectImage.hostMachine)
        #expect(Array(image.text) == object.text)
        #expect(Array(image.metadata) == object.metadata)
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        #expect(Int(bitPattern: image.text.baseAddress) % pageSize == 0)

        #expect(image.symbol(named: "answer") == ObjectImage.Symbol(section: .text, offset: 16, size: answerCode.count, isGlobal: true, isFunction: true))
        #expect(image.symbol(named: "helper") == ObjectImage.Symbol(section: .text, offset: 0, size: helperCode.count, isGlobal: false, isFunction: true))
        #expect(image.symbol(named: "swasm_module_metadata") == ObjectImage.Symbol(section: .metadata, offset: 0, size: 32, isGlobal: true, isFunction: false))
        #expect(image.symbol(named: "answe") == nil)
        #expect(image.symbol(named: "answer2") == nil)
        #expect(image.symbol(named: "") == nil)
        #expect(image.symbols().map(\.name) == ["helper", "answer", "swasm_module_metadata"])
        #expect(image.textAddress(ofSymbol: "swasm_module_metadata") == nil)
    }

    @Test func runsTheMappedCode() throws {
        let scratch = try Scratch()
        let image = try ObjectImage(path: try scratch.write(TestObject().bytes()))
        typealias Function = @convention(c) () -> Int32
        let answer = unsafeBitCast(try #require(image.textAddress(ofSymbol: "answer")), to: Function.self)
        let helper = unsafeBitCast(try #require(image.textAddress(ofSymbol: "helper")), to: Function.self)
        #expect(answer() == 42)
        #expect(helper() == 7)
    }

    @Test func manyImagesOfOneFileAreIndependent() throws {
        let scratch = try Scratch()
        let path = try scratch.write(TestObject().bytes())
        var images: [ObjectImage] = []
        for _ in 0..<50 { images.append(try ObjectImage(path: path)) }
        #expect(Set(images.map { Int(bitPattern: $0.text.baseAddress) }).count == 50)
        images.removeAll()  // unmapped by deinit
        let image = try ObjectImage(path: path)
        #expect(exercise(image) != 0)
    }

    @Test func emptyTextAndMetadataLoad() throws {
        let scratch = try Scratch()
        var object = TestObject()
        object.text = []
        object.metadata = []
        object.symbols = []
        let image = try ObjectImage(path: try scratch.write(object.bytes()))
        #expect(image.text.isEmpty && image.metadata.isEmpty)
        #expect(image.symbols().isEmpty)
        #expect(image.symbol(named: "answer") == nil)
    }

    @Test func rejectsAnotherMachine() throws {
        let scratch = try Scratch()
        var object = TestObject()
        let other: UInt16 = ObjectImage.hostMachine == 62 ? 183 : 62
        object.machine = other
        let path = try scratch.write(object.bytes())
        let error = loaderError { _ = try ObjectImage(path: path) }
        #expect(error == .wrongMachine(found: other, expected: ObjectImage.hostMachine))
        #if arch(x86_64)
        #expect(error?.description == "object is for aarch64, this host is x86_64")
        #endif
        // Loading for the other machine explicitly works (the code is not run).
        let image = try ObjectImage(path: path, expectedMachine: other)
        #expect(image.machine == other)
    }

    @Test func rejectsWhatIsNotAnELFObject() throws {
        let scratch = try Scratch()
        func load(_ bytes: [UInt8]) throws -> LoaderError? {
            let path = try scratch.write(bytes)
            return loaderError { _ = try ObjectImage(path: path) }
        }
        #expect(try load([]) == .notAnELFFile(size: 0))
        #expect(try load(Array("hello, world\n".utf8)) == .notAnELFFile(size: 13))
        #expect(try load([0x7f, 0x45, 0x4c]) == .notAnELFFile(size: 3))
        #expect(try load([0x7f, 0x45, 0x4c, 0x46]) == .truncatedHeader(size: 4))
        var bytes = TestObject().bytes()
        #expect(try load(Array(bytes[0..<63])) == .truncatedHeader(size: 63))
        bytes[4] = 1
        #expect(try load(bytes) == .wrongClass(1))
        #expect(try load(bytes)?.description.contains("32-bit") == true)
        bytes[4] = 2; bytes[5] = 2
        #expect(try load(bytes) == .wrongEndianness(2))
        bytes[5] = 1
        var object = TestObject()
        object.type = 3
        #expect(try load(object.bytes()) == .notRelocatable(type: 3))
        #expect(try load(object.bytes())?.description.contains("ET_DYN") == true)

        #expect(loaderError { _ = try ObjectImage(path: scratch.path) } == .notARegularFile(path: scratch.path))
        let missing = scratch.path + "/nonexistent.o"
        let error = loaderError { _ = try ObjectImage(path: missing) }
        #expect(error == .systemCallFailed(operation: "open", path: missing, errno: ENOENT))
        #expect(error?.description.contains("No such file") == true)
        // An executable of this system (ET_DYN or ET_EXEC, never ET_REL).
        if case .notRelocatable? = loaderError({ _ = try ObjectImage(path: "/bin/sh") }) {} else {
            Issue.record("/bin/sh was not rejected as not relocatable")
        }
    }

    @Test func rejectsObjectsWithoutSwasmSections() throws {
        let scratch = try Scratch()
        var object = TestObject()
        object.metadataName = ".rodata"
        let error = loaderError { _ = try ObjectImage(path: try scratch.write(object.bytes())) }
        #expect(error == .missingSection(".swasm_metadata"))
        #expect(error?.description == "missing .swasm_metadata section: not a swasm object")
    }

    @Test func rejectsTextThatIsNotPageAligned() throws {
        let scratch = try Scratch()
        var object = TestObject()
        object.textOffset = 64
        let error = loaderError { _ = try ObjectImage(path: try scratch.write(object.bytes())) }
        #expect(error == .textNotPageAligned(offset: 64, pageSize: Int(sysconf(Int32(_SC_PAGESIZE)))))
    }

    @Test func rejectsRelocationsAgainstText() throws {
        let scratch = try Scratch()
        var object = TestObject()
        object.relocationsAgainstText = true
        #expect(loaderError { _ = try ObjectImage(path: try scratch.write(object.bytes())) } == .textHasRelocations)
    }

    @Test func rejectsSectionsOutsideTheFile() throws {
        let scratch = try Scratch()
        var bytes = TestObject().bytes()
        let table = bytes.count - 7 * 64
        // .text size (section 1, sh_size at +32) far past the end.
        bytes[table + 64 + 32 + 5] = 1
        let error = loaderError { _ = try ObjectImage(path: try scratch.write(bytes)) }
        guard case .sectionOutOfBounds(name: ".text", _, _, _)? = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        // Section offset that overflows when the size is added.
        bytes = TestObject().bytes()
        for i in 0..<8 { bytes[table + 64 + 24 + i] = 0xff }
        if case .sectionOutOfBounds? = loaderError({ _ = try ObjectImage(path: try scratch.write(bytes)) }) {} else {
            Issue.record("overflowing offset not rejected")
        }
        // Section header table past the end.
        bytes = TestObject().bytes()
        bytes[40 + 6] = 0x10
        if case .badSectionHeaderTable? = loaderError({ _ = try ObjectImage(path: try scratch.write(bytes)) }) {} else {
            Issue.record("section header table past the end not rejected")
        }
    }

    @Test func rejectsObjectsFromTheSystemAssembler() throws {
        // Real objects from `as`: without .swasm_metadata, and with it but
        // with .text at the assembler's unaligned offset.
        let scratch = try Scratch()
        #if arch(x86_64)
        let code = "mov $42, %eax\n ret\n"
        #else
        let code = "mov w0, #42\n ret\n"
        #endif
        let plain = "\(scratch.path)/plain.o", withMetadata = "\(scratch.path)/meta.o"
        try ".text\n.globl answer\n.type answer,@function\nanswer:\n \(code)"
            .write(toFile: "\(scratch.path)/plain.s", atomically: true, encoding: .utf8)
        try ".text\n.globl answer\nanswer:\n \(code).section .swasm_metadata,\"a\"\n.byte 1,2,3\n"
            .write(toFile: "\(scratch.path)/meta.s", atomically: true, encoding: .utf8)
        // Without `as` (binutils, from `make deps`) the test fails: it must not pass unchecked.
        try #require(runTool("as", ["-o", plain, "\(scratch.path)/plain.s"]) == 0, "`as` is missing or failed")
        try #require(runTool("as", ["-o", withMetadata, "\(scratch.path)/meta.s"]) == 0, "`as` is missing or failed")
        #expect(loaderError { _ = try ObjectImage(path: plain) } == .missingSection(".swasm_metadata"))
        guard case .textNotPageAligned? = loaderError({ _ = try ObjectImage(path: withMetadata) }) else {
            Issue.record("assembler object with unaligned .text was not rejected")
            return
        }
    }

    @Test func everyTruncationIsRejected() throws {
        let scratch = try Scratch()
        let bytes = TestObject().bytes()
        let path = try scratch.write(bytes, name: "truncated.o")
        let fd = open(path, O_WRONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var kinds: [String: Int] = [:]
        for length in (0..<bytes.count).reversed() {
            try #require(ftruncate(fd, off_t(length)) == 0)
            guard let error = loaderError({ _ = try ObjectImage(path: path) }) else {
                Issue.record("truncation to \(length) bytes was accepted")
                continue
            }
            kinds[caseName(error), default: 0] += 1
        }
        // The table of section headers is last, so every cut breaks it.
        #expect(kinds == ["notAnELFFile": 4, "truncatedHeader": 60, "badSectionHeaderTable": bytes.count - 64])
    }

    @Test func randomCorruptionNeverCrashes() throws {
        let scratch = try Scratch()
        let original = TestObject().bytes()
        let table = original.count - 7 * 64
        // Regions whose bytes the loader interprets: the ELF header, the
        // section headers, the symbol, string and section name tables.
        let symtabStart = 4096 * 2 + 32
        let regions = [0..<64, table..<original.count, symtabStart..<table]
        var generator = SplitMix64(state: 0x5157_4153_4d00_0001)
        let path = try scratch.write(original, name: "corrupt.o")
        let fd = open(path, O_WRONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var loaded = 0, rejected = 0
        for round in 0..<3000 {
            var bytes = original
            let flips = 1 + Int(generator.next() % 4)
            for _ in 0..<flips {
                let region = regions[Int(generator.next() % UInt64(regions.count))]
                let at = region.lowerBound + Int(generator.next() % UInt64(region.count))
                if round % 3 == 0 {
                    bytes[at] ^= UInt8(1 << (generator.next() % 8))   // one bit
                } else {
                    bytes[at] = UInt8(truncatingIfNeeded: generator.next())  // whole byte
                }
            }
            let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            try #require(written == bytes.count)
            do {
                let image = try ObjectImage(path: path)
                _ = exercise(image)
                loaded += 1
            } catch is LoaderError {
                rejected += 1
            }
        }
        #expect(loaded + rejected == 3000)
        #expect(loaded > 0 && rejected > 0)
    }

    @Test func errorsDescribeTheProblem() {
        let cases: [(LoaderError, String)] = [
            (.wrongMachine(found: 183, expected: 62), "object is for aarch64, this host is x86_64"),
            (.wrongMachine(found: 62, expected: 183), "object is for x86_64, this host is aarch64"),
            (.notAnELFFile(size: 100), "not an ELF file: bad magic number (expected 7f 45 4c 46)"),
            (.truncatedHeader(size: 10), "truncated ELF header: file is 10 bytes, the header needs 64"),
            (.wrongEndianness(2), "object is big-endian (ELFDATA2MSB); expected little-endian (ELFDATA2LSB)"),
            (.textNotPageAligned(offset: 64, pageSize: 4096),
             ".text is at file offset 64, not a multiple of the page size 4096; it cannot be mapped"),
            (.sectionOutOfBounds(name: ".text", offset: 4096, size: 1 << 40, fileSize: 8000),
             "section .text (offset 4096, 1099511627776 bytes) extends past the end of the file (8000 bytes)"),
        ]
        for (error, text) in cases { #expect(error.description == text) }
    }
}
