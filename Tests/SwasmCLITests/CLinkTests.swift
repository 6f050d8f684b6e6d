// C programs linked with compiled modules and the runtime library
// (docs/c-api.md): the samples/c-host Makefile, the C API's imports between
// instances and native host functions, generated headers, and `swasmc --exe`.
//
// They use the build folder's tools and a libswasmrt.a made from its debug
// objects (no release build needed); each link of a static executable takes
// about a second.
import Foundation
import Testing

@Suite struct CLinkTests {
    /// The build folder with swasmc and swasm-config (and the runtime's objects).
    static func buildFolder() throws -> URL {
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var candidates: [URL] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for folder in [".build-tests", ".build"] {
            candidates.append(packageRoot.appendingPathComponent(folder).appendingPathComponent("debug"))
        }
        for candidate in candidates {
            let names = ["swasmc", "swasm-config", "SwasmCAPI.build"]
            if names.allSatisfy({ FileManager.default.fileExists(atPath: candidate.appendingPathComponent($0).path) }) {
                return candidate.resolvingSymlinksInPath()
            }
        }
        throw Failure("swasmc, swasm-config and SwasmCAPI.build not found together (run `swift build`); looked in \(candidates.map(\.path))")
    }

    /// The targets of the `swasmrt` product.
    static let runtimeTargets = ["SwasmCAPI", "CSwasmCAPI", "SwasmRuntime", "CSwasmRuntime", "SwasmABI", "WasmModel"]

    /// A libswasmrt.a made from the build folder's current objects, as
    /// SwiftPM makes the product. (`swift test` keeps the objects current,
    /// since this test target depends on SwasmCAPI, but does not rebuild the
    /// static library product itself: only `swift build` does.) The
    /// environment that makes swasm-config and swasmc --exe use it.
    static let runtimeLibrary: Swift.Result<[String: String], Failure> = {
        do {
            let bin = try buildFolder()
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swasm-clink-lib-\(getpid())")
            try? FileManager.default.removeItem(at: directory)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var objects: [String] = []
            for target in runtimeTargets {
                let folder = bin.appendingPathComponent(target + ".build")
                guard let files = FileManager.default.enumerator(atPath: folder.path) else {
                    throw Failure("no objects in \(folder.path)")
                }
                for case let file as String in files where file.hasSuffix(".o") {
                    objects.append(folder.appendingPathComponent(file).path)
                }
            }
            let ar = try run(["ar", "rcs", directory.appendingPathComponent("libswasmrt.a").path] + objects.sorted(), in: directory)
            guard ar.status == 0 else { throw Failure("ar: \(ar.error)") }
            return .success(["SWASM_LIBDIR": directory.path])
        } catch let error as Failure {
            return .failure(error)
        } catch {
            return .failure(Failure("\(error)"))
        }
    }()

    static func linkEnvironment() throws -> [String: String] { try runtimeLibrary.get() }

    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    struct Result {
        var status: Int32
        var output: String
        var error: String
    }

