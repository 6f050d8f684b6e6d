// The C side of the spec harness (docs/aarch64-testing.md): a minimal
// instantiation of swasm objects linked into one program, for running spec
// assertions where the Swift runtime cannot run (AArch64 under qemu). The
// spec tool (Sources/SwasmSpec/CHarness) writes a driver that describes each
// module of a script as the data below and lists the script's commands; the
// harness instantiates and calls, and prints one line per command:
//
//   <id> instantiated
//   <id> returned <hex bits>...
//   <id> trapped <code> <signal> <site: 1 when the trap had a trap table entry>
//   <id> unlinkable <reason>
//   <id> error <reason>
//
// Everything that can be decided without running code (decoding,
// validation, import resolution, function and global import types,
// constant values) is decided in Swift; what is left here is what depends
// on the run: addresses, current memory and table sizes, traps.
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "swasm_runtime.h"

/// A constant expression of Wasm 2.0 (one instruction).
enum { SH_CONST_BITS, SH_CONST_GLOBAL, SH_CONST_FUNCTION };
typedef struct sh_const {
    uint8_t kind;
    uint64_t value;   // bits, or the global's or function's index
} sh_const;

typedef struct sh_limits {
    uint32_t min;
    uint32_t max;
    bool has_max;
} sh_limits;

/// The `spectest` objects an import can name.
enum { SH_SPECTEST_TABLE, SH_SPECTEST_MEMORY, SH_SPECTEST_GLOBAL_I32, SH_SPECTEST_GLOBAL_I64,
       SH_SPECTEST_GLOBAL_F32, SH_SPECTEST_GLOBAL_F64, SH_SPECTEST_PRINT };
enum { SH_FUNCTION, SH_TABLE, SH_MEMORY, SH_GLOBAL };

typedef struct sh_import {
    uint8_t kind;            // SH_FUNCTION ...
    int32_t instance;        // the exporting instance, or -1 for spectest
    uint32_t index;          // index in the exporter's space of that kind, or SH_SPECTEST_*
    uint64_t signature_id;   // functions from spectest: the import's type
    sh_limits limits;        // tables and memories: as declared by the import
} sh_import;

enum { SH_SEGMENT_PASSIVE, SH_SEGMENT_ACTIVE, SH_SEGMENT_DECLARATIVE };

typedef struct sh_element_segment {
    uint8_t mode;
    uint32_t table;
    sh_const offset;
    uint32_t count;
    const sh_const *items;
} sh_element_segment;

typedef struct sh_data_segment {
    uint8_t mode;
    uint32_t memory;
    sh_const offset;
    uint32_t metadata_offset;   // contents: metadata + metadata_offset
    uint32_t length;
} sh_data_segment;

typedef struct sh_module {
    const char *text;            // PREFIX_swasm_text
    uint32_t text_size;
    const char *metadata;        // PREFIX_swasm_module_metadata
    uint32_t trap_sites_offset;  // in the metadata
    uint32_t trap_site_count;
    uint32_t function_count;     // imports first
    uint32_t imported_function_count;
    const uint32_t *function_types;    // type index per function
    const uint32_t *function_offsets;  // in .text, per defined function
    uint32_t type_count;
    const uint64_t *signature_ids;     // per type, canonical within the script
    const uint32_t *trampoline_offsets;// array-call trampoline per type
    uint32_t import_count;
    const sh_import *imports;
    uint32_t memory_count;       // defined
    const sh_limits *memories;
    uint32_t table_count;        // defined
    const sh_limits *tables;
    uint32_t global_count;       // defined
    const sh_const *globals;
    uint32_t element_count;
    const sh_element_segment *elements;
    uint32_t data_count;
    const sh_data_segment *data;
    int32_t start;               // -1: none
    bool explicit_bounds_checks;
} sh_module;

enum { SH_INSTANTIATE, SH_INVOKE, SH_GET };

typedef struct sh_command {
    uint8_t kind;
    int32_t instance;            // SH_INSTANTIATE: the module index (= instance index)
    uint32_t index;              // function or global index in the instance
    uint32_t arg_count;
    uint32_t result_count;
    const uint64_t *args;
} sh_command;

/// For objects compiled with fuel or epoch checks (docs/fuel-and-epochs.md):
/// every instantiation and invocation starts with `fuel` units and the
/// epoch deadline `epoch_deadline` ticks beyond the current epoch (0: a
/// deadline already reached). The epoch advances only by calls of the
/// spectest print functions, one tick each. When the deadline is reached, the code traps
/// with "interrupted", or with `continue_at_deadline` goes on with the
/// deadline where it is (as a store's callback answering "continue for 0
/// ticks"), so that every later check calls the helper again. Without this
/// call VM contexts have no limits block, as the runtime's do for code
/// compiled without either.
void sh_set_execution_limits(int64_t fuel, uint64_t epoch_deadline, bool continue_at_deadline);

/// Runs `commands` over `modules` (instance i is module i, made by its
/// instantiate command); prints one line per command. Returns 0.
int sh_run(const sh_module *modules, uint32_t module_count, const sh_command *commands, uint32_t command_count);
