// Activations: the per-thread list of host -> wasm entries, the stack limit
// compiled code checks, and traps raised by runtime helpers.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "internal.h"

#ifdef __GLIBC__
extern void *__libc_stack_end;
#endif

_Static_assert(offsetof(swasm_activation, saved_sp) == SWASM_ACTIVATION_SAVED_SP, "asm offset");
_Static_assert(offsetof(swasm_activation, trap_code) == SWASM_ACTIVATION_TRAP_CODE, "asm offset");

__thread swasm_thread_state swasm_tls __attribute__((tls_model("initial-exec")));

static _Atomic size_t default_max_stack = SWASM_DEFAULT_MAX_STACK_SIZE;

void swasm_set_default_max_stack_size(size_t bytes) {
    atomic_store_explicit(&default_max_stack, bytes, memory_order_relaxed);
}

size_t swasm_default_max_stack_size(void) {
    return atomic_load_explicit(&default_max_stack, memory_order_relaxed);
}

swasm_activation *swasm_current_activation(void) { return swasm_tls.current; }

/// The main thread's stack can grow down to its top minus RLIMIT_STACK (the
/// kernel keeps mappings out of that range). glibc's pthread_getattr_np
/// computes the same from /proc/self/maps, which costs hundreds of
/// microseconds on the first call into wasm.
static bool main_thread_stack_low(uint64_t *low) {
#ifdef __GLIBC__
    if (getpid() != gettid()) return false;
    struct rlimit limit;
    if (getrlimit(RLIMIT_STACK, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return false;
    uintptr_t top = (uintptr_t)__libc_stack_end;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    if (top == 0 || top < limit.rlim_cur + page) return false;
    *low = (uint64_t)((top - limit.rlim_cur + page - 1) & ~(page - 1));
    return true;
#else
    (void)low;
    return false;
#endif
}

/// Finds the lowest address of the calling thread's stack once per thread.
static void learn_stack_bounds(swasm_thread_state *ts) {
    ts->stack_known = true;
    if (main_thread_stack_low(&ts->stack_low)) return;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
    void *low = NULL;
    size_t size = 0;
    if (pthread_attr_getstack(&attr, &low, &size) == 0) ts->stack_low = (uint64_t)(uintptr_t)low;
    pthread_attr_destroy(&attr);
}

static pthread_key_t backtrace_key;
static pthread_once_t backtrace_key_once = PTHREAD_ONCE_INIT;

static void free_backtrace(void *buffer) {
    swasm_tls.backtrace = NULL;
    free(buffer);
}

static void make_backtrace_key(void) { pthread_key_create(&backtrace_key, free_backtrace); }

static void allocate_backtrace(swasm_thread_state *ts) {
    pthread_once(&backtrace_key_once, make_backtrace_key);
    swasm_backtrace *buffer = calloc(1, sizeof *buffer);
    if (!buffer) return;
    ts->backtrace = buffer;
    pthread_setspecific(backtrace_key, buffer);
}

void swasm_activation_begin(swasm_activation *act, void *vmctx, uint64_t sp) {
    swasm_thread_state *ts = &swasm_tls;
    if (!ts->altstack_ready && swasm_signal_handlers_installed()) swasm_ensure_altstack(ts);
    if (!ts->stack_known) learn_stack_bounds(ts);
    if (!ts->backtrace) allocate_backtrace(ts);

    swasm_activation *outer = ts->current;
    uint64_t budget = act->max_stack_size ? act->max_stack_size : swasm_default_max_stack_size();
    uint64_t limit = sp > budget ? sp - budget : 0;
    if (outer && outer->stack_limit > limit) limit = outer->stack_limit;
    if (ts->stack_low && ts->stack_low + SWASM_STACK_HEADROOM > limit)
        limit = ts->stack_low + SWASM_STACK_HEADROOM;

    act->previous = outer;
    act->vmctx = vmctx;
    act->stack_limit = limit;
    act->trap_code = 0;
    act->function_index = SWASM_UNKNOWN_LOCATION;
    act->wasm_offset = SWASM_UNKNOWN_LOCATION;
    act->trap_signal = 0;
    act->trap_pc = 0;
    act->fault_address = 0;
    act->lookup_context = NULL;
    act->host_error = NULL;
    if (vmctx) {
        uint64_t *slot = (uint64_t *)((char *)vmctx + SWASM_VMCTX_STACK_LIMIT);
        act->saved_stack_limit = *slot;
        *slot = limit;
    }
    atomic_signal_fence(memory_order_seq_cst);
    ts->current = act;
    atomic_signal_fence(memory_order_seq_cst);
}

void swasm_activation_end(swasm_activation *act) {
    swasm_thread_state *ts = &swasm_tls;
    atomic_signal_fence(memory_order_seq_cst);
    ts->current = act->previous;
    atomic_signal_fence(memory_order_seq_cst);
    if (act->vmctx)
        *(uint64_t *)((char *)act->vmctx + SWASM_VMCTX_STACK_LIMIT) = act->saved_stack_limit;
}

void swasm_record_trap(swasm_activation *act, uint32_t code, uintptr_t pc, int signal,
                       uintptr_t fault_address) {
    act->trap_code = code;
    act->trap_signal = signal;
    act->trap_pc = pc;
    act->fault_address = fault_address;
    act->function_index = SWASM_UNKNOWN_LOCATION;
    act->wasm_offset = SWASM_UNKNOWN_LOCATION;
    act->lookup_context = NULL;
    swasm_code_info info;
    if (swasm_registry_find(pc, &info)) {
        act->lookup_context = info.lookup_context;
        if (info.has_entry) {
            act->function_index = info.entry.function_index;
            act->wasm_offset = info.entry.wasm_offset;
        }
    }
}

void swasm_capture_backtrace(swasm_thread_state *ts, uintptr_t pc, uintptr_t fp, uintptr_t stack_low,
                             uintptr_t stack_high) {
    swasm_backtrace *trace = ts->backtrace;
    if (!trace) return;
    trace->count = 0;
    trace->omitted = 0;
    trace->last_omitted = 0;
    trace->starts_at_trap = pc != 0;
    if (pc) trace->pcs[trace->count++] = pc;
    // A frame is followed only when the return address beside it lies in
    // compiled code, which keeps the chain: the saved rbp is then a frame
    // of compiled code (or of the trampoline's caller, where we stop). Each
    // step must move up the stack and stay below the entry, so a corrupt
    // chain ends the walk instead of faulting or looping. Deep recursion
    // stays in one region, which is looked up once.
    uintptr_t region_start = 0, region_end = 0;
    while ((fp & 7) == 0 && fp >= stack_low && fp < stack_high && stack_high - fp >= 16) {
        const uintptr_t *frame = (const uintptr_t *)fp;
        uintptr_t return_address = frame[1];
        if (return_address < region_start || return_address >= region_end) {
            swasm_code_info info;
            if (!swasm_registry_find(return_address, &info)) break;
            region_start = (uintptr_t)info.start;
            region_end = region_start + info.length;
        }
        if (trace->count < SWASM_BACKTRACE_CAPACITY) {
            trace->pcs[trace->count++] = return_address;
        } else {
            trace->omitted++;
            trace->last_omitted = return_address;
        }
        uintptr_t next = frame[0];
        if (next <= fp) break;
        fp = next;
    }
}

size_t swasm_last_backtrace(const uintptr_t **pcs, bool *starts_at_trap, size_t *omitted,
                            uintptr_t *last_omitted) {
    const swasm_backtrace *trace = swasm_tls.backtrace;
    if (!trace) {
        *pcs = NULL;
        *starts_at_trap = false;
        *omitted = 0;
        *last_omitted = 0;
        return 0;
    }
    *pcs = trace->pcs;
    *starts_at_trap = trace->starts_at_trap;
    *omitted = trace->omitted;
    *last_omitted = trace->last_omitted;
    return trace->count;
}

void swasm_raise_trap(void *vmctx, uint32_t code) {
    (void)vmctx;
    swasm_activation *act = swasm_tls.current;
    if (!act) {
        static const char message[] = "swasm: trap raised outside any wasm activation\n";
        (void)!write(2, message, sizeof message - 1);
        abort();
    }
    if (code == 0) code = SWASM_TRAP_UNREACHABLE;   // 0 would read as "returned"
    swasm_record_trap(act, code, (uintptr_t)__builtin_return_address(0), 0, 0);
    // Our own frame is the first link: the walk starts with our caller.
    uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
    swasm_capture_backtrace(&swasm_tls, 0, fp, fp, act->saved_sp);
    swasm_unwind_to_activation(act);
}

const void *swasm_raise_trap_address(void) { return (const void *)&swasm_raise_trap; }
