/* A C program that links a module compiled by swasmc and calls it through
   the runtime's C API (docs/c-api.md). `make` in this directory builds and
   runs it. */
#include <stdio.h>
#include <string.h>

#include "module.h" /* swasmc module.wat -o module.o --header module.h --prefix mod */

static int fail(const char *what) {
    const swasm_trap *trap = swasm_last_trap();
    fprintf(stderr, "%s failed: %s\n", what, trap->message);
    return 1;
}

int main(void) {
    swasm_module *module = mod_load();
    if (!module) return fail("loading the module");
    swasm_instance *instance = swasm_instantiate(module, NULL, 0);
    if (!instance) return fail("instantiating");

    /* Typed wrappers from the generated header. */
    int32_t sum;
    if (mod_call_add(instance, 40, 2, &sum) != SWASM_OK) return fail("add");
    printf("add(40, 2) = %d\n", sum);
    int64_t fib;
    if (mod_call_fib(instance, 90, &fib) != SWASM_OK) return fail("fib");
    printf("fib(90) = %lld\n", (long long)fib);
    double twice;
    float thrice;
    if (mod_call_scale(instance, 1.25, 0.5f, &twice, &thrice) != SWASM_OK) return fail("scale");
    printf("scale(1.25, 0.5) = %g %g\n", twice, thrice);

    /* The exported memory: write bytes, let the module sum them, grow it. */
    swasm_extern *memory = swasm_instance_export(instance, "memory");
    if (!memory) return fail("memory export");
    uint8_t *data = swasm_memory_data(memory);
    for (int i = 0; i < 100; i++) data[1000 + i] = (uint8_t)i;
    if (mod_call_sum(instance, 1000, 100, &sum) != SWASM_OK) return fail("sum");
    printf("sum of 0..99 in memory = %d\n", sum);
    printf("memory: %zu bytes\n", swasm_memory_size(memory));
    long long old_pages = (long long)swasm_memory_grow(memory, 1);
    printf("grow by 1 page: old size %lld pages, now %llu pages\n", old_pages,
           (unsigned long long)swasm_memory_pages(memory));
    printf("grow past the maximum: %lld\n", (long long)swasm_memory_grow(memory, 10));

    /* A trap: the code and where it happened; the instance stays usable. */
    int32_t quotient;
    swasm_trap_code code = mod_call_divide(instance, 1, 0, &quotient);
    const swasm_trap *trap = swasm_last_trap();
    printf("divide(1, 0): trap %d (%s), function %u, offset 0x%x\n", code, swasm_trap_code_name(code),
           trap->function_index, trap->wasm_offset);
    printf("message: %s\n", trap->message);
    for (size_t i = 0; i < swasm_trap_frame_count(); i++) {
        uint32_t function, offset;
        swasm_trap_frame(i, &function, &offset);
        printf("frame %zu: function %u, offset 0x%x\n", i, function, offset);
    }
    if (mod_call_divide(instance, -7, 2, &quotient) != SWASM_OK) return fail("divide");
    printf("divide(-7, 2) = %d\n", quotient);

    /* Generic calls by name with 8-byte slots. */
    uint64_t slots[2] = { swasm_slot_i32(5), swasm_slot_i32(6) };
    if (swasm_call(instance, "add", slots, 2) != SWASM_OK) return fail("swasm_call");
    printf("swasm_call(add, 5, 6) = %d\n", swasm_slot_to_i32(slots[0]));
    if (swasm_call(instance, "nope", slots, 2) != SWASM_ERROR_INVALID_ARGUMENT) return fail("unknown export");
    printf("unknown export: %s\n", swasm_last_trap()->message);

    /* The exported global counts the calls; the host can reset it. */
    swasm_extern *calls = swasm_instance_export(instance, "calls");
    uint64_t bits;
    swasm_global_get(calls, &bits);
    printf("calls = %d\n", swasm_slot_to_i32(bits));
    swasm_global_set(calls, swasm_slot_i32(100));
    mod_call_add(instance, 0, 0, &sum);
    swasm_global_get(calls, &bits);
    printf("calls after reset to 100 and one call = %d\n", swasm_slot_to_i32(bits));

    /* The raw symbol: a direct call, no trap handling (fine for add). */
    printf("raw mod_add(vmctx, 1, 2) = %d\n", mod_add(swasm_instance_vmctx(instance), 1, 2));

    swasm_instance_delete(instance);
    return 0;
}
