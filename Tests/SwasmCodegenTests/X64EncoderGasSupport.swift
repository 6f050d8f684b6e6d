// Runs GNU as over an X64Assembler's listing and compares the bytes with the
// assembler's own, pointing at the first instruction that differs.
import Foundation
import Testing
@testable import SwasmCodegen

struct GasError: Error, CustomStringConvertible {
    var description: String
}

private func findTool(_ name: String) -> String? {
    for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

private func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    guard let path = findTool(tool) else {
        throw GasError(description: "\(tool) not found on PATH; install GNU binutils (apt-get install binutils)")
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

/// The source handed to GNU as: two header lines, then the listing.
func gasSource(_ listing: [String]) -> String {
    ".intel_syntax noprefix\n.text\n" + listing.joined(separator: "\n") + "\n"
}

/// Assembles the listing with `as --64` and returns the `.text` bytes.
func assembleWithGas(_ listing: [String]) throws -> [UInt8] {
    let directory = NSTemporaryDirectory() + "swasm-x64-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let source = directory + "/forms.s", object = directory + "/forms.o", binary = directory + "/forms.bin"
    try gasSource(listing).write(toFile: source, atomically: true, encoding: .utf8)
    let assembled = try run("as", ["--64", "-o", object, source])
    guard assembled.status == 0 else {
        // GNU as names source lines; map them back to listing lines.
        let lines = assembled.output.split(separator: "\n").prefix(10).map { line -> String in
            guard let range = line.range(of: #"forms\.s:(\d+):"#, options: .regularExpression),
                  let n = Int(line[range].dropFirst(8).dropLast()), n >= 3, n - 3 < listing.count
            else { return String(line) }
            return "\(line)\n    listing[\(n - 3)]: \(listing[n - 3])"
        }
        throw GasError(description: "as failed:\n" + lines.joined(separator: "\n"))
    }
    let copied = try run("objcopy", ["-O", "binary", "--only-section=.text", object, binary])
    guard copied.status == 0 else { throw GasError(description: "objcopy failed: \(copied.output)") }
    return [UInt8](try Data(contentsOf: URL(fileURLWithPath: binary)))
}

func hexBytes(_ bytes: ArraySlice<UInt8>) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
        .joined(separator: " ")
}

/// nil when `ours` equals `gas`; otherwise a description of the first
/// listing line whose bytes differ.
func firstMismatch(ours: [UInt8], gas: [UInt8], listing: [String], offsets: [Int]) -> String? {
    if ours == gas { return nil }
    let n = min(ours.count, gas.count)
    let at = (0..<n).first { ours[$0] != gas[$0] } ?? n
    // The line starting last at or before `at` that emitted bytes.
    var line = -1
    for (i, start) in offsets.enumerated() where start <= at {
        let end = i + 1 < offsets.count ? offsets[i + 1] : ours.count
        if end > start { line = i }
    }
    guard line >= 0 else { return "bytes differ at offset \(at) (ours \(ours.count) bytes, gas \(gas.count))" }
    let start = offsets[line]
    let end = line + 1 < offsets.count ? offsets[line + 1] : ours.count
    let gasEnd = min(gas.count, max(end, start + 15))
    return """
        first difference at offset \(at), in listing[\(line)]: \(listing[line])
          ours: \(hexBytes(ours[start..<min(end, ours.count)]))
          gas:  \(hexBytes(gas[min(start, gas.count)..<gasEnd]))\(gasEnd > end ? " (gas bytes to +15 shown)" : "")
          (ours \(ours.count) bytes in all, gas \(gas.count))
        """
}

/// Assembles `asm.listing` with GNU as and expects the same bytes as `asm`.
func expectMatchesGas(_ asm: X64Assembler, sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(asm.listing.count == asm.listingOffsets.count, sourceLocation: sourceLocation)
    let ours = asm.finish()
    let gas = try assembleWithGas(asm.listing)
    #expect(!ours.isEmpty, sourceLocation: sourceLocation)
    if let mismatch = firstMismatch(ours: ours, gas: gas, listing: asm.listing, offsets: asm.listingOffsets) {
        Issue.record("\(mismatch)", sourceLocation: sourceLocation)
    }
}
