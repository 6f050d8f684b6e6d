// What compiled code assumes about the width of i32 values that come from
// C (docs/abi.md, "Argument widths"). SysV leaves the upper half of a
// register or stack slot that carries a 32-bit value undefined, and C
// compilers do leave it dirty (gcc -O2 passes `(int32_t)x` of an int64_t
// without clearing it). The C program here calls the raw export symbols
// through pointers typed with 64-bit parameters, so every i32 argument
// arrives as 0xdeadbeef_xxxxxxxx, and imports a native function that
// returns such a value; every result must be as if the upper halves were
// zero. Each case runs in its own process, so a crash names its case.
import Foundation
import Testing

@Suite struct ArgumentWidthTests {
    static let module = """
        (module
          (import "host" "dirty" (func $dirty (result i32)))
          (type $answer (func (result i32)))
          (memory (export "mem") 1)
          (table $table 4 funcref)
          (elem (table $table) (i32.const 0) func $forty_two $dirty)
          (elem declare func $forty_two)
          (data (i32.const 16) "\\2a\\00\\00\\00")
          (data $bytes "abcd")
          (func $forty_two (result i32) (i32.const 42))
          (func (export "loadAt") (param i32) (result i32) (i32.load (local.get 0)))
          (func (export "storeAt") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
          ;; SysV passes the last two on the stack.
          (func (export "load7th") (param i32 i32 i32 i32 i32 i32 i32) (result i32)
            (i32.load (local.get 6)))
          ;; Live across a call: more than the callee-saved registers, so
          ;; some are spilled on entry.
          (func (export "spilled") (param i32 i32 i32 i32 i32 i32 i32) (result i32)
            (drop (call $forty_two))
            (i32.add
              (i32.add (i32.add (i32.load (local.get 0)) (i32.load (local.get 1)))
                       (i32.add (i32.load (local.get 2)) (i32.load (local.get 3))))
              (i32.add (i32.add (i32.load (local.get 4)) (i32.load (local.get 5))) (i32.load (local.get 6)))))
          (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
          (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
          (func (export "init") (param i32 i32 i32) (memory.init $bytes (local.get 0) (local.get 1) (local.get 2)))
          (func (export "callAt") (param i32) (result i32) (call_indirect $table (type $answer) (local.get 0)))
          (func (export "isNullAt") (param i32) (result i32) (ref.is_null (table.get $table (local.get 0))))
          (func (export "setAt") (param i32) (table.set $table (local.get 0) (ref.func $forty_two)))
          (func (export "branch") (param i32) (result i32)
            (block (block (br_table 0 1 (local.get 0))) (return (i32.const 10)))
            (i32.const 20))
          (func (export "widen") (param i32) (result i64) (i64.add (i64.extend_i32_u (local.get 0)) (i64.const 1)))
          (func (export "decrement") (param i32) (result i32) (i32.sub (local.get 0) (i32.const 1)))
          (func (export "loadImported") (result i32) (i32.load (call $dirty)))
          (func (export "loadImportedIndirectly") (result i32)
            (i32.load (call_indirect $table (type $answer) (i32.const 1))))
          (func (export "passImported") (result i32) (call $dirty)))
        """

