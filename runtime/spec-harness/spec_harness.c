// Instantiation and calls for the spec harness (spec_harness.h): the part of
// the Swift runtime's Instance, Memory, Table and helpers that running spec
// assertions needs, kept as small as the ABI allows. Objects are linked into
// the program, so loading is registering each module's .text with its trap
// table; nothing is ever freed (a driver runs one script and exits).
#define _GNU_SOURCE
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "spec_harness.h"

#define WASM_PAGE 65536u
#define MAX_PAGES 65536u
#define TABLE_LIMIT 10000000u
/// Guard-region mode: 4 GiB addressable plus a 4 GiB guard (SwasmABI.memoryReservation).
#define GUARD_RESERVATION (8ull << 30)

typedef struct memory {
    uint8_t *base;
    uint32_t pages;
    sh_limits limits;
    uint64_t **contexts;      // VM contexts whose memory 0 this is
    size_t context_count;
} memory;

typedef struct table {
    uint64_t *elements;
    uint32_t count;
    sh_limits limits;
    uint64_t **descriptors;   // TableDescriptor copies in VM contexts
    size_t descriptor_count;
} table;

typedef struct function_reference {
    const void *code;
    void *vmctx;
    uint64_t signature_id;
    uint64_t padding;
} function_reference;

typedef struct instance {
    // First, so that a helper's vmctx argument is its instance; 16-aligned
    // as VM contexts are.
    uint64_t vmctx[SWASM_VMCTX_HEADER_SIZE / 8] __attribute__((aligned(16)));
    const sh_module *module;
    bool ready;
    function_reference *functions;
    uint64_t *imported_functions;                   // { code, vmctx } per import
    uint64_t **globals;                             // 16-byte storage per global
    uint64_t *table_descriptors;                    // 3 words per table
    table **tables;
    memory **memories;
    uint64_t **element_segments;                    // NULL: dropped or empty
    uint32_t *element_counts;
    bool *data_dropped;
} instance;

_Static_assert(sizeof(function_reference) == 32, "FunctionReferenceLayout.size");
_Static_assert(sizeof(instance) % 16 == 0, "every instance's VM context 16-aligned in an array");

static instance *instances;

// MARK: Objects

static void *zeroed(size_t count, size_t size) {
    void *p = calloc(count ? count : 1, size);
    if (!p) { fputs("spec harness: out of memory\n", stderr); exit(3); }
    return p;
}

static memory *memory_create(sh_limits limits, bool explicit_checks) {
    memory *m = zeroed(1, sizeof *m);
    uint64_t maximum = limits.has_max ? limits.max : MAX_PAGES;
    // Explicit checks: only what the maximum needs, so that a missing check
    // cannot lean on a guard region.
    uint64_t reservation = explicit_checks ? (maximum ? maximum * WASM_PAGE : WASM_PAGE) : GUARD_RESERVATION;
    void *base = mmap(NULL, reservation, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) { fputs("spec harness: cannot reserve memory\n", stderr); exit(3); }
    if (limits.min && mprotect(base, (size_t)limits.min * WASM_PAGE, PROT_READ | PROT_WRITE) != 0) {
        fputs("spec harness: cannot commit memory\n", stderr);
        exit(3);
    }
    m->base = base;
    m->pages = limits.min;
    m->limits = limits;
    return m;
}

static void memory_attach(memory *m, uint64_t *vmctx) {
    vmctx[SWASM_VMCTX_MEMORY_BASE / 8] = (uint64_t)(uintptr_t)m->base;
    vmctx[SWASM_VMCTX_MEMORY_LENGTH / 8] = (uint64_t)m->pages * WASM_PAGE;
    m->contexts = realloc(m->contexts, (m->context_count + 1) * sizeof *m->contexts);
    m->contexts[m->context_count++] = vmctx;
}

static uint32_t memory_grow(memory *m, uint32_t delta) {
    uint32_t old = m->pages;
    uint64_t maximum = m->limits.has_max ? m->limits.max : MAX_PAGES;
    if ((uint64_t)old + delta > maximum) return UINT32_MAX;
    if (delta == 0) return old;
    if (mprotect(m->base + (size_t)old * WASM_PAGE, (size_t)delta * WASM_PAGE, PROT_READ | PROT_WRITE) != 0)
        return UINT32_MAX;
    m->pages = old + delta;
    for (size_t i = 0; i < m->context_count; i++)
        m->contexts[i][SWASM_VMCTX_MEMORY_LENGTH / 8] = (uint64_t)m->pages * WASM_PAGE;
    return old;
}

