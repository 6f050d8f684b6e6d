// The runtime's C and assembly parts on AArch64, without the Swift side:
// enters the hand-written code of compiled_code.S through swasm_enter and
// checks returns, traps (trap code, pc, wasm location), backtraces, the
// stack limit, a guard-region fault, the raiseTrap helper and the
// callee-saved registers. Prints "ok NAME" per check, "FAIL NAME: why" for
// a failed one; exits non-zero when any failed.
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "swasm_runtime.h"

#define CODE(name) extern const char swasm_test_##name[]
CODE(code_start); CODE(code_end); CODE(trampoline); CODE(return_in_trampoline);
CODE(add_one); CODE(outer); CODE(return_in_outer); CODE(site_unreachable);
CODE(recurse); CODE(site_stack); CODE(load); CODE(site_load);
CODE(raise); CODE(return_from_raise); CODE(divide); CODE(site_divide);
uint64_t swasm_test_enter_with_canaries(const void *tramp, void *vmctx, uint64_t *args, swasm_activation *act);

static int failures;

static void check(int ok, const char *name, const char *why) {
    if (ok) printf("ok %s\n", name);
    else { printf("FAIL %s: %s\n", name, why); failures++; }
}

static uint32_t offset_of(const char *site) { return (uint32_t)(site - swasm_test_code_start); }

static int compare_entries(const void *a, const void *b) {
    const swasm_trap_entry *x = a, *y = b;
    return (x->code_offset > y->code_offset) - (x->code_offset < y->code_offset);
}

/// vmctx: the header compiled code reads (memory, stack limit, helpers).
static uint64_t vmctx[SWASM_VMCTX_HEADER_SIZE / 8] __attribute__((aligned(16)));
static const void *helpers[SWASM_HELPER_RAISE_TRAP + 1];

static uint32_t call(const char *function, uint64_t argument, uint64_t *result, swasm_activation *act) {
    uint64_t frame[2] = { (uint64_t)(uintptr_t)function, argument };
    memset(act, 0, sizeof *act);
    uint32_t code = swasm_enter(swasm_test_trampoline, vmctx, frame, act);
    *result = frame[1];
    return code;
}

