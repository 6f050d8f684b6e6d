// Runs the GNU AArch64 cross binutils (Debian binutils-aarch64-linux-gnu,
// installed by `make deps`) over an A64Assembler's listing: `as` must give
// the same bytes, and `objdump -d` of those bytes must print the listing's
// text, line for line. One `as` and one `objdump` run per listing.
import Foundation
import Testing
@testable import SwasmCodegen

private func a64Run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let path = "/usr/bin/\(tool)"
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw GasError(description: "\(path) not found; install binutils-aarch64-linux-gnu (make deps)")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// The `.text` bytes GNU as makes of `lines`, and what objdump prints for
/// each instruction: (offset, text).
struct A64GNUResult {
    var bytes: [UInt8]
    var disassembly: [(offset: Int, text: String)]
}

/// One line of the source file per listing line, after a one-line header.
/// `march` names a later architecture for the few aliases that GNU as
/// accepts only there (objdump prints them whatever the encoding's age).
func a64AssembleWithGNU(_ lines: [String], march: String? = nil) throws -> A64GNUResult {
    let directory = NSTemporaryDirectory() + "swasm-a64-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let source = directory + "/forms.s", object = directory + "/forms.o", binary = directory + "/forms.bin"
    try (".text\n" + lines.joined(separator: "\n") + "\n").write(toFile: source, atomically: true, encoding: .utf8)
    let assembled = try a64Run("aarch64-linux-gnu-as", (march.map { ["-march=\($0)"] } ?? []) + ["-o", object, source])
    guard assembled.status == 0 else {
        let shown = assembled.output.split(separator: "\n").prefix(10).map { line -> String in
            guard let n = a64SourceLine(line), n >= 2, n - 2 < lines.count else { return String(line) }
            return "\(line)\n    listing[\(n - 2)]: \(lines[n - 2])"
        }
        throw GasError(description: "aarch64-linux-gnu-as failed:\n" + shown.joined(separator: "\n"))
    }
    let copied = try a64Run("aarch64-linux-gnu-objcopy", ["-O", "binary", "--only-section=.text", object, binary])
    guard copied.status == 0 else { throw GasError(description: "objcopy failed: \(copied.output)") }
    let dumped = try a64Run("aarch64-linux-gnu-objdump", ["-d", "--no-show-raw-insn", object])
    guard dumped.status == 0 else { throw GasError(description: "objdump failed: \(dumped.output)") }
    let disassembly = dumped.output.split(separator: "\n").compactMap { line -> (Int, String)? in
        // "  1c:\tadd\tx0, x1, #0x10" (with --no-show-raw-insn)
        let parts = line.split(separator: "\t", maxSplits: 1)
        guard parts.count == 2, parts[0].hasSuffix(":"),
              let offset = Int(parts[0].dropLast().trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
        return (offset, String(parts[1]))
    }
    return A64GNUResult(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: binary))), disassembly: disassembly)
}

/// The line number in an `as` diagnostic ("forms.s:12: Error: ...").
func a64SourceLine(_ diagnostic: Substring) -> Int? {
    guard let range = diagnostic.range(of: #"forms\.s:(\d+):"#, options: .regularExpression) else { return nil }
    return Int(diagnostic[range].dropFirst(8).dropLast())
}

/// Listing and objdump text in one spelling: single spaces, no comments, and
/// every branch target (a `.L` label in the listing, `1c <.text+0x1c>` in
/// objdump) as `<target>`; the bytes check the targets themselves.
func a64NormalizedText(_ text: String) -> String {
    var t = text
    if let comment = t.range(of: "//") { t = String(t[..<comment.lowerBound]) }
    t = t.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    if t.contains("<") {
        t = t.replacingOccurrences(of: #"[0-9a-f]+ <[^>]*>"#, with: "<target>", options: .regularExpression)
    } else if t.contains(".L") || t.contains("ext_") {
        t = t.replacingOccurrences(of: #"(\.L\d+|\bext_\w+)$"#, with: "<target>", options: .regularExpression)
    }
    return t
}

/// Assembles `asm.listing` with GNU as; expects as's bytes to equal ours and
/// objdump's text for each instruction to equal our listing line. Returns
/// the number of instructions checked.
@discardableResult
func expectMatchesGNU(_ asm: A64Assembler, march: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
    #expect(asm.listing.count == asm.listingOffsets.count, sourceLocation: sourceLocation)
    let ours = try asm.finish()
    let gnu = try a64AssembleWithGNU(asm.listing, march: march)
    #expect(!ours.isEmpty, sourceLocation: sourceLocation)
    if let mismatch = firstMismatch(ours: ours, gas: gnu.bytes, listing: asm.listing, offsets: asm.listingOffsets) {
        Issue.record("\(mismatch)", sourceLocation: sourceLocation)
        return 0
    }
    // Instruction lines only: labels end in ':', directives start with '.'.
    var ourText: [Int: String] = [:]
    for (line, offset) in zip(asm.listing, asm.listingOffsets) where !line.hasPrefix(".") && !line.hasSuffix(":") {
        ourText[offset] = line
    }
    var differences: [String] = []
    var checked = 0
    for (offset, text) in gnu.disassembly where !text.hasPrefix(".") {
        guard let ours = ourText[offset] else { continue }
        checked += 1
        if a64NormalizedText(ours) != a64NormalizedText(text) {
            differences.append("at 0x\(String(offset, radix: 16)): listing \"\(ours)\", objdump \"\(text)\"")
        }
    }
    #expect(checked == ourText.count, "objdump showed \(checked) of \(ourText.count) instructions", sourceLocation: sourceLocation)
    if !differences.isEmpty {
        let shown: String = differences.prefix(15).joined(separator: "\n")
        Issue.record("\(differences.count) listing lines differ from objdump:\n\(shown)", sourceLocation: sourceLocation)
    }
    return checked
}

/// The indices of `lines` that GNU as rejects (it reports every bad line,
/// so one run checks them all).
func a64LinesRejectedByGNU(_ lines: [String]) throws -> Set<Int> {
    let directory = NSTemporaryDirectory() + "swasm-a64-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let source = directory + "/forms.s"
    try (".text\n" + lines.joined(separator: "\n") + "\n").write(toFile: source, atomically: true, encoding: .utf8)
    let assembled = try a64Run("aarch64-linux-gnu-as", ["-o", directory + "/forms.o", source])
    var rejected: Set<Int> = []
    for line in assembled.output.split(separator: "\n") where line.contains("Error:") {
        if let n = a64SourceLine(line), n >= 2 { rejected.insert(n - 2) }
    }
    return rejected
}
