/*
 * swasm.h: the C API of the swasm runtime.
 *
 * A C (or C++) program links modules compiled by `swasmc` (ELF objects) and
 * the runtime library (`swasm-config --libs`), then:
 *
 *   swasm_module *m = swasm_module_load(&descriptor);     // from swasmc --header
 *   swasm_instance *i = swasm_instantiate(m, NULL, 0);
 *   uint64_t slots[2] = { 2, 3 };
 *   if (swasm_call(i, "add", slots, 2) == SWASM_OK) printf("%u\n", (uint32_t)slots[0]);
 *   swasm_instance_delete(i);
 *
 * Every function reports failure by its result (an error code, or NULL), never
 * by aborting; the details of the latest failure on the calling thread are in
 * `swasm_last_trap()`. docs/c-api.md describes the API.
 *
 * Threads: like the Swift API, a set of linked instances and their objects is
 * used from one thread at a time. Loading modules is thread-safe.
 */
#ifndef SWASM_H
#define SWASM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Result of every call: SWASM_OK, a trap of the wasm code (1..11, the values
   of SwasmABI.TrapCode), or an error of the host's use of the API (>= 64). */
typedef enum swasm_trap_code {
    SWASM_OK = 0,
    SWASM_TRAP_UNREACHABLE = 1,
    SWASM_TRAP_MEMORY_OUT_OF_BOUNDS = 2,
    SWASM_TRAP_TABLE_OUT_OF_BOUNDS = 3,
    SWASM_TRAP_INDIRECT_CALL_TO_NULL = 4,
    SWASM_TRAP_INDIRECT_CALL_TYPE_MISMATCH = 5,
    SWASM_TRAP_INTEGER_DIVIDE_BY_ZERO = 6,
    SWASM_TRAP_INTEGER_OVERFLOW = 7,
    SWASM_TRAP_INVALID_CONVERSION_TO_INTEGER = 8,
    SWASM_TRAP_CALL_STACK_EXHAUSTED = 9,
    SWASM_TRAP_NULL_REFERENCE = 10,
    /* Not a fault: a WASI guest called proc_exit. */
    SWASM_TRAP_EXIT = 11,
    /* A host function reported an error. */
    SWASM_TRAP_HOST_ERROR = 12,
    /* The host interrupted code compiled with interruption or epoch checks. */
    SWASM_TRAP_INTERRUPTED = 13,
    /* Code compiled with fuel used up its instance's fuel
       (swasm_instance_set_fuel; a store's in the Swift API). */
    SWASM_TRAP_OUT_OF_FUEL = 14,
    /* An import is missing or does not match its declaration. */
    SWASM_ERROR_LINK = 64,
    /* Unknown export, wrong kind, wrong number or types of values, NULL handle,
       setting an immutable global. */
    SWASM_ERROR_INVALID_ARGUMENT = 65,
    /* The module descriptor cannot be loaded: bad metadata, another object
       format version, another machine, inconsistent tables. */
    SWASM_ERROR_BAD_MODULE = 66,
    /* Memory or address space could not be had. */
    SWASM_ERROR_RESOURCES = 67,
    /* The module needs something this runtime does not provide (v128 values
       across the API, WASI in a build without it, ...). */
    SWASM_ERROR_UNSUPPORTED = 68,
} swasm_trap_code;

/* `function_index` / `wasm_offset` when not known. */
#define SWASM_UNKNOWN_LOCATION 0xFFFFFFFFu

/* The latest failure on a thread. */
typedef struct swasm_trap {
    swasm_trap_code code;
    /* For traps: the wasm function (imports counted) and the offset of the
       trapping instruction in the module's bytes, or SWASM_UNKNOWN_LOCATION. */
    uint32_t function_index;
    uint32_t wasm_offset;
    /* A one-line description, NUL-terminated (truncated to fit). */
    char message[500];
} swasm_trap;

/* The calling thread's latest failure (code SWASM_OK when none yet). The
   pointer is valid for the life of the thread; the contents change on the
   thread's next failure. */
const swasm_trap *swasm_last_trap(void);

/* The wasm backtrace of the calling thread's latest trap, innermost frame
   first: the trapping function, then each caller at its call. The count is
   0 after failures that are not traps (or traps outside compiled code). */
size_t swasm_trap_frame_count(void);

/* Frame `index` of that backtrace: the function (imports counted) and the
   module offset of the trapping instruction or call
   (SWASM_UNKNOWN_LOCATION when not known). Returns 1, or 0 when out of range. */
int swasm_trap_frame(size_t index, uint32_t *function_index, uint32_t *wasm_offset);

/* The spec's wording for a code ("integer divide by zero", ...). */
const char *swasm_trap_code_name(swasm_trap_code code);

/* Value types, as in the binary format. */
typedef enum swasm_valtype {
    SWASM_I32 = 0x7F,
    SWASM_I64 = 0x7E,
    SWASM_F32 = 0x7D,
    SWASM_F64 = 0x7C,
    SWASM_V128 = 0x7B,
    SWASM_FUNCREF = 0x70,
    SWASM_EXTERNREF = 0x6F,
} swasm_valtype;

