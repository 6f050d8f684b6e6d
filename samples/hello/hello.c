/* A WASI "hello": compiled to wasm32-wasi, then by swasmc into a native executable. */
#include <stdio.h>

int main(int argc, char **argv) {
    printf("hello from wasm, %s!\n", argc > 1 ? argv[1] : "world");
    return 0;
}