static table *table_create(sh_limits limits) {
    table *t = zeroed(1, sizeof *t);
    t->elements = zeroed(limits.min, sizeof(uint64_t));
    t->count = limits.min;
    t->limits = limits;
    return t;
}

static void table_write_descriptor(const table *t, uint64_t *descriptor) {
    descriptor[0] = (uint64_t)(uintptr_t)t->elements;
    descriptor[1] = t->count;
    descriptor[2] = t->limits.has_max ? t->limits.max : UINT32_MAX;
}

static void table_attach(table *t, uint64_t *descriptor) {
    table_write_descriptor(t, descriptor);
    t->descriptors = realloc(t->descriptors, (t->descriptor_count + 1) * sizeof *t->descriptors);
    t->descriptors[t->descriptor_count++] = descriptor;
}

static uint32_t table_grow(table *t, uint32_t delta, uint64_t value) {
    uint32_t old = t->count;
    uint64_t limit = t->limits.has_max ? t->limits.max : UINT32_MAX;
    if (limit > TABLE_LIMIT) limit = TABLE_LIMIT;
    if (delta == 0) return old;
    if ((uint64_t)old + delta > limit) return UINT32_MAX;
    uint64_t *grown = realloc(t->elements, ((size_t)old + delta) * sizeof(uint64_t));
    if (!grown) return UINT32_MAX;
    for (uint32_t i = old; i < old + delta; i++) grown[i] = value;
    t->elements = grown;
    t->count = old + delta;
    for (size_t i = 0; i < t->descriptor_count; i++) table_write_descriptor(t, t->descriptors[i]);
    return old;
}

// MARK: spectest

/// The epoch: 0 at the start, advanced one tick by each call of a spectest
/// print function (scripts run with epoch checks use them as the clock).
static uint64_t epoch_counter;

static void spectest_print(void) { epoch_counter++; }

static table *spectest_table;
static memory *spectest_memory;
static uint64_t spectest_globals[4][2] = {
    { 666 }, { 666 }, { 0x4426A666u }, { 0x4084D4CCCCCCCCCDull },
};

// MARK: Helpers (HelperID order; vmctx is the instance)

static bool in_bounds(uint32_t start, uint32_t length, uint64_t size) { return (uint64_t)start + length <= size; }

static uint32_t helper_memory_grow(instance *in, uint32_t index, uint32_t delta) {
    return memory_grow(in->memories[index], delta);
}

static uint32_t helper_memory_fill(instance *in, uint32_t index, uint32_t destination, uint32_t value, uint32_t length) {
    memory *m = in->memories[index];
    if (!in_bounds(destination, length, (uint64_t)m->pages * WASM_PAGE)) return SWASM_TRAP_MEMORY_OUT_OF_BOUNDS;
    memset(m->base + destination, (int)(value & 0xFF), length);
    return 0;
}

static uint32_t helper_memory_copy(instance *in, uint32_t to_index, uint32_t from_index, uint32_t destination,
                                   uint32_t source, uint32_t length) {
    memory *to = in->memories[to_index], *from = in->memories[from_index];
    if (!in_bounds(destination, length, (uint64_t)to->pages * WASM_PAGE) ||
        !in_bounds(source, length, (uint64_t)from->pages * WASM_PAGE)) return SWASM_TRAP_MEMORY_OUT_OF_BOUNDS;
    memmove(to->base + destination, from->base + source, length);
    return 0;
}

static uint32_t helper_memory_init(instance *in, uint32_t index, uint32_t segment, uint32_t destination,
                                   uint32_t source, uint32_t length) {
    memory *m = in->memories[index];
    const sh_data_segment *data = &in->module->data[segment];
    uint32_t available = in->data_dropped[segment] ? 0 : data->length;
    if (!in_bounds(source, length, available) || !in_bounds(destination, length, (uint64_t)m->pages * WASM_PAGE))
        return SWASM_TRAP_MEMORY_OUT_OF_BOUNDS;
    if (length) memcpy(m->base + destination, in->module->metadata + data->metadata_offset + source, length);
    return 0;
}

