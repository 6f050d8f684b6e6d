// The C side of the swasm runtime: entering compiled code, and turning traps
// (explicit ones and hardware faults) into return codes the Swift side throws.
//
// Entering: the host calls `swasm_enter` with a per-signature array-call
// trampoline `void tramp(void *vmctx, uint64_t *args_and_results)`. The entry
// saves the callee-saved registers and its stack pointer in an activation
// record (one per entry, linked per thread, so wasm -> host -> wasm nests),
// sets the VM context's stack limit, calls the trampoline and returns 0. When
// the code traps, `swasm_enter` returns the trap code instead, with the
// activation describing where it happened.
//
// Trapping: a fault (SIGSEGV, SIGBUS, SIGFPE, SIGILL) at a PC inside
// registered compiled code while the thread has an activation is turned into
// a trap by the signal handler: it rewrites the interrupted context so that
// returning from the handler resumes at a landing stub in swasm_enter's frame.
// Runtime helpers report traps with `swasm_raise_trap`, which unwinds the same
// way. Faults anywhere else go to the handler that was installed before ours.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swasm_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/// `function_index`/`wasm_offset` value meaning "not known".
#define SWASM_UNKNOWN_LOCATION 0xFFFFFFFFu

/// Default for the most stack compiled code may use per thread (512 KiB).
#define SWASM_DEFAULT_MAX_STACK_SIZE (512u * 1024u)

/// Stack kept free below the limit for helpers and signal delivery.
#define SWASM_STACK_HEADROOM (64u * 1024u)

/// One entry of a module's trap table, sorted by `code_offset`.
/// `code_offset` is measured from the start of the registered region: the
/// trapping instruction for faults and `ud2`/`udf` stubs, or the return address of
/// the call for traps raised through `swasm_raise_trap`.
typedef struct swasm_trap_entry {
    uint32_t code_offset;
    uint32_t trap_code;
    uint32_t wasm_offset;
    uint32_t function_index;
} swasm_trap_entry;

/// What the runtime knows about a code address.
typedef struct swasm_code_info {
    const void *start;
    size_t length;
    void *lookup_context;
    /// The trap entry for the address, when the table has one.
    bool has_entry;
    swasm_trap_entry entry;
} swasm_code_info;

/// An activation: one host -> wasm entry. The host zero-initializes it (it
/// may set `max_stack_size`) and passes it to `swasm_enter`; it is linked into
/// the thread's activation list only for the duration of that call. After a
/// trap the `trap_*` fields tell what happened.
typedef struct swasm_activation {
    // Private to the runtime.
    struct swasm_activation *previous;
    void *vmctx;
    uint64_t saved_sp;
    uint64_t saved_stack_limit;
    uint64_t stack_limit;
    // Input: most bytes of stack compiled code may use below the entry; 0
    // for the process default. Nested entries share the outermost budget.
    uint64_t max_stack_size;
    // Output, valid when swasm_enter returned non-zero.
    uint32_t trap_code;
    uint32_t function_index;   // SWASM_UNKNOWN_LOCATION when not known
    uint32_t wasm_offset;      // SWASM_UNKNOWN_LOCATION when not known
    int32_t trap_signal;       // 0 for swasm_raise_trap
    uint64_t trap_pc;          // faulting PC, or return address of the raise
    uint64_t fault_address;    // si_addr for SIGSEGV/SIGBUS, else 0
    void *lookup_context;      // of the region the trap happened in, or NULL
    // Private to the embedding: an error a host function called from this
    // activation's code raised, kept until swasm_enter returns its trap.
    void *host_error;
} swasm_activation;

// MARK: The host CPU

/// The `CPUFeatures` bits (SwasmABI) this CPU has.
uint32_t swasm_host_cpu_features(void);

// MARK: Entering compiled code

/// Calls `tramp(vmctx, args_and_results)`. Returns 0 when it returned, or the
/// trap code (non-zero) when it trapped. `vmctx` may be NULL (no stack limit is
/// set then). Implemented in assembly (entry_x86_64.S, entry_aarch64.S).
uint32_t swasm_enter(const void *tramp, void *vmctx, uint64_t *args_and_results,
                     swasm_activation *act);

/// Unwinds to the innermost activation of the calling thread, which returns
/// `code` from swasm_enter. Called by compiled code through the helper table
/// (HelperID.raiseTrap); the call's return address locates the trap in the
/// trap table. Host frames between the activation and the caller are
/// discarded without cleanup, so only call it from compiled code or from C
/// with nothing to release. Aborts when the thread has no activation.
__attribute__((noreturn)) void swasm_raise_trap(void *vmctx, uint32_t code);

/// The address of swasm_raise_trap, for the helper table (Swift cannot take
/// the address of a noreturn C function).
const void *swasm_raise_trap_address(void);

/// The calling thread's innermost activation, or NULL outside wasm.
swasm_activation *swasm_current_activation(void);

/// The process-wide default for `swasm_activation.max_stack_size`.
void swasm_set_default_max_stack_size(size_t bytes);
size_t swasm_default_max_stack_size(void);

// MARK: Backtraces

/// Most code addresses a trap's backtrace keeps; deeper frames are counted.
#define SWASM_BACKTRACE_CAPACITY 256

/// The code addresses of the wasm stack at the calling thread's last trap,
/// innermost first: the trapping instruction itself (when `*starts_at_trap`,
/// for faults and failed checks), then the return address of every call
/// that is still active in compiled code, up to the innermost swasm_enter.
/// Addresses in trampolines are included; symbolizing tells them apart.
/// `*omitted` frames beyond the capacity were not kept; `*last_omitted` is
/// the outermost of them. Valid until the thread traps again; returns the
/// count (0 when nothing was captured).
size_t swasm_last_backtrace(const uintptr_t **pcs, bool *starts_at_trap, size_t *omitted,
                            uintptr_t *last_omitted);

// MARK: Code registry

/// Registers `[start, start + length)` as compiled code with its trap table
/// (`trap_count` entries sorted by code_offset; it must outlive the
/// registration). Returns 0, or -1 when the region overlaps a registered one,
/// the arguments are invalid, or the registry is full.
int swasm_register_code(const void *start, size_t length, const swasm_trap_entry *traps,
                        size_t trap_count, void *lookup_context);

/// Removes the region starting at `start`. Returns 0, or -1 if not registered.
int swasm_unregister_code(const void *start);

/// Looks up `pc` in the registry (async-signal-safe and lock-free).
bool swasm_lookup_code(const void *pc, swasm_code_info *info);

/// Regions the registry can hold at once.
size_t swasm_code_registry_capacity(void);

// MARK: Signals

/// Installs the handlers for SIGSEGV, SIGBUS, SIGFPE and SIGILL once
/// (thread-safe, idempotent). Without them faults in compiled code crash the
/// process; embedders that own their signals compile with explicit checks and
/// never call this. Returns 0, or -1 (errno set) when sigaction failed.
int swasm_install_signal_handlers(void);

/// True once swasm_install_signal_handlers succeeded.
bool swasm_signal_handlers_installed(void);

/// Gives the calling thread an alternate signal stack now (swasm_enter does it
/// lazily when handlers are installed). It is freed when the thread exits.
/// Returns 0, or -1 when it could not be allocated.
int swasm_prepare_thread(void);

/// Faults the handler passed on to the previously installed handlers.
uint64_t swasm_chained_signal_count(void);

#ifdef __cplusplus
}
#endif
