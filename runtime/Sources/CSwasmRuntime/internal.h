// Declarations shared by the runtime's C and assembly files; not public API.
#pragma once

// Offsets in swasm_activation used by the assembly (checked in activation.c).
#define SWASM_ACTIVATION_SAVED_SP 16
#define SWASM_ACTIVATION_TRAP_CODE 48

#ifndef __ASSEMBLER__
#include <signal.h>
#include "swasm_runtime.h"

#define SWASM_HIDDEN __attribute__((visibility("hidden")))

/// Raw frames of the last trap on a thread (see swasm_last_backtrace).
typedef struct swasm_backtrace {
    size_t count;
    size_t omitted;
    uintptr_t last_omitted;
    bool starts_at_trap;
    uintptr_t pcs[SWASM_BACKTRACE_CAPACITY];
} swasm_backtrace;

/// Per-thread state. Initial-exec TLS so that the signal handler can read it
/// without calling into the dynamic loader.
typedef struct swasm_thread_state {
    // Heap-allocated by the first activation of the thread (static TLS
    // space is scarce); NULL when that failed: traps then have no backtrace.
    swasm_backtrace *backtrace;
    swasm_activation *current;
    uint64_t stack_low;        // lowest address of the thread's stack, 0 if unknown
    void *altstack;            // our alternate signal stack mapping, or NULL
    size_t altstack_mapping_size;
    bool stack_known;
    bool altstack_ready;
} swasm_thread_state;

extern __thread swasm_thread_state swasm_tls __attribute__((tls_model("initial-exec"))) SWASM_HIDDEN;

// entry_<arch>.S
SWASM_HIDDEN void swasm_trap_landing(void);
SWASM_HIDDEN __attribute__((noreturn)) void swasm_unwind_to_activation(swasm_activation *act);

// activation.c (called from the assembly)
SWASM_HIDDEN void swasm_activation_begin(swasm_activation *act, void *vmctx, uint64_t sp);
SWASM_HIDDEN void swasm_activation_end(swasm_activation *act);

// signals.c
SWASM_HIDDEN int swasm_ensure_altstack(swasm_thread_state *ts);

// registry.c: fills *info for pc; async-signal-safe.
SWASM_HIDDEN bool swasm_registry_find(uintptr_t pc, swasm_code_info *info);

/// Fills the thread's backtrace (async-signal-safe): `pc` (0 for none) and
/// then the return addresses along the frame-pointer chain from `fp`, while
/// they lie in registered code and the frames lie in [`stack_low`, `stack_high`).
SWASM_HIDDEN void swasm_capture_backtrace(swasm_thread_state *ts, uintptr_t pc, uintptr_t fp,
                                          uintptr_t stack_low, uintptr_t stack_high);

/// Records the location of a trap at `pc` in `act`.
SWASM_HIDDEN void swasm_record_trap(swasm_activation *act, uint32_t code, uintptr_t pc,
                                    int signal, uintptr_t fault_address);
#endif