    static let program = """
        #include <stdio.h>
        #include <string.h>
        #include "w.h"

        #define DIRTY(x) ((int64_t)(0xdeadbeef00000000ULL | (uint32_t)(x)))

        /* Registered as returning an i32; the upper half of rax is left set. */
        static int64_t dirty(void *env) { (void)env; return DIRTY(16); }

        /* Through a volatile pointer: the compiler cannot see (and warn)
           that the types differ from the prototypes. */
        static void *erase(void *f) { void *volatile v = f; return v; }
        #define AS(type, f) ((type)erase((void *)(f)))

        typedef uint64_t (*fn0)(void *);
        typedef uint64_t (*fn1)(void *, int64_t);
        typedef uint64_t (*fn2)(void *, int64_t, int64_t);
        typedef uint64_t (*fn3)(void *, int64_t, int64_t, int64_t);
        typedef uint64_t (*fn7)(void *, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t);

        int main(int argc, char **argv) {
            if (argc != 2) return 2;
            const char *c = argv[1];
            swasm_extern *native = swasm_func_new_native("", "i", (const void *)dirty, NULL);
            swasm_import imports[] = { { "host", "dirty", native } };
            swasm_instance *instance = swasm_instantiate(w_load(), imports, 1);
            if (!instance) { printf("instantiate: %s\\n", swasm_last_trap()->message); return 1; }
            /* Entered once through the runtime, which sets the stack limit. */
            int32_t ignored;
            if (w_call_decrement(instance, 1, &ignored) != SWASM_OK) return 1;
            void *vm = swasm_instance_vmctx(instance);
            uint8_t *memory = swasm_memory_data(swasm_instance_export(instance, "mem"));
            unsigned long long r;
            if (!strcmp(c, "load")) {
                r = AS(fn1, w_loadAt)(vm, DIRTY(16));
            } else if (!strcmp(c, "store")) {
                AS(fn2, w_storeAt)(vm, DIRTY(32), DIRTY(7));
                r = memory[32];
            } else if (!strcmp(c, "stack")) {
                r = AS(fn7, w_load7th)(vm, DIRTY(0), DIRTY(0), DIRTY(0), DIRTY(0), DIRTY(0), DIRTY(0), DIRTY(16));
            } else if (!strcmp(c, "spilled")) {
                r = AS(fn7, w_spilled)(vm, DIRTY(16), DIRTY(16), DIRTY(16), DIRTY(16), DIRTY(16), DIRTY(16), DIRTY(16));
            } else if (!strcmp(c, "slots")) {
                /* The C API's slots carry an i32 in their low 4 bytes only. */
                uint64_t slots[7];
                for (int i = 0; i < 7; i++) slots[i] = (uint64_t)DIRTY(16);
                if (swasm_call(instance, "load7th", slots, 7) != SWASM_OK) {
                    printf("trap: %s\\n", swasm_last_trap()->message);
                    return 1;
                }
                r = (uint32_t)slots[0];
            } else if (!strcmp(c, "fill")) {
                AS(fn3, w_fill)(vm, DIRTY(64), DIRTY(0x55), DIRTY(4));
                r = memory[64] + memory[67];
            } else if (!strcmp(c, "copy")) {
                AS(fn3, w_copy)(vm, DIRTY(80), DIRTY(16), DIRTY(4));
                r = memory[80];
            } else if (!strcmp(c, "init")) {
                AS(fn3, w_init)(vm, DIRTY(96), DIRTY(1), DIRTY(2));
                r = memory[96] << 8 | memory[97];
            } else if (!strcmp(c, "call_indirect")) {
                r = AS(fn1, w_callAt)(vm, DIRTY(0));
            } else if (!strcmp(c, "table.get")) {
                r = AS(fn1, w_isNullAt)(vm, DIRTY(0)) * 10 + AS(fn1, w_isNullAt)(vm, DIRTY(2));
            } else if (!strcmp(c, "table.set")) {
                AS(fn1, w_setAt)(vm, DIRTY(3));
                r = AS(fn1, w_callAt)(vm, 3);
            } else if (!strcmp(c, "br_table")) {
                r = AS(fn1, w_branch)(vm, DIRTY(0));
            } else if (!strcmp(c, "extend")) {
                r = AS(fn1, w_widen)(vm, DIRTY(5));
            } else if (!strcmp(c, "result")) {
                r = AS(fn1, w_decrement)(vm, DIRTY(0));
            } else if (!strcmp(c, "import")) {
                r = AS(fn0, w_loadImported)(vm);
            } else if (!strcmp(c, "import via table")) {
                r = AS(fn0, w_loadImportedIndirectly)(vm);
            } else if (!strcmp(c, "import result")) {
                r = AS(fn0, w_passImported)(vm);
            } else {
                return 2;
            }
            printf("%s = 0x%llx\\n", c, r);
            return 0;
        }
        """

    /// Each case and what it must print: memory[16] holds 42, so a load
    /// from a dirty 16 reads 42 when the upper half is ignored. (Bulk
    /// memory goes through helpers that take uint32_t, and table indexes
    /// through an explicit zero-extension; those cases keep it so.)
    static let cases: [(name: String, expected: String)] = [
        ("load", "0x2a"),
        ("store", "0x7"),
        ("stack", "0x2a"),
        ("spilled", "0x126"),
        ("slots", "0x2a"),
        ("fill", "0xaa"),
        ("copy", "0x2a"),
        ("init", "0x6263"),
        ("call_indirect", "0x2a"),
        ("table.get", "0x1"),
        ("table.set", "0x2a"),
        ("br_table", "0xa"),
        ("extend", "0x6"),
        // i32 results leave compiled code zero-extended in rax.
        ("result", "0xffffffff"),
        ("import", "0x2a"),
        ("import via table", "0x2a"),
        ("import result", "0x10"),
    ]

    @Test(arguments: ["guard", "explicit"])
    func dirtyUpperHalvesOfI32ArgumentsAndImportResultsAreIgnored(boundsChecks: String) throws {
        let bin = try CLinkTests.buildFolder()
        let directory = try CLinkTests.temporaryDirectory("widths-\(boundsChecks)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try CLinkTests.swasmc(bin, Self.module, name: "w", in: directory,
                              ["-o", "w.o", "--header", "w.h", "--prefix", "w", "--bounds-checks", boundsChecks])
        try Self.program.write(to: directory.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
        let link = try CLinkTests.run(["cc", "-Wall", "-Werror", "-o", "main", "main.c", "w.o"]
                                      + CLinkTests.config(bin, "--cflags") + CLinkTests.config(bin, "--libs"), in: directory)
        try #require(link.status == 0, "\(link.error)")
        for (name, expected) in Self.cases {
            let result = try CLinkTests.run(["./main", name], in: directory)
            #expect(result.status == 0 && result.output == "\(name) = \(expected)\n",
                    "\(name): status \(result.status), output \(result.output) \(result.error)")
        }
    }
}
