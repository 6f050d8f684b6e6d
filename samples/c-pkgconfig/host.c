/* A C program that finds swasm as an installed package, through pkg-config
   (Makefile) or CMake (CMakeLists.txt), and calls a compiled module. */
#include <stdio.h>

#include "module.h" /* swasmc module.wat -o module.o --header module.h --prefix mod */

static int fail(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, swasm_last_trap()->message);
    return 1;
}

int main(void) {
    swasm_module *module = mod_load();
    if (!module) return fail("loading the module");
    swasm_instance *instance = swasm_instantiate(module, NULL, 0);
    if (!instance) return fail("instantiating");

    int32_t sum;
    if (mod_call_add(instance, 40, 2, &sum) != SWASM_OK) return fail("add");
    printf("add(40, 2) = %d\n", sum);

    int32_t quotient;
    swasm_trap_code code = mod_call_divide(instance, 1, 0, &quotient);
    printf("divide(1, 0): %s\n", swasm_trap_code_name(code));

    swasm_instance_delete(instance);
    return sum == 42 && code == SWASM_TRAP_INTEGER_DIVIDE_BY_ZERO ? 0 : 1;
}