typedef enum swasm_extern_kind {
    SWASM_EXTERN_FUNC = 0,
    SWASM_EXTERN_TABLE = 1,
    SWASM_EXTERN_MEMORY = 2,
    SWASM_EXTERN_GLOBAL = 3,
} swasm_extern_kind;

/* ------------------------------------------------------------------------
 * Modules
 * ------------------------------------------------------------------------ */

/* A module linked into the program: `swasmc --header` declares one as
   PREFIX_descriptor. `text` is the PREFIX_swasm_text symbol, `metadata` the
   PREFIX_swasm_module_metadata symbol, `metadata_size` its size. */
typedef struct swasm_module_descriptor {
    const void *metadata;
    size_t metadata_size;
    const void *text;
} swasm_module_descriptor;

typedef struct swasm_module swasm_module;

/* Loads a linked module: decodes and checks its metadata and registers its
   code for trap handling (installing the runtime's signal handlers once). The
   code is part of the program and trusted as the program is. Loading the same
   descriptor again returns the same module. NULL on failure. Linked modules
   live as long as the process: there is nothing to free. */
swasm_module *swasm_module_load(const swasm_module_descriptor *descriptor);

/* Imports and exports of a module, in declaration order. Names are valid
   while the module is (for linked modules: always). NULL when out of range. */
size_t swasm_module_import_count(const swasm_module *module);
const char *swasm_module_import_module(const swasm_module *module, size_t index);
const char *swasm_module_import_name(const swasm_module *module, size_t index);
swasm_extern_kind swasm_module_import_kind(const swasm_module *module, size_t index);
size_t swasm_module_export_count(const swasm_module *module);
const char *swasm_module_export_name(const swasm_module *module, size_t index);
swasm_extern_kind swasm_module_export_kind(const swasm_module *module, size_t index);

/* ------------------------------------------------------------------------
 * Externs: functions, tables, memories and globals
 * ------------------------------------------------------------------------ */

typedef struct swasm_extern swasm_extern;

swasm_extern_kind swasm_extern_kind_of(const swasm_extern *value);

/* A new memory of `minimum` pages (and at most `maximum`, or -1 for none),
   to import into instances. Free with swasm_extern_delete (instances that
   import it keep it alive). NULL on failure. */
swasm_extern *swasm_memory_new(uint32_t minimum, int64_t maximum);
/* A new global holding `bits` (an 8-byte slot, see swasm_call). */
swasm_extern *swasm_global_new(swasm_valtype type, int is_mutable, uint64_t bits);
/* A host function the wasm code calls directly: `code` must be a C function
   with the native signature of the wasm type (docs/abi.md), with the context
   first: for (i32, i64) -> f64, `double f(void *env, int32_t, int64_t)`.
   `env` is passed as that first argument. `params`/`results` spell the type
   with one letter per value: i (i32), I (i64), f (f32), F (f64), r
   (funcref), x (externref): swasm_func_new_native("iI", "F", f, env). At most
   one result. The function must return normally (it cannot trap) and must not
   call back into wasm code. Such functions cannot be called through
   swasm_func_call unless they have no results (then the call does nothing). */
swasm_extern *swasm_func_new_native(const char *params, const char *results, const void *code, void *env);
/* Frees an extern made by one of the functions above (not exports). */
void swasm_extern_delete(swasm_extern *value);

/* Memories. */
uint8_t *swasm_memory_data(const swasm_extern *memory);
/* Accessible bytes. */
size_t swasm_memory_size(const swasm_extern *memory);
uint64_t swasm_memory_pages(const swasm_extern *memory);
/* memory.grow: the old size in pages, or -1 (the memory cannot grow). The
   base never moves. */
int64_t swasm_memory_grow(swasm_extern *memory, uint64_t pages);

/* Globals: the value as an 8-byte slot. */
swasm_valtype swasm_global_type(const swasm_extern *global);
int swasm_global_is_mutable(const swasm_extern *global);
swasm_trap_code swasm_global_get(const swasm_extern *global, uint64_t *bits);
swasm_trap_code swasm_global_set(swasm_extern *global, uint64_t bits);

/* Functions: number of parameters and results, and their types. */
size_t swasm_func_param_count(const swasm_extern *func);
size_t swasm_func_result_count(const swasm_extern *func);
swasm_valtype swasm_func_param_type(const swasm_extern *func, size_t index);
swasm_valtype swasm_func_result_type(const swasm_extern *func, size_t index);

/* Calls a function. `slots` holds the arguments, one 8-byte slot each (i32
   and f32: the value or its bits in the low 4 bytes; i64, f64: the value or
   its bits; funcref: the reference pointer; externref: the host value); the
   results are written over it from slots[0]. `slot_count` must be at least
   max(parameters, results). A trap returns its code (details in
   swasm_last_trap) and leaves the instance usable. */
swasm_trap_code swasm_func_call(swasm_extern *func, uint64_t *slots, size_t slot_count);

/* ------------------------------------------------------------------------
 * Instances
 * ------------------------------------------------------------------------ */

typedef struct swasm_instance swasm_instance;

