// WASI: path resolution and guest memory checks in-process, and the
// end-to-end conformance run of Tests/wasi (C programs under swasm and
// wasmtime) when the tools it needs are there.
import Foundation
import SwasmABI
import Testing
@testable import SwasmRuntime

@Suite struct WASITests {
    /// sandbox/{file, sub/, in -> file, out -> ../outside, abs -> /etc} beside outside/.
    func makeTree() throws -> (root: String, sandbox: Int32) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("swasm-wasi-unit-\(getpid())-\(UUID().uuidString)").path
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/sandbox/sub", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/outside", withIntermediateDirectories: true)
        fm.createFile(atPath: root + "/sandbox/file", contents: Data("x".utf8))
        try fm.createSymbolicLink(atPath: root + "/sandbox/in", withDestinationPath: "sub/../file")
        try fm.createSymbolicLink(atPath: root + "/sandbox/out", withDestinationPath: "../outside")
        try fm.createSymbolicLink(atPath: root + "/sandbox/abs", withDestinationPath: "/etc")
        let fd = open(root + "/sandbox", O_RDONLY | O_DIRECTORY)
        #expect(fd >= 0)
        return (root, fd)
    }

    func resolve(_ base: Int32, _ path: String, follow: Bool = true) -> Result<String, WASIErrno> {
        do {
            let resolved = try WASIPaths.resolve(base, Array(path.utf8), followFinal: follow)
            defer { resolved.close() }
            return .success(resolved.name)
        } catch {
            return .failure(error)
        }
    }

    @Test func pathsStayInsideTheirDirectory() throws {
        let (root, base) = try makeTree()
        defer { close(base); try? FileManager.default.removeItem(atPath: root) }
        #expect(resolve(base, "file") == .success("file"))
        #expect(resolve(base, "sub/../file") == .success("file"))
        #expect(resolve(base, "in") == .success("file"))
        #expect(resolve(base, "in", follow: false) == .success("in"))
        #expect(resolve(base, "sub/new") == .success("new"))
        #expect(resolve(base, ".") == .success("."))
        #expect(resolve(base, "sub/..") == .success("."))
        for escape in ["..", "../outside", "sub/../../outside", "/etc/passwd", "/", "out", "out/x", "abs", "abs/passwd"] {
            #expect(resolve(base, escape) == .failure(WASIPaths.escape), "\(escape)")
        }
        #expect(resolve(base, "out", follow: false) == .success("out"))
        #expect(resolve(base, "") == .failure(.noent))
        #expect(resolve(base, "missing/x") == .failure(.noent))
        #expect(resolve(base, "file/x") == .failure(.notdir))
    }

    @Test func fortySymlinksAreFollowedAndTheFortyFirstIsALoop() throws {
        let (root, base) = try makeTree()
        defer { close(base); try? FileManager.default.removeItem(atPath: root) }
        // chain41 -> chain40 -> ... -> chain1 -> file.
        for index in 1...41 {
            try FileManager.default.createSymbolicLink(atPath: root + "/sandbox/chain\(index)",
                                                       withDestinationPath: index == 1 ? "file" : "chain\(index - 1)")
        }
        #expect(resolve(base, "chain40") == .success("file"))
        #expect(resolve(base, "chain41") == .failure(.loop))
    }

    @Test func pathsLongerThanTheLimitAreTooLong() throws {
        let (root, base) = try makeTree()
        defer { close(base); try? FileManager.default.removeItem(atPath: root) }
        func dotted(_ length: Int) -> String {
            String(repeating: "./", count: (length - 4) / 2) + String(repeating: "/", count: (length - 4) % 2) + "file"
        }
        #expect(dotted(4095).utf8.count == 4095)
        #expect(resolve(base, dotted(4095)) == .success("file"))
        #expect(resolve(base, dotted(4096)) == .failure(.nametoolong))
        #expect(resolve(base, dotted(800_000)) == .failure(.nametoolong))
    }

    @Test func deepPathsGoDownAndBackUp() throws {
        let (root, base) = try makeTree()
        defer { close(base); try? FileManager.default.removeItem(atPath: root) }
        let depth = 500
        let down = Array(repeating: "d", count: depth).joined(separator: "/")
        try FileManager.default.createDirectory(atPath: root + "/sandbox/" + down, withIntermediateDirectories: true)
        let up = String(repeating: "/..", count: depth)
        #expect(resolve(base, down + "/x") == .success("x"))
        #expect(resolve(base, down + up + "/file") == .success("file"))
        #expect(resolve(base, down + up + "/../file") == .failure(WASIPaths.escape))
        // Through a symlink at the bottom that climbs back out of the tree.
        try FileManager.default.createSymbolicLink(atPath: root + "/sandbox/" + down + "/top",
                                                   withDestinationPath: String(repeating: "../", count: depth) + "file")
        #expect(resolve(base, down + "/top") == .success("file"))
    }

    @Test func dotDotChecksItReachesTheDirectoryItCameFrom() throws {
        let (root, base) = try makeTree()
        defer { close(base); try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/sandbox/sub/inner", withIntermediateDirectories: true)
        func identity(_ path: String) -> (device: UInt64, inode: UInt64) {
            var info = stat()
            #expect(stat(root + "/sandbox/" + path, &info) == 0)
            return (UInt64(info.st_dev), UInt64(info.st_ino))
        }
        let inner = openat(base, "sub/inner", O_RDONLY | O_DIRECTORY)
        #expect(inner >= 0)
        defer { close(inner) }
        let parent = try WASIPaths.reopenParent(of: inner, expected: identity("sub"), base: base)
        #expect(parent != base)
        close(parent)
        // Another directory than the one the walk came down through (as
        // after a concurrent rename): refused, never followed.
        #expect(throws: WASIPaths.escape) { try WASIPaths.reopenParent(of: inner, expected: identity("sub/inner"), base: base) }
        // Back at the start: the base itself, nothing opened.
        #expect(try WASIPaths.reopenParent(of: inner, expected: nil, base: base) == base)
    }

    @Test func stdioDescriptorsAreStreams() throws {
        let wasi = try WASI(WASIConfiguration())
        #expect(wasi.descriptors[0]?.stream == .input)
        #expect(wasi.descriptors[1]?.stream == .output)
        #expect(wasi.descriptors[2]?.stream == .output)
        #expect(wasi.descriptors[0]?.rightsBase == WASIRights.fdRead)
        #expect(wasi.descriptors[1]?.rightsBase == WASIRights.fdWrite)
        // What a stream cannot do is EBADF; what a file lacks, ENOTCAPABLE.
        #expect(throws: WASIErrno.badf) { try wasi.descriptors[1]?.require(WASIRights.fdFilestatSetSize) }
        #expect(throws: WASIErrno.spipe) { try wasi.descriptors[1]?.requireSeekable() }
        let file = WASIDescriptor(hostFD: -1, filetype: WASIFiletype.regularFile, rightsBase: WASIRights.fdRead,
                                  rightsInheriting: 0)
        #expect(throws: WASIErrno.notcapable) { try file.require(WASIRights.fdWrite) }
        #expect(throws: Never.self) { try file.require(WASIRights.fdRead) }
    }

    @Test func guestMemoryChecksEveryRange() throws {
        let vmctx = UnsafeMutableRawPointer.allocate(byteCount: VMContextLayout.headerSize, alignment: 16)
        defer { vmctx.deallocate() }
        let memory = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 16)
        defer { memory.deallocate() }
        vmctx.storeBytes(of: memory, toByteOffset: VMContextLayout.memoryBase, as: UnsafeMutableRawPointer.self)
        vmctx.storeBytes(of: UInt64(64), toByteOffset: VMContextLayout.memoryLength, as: UInt64.self)
        let guest = GuestMemory(vmctx)
        #expect(throws: Never.self) { try guest.store(UInt32(7), 60) }
        #expect(try guest.load(60, as: UInt32.self) == 7)
        #expect(throws: WASIErrno.fault) { try guest.store(UInt32(7), 61) }
        #expect(throws: WASIErrno.fault) { try guest.buffer(1, -1) }
        #expect(throws: WASIErrno.fault) { try guest.buffer(-1, 2) }
        #expect(throws: WASIErrno.fault) { try guest.check(65, 0) }
        #expect(throws: Never.self) { try guest.check(64, 0) }
        // iovecs {buf, len}: the table and every buffer are checked.
        memory.storeBytes(of: UInt32(8), toByteOffset: 0, as: UInt32.self)
        memory.storeBytes(of: UInt32(57), toByteOffset: 4, as: UInt32.self)
        #expect(throws: WASIErrno.fault) { try guest.iovecs(0, 1) }
        memory.storeBytes(of: UInt32(56), toByteOffset: 4, as: UInt32.self)
        #expect(try guest.iovecs(0, 1).count == 1)
        #expect(throws: WASIErrno.fault) { try guest.iovecs(60, 1) }
        #expect(throws: WASIErrno.fault) { try guest.iovecs(0, 0x2000_0000) }
        // At most 1,024 iovecs a call (more would be EINVAL from the kernel):
        // 2,000 empty ones at address 0 (the table is 16,000 bytes).
        let large = UnsafeMutableRawPointer.allocate(byteCount: 16_000, alignment: 16)
        defer { large.deallocate() }
        large.initializeMemory(as: UInt8.self, repeating: 0, count: 16_000)
        vmctx.storeBytes(of: large, toByteOffset: VMContextLayout.memoryBase, as: UnsafeMutableRawPointer.self)
        vmctx.storeBytes(of: UInt64(16_000), toByteOffset: VMContextLayout.memoryLength, as: UInt64.self)
        #expect(try GuestMemory(vmctx).iovecs(0, 2000).count == 1024)
    }

    @Test func configurationOpensPreopensAndRejectsMissingOnes() throws {
        let (root, base) = try makeTree()
        defer { close(base); try? FileManager.default.removeItem(atPath: root) }
        let wasi = try WASI(WASIConfiguration(arguments: ["a"], preopens: [(root + "/sandbox", "/sandbox")]))
        #expect(wasi.descriptors[3]?.preopenName == "/sandbox")
        #expect(wasi.descriptors[3]?.isDirectory == true)
        #expect(throws: WASIError.self) { try WASI(WASIConfiguration(preopens: [(root + "/missing", "m")])) }
        #expect(WASIFunctions.table.count == 46)
    }

    // MARK: End to end

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// What the conformance run needs and is missing: the built tools and
    /// `pip install ziglang wasmtime` (`make deps`). Missing tools fail the
    /// test rather than skip it.
    static func missingConformanceTools() -> String? {
        let bin = packageRoot.appendingPathComponent(".build/debug")
        for tool in ["swasm", "swasmc"] where !FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent(tool).path) {
            return ".build/debug/\(tool) (run `swift build` first)"
        }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import ziglang, wasmtime"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return "python3" }
        probe.waitUntilExit()
        return probe.terminationStatus == 0 ? nil : "the Python packages ziglang and wasmtime (`make deps`)"
    }

    @Test(.timeLimit(.minutes(5)))
    func conformanceAgainstWasmtime() throws {
        if let missing = Self.missingConformanceTools() {
            Issue.record("the WASI conformance run needs \(missing)")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.packageRoot.appendingPathComponent("Tests/wasi/run.py").path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "Tests/wasi/run.py:\n\(output)")
    }
}