    @discardableResult
    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        // Output to files: a child that fills a pipe nobody reads would hang.
        let id = UUID().uuidString
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("swasm-clink-\(id).out")
        let errorURL = FileManager.default.temporaryDirectory.appendingPathComponent("swasm-clink-\(id).err")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outputURL)
            try? FileManager.default.removeItem(at: errorURL)
        }
        let output = try FileHandle(forWritingTo: outputURL), error = try FileHandle(forWritingTo: errorURL)
        process.standardOutput = output
        process.standardError = error
        try process.run()
        process.waitUntilExit()
        try output.close()
        try error.close()
        let outputData = try Data(contentsOf: outputURL), errorData = try Data(contentsOf: errorURL)
        return Result(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                      error: String(decoding: errorData, as: UTF8.self))
    }

    static func temporaryDirectory(_ name: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swasm-clink-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Compiles `source` (.wat) with swasmc and extra arguments.
    static func swasmc(_ bin: URL, _ source: String, name: String, in directory: URL, _ arguments: [String]) throws {
        try source.write(to: directory.appendingPathComponent(name + ".wat"), atomically: true, encoding: .utf8)
        let result = try run([bin.appendingPathComponent("swasmc").path, name + ".wat"] + arguments, in: directory,
                             environment: try linkEnvironment())
        guard result.status == 0 else { throw Failure("swasmc \(name).wat \(arguments): \(result.error)") }
    }

    static func config(_ bin: URL, _ flags: String...) throws -> [String] {
        let result = try run([bin.appendingPathComponent("swasm-config").path] + flags, in: bin,
                             environment: try linkEnvironment())
        guard result.status == 0 else { throw Failure("swasm-config: \(result.error)") }
        return result.output.split(whereSeparator: \.isWhitespace).map(String.init)
    }

    // MARK: The sample

    @Test func cHostSampleBuildsAndRunsWithoutSwiftLibraries() throws {
        let bin = try Self.buildFolder()
        let directory = try Self.temporaryDirectory("sample")
        defer { try? FileManager.default.removeItem(at: directory) }
        for file in ["host.c", "module.wat", "Makefile"] {
            try FileManager.default.copyItem(at: Self.packageRoot.appendingPathComponent("samples/c-host/\(file)"),
                                             to: directory.appendingPathComponent(file))
        }
        let make = try Self.run(["make", "SWASM_BIN=\(bin.path)"], in: directory, environment: try Self.linkEnvironment())
        #expect(make.status == 0, "\(make.output)\n\(make.error)")
        let lines = make.output.split(separator: "\n").map(String.init)
        for expected in [
            "add(40, 2) = 42",
            "fib(90) = 2880067194370816120",
            "scale(1.25, 0.5) = 2.5 1.5",
            "sum of 0..99 in memory = 4950",
            "memory: 65536 bytes",
            "grow by 1 page: old size 1 pages, now 2 pages",
            "grow past the maximum: -1",
            "message: wasm trap: integer divide by zero in func[4] at offset 0xe4",
            "frame 0: function 4, offset 0xe4",
            "divide(-7, 2) = -3",
            "swasm_call(add, 5, 6) = 11",
            "unknown export: no exported function named \"nope\"",
            "calls = 4",
            "calls after reset to 100 and one call = 101",
            "raw mod_add(vmctx, 1, 2) = 3",
        ] {
            #expect(lines.contains(expected), "missing \"\(expected)\" in:\n\(make.output)")
        }
        #expect(lines.contains { $0.hasPrefix("divide(1, 0): trap 6 (integer divide by zero), function 4, offset 0xe4") })
        // Statically linked with the Swift runtime: no libswift*.so needed.
        let ldd = try Self.run(["ldd", "host"], in: directory)
        #expect(ldd.status == 0)
        #expect(!ldd.output.contains("libswift"), "\(ldd.output)")
        #expect(!ldd.output.contains("libFoundation"), "\(ldd.output)")
    }

    // MARK: The C API

    @Test func instancesImportMemoriesGlobalsAndFunctionsOfOtherInstancesAndNativeFunctions() throws {
        let bin = try Self.buildFolder()
        let directory = try Self.temporaryDirectory("imports")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.swasmc(bin, """
            (module
              (memory (export "mem") 1)
              (global (export "base") i32 (i32.const 100))
              (global (export "counter") (mut i64) (i64.const 0))
              (func (export "double") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2))))
            """, name: "provider", in: directory, ["-o", "provider.o", "--header", "provider.h", "--prefix", "provider"])
        try Self.swasmc(bin, """
            (module
              (import "env" "mem" (memory 1))
              (import "env" "base" (global $base i32))
              (import "env" "counter" (global $counter (mut i64)))
              (import "env" "double" (func $double (param i32) (result i32)))
              (import "host" "triple" (func $triple (param i32) (result i32)))
              (func (export "run") (param i32) (result i32)
                (global.set $counter (i64.add (global.get $counter) (i64.const 1)))
                (i32.store (global.get $base) (call $triple (call $double (local.get 0))))
                (i32.load (global.get $base)))
              (func (export "pair") (param i64) (result i64 i32)
                (local.get 0) (i32.wrap_i64 (local.get 0)))
              (func (export "crash") (unreachable)))
            """, name: "consumer", in: directory, ["-o", "consumer.o", "--header", "consumer.h", "--prefix", "consumer"])
        try """
            #include <stdio.h>
            #include "provider.h"
            #include "consumer.h"

            static int32_t triple(void *env, int32_t x) { return x * 3 + *(int32_t *)env; }

            int main(void) {
                swasm_instance *provider = swasm_instantiate(provider_load(), NULL, 0);
                if (!provider) { printf("provider: %s\\n", swasm_last_trap()->message); return 1; }
                swasm_module *consumer_module = consumer_load();
                printf("imports: %zu, first %s.%s\\n", swasm_module_import_count(consumer_module),
                       swasm_module_import_module(consumer_module, 0), swasm_module_import_name(consumer_module, 0));

                /* Missing imports are a link error, not a crash. */
                if (swasm_instantiate(consumer_module, NULL, 0) != NULL) return 1;
                printf("no imports: %d %s\\n", swasm_last_trap()->code, swasm_last_trap()->message);

                int32_t bias = 1;
                swasm_extern *native = swasm_func_new_native("i", "i", (const void *)triple, &bias);
                swasm_import imports[] = {
                    { "host", "triple", native },
                    { "env", "double", swasm_instance_export(provider, "double") },
                    { "env", "mem", swasm_instance_export(provider, "mem") },
                    { "env", "counter", swasm_instance_export(provider, "counter") },
                    { "env", "base", swasm_instance_export(provider, "base") },
                };
                /* A mismatched import: a memory given for a function. */
                swasm_import wrong[5];
                for (int i = 0; i < 5; i++) wrong[i] = imports[i];
                wrong[1].value = imports[2].value;
                if (swasm_instantiate(consumer_module, wrong, 5) != NULL) return 1;
                printf("wrong import: %d %s\\n", swasm_last_trap()->code, swasm_last_trap()->message);

                swasm_instance *consumer = swasm_instantiate(consumer_module, imports, 5);
                if (!consumer) { printf("consumer: %s\\n", swasm_last_trap()->message); return 1; }
                int32_t result;
                if (consumer_call_run(consumer, 5, &result) != SWASM_OK) return 1;
                if (consumer_call_run(consumer, 7, &result) != SWASM_OK) return 1;
                uint8_t *memory = swasm_memory_data(swasm_instance_export(provider, "mem"));
                uint64_t counter;
                swasm_global_get(swasm_instance_export(provider, "counter"), &counter);
                printf("run(7) = %d, memory[100] = %d, counter = %llu\\n", result, memory[100], (unsigned long long)counter);
                if (swasm_global_set(swasm_instance_export(provider, "base"), 0) != SWASM_ERROR_INVALID_ARGUMENT) return 1;
                printf("immutable: %s\\n", swasm_last_trap()->message);

                int64_t wide; int32_t narrow;
                if (consumer_call_pair(consumer, 0x100000005LL, &wide, &narrow) != SWASM_OK) return 1;
                printf("pair = %lld %d\\n", (long long)wide, narrow);

                swasm_trap_code code = consumer_call_crash(consumer);
                printf("crash: %d %s, function %u\\n", code, swasm_trap_code_name(code), swasm_last_trap()->function_index);
                uint64_t slots[1] = { 0 };
                if (swasm_call(consumer, "run", slots, 0) != SWASM_ERROR_INVALID_ARGUMENT) return 1;
                printf("too few slots: %s\\n", swasm_last_trap()->message);
                if (consumer_call_run(consumer, 1, &result) != SWASM_OK) return 1;
                printf("after the trap: run(1) = %d\\n", result);

                swasm_instance_delete(consumer);
                swasm_instance_delete(provider);
                swasm_extern_delete(native);
                if (swasm_module_load(NULL) != NULL) return 1;
                swasm_module_descriptor bad = { "not metadata", 12, "" };
                if (swasm_module_load(&bad) != NULL) return 1;
                printf("bad module: %d %s\\n", swasm_last_trap()->code, swasm_last_trap()->message);
                return 0;
            }
            """.write(to: directory.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
        let link = try Self.run(["cc", "-Wall", "-Werror", "-o", "main", "main.c", "provider.o", "consumer.o"]
                                + Self.config(bin, "--cflags") + Self.config(bin, "--libs"), in: directory)
        try #require(link.status == 0, "\(link.error)")
        let result = try Self.run(["./main"], in: directory)
        #expect(result.status == 0, "\(result.output)\n\(result.error)")
        #expect(result.output == """
            imports: 5, first env.mem
            no imports: 64 unknown import "env" "mem": expected memory {min 1, no max}, none given
            wrong import: 64 incompatible import type "env" "double": expected func [i32] -> [i32], found memory {min 1, no max}
            run(7) = 43, memory[100] = 43, counter = 2
            immutable: cannot set an immutable global
            pair = 4294967301 5
            crash: 1 unreachable executed, function 4
            too few slots: call of [i32] -> [i32]: 1 slots needed (max of parameters and results), 0 given
            after the trap: run(1) = 7
            bad module: 66 cannot load the module: not swasm module metadata (bad magic)

            """)
    }

    /// Fuel and epoch deadlines from C: each wasm operator costs 1, running
    /// out traps and more fuel lets the instance go on; a deadline traps
    /// code that spins, with the epoch advanced by another thread while it
    /// runs; modules compiled without either refuse the calls.
    @Test func fuelAndEpochDeadlinesFromC() throws {
        let bin = try Self.buildFolder()
        let directory = try Self.temporaryDirectory("limits")
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = """
            (module
              (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
              (func (export "spin") (loop $l (br $l))))
            """
        try Self.swasmc(bin, source, name: "fueled", in: directory,
                        ["--consume-fuel", "-o", "fueled.o", "--header", "fueled.h", "--prefix", "fueled"])
        try Self.swasmc(bin, source, name: "timed", in: directory,
                        ["--epoch-interruption", "-o", "timed.o", "--header", "timed.h", "--prefix", "timed"])
        try Self.swasmc(bin, source, name: "plain", in: directory, ["-o", "plain.o", "--header", "plain.h", "--prefix", "plain"])
        try """
            #include <pthread.h>
            #include <stdio.h>
            #include <time.h>
            #include "fueled.h"
            #include "timed.h"
            #include "plain.h"

            static void *tick(void *unused) {
                (void)unused;
                struct timespec pause = { 0, 20 * 1000 * 1000 };
                nanosleep(&pause, NULL);
                swasm_increment_epoch();
                return NULL;
            }

            int main(void) {
                swasm_instance *fueled = swasm_instantiate(fueled_load(), NULL, 0);
                uint64_t fuel = 0;
                if (swasm_instance_get_fuel(fueled, &fuel) != SWASM_OK) return 1;
                printf("fuel at first: %llu\\n", (unsigned long long)fuel);
                if (swasm_instance_set_fuel(fueled, 100) != SWASM_OK) return 1;
                int32_t sum;
                if (fueled_call_add(fueled, 2, 3, &sum) != SWASM_OK) return 1;
                swasm_instance_get_fuel(fueled, &fuel);
                printf("add = %d, fuel left %llu\\n", sum, (unsigned long long)fuel);
                swasm_trap_code code = fueled_call_spin(fueled);
                swasm_instance_get_fuel(fueled, &fuel);
                printf("spin: %d %s, fuel left %llu\\n", code, swasm_trap_code_name(code), (unsigned long long)fuel);
                swasm_instance_set_fuel(fueled, 10);
                if (fueled_call_add(fueled, 4, 5, &sum) != SWASM_OK) return 1;
                printf("refueled: add = %d\\n", sum);
                if (swasm_instance_set_epoch_deadline(fueled, 1) != SWASM_ERROR_INVALID_ARGUMENT) return 1;
                printf("%s\\n", swasm_last_trap()->message);

                swasm_instance *timed = swasm_instantiate(timed_load(), NULL, 0);
                if (timed_call_add(timed, 1, 1, &sum) != SWASM_OK) return 1;
                printf("no deadline: add = %d\\n", sum);
                if (swasm_instance_set_epoch_deadline(timed, 0) != SWASM_OK) return 1;
                code = timed_call_add(timed, 1, 1, &sum);
                printf("deadline now: %d %s\\n", code, swasm_trap_code_name(code));
                uint64_t before = swasm_current_epoch();
                swasm_instance_set_epoch_deadline(timed, 1);
                pthread_t ticker;
                if (pthread_create(&ticker, NULL, tick, NULL) != 0) return 1;
                code = timed_call_spin(timed);
                pthread_join(ticker, NULL);
                printf("spin: %d %s, epoch advanced by %llu\\n", code, swasm_trap_code_name(code),
                       (unsigned long long)(swasm_current_epoch() - before));
                if (swasm_instance_get_fuel(timed, &fuel) != SWASM_ERROR_INVALID_ARGUMENT) return 1;
                printf("%s\\n", swasm_last_trap()->message);

                swasm_instance *plain = swasm_instantiate(plain_load(), NULL, 0);
                if (swasm_instance_set_fuel(plain, 1) != SWASM_ERROR_INVALID_ARGUMENT) return 1;
                if (swasm_instance_set_epoch_deadline(NULL, 1) != SWASM_ERROR_INVALID_ARGUMENT) return 1;
                if (plain_call_add(plain, 20, 22, &sum) != SWASM_OK) return 1;
                printf("plain: add = %d\\n", sum);
                swasm_instance_delete(plain);
                swasm_instance_delete(timed);
                swasm_instance_delete(fueled);
                return 0;
            }
            """.write(to: directory.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
        let link = try Self.run(["cc", "-Wall", "-Werror", "-pthread", "-o", "main", "main.c", "fueled.o", "timed.o", "plain.o"]
                                + Self.config(bin, "--cflags") + Self.config(bin, "--libs"), in: directory)
        try #require(link.status == 0, "\(link.error)")
        let result = try Self.run(["./main"], in: directory)
        #expect(result.status == 0, "\(result.output)\n\(result.error)")
        #expect(result.output == """
            fuel at first: 9223372036854775807
            add = 5, fuel left 97
            spin: 14 all fuel consumed, fuel left 0
            refueled: add = 9
            swasm_instance_set_epoch_deadline: the module was not compiled with epoch checks (swasmc --epoch-interruption)
            no deadline: add = 2
            deadline now: 13 interrupted
            spin: 13 interrupted, epoch advanced by 1
            swasm_instance_get_fuel: the module was not compiled with fuel (swasmc --consume-fuel)
            plain: add = 42

            """)
    }

    @Test func headersCompileCleanlyForAwkwardNamesAndTypes() throws {
        let bin = try Self.buildFolder()
        let directory = try Self.temporaryDirectory("header")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.swasmc(bin, """
            (module
              (import "m" "f" (func (param f32)))
              (table (export "table") 1 funcref)
              (func (export "with space") (param f32 f64 i64 funcref externref) (result externref) (local.get 4))
              (func (export "two_results*/") (result i32 i64) (i32.const 1) (i64.const 2))
              (func (export "nothing"))
              (export "reexported" (func 0)))
            """, name: "odd", in: directory, ["-o", "odd.o", "--header", "odd.h", "--prefix", "odd"])
        let header = try String(contentsOf: directory.appendingPathComponent("odd.h"), encoding: .utf8)
        #expect(header.contains("static inline swasm_trap_code odd_call_with_20space(swasm_instance *instance, float p0, double p1, int64_t p2, void * p3, void * p4, void * *result0)"))
        #expect(header.contains("extern void * odd_with_20space(void *vmctx, float p0, double p1, int64_t p2, void * p3, void * p4);"))
        #expect(header.contains("extern int32_t odd_two__results_2A_2F(void *vmctx, uint64_t *results_2_to_2);"))
        #expect(header.contains("static inline swasm_trap_code odd_call_reexported(swasm_instance *instance, float p0)"))
        #expect(!header.contains("odd_reexported("), "re-exported imports have no symbol")
        #expect(header.contains("odd_export_table = 0"))
        try """
            #include "odd.h"
            int main(void) { return swasm_module_import_count(odd_load()) == 1 ? 0 : 1; }
            """.write(to: directory.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
        let link = try Self.run(["cc", "-Wall", "-Wextra", "-Werror", "-o", "main", "main.c", "odd.o"]
                                + Self.config(bin, "--cflags", "--libs"), in: directory)
        try #require(link.status == 0, "\(link.error)")
        #expect(try Self.run(["./main"], in: directory).status == 0)
        // C++ too.
        try "#include \"odd.h\"\nint main() { return 0; }\n".write(to: directory.appendingPathComponent("main.cc"), atomically: true, encoding: .utf8)
        let cxx = try Self.run(["c++", "-fsyntax-only", "-Wall", "-Werror"] + Self.config(bin, "--cflags") + ["main.cc"], in: directory)
        #expect(cxx.status == 0, "\(cxx.error)")
    }

    // MARK: swasmc --exe

    @Test func exeOfAModuleWithoutWASI() throws {
        let bin = try Self.buildFolder()
        let directory = try Self.temporaryDirectory("exe")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.swasmc(bin, """
            (module (func (export "main") (result i32) (i32.add (i32.const 40) (i32.const 2))))
            """, name: "answer", in: directory, ["--exe", "-o", "answer"])
        #expect(try Self.run(["./answer"], in: directory).status == 42)
        try Self.swasmc(bin, """
            (module (func $f (export "_start") (call $g)) (func $g unreachable))
            """, name: "trap", in: directory, ["--exe"])
        let trapped = try Self.run(["./trap"], in: directory)
        #expect(trapped.status == 134)
        // The backtrace: $g at `unreachable`, then $f at its call (the
        // offsets wasmtime reports for the same module).
        #expect(trapped.error == "trap: error: wasm trap: unreachable executed\nwasm backtrace:\n"
                + "    0:   0x29 - g\n    1:   0x24 - f\n", "\(trapped.error)")
        let ldd = try Self.run(["ldd", "trap"], in: directory)
        #expect(!ldd.output.contains("libswift"), "\(ldd.output)")
    }

    @Test func exeOfAWASICommand() throws {
        let bin = try Self.buildFolder()
        let directory = try Self.temporaryDirectory("wasi")
        defer { try? FileManager.default.removeItem(at: directory) }
        // Prints "hello from wasm", then the number of its arguments as a
        // digit, and exits with 3.
        try Self.swasmc(bin, """
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "hello from wasm\\n")
              (func (export "_start")
                (i32.store (i32.const 0) (i32.const 16))
                (i32.store (i32.const 4) (i32.const 16))
                (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
                (drop (call $args_sizes_get (i32.const 32) (i32.const 36)))
                (i32.store8 (i32.const 48) (i32.add (i32.const 48) (i32.load (i32.const 32))))
                (i32.store8 (i32.const 49) (i32.const 10))
                (i32.store (i32.const 0) (i32.const 48))
                (i32.store (i32.const 4) (i32.const 2))
                (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
                (call $proc_exit (i32.const 3))
                unreachable))
            """, name: "hello", in: directory, ["--exe", "-o", "hello"])
        let result = try Self.run(["./hello", "a", "b"], in: directory)
        #expect(result.status == 3, "\(result.error)")
        #expect(result.output == "hello from wasm\n3\n")
    }
}