static void helper_data_drop(instance *in, uint32_t segment) { in->data_dropped[segment] = true; }

static uint32_t helper_table_grow(instance *in, uint32_t index, uint32_t delta, uint64_t value) {
    return table_grow(in->tables[index], delta, value);
}

static uint32_t helper_table_fill(instance *in, uint32_t index, uint32_t destination, uint64_t value, uint32_t length) {
    table *t = in->tables[index];
    if (!in_bounds(destination, length, t->count)) return SWASM_TRAP_TABLE_OUT_OF_BOUNDS;
    for (uint32_t i = 0; i < length; i++) t->elements[destination + i] = value;
    return 0;
}

static uint32_t helper_table_copy(instance *in, uint32_t to_index, uint32_t from_index, uint32_t destination,
                                  uint32_t source, uint32_t length) {
    table *to = in->tables[to_index], *from = in->tables[from_index];
    if (!in_bounds(destination, length, to->count) || !in_bounds(source, length, from->count))
        return SWASM_TRAP_TABLE_OUT_OF_BOUNDS;
    memmove(to->elements + destination, from->elements + source, (size_t)length * 8);
    return 0;
}

static uint32_t helper_table_init(instance *in, uint32_t index, uint32_t segment, uint32_t destination,
                                  uint32_t source, uint32_t length) {
    table *t = in->tables[index];
    if (!in_bounds(source, length, in->element_counts[segment]) || !in_bounds(destination, length, t->count))
        return SWASM_TRAP_TABLE_OUT_OF_BOUNDS;
    if (length) memcpy(t->elements + destination, in->element_segments[segment] + source, (size_t)length * 8);
    return 0;
}

static void helper_element_drop(instance *in, uint32_t segment) { in->element_counts[segment] = 0; }

// Fuel and epoch deadlines: one limits block (ExecutionLimitsLayout) shared
// by every instance, as a store's is, measured against `epoch_counter`.
static uint64_t limits_block[SWASM_LIMITS_SIZE / 8] __attribute__((aligned(16)));
static bool limits_enabled, continue_at_deadline;
static int64_t initial_fuel;
static uint64_t deadline_ticks;

void sh_set_execution_limits(int64_t fuel, uint64_t epoch_deadline, bool continues) {
    limits_enabled = true;
    continue_at_deadline = continues;
    initial_fuel = fuel;
    deadline_ticks = epoch_deadline;
    limits_block[SWASM_LIMITS_EPOCH_COUNTER / 8] = (uint64_t)(uintptr_t)&epoch_counter;
}

/// Before each call from the script: the fuel, and the deadline so many
/// ticks beyond the current epoch (saturating), as a host sets them on its
/// store before a call.
static void reset_limits(void) {
    if (!limits_enabled) return;
    limits_block[SWASM_LIMITS_FUEL / 8] = (uint64_t)initial_fuel;
    uint64_t deadline = epoch_counter + deadline_ticks;
    limits_block[SWASM_LIMITS_EPOCH_DEADLINE / 8] = deadline < epoch_counter ? UINT64_MAX : deadline;
}

/// Called when the epoch reached the deadline: as the runtime's helper,
/// continue if the deadline has moved since, else ask the policy (trap, or
/// continue with the deadline 0 ticks beyond the epoch, where it is).
static uint32_t helper_epoch_deadline(instance *in) {
    const uint64_t *block = (const uint64_t *)(uintptr_t)in->vmctx[SWASM_VMCTX_EXECUTION_LIMITS / 8];
    const uint64_t *counter = (const uint64_t *)(uintptr_t)block[SWASM_LIMITS_EPOCH_COUNTER / 8];
    if (*counter < block[SWASM_LIMITS_EPOCH_DEADLINE / 8]) return 0;
    return continue_at_deadline ? 0 : SWASM_TRAP_INTERRUPTED;
}

static const void *helpers[SWASM_HELPER_EPOCH_DEADLINE + 1];

