// Signal handling: faults in compiled code become traps, everything else goes
// to whoever handled the signal before us.
//
// The handler runs on a per-thread alternate stack (so that it also runs
// when the thread's own stack overflowed). For a fault at a PC inside
// registered code while the thread has an activation, it finds the trap code
// in the region's trap table (or a default by signal), records it in the
// activation and rewrites the interrupted context: stack pointer to the
// activation's saved one, PC to swasm_trap_landing. Returning from the
// handler (sigreturn) then lands in swasm_enter's frame, which returns the
// trap code. No longjmp, so the signal mask and alternate-stack state are
// restored by the kernel as usual.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#include "internal.h"

// MARK: Architecture-specific access to the interrupted context

#if defined(__x86_64__)
static inline uintptr_t context_pc(const ucontext_t *uc) { return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP]; }
static inline uintptr_t context_sp(const ucontext_t *uc) { return (uintptr_t)uc->uc_mcontext.gregs[REG_RSP]; }
static inline uintptr_t context_fp(const ucontext_t *uc) { return (uintptr_t)uc->uc_mcontext.gregs[REG_RBP]; }
static inline void context_resume_at_landing(ucontext_t *uc, swasm_activation *act, uint32_t code) {
    uc->uc_mcontext.gregs[REG_RSP] = (greg_t)act->saved_sp;
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)&swasm_trap_landing;
    uc->uc_mcontext.gregs[REG_RDI] = (greg_t)(uintptr_t)act;
    uc->uc_mcontext.gregs[REG_RAX] = (greg_t)code;
}
#elif defined(__aarch64__)
// glibc's mcontext_t: regs[0..30] (x29 the frame pointer), sp, pc. Faults
// arrive as SIGSEGV/SIGBUS (loads and stores), SIGILL (the `udf` of trap
// stubs); integer division never faults on AArch64, so compiled code checks
// its operands and branches to a `udf` stub.
static inline uintptr_t context_pc(const ucontext_t *uc) { return (uintptr_t)uc->uc_mcontext.pc; }
static inline uintptr_t context_sp(const ucontext_t *uc) { return (uintptr_t)uc->uc_mcontext.sp; }
static inline uintptr_t context_fp(const ucontext_t *uc) { return (uintptr_t)uc->uc_mcontext.regs[29]; }
static inline void context_resume_at_landing(ucontext_t *uc, swasm_activation *act, uint32_t code) {
    uc->uc_mcontext.sp = act->saved_sp;
    uc->uc_mcontext.pc = (uintptr_t)&swasm_trap_landing;
    uc->uc_mcontext.regs[0] = (uintptr_t)act;
    uc->uc_mcontext.regs[1] = code;
}
#else
#error "swasm runtime: unsupported architecture"
#endif

// MARK: Handlers

static const int handled_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL };
#define HANDLED_COUNT (sizeof handled_signals / sizeof handled_signals[0])

static struct sigaction previous_actions[HANDLED_COUNT];
static _Atomic bool handlers_installed;
static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic uint64_t chained_count;

uint64_t swasm_chained_signal_count(void) {
    return atomic_load_explicit(&chained_count, memory_order_relaxed);
}

bool swasm_signal_handlers_installed(void) {
    return atomic_load_explicit(&handlers_installed, memory_order_acquire);
}

/// Passes a fault we do not own to the handler installed before ours.
static void chain(int sig, siginfo_t *info, void *context) {
    atomic_fetch_add_explicit(&chained_count, 1, memory_order_relaxed);
    const struct sigaction *previous = NULL;
    for (size_t i = 0; i < HANDLED_COUNT; i++)
        if (handled_signals[i] == sig) previous = &previous_actions[i];
    if (previous && (previous->sa_flags & SA_SIGINFO)) {
        if (previous->sa_sigaction) previous->sa_sigaction(sig, info, context);
        return;
    }
    if (previous && previous->sa_handler != SIG_DFL && previous->sa_handler != SIG_IGN) {
        previous->sa_handler(sig);
        return;
    }
    bool sent = info->si_code <= 0;   // kill(), sigqueue(), tgkill(): not a fault
    if (previous && previous->sa_handler == SIG_IGN && sent) return;
    // Default action: reinstate it. A fault re-executes the instruction and
    // now kills the process as if we had never been installed; a signal that
    // was sent is raised again (it is not blocked: SA_NODEFER).
    struct sigaction default_action;
    memset(&default_action, 0, sizeof default_action);
    default_action.sa_handler = SIG_DFL;
    sigemptyset(&default_action.sa_mask);
    sigaction(sig, &default_action, NULL);
    if (sent) raise(sig);
}

static uint32_t default_trap_code(int sig) {
    switch (sig) {
    case SIGFPE: return SWASM_TRAP_INTEGER_DIVIDE_BY_ZERO;
    case SIGILL: return SWASM_TRAP_UNREACHABLE;
    default: return SWASM_TRAP_MEMORY_OUT_OF_BOUNDS;
    }
}

