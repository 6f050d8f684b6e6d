// Faults that are not ours must not be swallowed: a small C program linked
// with the runtime's C sources checks that a trap in registered code is still
// caught, then faults outside it, and must die of that fault (or reach the
// handler that was installed before ours).
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

private let driver = #"""
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "swasm_runtime.h"

static void previous_handler(int sig, siginfo_t *info, void *context) {
    (void)info; (void)context;
    char message[] = "chained N\n";
    message[8] = (char)('0' + sig % 10);
    write(1, message, sizeof message - 1);
    _exit(42);
}

static volatile int *null_pointer;
static void host_faults(void *vmctx, uint64_t *args) { (void)vmctx; (void)args; *null_pointer = 1; }

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    if (strstr(mode, "previous")) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_sigaction = previous_handler;
        action.sa_flags = SA_SIGINFO;
        sigaction(SIGSEGV, &action, NULL);
    }
    if (swasm_install_signal_handlers() != 0) return 2;
    // ud2 at 0; then "sub rsp,8; call [rsi+8]; add rsp,8; ret" at 2.
    static const unsigned char bytes[] = { 0x0f, 0x0b,
        0x48, 0x83, 0xec, 0x08, 0xff, 0x56, 0x08, 0x48, 0x83, 0xc4, 0x08, 0xc3 };
    unsigned char *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memcpy(code, bytes, sizeof bytes);
    mprotect(code, 4096, PROT_READ | PROT_EXEC);
    swasm_trap_entry entry = { 0, SWASM_TRAP_UNREACHABLE, 5, 0 };
    if (swasm_register_code(code, sizeof bytes, &entry, 1, NULL) != 0) return 3;
    uint64_t args[2] = { 0, (uint64_t)(uintptr_t)&host_faults };
    swasm_activation act;
    memset(&act, 0, sizeof act);
    uint32_t trap = swasm_enter(code, NULL, args, &act);
    printf("trapped %u at %u\n", trap, act.wasm_offset);
    fflush(stdout);
    if (strstr(mode, "inside")) {
        // A fault in host code called from wasm: inside an activation, but
        // not in compiled code.
        memset(&act, 0, sizeof act);
        swasm_enter(code + 2, NULL, args, &act);
    } else {
        *null_pointer = 1;
    }
    puts("survived");
    return 0;
}
"""#

@Suite struct ExecutionCrashTests {
    struct Outcome { var status: Int32; var signaled: Bool; var output: String }

    /// Builds the driver once per test process.
    static let executable: URL? = {
        let runtime = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("runtime/Sources/CSwasmRuntime")
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("swasm-crash-test-\(getpid())")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let source = directory.appendingPathComponent("driver.c")
        let output = directory.appendingPathComponent("driver")
        guard (try? driver.write(to: source, atomically: true, encoding: .utf8)) != nil,
              let sources = try? FileManager.default.contentsOfDirectory(atPath: runtime.path) else { return nil }
        let inputs = sources.filter { $0.hasSuffix(".c") || $0.hasSuffix(".S") }
            .map { runtime.appendingPathComponent($0).path }
        for compiler in ["/usr/bin/cc", "/usr/bin/clang", "/opt/swift/usr/bin/clang"]
        where FileManager.default.isExecutableFile(atPath: compiler) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: compiler)
            process.arguments = ["-O1", "-pthread", "-I", runtime.appendingPathComponent("include").path,
                                 "-o", output.path, source.path] + inputs
            guard (try? process.run()) != nil else { continue }
            process.waitUntilExit()
            if process.terminationStatus == 0 { return output }
        }
        return nil
    }()

    func run(_ mode: String) throws -> Outcome {
        let executable = try #require(Self.executable, "could not compile the crash driver")
        let process = Process()
        process.executableURL = executable
        process.arguments = [mode]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus,
                       signaled: process.terminationReason == .uncaughtSignal,
                       output: String(decoding: data, as: UTF8.self))
    }

    @Test func faultOutsideCompiledCodeStillKillsTheProcess() throws {
        let outcome = try run("plain")
        #expect(outcome.output == "trapped 1 at 5\n")
        #expect(outcome.signaled)
        #expect(outcome.status == SIGSEGV)
    }

    @Test func faultInHostCodeCalledFromWasmIsNotATrap() throws {
        let outcome = try run("inside")
        #expect(outcome.output == "trapped 1 at 5\n")
        #expect(outcome.signaled)
        #expect(outcome.status == SIGSEGV)
    }

    @Test func faultsGoToThePreviouslyInstalledHandler() throws {
        let outcome = try run("previous")
        #expect(outcome.output == "trapped 1 at 5\nchained 1\n")
        #expect(!outcome.signaled)
        #expect(outcome.status == 42)
        let inside = try run("previous-inside")
        #expect(inside.output == "trapped 1 at 5\nchained 1\n")
        #expect(inside.status == 42)
    }
}
