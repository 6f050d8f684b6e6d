// The per-thread record of the latest failure (swasm_last_trap).
#include <string.h>

#include "swasm.h"
#include "swasm_capi_internal.h"

static _Thread_local swasm_trap last_trap = {
    .code = SWASM_OK,
    .function_index = SWASM_UNKNOWN_LOCATION,
    .wasm_offset = SWASM_UNKNOWN_LOCATION,
    .message = "",
};

/* The backtrace, kept beside the public record so that its layout stays. */
#define MAX_FRAMES 256
static _Thread_local uint32_t last_frames[MAX_FRAMES][2];
static _Thread_local size_t last_frame_count;

const swasm_trap *swasm_last_trap(void) { return &last_trap; }

void swasm_capi_set_frames(const uint32_t *frames, size_t count) {
    if (count > MAX_FRAMES) count = MAX_FRAMES;
    if (count) memcpy(last_frames, frames, count * sizeof last_frames[0]);
    last_frame_count = count;
}

size_t swasm_trap_frame_count(void) { return last_frame_count; }

int swasm_trap_frame(size_t index, uint32_t *function_index, uint32_t *wasm_offset) {
    if (index >= last_frame_count) return 0;
    if (function_index) *function_index = last_frames[index][0];
    if (wasm_offset) *wasm_offset = last_frames[index][1];
    return 1;
}

swasm_trap_code swasm_capi_set_trap(swasm_trap_code code, uint32_t function_index, uint32_t wasm_offset,
                                    const char *message) {
    last_trap.code = code;
    last_trap.function_index = function_index;
    last_trap.wasm_offset = wasm_offset;
    size_t length = message ? strlen(message) : 0;
    if (length >= sizeof last_trap.message) length = sizeof last_trap.message - 1;
    if (length) memcpy(last_trap.message, message, length);
    last_trap.message[length] = 0;
    last_frame_count = 0;
    return code;
}

const char *swasm_trap_code_name(swasm_trap_code code) {
    switch (code) {
    case SWASM_OK: return "ok";
    case SWASM_TRAP_UNREACHABLE: return "unreachable executed";
    case SWASM_TRAP_MEMORY_OUT_OF_BOUNDS: return "out of bounds memory access";
    case SWASM_TRAP_TABLE_OUT_OF_BOUNDS: return "out of bounds table access";
    case SWASM_TRAP_INDIRECT_CALL_TO_NULL: return "uninitialized element";
    case SWASM_TRAP_INDIRECT_CALL_TYPE_MISMATCH: return "indirect call type mismatch";
    case SWASM_TRAP_INTEGER_DIVIDE_BY_ZERO: return "integer divide by zero";
    case SWASM_TRAP_INTEGER_OVERFLOW: return "integer overflow";
    case SWASM_TRAP_INVALID_CONVERSION_TO_INTEGER: return "invalid conversion to integer";
    case SWASM_TRAP_CALL_STACK_EXHAUSTED: return "call stack exhausted";
    case SWASM_TRAP_NULL_REFERENCE: return "null reference";
    case SWASM_TRAP_EXIT: return "exit";
    case SWASM_TRAP_HOST_ERROR: return "host function error";
    case SWASM_TRAP_INTERRUPTED: return "interrupted";
    case SWASM_TRAP_OUT_OF_FUEL: return "all fuel consumed";
    case SWASM_ERROR_LINK: return "link error";
    case SWASM_ERROR_INVALID_ARGUMENT: return "invalid argument";
    case SWASM_ERROR_BAD_MODULE: return "bad module";
    case SWASM_ERROR_RESOURCES: return "out of resources";
    case SWASM_ERROR_UNSUPPORTED: return "unsupported";
    }
    return "unknown";
}
