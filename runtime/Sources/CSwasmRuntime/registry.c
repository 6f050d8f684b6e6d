// The code registry: which address ranges hold compiled code, and their trap
// tables. The signal handler reads it, so reading takes no lock and calls
// nothing: a fixed array of slots, each guarded by a sequence counter
// (seqlock). Writers serialize on a mutex, make the counter odd, write the
// slot and make it even again; readers retry a slot whose counter was odd or
// changed while they read it. Slots live in static storage and are never
// freed, so a reader can never touch unmapped memory.
#include <pthread.h>
#include <stdatomic.h>
#include "internal.h"

#define REGISTRY_CAPACITY 4096

typedef struct slot {
    _Atomic uint64_t sequence;
    _Atomic uintptr_t start;
    _Atomic uintptr_t end;   // 0 when the slot is free
    _Atomic(const swasm_trap_entry *) traps;
    _Atomic size_t trap_count;
    _Atomic(void *) context;
} slot;

static slot slots[REGISTRY_CAPACITY];
static _Atomic size_t slots_used;   // slots [0, slots_used) were ever written
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;

size_t swasm_code_registry_capacity(void) { return REGISTRY_CAPACITY; }

static void write_slot(slot *s, uintptr_t start, uintptr_t end, const swasm_trap_entry *traps,
                       size_t count, void *context) {
    uint64_t seq = atomic_load_explicit(&s->sequence, memory_order_relaxed);
    atomic_store_explicit(&s->sequence, seq + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&s->start, start, memory_order_relaxed);
    atomic_store_explicit(&s->end, end, memory_order_relaxed);
    atomic_store_explicit(&s->traps, traps, memory_order_relaxed);
    atomic_store_explicit(&s->trap_count, count, memory_order_relaxed);
    atomic_store_explicit(&s->context, context, memory_order_relaxed);
    atomic_store_explicit(&s->sequence, seq + 2, memory_order_release);
}

int swasm_register_code(const void *start, size_t length, const swasm_trap_entry *traps,
                        size_t trap_count, void *lookup_context) {
    uintptr_t begin = (uintptr_t)start;
    if (start == NULL || length == 0 || begin + length < begin || (trap_count > 0 && traps == NULL))
        return -1;
    uintptr_t end = begin + length;
    pthread_mutex_lock(&registry_lock);
    size_t used = atomic_load_explicit(&slots_used, memory_order_relaxed);
    slot *free_slot = NULL;
    for (size_t i = 0; i < used; i++) {
        uintptr_t s_end = atomic_load_explicit(&slots[i].end, memory_order_relaxed);
        if (s_end == 0) {
            if (!free_slot) free_slot = &slots[i];
            continue;
        }
        uintptr_t s_start = atomic_load_explicit(&slots[i].start, memory_order_relaxed);
        if (begin < s_end && s_start < end) {
            pthread_mutex_unlock(&registry_lock);
            return -1;
        }
    }
    if (!free_slot) {
        if (used == REGISTRY_CAPACITY) {
            pthread_mutex_unlock(&registry_lock);
            return -1;
        }
        free_slot = &slots[used];
        // Written before it becomes visible to readers.
        write_slot(free_slot, begin, end, traps, trap_count, lookup_context);
        atomic_store_explicit(&slots_used, used + 1, memory_order_release);
    } else {
        write_slot(free_slot, begin, end, traps, trap_count, lookup_context);
    }
    pthread_mutex_unlock(&registry_lock);
    return 0;
}

int swasm_unregister_code(const void *start) {
    uintptr_t begin = (uintptr_t)start;
    int result = -1;
    pthread_mutex_lock(&registry_lock);
    size_t used = atomic_load_explicit(&slots_used, memory_order_relaxed);
    for (size_t i = 0; i < used; i++) {
        if (atomic_load_explicit(&slots[i].end, memory_order_relaxed) != 0 &&
            atomic_load_explicit(&slots[i].start, memory_order_relaxed) == begin) {
            write_slot(&slots[i], 0, 0, NULL, 0, NULL);
            result = 0;
            break;
        }
    }
    pthread_mutex_unlock(&registry_lock);
    return result;
}

static bool find_entry(const swasm_trap_entry *traps, size_t count, uint32_t offset,
                       swasm_trap_entry *out) {
    size_t low = 0, high = count;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        uint32_t value = traps[mid].code_offset;
        if (value == offset) {
            *out = traps[mid];
            return true;
        }
        if (value < offset) low = mid + 1;
        else high = mid;
    }
    return false;
}

bool swasm_registry_find(uintptr_t pc, swasm_code_info *info) {
    size_t used = atomic_load_explicit(&slots_used, memory_order_acquire);
    for (size_t i = 0; i < used; i++) {
        slot *s = &slots[i];
        // A writer holds the counter odd only for a few stores; bound the wait
        // anyway (the writer could be this thread, interrupted by a fault).
        for (int attempt = 0; attempt < 1000; attempt++) {
            uint64_t before = atomic_load_explicit(&s->sequence, memory_order_acquire);
            if (before & 1) continue;
            uintptr_t start = atomic_load_explicit(&s->start, memory_order_relaxed);
            uintptr_t end = atomic_load_explicit(&s->end, memory_order_relaxed);
            const swasm_trap_entry *traps = atomic_load_explicit(&s->traps, memory_order_relaxed);
            size_t count = atomic_load_explicit(&s->trap_count, memory_order_relaxed);
            void *context = atomic_load_explicit(&s->context, memory_order_relaxed);
            atomic_thread_fence(memory_order_acquire);
            if (atomic_load_explicit(&s->sequence, memory_order_relaxed) != before) continue;
            if (pc >= start && pc < end) {
                info->start = (const void *)start;
                info->length = end - start;
                info->lookup_context = context;
                uintptr_t offset = pc - start;
                info->has_entry = offset <= UINT32_MAX &&
                    find_entry(traps, count, (uint32_t)offset, &info->entry);
                return true;
            }
            break;
        }
    }
    return false;
}

bool swasm_lookup_code(const void *pc, swasm_code_info *info) {
    swasm_code_info scratch;
    return swasm_registry_find((uintptr_t)pc, info ? info : &scratch);
}