static void install_helpers(void) {
    helpers[0] = (const void *)helper_memory_grow;
    helpers[1] = (const void *)helper_memory_fill;
    helpers[2] = (const void *)helper_memory_copy;
    helpers[3] = (const void *)helper_memory_init;
    helpers[4] = (const void *)helper_data_drop;
    helpers[5] = (const void *)helper_table_grow;
    helpers[6] = (const void *)helper_table_fill;
    helpers[7] = (const void *)helper_table_copy;
    helpers[8] = (const void *)helper_table_init;
    helpers[9] = (const void *)helper_element_drop;
    helpers[SWASM_HELPER_RAISE_TRAP] = swasm_raise_trap_address();
    helpers[SWASM_HELPER_EPOCH_DEADLINE] = (const void *)helper_epoch_deadline;
}

// MARK: Calls

static void print_trap(uint32_t id, uint32_t code, const swasm_activation *act) {
    bool at_site = act->function_index != SWASM_UNKNOWN_LOCATION;
    printf("%u trapped %u %d %d\n", id, code, act->trap_signal, at_site ? 1 : 0);
}

/// Calls function `index` of `in` through its module's trampoline; `frame`
/// holds the arguments from frame[1] and receives the results there.
static uint32_t call(instance *in, uint32_t index, uint64_t *frame, swasm_activation *act) {
    const sh_module *mod = in->module;
    const function_reference *ref = &in->functions[index];
    frame[0] = (uint64_t)(uintptr_t)ref->code;
    const void *trampoline = mod->text + mod->trampoline_offsets[mod->function_types[index]];
    memset(act, 0, sizeof *act);
    reset_limits();
    return swasm_enter(trampoline, ref->vmctx, frame, act);
}

// MARK: Instantiation

static uint64_t evaluate(const instance *in, sh_const expression) {
    switch (expression.kind) {
    case SH_CONST_GLOBAL: return in->globals[expression.value][0];
    case SH_CONST_FUNCTION: return (uint64_t)(uintptr_t)&in->functions[expression.value];
    default: return expression.value;
    }
}

/// The provided table or memory size against the import's limits (spec 4.5.3).
static bool limits_match(uint32_t current, sh_limits provided_declared, sh_limits expected) {
    if (current < expected.min) return false;
    if (!expected.has_max) return true;
    return provided_declared.has_max && provided_declared.max <= expected.max;
}

// The metadata header's machine field (ModuleMetadata: magic, u32 format
// version, u16 ELF machine) and the machine this harness was compiled for.
#define SH_METADATA_MACHINE_OFFSET 12
#if defined(__x86_64__)
#define SH_HOST_MACHINE 62
#elif defined(__aarch64__)
#define SH_HOST_MACHINE 183
#else
#error "the spec harness runs on x86-64 and AArch64"
#endif

static const char *machine_name(uint16_t machine) {
    switch (machine) {
    case 62: return "x86_64";
    case 183: return "aarch64";
    default: return "another machine";
    }
}

