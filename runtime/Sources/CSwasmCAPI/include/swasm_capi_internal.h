/* Used by the runtime's implementation of swasm.h; not part of the API. */
#ifndef SWASM_CAPI_INTERNAL_H
#define SWASM_CAPI_INTERNAL_H

#include "swasm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Records the calling thread's latest failure and returns `code`. */
swasm_trap_code swasm_capi_set_trap(swasm_trap_code code, uint32_t function_index, uint32_t wasm_offset,
                                    const char *message);

/* Records the backtrace of the failure just recorded: `count` frames of
   { function index, wasm offset }, innermost first (as many as fit). */
void swasm_capi_set_frames(const uint32_t *frames, size_t count);

#ifdef __cplusplus
}
#endif

#endif