/* An import for swasm_instantiate: the extern given for the module's import
   `module`.`name`. Imports are matched by name, in any order. */
typedef struct swasm_import {
    const char *module;
    const char *name;
    swasm_extern *value;
} swasm_import;

/* Instantiates `module`: links the imports, initializes tables and memories,
   runs the start function. NULL on failure (SWASM_ERROR_LINK, a trap in the
   start function or a segment out of bounds, ...; see swasm_last_trap). */
swasm_instance *swasm_instantiate(swasm_module *module, const swasm_import *imports, size_t import_count);

/* Frees the instance. Exports taken from it become invalid; objects it
   exported that other instances imported stay alive for those. */
void swasm_instance_delete(swasm_instance *instance);

swasm_module *swasm_instance_module(swasm_instance *instance);

/* The VM context, for calling exports' raw symbols directly (see
   docs/c-api.md: no trap handling there). */
void *swasm_instance_vmctx(swasm_instance *instance);

/* An export by name or by index in the module's export list. The extern is
   owned by the instance: valid until swasm_instance_delete, no need to free.
   It can be given as an import to other instances. NULL when there is no
   such export. */
swasm_extern *swasm_instance_export(swasm_instance *instance, const char *name);
swasm_extern *swasm_instance_export_at(swasm_instance *instance, size_t index);

/* Calls the exported function `name` / export number `index` (see
   swasm_func_call). */
swasm_trap_code swasm_call(swasm_instance *instance, const char *name, uint64_t *slots, size_t slot_count);
swasm_trap_code swasm_call_index(swasm_instance *instance, size_t export_index, uint64_t *slots, size_t slot_count);

/* Fuel, for modules compiled with `swasmc --consume-fuel`: each wasm
   operator costs 1 (docs/fuel-and-epochs.md). Each instance has its own
   fuel, unlimited until set; when code runs out it traps with
   SWASM_TRAP_OUT_OF_FUEL, and the instance runs again once given more.
   Both return SWASM_ERROR_INVALID_ARGUMENT for a module compiled without
   fuel. Fuel above INT64_MAX counts as INT64_MAX. */
swasm_trap_code swasm_instance_set_fuel(swasm_instance *instance, uint64_t fuel);
swasm_trap_code swasm_instance_get_fuel(swasm_instance *instance, uint64_t *fuel);

/* Epoch deadlines, for modules compiled with `swasmc --epoch-interruption`:
   the process has one epoch counter, which any thread may advance, also
   while wasm runs (a timer thread, typically). Code reaching its instance's
   deadline at a function entry or loop head traps with
   SWASM_TRAP_INTERRUPTED. An instance has no deadline until one is set, to
   `ticks_beyond_current` ticks past the current epoch
   (SWASM_ERROR_INVALID_ARGUMENT for a module compiled without epoch
   checks). */
void swasm_increment_epoch(void);
uint64_t swasm_current_epoch(void);
swasm_trap_code swasm_instance_set_epoch_deadline(swasm_instance *instance, uint64_t ticks_beyond_current);

/* Slots (8 bytes per value) from and to C values. */
static inline uint64_t swasm_slot_i32(int32_t v) { return (uint64_t)(uint32_t)v; }
static inline uint64_t swasm_slot_i64(int64_t v) { return (uint64_t)v; }
static inline uint64_t swasm_slot_f32(float v) { uint32_t b; memcpy(&b, &v, 4); return b; }
static inline uint64_t swasm_slot_f64(double v) { uint64_t b; memcpy(&b, &v, 8); return b; }
static inline uint64_t swasm_slot_ref(void *v) { return (uint64_t)(uintptr_t)v; }
static inline int32_t swasm_slot_to_i32(uint64_t s) { return (int32_t)(uint32_t)s; }
static inline int64_t swasm_slot_to_i64(uint64_t s) { return (int64_t)s; }
static inline float swasm_slot_to_f32(uint64_t s) { uint32_t b = (uint32_t)s; float v; memcpy(&v, &b, 4); return v; }
static inline double swasm_slot_to_f64(uint64_t s) { double v; memcpy(&v, &s, 8); return v; }
static inline void *swasm_slot_to_ref(uint64_t s) { return (void *)(uintptr_t)s; }

/* ------------------------------------------------------------------------
 * Commands (`swasmc --exe`)
 * ------------------------------------------------------------------------ */

/* Runs a linked module as a WASI command: instantiates it (with WASI preview 1
   when it imports wasi_snapshot_preview1), calls `_start` and returns the
   exit code: the guest's proc_exit code, 0 when _start returns, 134 after a
   trap, 1 when the module cannot be loaded or linked (both reported on
   stderr as "NAME: error: ..."). A module without WASI imports may export
   `main` (no parameters) instead of `_start`: its i32 result is the exit
   code. All of argv goes to the guest (argv[0]: the program name it sees).
   Host settings come from the environment: SWASM_DIRS, colon-separated
   directories to preopen (each under its own name; default "."; empty: none).
   The guest's environment is the host's without SWASM_DIRS.
   docs/c-api.md has the details. */
int swasm_run_command(const swasm_module_descriptor *descriptor, int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif /* SWASM_H */