static void instantiate(uint32_t id, const sh_module *mod, instance *in) {
    in->module = mod;
    // Code for another machine would run as garbage: refuse it by name (a
    // linker refuses most such objects already; this catches the rest).
    uint16_t machine;
    memcpy(&machine, mod->metadata + SH_METADATA_MACHINE_OFFSET, sizeof machine);
    if (machine != SH_HOST_MACHINE) {
        printf("%u error object is for %s (machine %u), this machine is %s\n", id, machine_name(machine), machine,
               machine_name(SH_HOST_MACHINE));
        return;
    }
    in->functions = zeroed(mod->function_count, sizeof *in->functions);
    in->imported_functions = zeroed(mod->imported_function_count, 16);
    uint32_t global_total = 0, table_total = mod->table_count, memory_total = mod->memory_count;
    for (uint32_t i = 0; i < mod->import_count; i++) {
        if (mod->imports[i].kind == SH_GLOBAL) global_total++;
        if (mod->imports[i].kind == SH_TABLE) table_total++;
        if (mod->imports[i].kind == SH_MEMORY) memory_total++;
    }
    global_total += mod->global_count;
    in->globals = zeroed(global_total, sizeof *in->globals);
    in->tables = zeroed(table_total, sizeof *in->tables);
    in->table_descriptors = zeroed(table_total, 3 * sizeof(uint64_t));
    in->memories = zeroed(memory_total, sizeof *in->memories);
    in->element_segments = zeroed(mod->element_count, sizeof *in->element_segments);
    in->element_counts = zeroed(mod->element_count, sizeof *in->element_counts);
    in->data_dropped = zeroed(mod->data_count, sizeof *in->data_dropped);

    // Imports (their types were checked when the driver was written; only
    // the current sizes of tables and memories are left).
    uint32_t functions = 0, globals = 0, tables = 0, memories = 0;
    for (uint32_t i = 0; i < mod->import_count; i++) {
        const sh_import *import = &mod->imports[i];
        instance *from = import->instance >= 0 ? &instances[import->instance] : NULL;
        if (from && !from->ready) {
            printf("%u error import %u from instance %d, which was not instantiated\n", id, i, import->instance);
            return;
        }
        switch (import->kind) {
        case SH_FUNCTION: {
            function_reference *ref = &in->functions[functions];
            if (from) *ref = from->functions[import->index];
            else *ref = (function_reference){ (const void *)spectest_print, NULL, import->signature_id, 0 };
            in->imported_functions[2 * functions] = (uint64_t)(uintptr_t)ref->code;
            in->imported_functions[2 * functions + 1] = (uint64_t)(uintptr_t)ref->vmctx;
            functions++;
            break;
        }
        case SH_GLOBAL:
            in->globals[globals++] = from ? from->globals[import->index] : spectest_globals[import->index - SH_SPECTEST_GLOBAL_I32];
            break;
        case SH_TABLE: {
            table *t = from ? from->tables[import->index] : spectest_table;
            if (!limits_match(t->count, t->limits, import->limits)) {
                printf("%u unlinkable table %u of %u elements does not match\n", id, i, t->count);
                return;
            }
            in->tables[tables++] = t;
            break;
        }
        case SH_MEMORY: {
            memory *m = from ? from->memories[import->index] : spectest_memory;
            if (!limits_match(m->pages, m->limits, import->limits)) {
                printf("%u unlinkable memory %u of %u pages does not match\n", id, i, m->pages);
                return;
            }
            in->memories[memories++] = m;
            break;
        }
        }
    }
    for (uint32_t f = mod->imported_function_count; f < mod->function_count; f++) {
        in->functions[f] = (function_reference){ mod->text + mod->function_offsets[f - mod->imported_function_count],
                                                 in->vmctx, mod->signature_ids[mod->function_types[f]], 0 };
    }
    for (uint32_t m = 0; m < mod->memory_count; m++) in->memories[memories++] = memory_create(mod->memories[m], mod->explicit_bounds_checks);
    for (uint32_t t = 0; t < mod->table_count; t++) in->tables[tables++] = table_create(mod->tables[t]);
    for (uint32_t g = 0; g < mod->global_count; g++) {
        uint64_t *storage = zeroed(2, sizeof(uint64_t));
        storage[0] = evaluate(in, mod->globals[g]);
        in->globals[globals++] = storage;
    }
    for (uint32_t e = 0; e < mod->element_count; e++) {
        const sh_element_segment *segment = &mod->elements[e];
        in->element_segments[e] = zeroed(segment->count, sizeof(uint64_t));
        for (uint32_t k = 0; k < segment->count; k++) in->element_segments[e][k] = evaluate(in, segment->items[k]);
        in->element_counts[e] = segment->count;
    }

    in->vmctx[SWASM_VMCTX_HELPERS / 8] = (uint64_t)(uintptr_t)helpers;
    in->vmctx[SWASM_VMCTX_IMPORTED_FUNCTIONS / 8] = (uint64_t)(uintptr_t)in->imported_functions;
    in->vmctx[SWASM_VMCTX_GLOBALS / 8] = (uint64_t)(uintptr_t)in->globals;
    in->vmctx[SWASM_VMCTX_TABLES / 8] = (uint64_t)(uintptr_t)in->table_descriptors;
    in->vmctx[SWASM_VMCTX_SIGNATURE_IDS / 8] = (uint64_t)(uintptr_t)mod->signature_ids;
    in->vmctx[SWASM_VMCTX_FUNCTION_REFERENCES / 8] = (uint64_t)(uintptr_t)in->functions;
    in->vmctx[SWASM_VMCTX_INSTANCE / 8] = (uint64_t)(uintptr_t)in;
    if (limits_enabled) in->vmctx[SWASM_VMCTX_EXECUTION_LIMITS / 8] = (uint64_t)(uintptr_t)limits_block;
    if (memory_total) memory_attach(in->memories[0], in->vmctx);
    for (uint32_t t = 0; t < table_total; t++) table_attach(in->tables[t], in->table_descriptors + 3 * t);
    // A module without functions or types has no code to register.
    if (mod->text_size && swasm_register_code(mod->text, mod->text_size, (const swasm_trap_entry *)(mod->metadata + mod->trap_sites_offset),
                            mod->trap_site_count, in) != 0) {
        printf("%u error cannot register the code\n", id);
        return;
    }
    // The instance's functions may be in imported tables from here on, so
    // it counts as instantiated for later commands even when a segment or
    // the start function traps.
    in->ready = true;

    for (uint32_t e = 0; e < mod->element_count; e++) {
        const sh_element_segment *segment = &mod->elements[e];
        if (segment->mode == SH_SEGMENT_DECLARATIVE) in->element_counts[e] = 0;
        if (segment->mode != SH_SEGMENT_ACTIVE) continue;
        table *t = in->tables[segment->table];
        uint32_t offset = (uint32_t)evaluate(in, segment->offset);
        if ((uint64_t)offset + segment->count > t->count) {
            printf("%u trapped %u 0 1\n", id, SWASM_TRAP_TABLE_OUT_OF_BOUNDS);
            return;
        }
        memcpy(t->elements + offset, in->element_segments[e], (size_t)segment->count * 8);
        in->element_counts[e] = 0;
    }
    for (uint32_t d = 0; d < mod->data_count; d++) {
        const sh_data_segment *segment = &mod->data[d];
        if (segment->mode != SH_SEGMENT_ACTIVE) continue;
        memory *m = in->memories[segment->memory];
        uint32_t offset = (uint32_t)evaluate(in, segment->offset);
        if ((uint64_t)offset + segment->length > (uint64_t)m->pages * WASM_PAGE) {
            printf("%u trapped %u 0 1\n", id, SWASM_TRAP_MEMORY_OUT_OF_BOUNDS);
            return;
        }
        memcpy(m->base + offset, mod->metadata + segment->metadata_offset, segment->length);
        in->data_dropped[d] = true;
    }
    if (mod->start >= 0) {
        uint64_t frame[1];
        swasm_activation act;
        uint32_t code = call(in, (uint32_t)mod->start, frame, &act);
        if (code) {
            print_trap(id, code, &act);
            return;
        }
    }
    printf("%u instantiated\n", id);
}

