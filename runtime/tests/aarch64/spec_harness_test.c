// The spec harness's C side (runtime/spec-harness) on AArch64: the
// hand-written code of compiled_code.S described as a module (one type,
// (i64) -> i64, with its array-call trampoline; a memory with a data
// segment; trap sites), instantiated and called by sh_run as a generated
// driver would. Prints sh_run's lines.
#include <stdlib.h>
#include <string.h>
#include "spec_harness.h"

#define CODE(name) extern const char swasm_test_##name[]
CODE(code_start); CODE(code_end); CODE(trampoline); CODE(add_one); CODE(site_unreachable);
CODE(recurse); CODE(site_stack); CODE(load); CODE(site_load); CODE(raise); CODE(return_from_raise);
CODE(divide); CODE(site_divide); CODE(outer);

static uint32_t offset_of(const char *p) { return (uint32_t)(p - swasm_test_code_start); }

static int compare_entries(const void *a, const void *b) {
    const swasm_trap_entry *x = a, *y = b;
    return (x->code_offset > y->code_offset) - (x->code_offset < y->code_offset);
}

int main(void) {
    // "Metadata": the header's machine (AArch64, 183), the trap table, then
    // the data segment's contents. A copy whose header says x86-64 (62) must
    // be refused.
    static struct { char header[48]; swasm_trap_entry traps[5]; char data[4]; } metadata = {
        .header = { [12] = (char)183 },
        .data = { 0x5a, 0x00, 0x00, 0x00 },
    };
    static struct { char header[48]; } x86_metadata = { .header = { [12] = 62 } };
    swasm_trap_entry traps[5] = {
        { offset_of(swasm_test_site_unreachable), SWASM_TRAP_UNREACHABLE, 1, 3 },
        { offset_of(swasm_test_site_stack), SWASM_TRAP_CALL_STACK_EXHAUSTED, 2, 4 },
        { offset_of(swasm_test_site_load), SWASM_TRAP_MEMORY_OUT_OF_BOUNDS, 3, 5 },
        { offset_of(swasm_test_return_from_raise), SWASM_TRAP_INTEGER_OVERFLOW, 4, 6 },
        { offset_of(swasm_test_site_divide), SWASM_TRAP_INTEGER_DIVIDE_BY_ZERO, 5, 7 },
    };
    qsort(traps, 5, sizeof traps[0], compare_entries);
    memcpy(metadata.traps, traps, sizeof traps);

    const char *functions[] = { swasm_test_add_one, swasm_test_divide, swasm_test_outer, swasm_test_recurse,
                                swasm_test_load, swasm_test_raise };
    uint32_t function_offsets[6], function_types[6] = { 0 };
    for (int i = 0; i < 6; i++) function_offsets[i] = offset_of(functions[i]);
    static const uint64_t signature_ids[] = { 1 };
    uint32_t trampolines[] = { offset_of(swasm_test_trampoline) };
    static const sh_limits memories[] = { { 1, 2, true } };
    static const sh_data_segment data[] = { { SH_SEGMENT_ACTIVE, 0, { SH_CONST_BITS, 16 }, 128, 4 } };
    _Static_assert(sizeof metadata.header + sizeof metadata.traps == 128, "data after the trap table");
    sh_module modules[2] = { {
        swasm_test_code_start, offset_of(swasm_test_code_end), (const char *)&metadata, 48, 5,
        6, 0, function_types, function_offsets, 1, signature_ids, trampolines,
        0, NULL, 1, memories, 0, NULL, 0, NULL, 0, NULL, 1, data, -1, false,
    } };
    modules[1] = modules[0];
    modules[1].metadata = (const char *)&x86_metadata;
    static const uint64_t forty_one[] = { 41 }, zero[] = { 0 }, sixteen[] = { 16 }, far[] = { 70000 },
        overflow[] = { SWASM_TRAP_INTEGER_OVERFLOW }, five[] = { 5 };
    static const sh_command commands[] = {
        { SH_INSTANTIATE, 0, 0, 0, 0, NULL },
        { SH_INVOKE, 0, 0, 1, 1, forty_one },   // add_one(41)
        { SH_INVOKE, 0, 1, 1, 1, five },        // divide(5)
        { SH_INVOKE, 0, 1, 1, 1, zero },        // divide(0)
        { SH_INVOKE, 0, 2, 1, 1, zero },        // outer: unreachable
        { SH_INVOKE, 0, 3, 1, 1, zero },        // recurse
        { SH_INVOKE, 0, 4, 1, 1, sixteen },     // load(16): the data segment
        { SH_INVOKE, 0, 4, 1, 1, far },         // load(70000): guard region
        { SH_INVOKE, 0, 5, 1, 1, overflow },    // raise(7)
        { SH_INSTANTIATE, 1, 0, 0, 0, NULL },   // the x86-64 object: refused
    };
    return sh_run(modules, 2, commands, sizeof commands / sizeof commands[0]);
}