static void handle_signal(int sig, siginfo_t *info, void *context) {
    int saved_errno = errno;
    ucontext_t *uc = (ucontext_t *)context;
    swasm_activation *act = swasm_tls.current;
    uintptr_t pc = context_pc(uc);
    uintptr_t sp = context_sp(uc);
    swasm_code_info code_info;
    // Ours: a synchronous fault, in compiled code, running below an entry of
    // this thread.
    if (act && info->si_code > 0 && sp <= act->saved_sp && swasm_registry_find(pc, &code_info)) {
        uint32_t code = code_info.has_entry ? code_info.entry.trap_code : default_trap_code(sig);
        uintptr_t fault_address = 0;
        if (sig == SIGSEGV || sig == SIGBUS) {
            fault_address = (uintptr_t)info->si_addr;
            // A store or call into the guard page below the stack: the real
            // stack overflowed before the prologue's limit check caught it.
            if (fault_address + SWASM_STACK_HEADROOM >= sp && fault_address < sp + SWASM_STACK_HEADROOM)
                code = SWASM_TRAP_CALL_STACK_EXHAUSTED;
        }
        if (code == 0) code = default_trap_code(sig);
        act->trap_code = code;
        act->trap_signal = sig;
        act->trap_pc = pc;
        act->fault_address = fault_address;
        act->lookup_context = code_info.lookup_context;
        act->function_index = code_info.has_entry ? code_info.entry.function_index : SWASM_UNKNOWN_LOCATION;
        act->wasm_offset = code_info.has_entry ? code_info.entry.wasm_offset : SWASM_UNKNOWN_LOCATION;
        // Traps happen only where the trapping function's frame is linked
        // (its limit check follows the link), so the frame pointer (rbp,
        // x29) is that frame.
        swasm_capture_backtrace(&swasm_tls, pc, context_fp(uc), sp, act->saved_sp);
        context_resume_at_landing(uc, act, code);
        errno = saved_errno;
        return;
    }
    chain(sig, info, context);
    errno = saved_errno;
}

int swasm_install_signal_handlers(void) {
    if (swasm_signal_handlers_installed()) return 0;
    pthread_mutex_lock(&install_lock);
    int result = 0;
    if (!atomic_load_explicit(&handlers_installed, memory_order_relaxed)) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_sigaction = handle_signal;
        action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
        sigemptyset(&action.sa_mask);
        size_t done = 0;
        for (; done < HANDLED_COUNT; done++) {
            if (sigaction(handled_signals[done], &action, &previous_actions[done]) != 0) break;
        }
        if (done < HANDLED_COUNT) {
            int saved = errno;
            while (done-- > 0) sigaction(handled_signals[done], &previous_actions[done], NULL);
            errno = saved;
            result = -1;
        } else {
            atomic_store_explicit(&handlers_installed, true, memory_order_release);
        }
    }
    pthread_mutex_unlock(&install_lock);
    // The installing thread gets its alternate stack now; others lazily.
    if (result == 0 && !swasm_tls.altstack_ready) swasm_ensure_altstack(&swasm_tls);
    return result;
}

// MARK: Alternate signal stacks

#define ALTSTACK_MIN_SIZE (64u * 1024u)

static pthread_key_t altstack_key;
static pthread_once_t altstack_key_once = PTHREAD_ONCE_INIT;

/// Thread exit: stop using our alternate stack, then unmap it.
static void free_altstack(void *mapping) {
    swasm_thread_state *ts = &swasm_tls;
    stack_t current;
    if (sigaltstack(NULL, &current) == 0 && !(current.ss_flags & SS_DISABLE) &&
        (char *)current.ss_sp >= (char *)mapping &&
        (char *)current.ss_sp < (char *)mapping + ts->altstack_mapping_size) {
        stack_t disable;
        memset(&disable, 0, sizeof disable);
        disable.ss_flags = SS_DISABLE;
        sigaltstack(&disable, NULL);
    }
    munmap(mapping, ts->altstack_mapping_size);
    ts->altstack = NULL;
    ts->altstack_ready = false;
}

static void make_altstack_key(void) { pthread_key_create(&altstack_key, free_altstack); }

static size_t altstack_size(void) {
    size_t size = ALTSTACK_MIN_SIZE;
#ifdef _SC_SIGSTKSZ
    long minimum = sysconf(_SC_SIGSTKSZ);
    if (minimum > 0 && (size_t)minimum * 4 > size) size = (size_t)minimum * 4;
#endif
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return (size + page - 1) / page * page;
}

int swasm_ensure_altstack(swasm_thread_state *ts) {
    if (ts->altstack_ready) return 0;
    size_t size = altstack_size();
    stack_t current;
    if (sigaltstack(NULL, &current) == 0 && !(current.ss_flags & SS_DISABLE) && current.ss_size >= size) {
        ts->altstack_ready = true;   // someone else's, big enough: keep it
        return 0;
    }
    pthread_once(&altstack_key_once, make_altstack_key);
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t mapping_size = size + page;   // plus a guard page below
    void *mapping = mmap(NULL, mapping_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (mapping == MAP_FAILED) return -1;
    mprotect(mapping, page, PROT_NONE);
    stack_t stack;
    memset(&stack, 0, sizeof stack);
    stack.ss_sp = (char *)mapping + page;
    stack.ss_size = size;
    if (sigaltstack(&stack, NULL) != 0) {
        munmap(mapping, mapping_size);
        return -1;
    }
    ts->altstack = mapping;
    ts->altstack_mapping_size = mapping_size;
    ts->altstack_ready = true;
    pthread_setspecific(altstack_key, mapping);
    return 0;
}

int swasm_prepare_thread(void) { return swasm_ensure_altstack(&swasm_tls); }
