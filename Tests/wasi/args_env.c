// Arguments, environment, stdio and exit codes.
#include "common.h"

extern char **environ;

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    int n = 0;
    while (environ[n]) n++;
    qsort(environ, n, sizeof(char *), compare);
    for (int i = 0; i < n; i++) printf("env %s\n", environ[i]);
    printf("getenv(GREETING)=%s\n", getenv("GREETING") ? getenv("GREETING") : "(null)");
    fprintf(stderr, "to stderr\n");
    fflush(stdout);

    // Bad pointers: EFAULT, never a crash (wasmtime traps instead: swasm only).
    if (argc > 1 && strcmp(argv[1], "efault") == 0) {
    int32_t end = memory_end();
    CHECK("args_sizes_get(end)", raw_args_sizes_get(end, end));
    CHECK("args_sizes_get(-4)", raw_args_sizes_get(-4, 0));
    CHECK("args_get(end)", raw_args_get(end - 2, end - 100));
    CHECK("environ_sizes_get(end-2)", raw_environ_sizes_get(end - 2, 16));
    }

    if (argc > 2 && strcmp(argv[1], "exit") == 0) {
        fflush(stdout);
        exit(atoi(argv[2]));
    }
    if (argc > 2 && strcmp(argv[1], "return") == 0) return atoi(argv[2]);
    if (argc > 1 && strcmp(argv[1], "trap") == 0) __builtin_trap();
    if (argc > 1 && strcmp(argv[1], "cat") == 0) {
        char buf[64];
        size_t total = 0, got;
        while ((got = fread(buf, 1, sizeof buf, stdin)) > 0) { fwrite(buf, 1, got, stdout); total += got; }
        printf("read %zu bytes from stdin\n", total);
    }
    return 0;
}