int main(void) {
    if (swasm_install_signal_handlers() != 0) { puts("FAIL handlers"); return 1; }
    swasm_trap_entry traps[] = {
        { offset_of(swasm_test_site_unreachable), SWASM_TRAP_UNREACHABLE, 11, 2 },
        { offset_of(swasm_test_site_stack), SWASM_TRAP_CALL_STACK_EXHAUSTED, 22, 3 },
        { offset_of(swasm_test_site_load), SWASM_TRAP_MEMORY_OUT_OF_BOUNDS, 33, 4 },
        { offset_of(swasm_test_return_from_raise), SWASM_TRAP_INTEGER_OVERFLOW, 44, 5 },
        { offset_of(swasm_test_site_divide), SWASM_TRAP_INTEGER_DIVIDE_BY_ZERO, 55, 6 },
    };
    size_t trap_count = sizeof traps / sizeof traps[0];
    qsort(traps, trap_count, sizeof traps[0], compare_entries);
    size_t code_length = (size_t)(swasm_test_code_end - swasm_test_code_start);
    check(swasm_register_code(swasm_test_code_start, code_length, traps, trap_count, NULL) == 0,
          "register", "swasm_register_code failed");

    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    unsigned char *memory = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(memory + page, page, PROT_NONE);
    memory[8] = 0x5a;
    helpers[SWASM_HELPER_RAISE_TRAP] = swasm_raise_trap_address();
    vmctx[SWASM_VMCTX_MEMORY_BASE / 8] = (uint64_t)(uintptr_t)memory;
    vmctx[SWASM_VMCTX_MEMORY_LENGTH / 8] = page;
    vmctx[SWASM_VMCTX_HELPERS / 8] = (uint64_t)(uintptr_t)helpers;

    swasm_activation act;
    uint64_t result;
    char why[256];

    uint32_t code = call(swasm_test_add_one, 41, &result, &act);
    snprintf(why, sizeof why, "code %u result %llu", code, (unsigned long long)result);
    check(code == 0 && result == 42, "call returns", why);
    check(swasm_current_activation() == NULL && vmctx[SWASM_VMCTX_STACK_LIMIT / 8] == 0,
          "activation unlinked after return", "activation or stack limit left behind");

    code = call(swasm_test_outer, 0, &result, &act);
    snprintf(why, sizeof why, "code %u signal %d pc %#llx (site %p) at %u/%u", code, act.trap_signal,
             (unsigned long long)act.trap_pc, (const void *)swasm_test_site_unreachable, act.function_index, act.wasm_offset);
    check(code == SWASM_TRAP_UNREACHABLE && act.trap_signal == SIGILL &&
          act.trap_pc == (uint64_t)(uintptr_t)swasm_test_site_unreachable &&
          act.function_index == 2 && act.wasm_offset == 11, "udf trap", why);
    check(swasm_current_activation() == NULL && vmctx[SWASM_VMCTX_STACK_LIMIT / 8] == 0,
          "activation unlinked after trap", "activation or stack limit left behind");

    const uintptr_t *pcs;
    bool starts_at_trap;
    size_t omitted;
    uintptr_t last_omitted;
    size_t count = swasm_last_backtrace(&pcs, &starts_at_trap, &omitted, &last_omitted);
    snprintf(why, sizeof why, "%zu frames, starts at trap %d: %#lx %#lx %#lx", count, starts_at_trap,
             count > 0 ? (unsigned long)pcs[0] : 0ul, count > 1 ? (unsigned long)pcs[1] : 0ul,
             count > 2 ? (unsigned long)pcs[2] : 0ul);
    check(count == 3 && starts_at_trap && omitted == 0 &&
          pcs[0] == (uintptr_t)swasm_test_site_unreachable &&
          pcs[1] == (uintptr_t)swasm_test_return_in_outer &&
          pcs[2] == (uintptr_t)swasm_test_return_in_trampoline, "backtrace of a fault", why);

    uint64_t both = swasm_test_enter_with_canaries(swasm_test_trampoline, vmctx,
        (uint64_t[]){ (uint64_t)(uintptr_t)swasm_test_outer, 0 }, &act);
    snprintf(why, sizeof why, "code %u, clobbered mask %#llx", (uint32_t)both, (unsigned long long)(both >> 32));
    check((uint32_t)both == SWASM_TRAP_UNREACHABLE && (both >> 32) == 0, "callee-saved registers kept across a trap", why);
    both = swasm_test_enter_with_canaries(swasm_test_trampoline, vmctx,
        (uint64_t[]){ (uint64_t)(uintptr_t)swasm_test_add_one, 1 }, &act);
    snprintf(why, sizeof why, "code %u, clobbered mask %#llx", (uint32_t)both, (unsigned long long)(both >> 32));
    check((uint32_t)both == 0 && (both >> 32) == 0, "callee-saved registers kept across a return", why);

    code = call(swasm_test_recurse, 0, &result, &act);
    count = swasm_last_backtrace(&pcs, &starts_at_trap, &omitted, &last_omitted);
    snprintf(why, sizeof why, "code %u signal %d pc %#llx, %zu frames + %zu omitted", code, act.trap_signal,
             (unsigned long long)act.trap_pc, count, omitted);
    check(code == SWASM_TRAP_CALL_STACK_EXHAUSTED && act.trap_pc == (uint64_t)(uintptr_t)swasm_test_site_stack &&
          act.wasm_offset == 22 && count == SWASM_BACKTRACE_CAPACITY && omitted > 0 &&
          last_omitted == (uintptr_t)swasm_test_return_in_trampoline, "stack limit", why);
    // And again at once: the activation's stack state was restored.
    code = call(swasm_test_add_one, 1, &result, &act);
    check(code == 0 && result == 2, "call after stack exhaustion", "second call failed");

    code = call(swasm_test_load, 8, &result, &act);
    snprintf(why, sizeof why, "code %u result %#llx", code, (unsigned long long)result);
    check(code == 0 && (uint32_t)result == 0x5a, "load in bounds", why);
    code = call(swasm_test_load, page + 16, &result, &act);
    snprintf(why, sizeof why, "code %u signal %d pc %#llx fault address %#llx", code, act.trap_signal,
             (unsigned long long)act.trap_pc, (unsigned long long)act.fault_address);
    check(code == SWASM_TRAP_MEMORY_OUT_OF_BOUNDS && act.trap_signal == SIGSEGV &&
          act.trap_pc == (uint64_t)(uintptr_t)swasm_test_site_load &&
          act.fault_address == (uint64_t)(uintptr_t)(memory + page + 16) && act.wasm_offset == 33,
          "guard-region fault", why);

    code = call(swasm_test_raise, SWASM_TRAP_INTEGER_OVERFLOW, &result, &act);
    count = swasm_last_backtrace(&pcs, &starts_at_trap, &omitted, &last_omitted);
    snprintf(why, sizeof why, "code %u signal %d pc %#llx at %u, %zu frames", code, act.trap_signal,
             (unsigned long long)act.trap_pc, act.wasm_offset, count);
    check(code == SWASM_TRAP_INTEGER_OVERFLOW && act.trap_signal == 0 &&
          act.trap_pc == (uint64_t)(uintptr_t)swasm_test_return_from_raise && act.wasm_offset == 44 &&
          count == 2 && !starts_at_trap && pcs[0] == (uintptr_t)swasm_test_return_from_raise &&
          pcs[1] == (uintptr_t)swasm_test_return_in_trampoline, "raiseTrap helper", why);

    code = call(swasm_test_divide, 5, &result, &act);
    check(code == 0 && result == 20, "division", "100 / 5 != 20");
    code = call(swasm_test_divide, 0, &result, &act);
    snprintf(why, sizeof why, "code %u signal %d", code, act.trap_signal);
    check(code == SWASM_TRAP_INTEGER_DIVIDE_BY_ZERO && act.trap_signal == SIGILL, "division by zero", why);

    uint32_t features = swasm_host_cpu_features();
    check((features & ~(uint32_t)(SWASM_CPU_AARCH64_LSE | SWASM_CPU_AARCH64_RCPC)) == 0, "cpu features",
          "unknown feature bits");
    printf("cpu features %#x\n", features);

    check(swasm_chained_signal_count() == 0, "no fault chained", "a fault went to the previous handler");
    return failures == 0 ? 0 : 1;
}
