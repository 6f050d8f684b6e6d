// The AArch64 trampolines run under qemu-aarch64, against code that
// aarch64-linux-gnu-gcc compiled, so AAPCS64 is checked by an independent
// implementation of it rather than by our own CallingConvention:
//
// - array call: the runtime's swasm_enter calls the trampoline with a frame
//   of argument slots; the callee is a C function with the signature's C
//   types (i32 declared as uint64_t, so that a dirty upper half shows), behind
//   a three-instruction stub that records x8 (the result pointer) first;
// - host call: C calls the trampoline as a typed function through a stub that
//   sets x8 to a result area; the host entry, in C, checks the slots and
//   writes the results (i32 and f32 with dirty upper halves, which must not
//   reach the caller);
// - round trip: swasm_enter -> array-call trampoline -> host-call trampoline
//   -> host entry, which for some signatures returns a trap code that must
//   come back from swasm_enter through the runtime's raiseTrap.
//
// Each callee also checks that sp is 16-byte aligned and that the frame
// record chain leads through the trampoline back to the C caller.
import Foundation
import SwasmCodegen
import SwasmIR
import Testing

@Suite struct A64TrampolineTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Case {
        var parameters: [IRType]
        var results: [IRType]
        var signature: Signature { Signature(parameters: [.i64] + parameters, results: results) }
    }

    /// Signatures chosen to cover each register class running out before,
    /// after or without the other, stack arguments of every type, results
    /// through the result area of every type, and (the last) frames and
    /// slot offsets beyond the immediate forms' reach.
    static func cases() -> [Case] {
        var cases: [Case] = [
            Case(parameters: [], results: []),
            Case(parameters: [.i32], results: [.i32]),
            Case(parameters: [.f32], results: [.f32]),
            Case(parameters: [.i64, .f64], results: [.f64, .i64]),
            Case(parameters: Array(repeating: .i32, count: 12), results: [.i64]),
            Case(parameters: Array(repeating: .f32, count: 12), results: [.f64]),
            Case(parameters: Array(repeating: .f64, count: 9) + Array(repeating: .i64, count: 9), results: [.i32, .f32, .i32, .f64, .i64]),
            Case(parameters: [.i32, .f32, .i64, .f64], results: Array(repeating: .i32, count: 9)),
            Case(parameters: [], results: [.f32, .f32, .f32]),
        ]
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let types: [IRType] = [.i32, .i64, .f32, .f64]
        for _ in 0..<48 {
            let parameters = (0..<next(22)).map { _ in types[next(4)] }
            let results = (0..<next(6)).map { _ in types[next(4)] }
            cases.append(Case(parameters: parameters, results: results))
        }
        cases.append(Case(parameters: (0..<2100).map { types[$0 % 4] }, results: (0..<12).map { types[$0 % 4] }))
        return cases
    }

    /// Argument or result bits: distinct per case, position and type, and
    /// never a NaN (so C compares floats by bits without surprises).
    static func bits(_ type: IRType, _ k: Int, _ i: Int, result: Bool) -> UInt64 {
        let n = UInt64(k * 4099 + i * 131 + (result ? 70_001 : 1))
        switch type {
        case .i32: return (n &* 0x9E37_79B9) & 0xffff_ffff
        case .i64: return n &* 0x9E37_79B9_7F4A_7C15
        case .f32: return UInt64(Float(Int(n % 100_000) - 50_000).bitPattern) | 0
        case .f64: return (Double(Int(n % 1_000_000) - 500_000) / 8).bitPattern
        case .v128: preconditionFailure("no v128 here")
        }
    }

    static func cType(_ type: IRType) -> String {
        switch type {
        case .i32, .i64: return "uint64_t"
        case .f32: return "float"
        case .f64: return "double"
        case .v128: preconditionFailure("no v128 here")
        }
    }

    /// A C expression comparing `expression` (of `cType(type)`) with bits.
    static func matches(_ type: IRType, _ expression: String, _ bits: UInt64) -> String {
        switch type {
        case .f32: return "(fbits(\(expression)) == 0x\(String(bits, radix: 16))u)"
        case .f64: return "(dbits(\(expression)) == 0x\(String(bits, radix: 16))ull)"
        default: return "(\(expression) == 0x\(String(bits, radix: 16))ull)"
        }
    }

    static func literal(_ type: IRType, _ bits: UInt64) -> String {
        switch type {
        case .f32: return "fromfbits(0x\(String(bits, radix: 16))u)"
        case .f64: return "fromdbits(0x\(String(bits, radix: 16))ull)"
        default: return "0x\(String(bits, radix: 16))ull"
        }
    }

    /// A slot as the host writes it: i32 and f32 with a dirty upper half.
    static func dirtySlot(_ type: IRType, _ bits: UInt64) -> UInt64 {
        type == .i32 || type == .f32 ? bits | 0xDEAD_BEEF_0000_0000 : bits
    }

    /// A slot compare: f32 results are defined only in the low 4 bytes.
    static func slotMatches(_ type: IRType, _ slot: String, _ bits: UInt64) -> String {
        type == .f32 ? "((uint32_t)\(slot) == 0x\(String(bits, radix: 16))u)" : "(\(slot) == 0x\(String(bits, radix: 16))ull)"
    }

    static func assembly(_ cases: [Case]) -> String {
        var s = "    .text\n"
        func emit(_ name: String, _ code: [UInt8]) {
            s += "    .globl \(name)\n    .p2align 4\n\(name):\n"
            for i in stride(from: 0, to: code.count, by: 4) {
                let word = UInt32(code[i]) | UInt32(code[i + 1]) << 8 | UInt32(code[i + 2]) << 16 | UInt32(code[i + 3]) << 24
                s += "    .inst 0x\(String(word, radix: 16))\n"
            }
            s += "    .globl \(name)_end\n\(name)_end:\n"
        }
        s += "    .globl tc_code_start\ntc_code_start:\n"
        for (k, c) in cases.enumerated() {
            emit("tc_array_\(k)", A64Trampolines.arrayCall(c.signature).code)
            emit("tc_host_\(k)", A64Trampolines.hostCall(c.signature).code)
        }
        s += "    .globl tc_code_end\ntc_code_end:\n"
        for k in cases.indices {
            s += """
                    .globl tc_stub_\(k)
                tc_stub_\(k):
                    adrp x9, tc_saved_x8
                    str x8, [x9, :lo12:tc_saved_x8]
                    b tc_callee_\(k)

                """
        }
        s += """
                .globl tc_host_shim
            tc_host_shim:
                adrp x9, tc_shim_area
                ldr x8, [x9, :lo12:tc_shim_area]
                adrp x9, tc_shim_target
                ldr x9, [x9, :lo12:tc_shim_target]
                br x9
                .section .note.GNU-stack,"",@progbits

            """
        return s
    }

    static func driver(_ cases: [Case]) -> String {
        var s = """
            #include <stdint.h>
            #include <stdio.h>
            #include <string.h>
            #include "swasm_runtime.h"

            extern const char tc_code_start[], tc_code_end[], tc_host_shim[];
            uint64_t *tc_saved_x8, *tc_shim_area;
            const void *tc_shim_target;
            static int failures, callee_ok;
            static void *caller_fp;
            static uint32_t entry_trap_code;
            static uint64_t vmctx[SWASM_VMCTX_HEADER_SIZE / 8] __attribute__((aligned(16)));
            static const void *helpers[SWASM_HELPER_RAISE_TRAP + 1];
            /// A host-call block: entry, the caller's vmctx; swasm_enter may
            /// write the stack limit at [16] when the block is entered as vmctx.
            static uint64_t block[SWASM_VMCTX_HEADER_SIZE / 8] __attribute__((aligned(16)));

            static uint32_t fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
            static uint64_t dbits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
            static float fromfbits(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
            static double fromdbits(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }

            static void check(int ok, const char *what, int k) {
                if (ok) printf("ok %s %d\\n", what, k);
                else { printf("FAIL %s %d\\n", what, k); failures++; }
            }

            /// sp aligned, and the frame records lead from the callee through
            /// `levels` records (trampolines, swasm_enter) to the C caller.
            __attribute__((noinline)) static int frame_ok(void **fp, int levels, const char *start, const char *end) {
                uintptr_t sp;
                __asm__ volatile("mov %0, sp" : "=r"(sp));
                if (sp & 15) return 0;
                const char *into = fp[1];
                if (into < start || into >= end) return 0;
                for (int i = 0; i < levels; i++) fp = fp[0];
                return fp == caller_fp;
            }


            """
        for (k, c) in cases.enumerated() {
            let parameters = c.parameters.enumerated().map { "\(cType($1)) p\($0)" }
            let first = c.results.first.map(cType) ?? "void"
            s += "extern const char tc_array_\(k)[], tc_array_\(k)_end[], tc_host_\(k)[], tc_host_\(k)_end[], tc_stub_\(k)[];\n"
            // The array-call callee.
            s += "\(first) tc_callee_\(k)(\((["void *vmctx"] + parameters).joined(separator: ", "))) {\n"
            s += "    int ok = vmctx == vmctx_for_callee && frame_ok(__builtin_frame_address(0), 3, tc_array_\(k), tc_array_\(k)_end);\n"
                .replacingOccurrences(of: "vmctx_for_callee", with: "(void *)vmctx")
            for (i, type) in c.parameters.enumerated() {
                s += "    ok &= \(matches(type, "p\(i)", bits(type, k, i, result: false)));\n"
            }
            s += "    callee_ok = ok;\n"
            for (i, type) in c.results.enumerated().dropFirst() {
                s += "    tc_saved_x8[\(i - 1)] = \(bits(type, k, i, result: true) == 0 ? "0" : "0x" + String(bits(type, k, i, result: true), radix: 16))ull;\n"
            }
            if let type = c.results.first { s += "    return \(literal(type, bits(type, k, 0, result: true)));\n" }
            s += "}\n"
            // The host entry.
            s += "uint32_t tc_entry_\(k)(void *b, uint64_t *slots) {\n    int ok = b == block;\n"
            for (i, type) in c.parameters.enumerated() {
                s += "    ok &= \(slotMatches(type, "slots[\(i)]", bits(type, k, i, result: false)));\n"
            }
            s += "    callee_ok = ok;\n"
            for (i, type) in c.results.enumerated() {
                s += "    slots[\(i)] = 0x\(String(dirtySlot(type, bits(type, k, i, result: true)), radix: 16))ull;\n"
            }
            s += "    return entry_trap_code;\n}\n"
            // The tests.
            let slotCount = 1 + max(c.parameters.count, c.results.count)
            var arguments = ""
            for (i, type) in c.parameters.enumerated() {
                arguments += "    frame[\(i + 1)] = 0x\(String(dirtySlot(type, bits(type, k, i, result: false)), radix: 16))ull;\n"
            }
            var resultChecks = "1"
            for (i, type) in c.results.enumerated() {
                resultChecks += " && " + slotMatches(type, "frame[\(i + 1)]", bits(type, k, i, result: true))
            }
            s += """
                static void test_\(k)(void) {
                    static uint64_t frame[\(slotCount)];
                    swasm_activation act;
                    caller_fp = __builtin_frame_address(0);
                    frame[0] = (uint64_t)(uintptr_t)tc_stub_\(k);
                \(arguments)    memset(&act, 0, sizeof act);
                    callee_ok = 0;
                    uint32_t code = swasm_enter(tc_array_\(k), vmctx, frame, &act);
                    check(code == 0 && callee_ok && \(resultChecks), "array", \(k));

                    block[0] = (uint64_t)(uintptr_t)tc_entry_\(k);
                    frame[0] = (uint64_t)(uintptr_t)tc_host_\(k);
                \(arguments)    memset(&act, 0, sizeof act);
                    callee_ok = 0;
                    entry_trap_code = 0;
                    code = swasm_enter(tc_array_\(k), block, frame, &act);
                    check(code == 0 && callee_ok && \(resultChecks), "round trip", \(k));
                \(arguments)    memset(&act, 0, sizeof act);
                    entry_trap_code = \(3 + k % 5);
                    code = swasm_enter(tc_array_\(k), block, frame, &act);
                    check(code == \(3 + k % 5) && act.trap_signal == 0, "trap", \(k));
                    entry_trap_code = 0;

                    static uint64_t area[\(max(1, c.results.count))];
                    memset(area, 0x55, sizeof area);
                    tc_shim_area = area;
                    tc_shim_target = tc_host_\(k);
                    callee_ok = 0;

                """
            let typedef = "\(first) (*)(\((["void *"] + c.parameters.map(cType)).joined(separator: ", ")))"
            let callArguments = (["block"] + c.parameters.enumerated().map { literal($1, bits($1, k, $0, result: false)) })
                .joined(separator: ", ")
            var hostChecks = "callee_ok"
            for (i, type) in c.results.enumerated().dropFirst() {
                hostChecks += " && (area[\(i - 1)] == 0x\(String(bits(type, k, i, result: true), radix: 16))ull)"
            }
            if let type = c.results.first {
                s += "    \(first) r = ((\(typedef))(uintptr_t)tc_host_shim)(\(callArguments));\n"
                hostChecks += " && " + matches(type, "r", bits(type, k, 0, result: true))
            } else {
                s += "    ((\(typedef))(uintptr_t)tc_host_shim)(\(callArguments));\n"
            }
            s += "    check(\(hostChecks), \"host\", \(k));\n}\n\n"
        }
        s += """
            int main(void) {
                if (swasm_install_signal_handlers() != 0) { puts("FAIL handlers"); return 1; }
                if (swasm_register_code(tc_code_start, (size_t)(tc_code_end - tc_code_start), NULL, 0, NULL) != 0) {
                    puts("FAIL register"); return 1;
                }
                helpers[SWASM_HELPER_RAISE_TRAP] = swasm_raise_trap_address();
                vmctx[SWASM_VMCTX_HELPERS / 8] = (uint64_t)(uintptr_t)helpers;
                block[1] = (uint64_t)(uintptr_t)vmctx;

            """
        for k in cases.indices { s += "    test_\(k)();\n" }
        s += "    return failures != 0;\n}\n"
        return s
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func trampolinesPassArgumentsAndResultsUnderQEMU() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swasm-a64-trampolines-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var passed = false
        // A failure leaves the generated files behind for a look.
        defer { if passed { try? FileManager.default.removeItem(at: directory) } }
        let cases = Self.cases()
        let assembly = directory.appendingPathComponent("trampolines.S")
        let driver = directory.appendingPathComponent("driver.c")
        try Self.assembly(cases).write(to: assembly, atomically: true, encoding: .utf8)
        try Self.driver(cases).write(to: driver, atomically: true, encoding: .utf8)
        let runtime = Self.repository.appendingPathComponent("runtime/Sources/CSwasmRuntime")
        let runtimeSources = try FileManager.default.contentsOfDirectory(atPath: runtime.path)
            .filter { $0.hasSuffix(".c") || $0.hasSuffix(".S") }.sorted().map { runtime.appendingPathComponent($0).path }
        let executable = directory.appendingPathComponent("trampolines").path
        let build = try Self.run("aarch64-linux-gnu-gcc", [
            "-O1", "-fno-omit-frame-pointer", "-pthread", "-I", runtime.appendingPathComponent("include").path,
            "-o", executable, driver.path, assembly.path,
        ] + runtimeSources)
        try #require(build.status == 0, "aarch64-linux-gnu-gcc failed (make deps installs it):\n\(build.output)")
        let run = try Self.run("qemu-aarch64", ["-L", "/usr/aarch64-linux-gnu", executable])
        let lines = run.output.split(separator: "\n")
        #expect(run.status == 0, "\(lines.filter { !$0.hasPrefix("ok ") }.prefix(20).joined(separator: "\n"))")
        #expect(lines.filter { $0.hasPrefix("ok ") }.count == cases.count * 4)
        #expect(lines.allSatisfy { $0.hasPrefix("ok ") }, "\(lines.filter { !$0.hasPrefix("ok ") }.prefix(20))")
        passed = run.status == 0
    }

    /// The listing spells what the bytes are (objdump's syntax), so
    /// `--emit asm` shows trampolines readably.
    @Test func listingHasOneLinePerInstruction() {
        let signature = Signature(parameters: [.i64, .i32, .f64], results: [.i32, .i64])
        let code = A64Trampolines.arrayCall(signature, listing: true)
        #expect(code.listing.count == code.code.count / 4)
        #expect(code.listing.first == "stp x29, x30, [sp, #-16]!")
        #expect(code.listing.contains("blr x16"))
        #expect(A64Trampolines.arrayCall(signature, listing: false).code == code.code)
        let host = A64Trampolines.hostCall(signature, listing: true)
        #expect(host.listing.filter { !$0.hasSuffix(":") }.count == host.code.count / 4)
    }
}