// MARK: Commands

int sh_run(const sh_module *modules, uint32_t module_count, const sh_command *commands, uint32_t command_count) {
    if (swasm_install_signal_handlers() != 0) {
        fputs("spec harness: cannot install the signal handlers\n", stderr);
        return 3;
    }
    install_helpers();
    instances = zeroed(module_count, sizeof *instances);
    spectest_table = table_create((sh_limits){ 10, 20, true });
    bool explicit_checks = false;
    for (uint32_t i = 0; i < module_count; i++) explicit_checks |= modules[i].explicit_bounds_checks;
    spectest_memory = memory_create((sh_limits){ 1, 2, true }, explicit_checks);
    for (uint32_t id = 0; id < command_count; id++) {
        const sh_command *command = &commands[id];
        instance *in = &instances[command->instance];
        if (command->kind == SH_INSTANTIATE) {
            instantiate(id, &modules[command->instance], in);
        } else if (!in->ready) {
            printf("%u error instance %d was not instantiated\n", id, command->instance);
        } else if (command->kind == SH_GET) {
            printf("%u returned %" PRIx64 "\n", id, in->globals[command->index][0]);
        } else {
            uint32_t slots = command->arg_count > command->result_count ? command->arg_count : command->result_count;
            uint64_t *frame = zeroed(slots + 1, sizeof(uint64_t));
            memcpy(frame + 1, command->args, (size_t)command->arg_count * 8);
            swasm_activation act;
            uint32_t code = call(in, command->index, frame, &act);
            if (code) {
                print_trap(id, code, &act);
            } else {
                printf("%u returned", id);
                for (uint32_t r = 0; r < command->result_count; r++) printf(" %" PRIx64, frame[1 + r]);
                printf("\n");
            }
            free(frame);
        }
        fflush(stdout);
    }
    return 0;
}
