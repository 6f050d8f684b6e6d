/* Reads and writes files in a preopened directory and prints its arguments
 * and environment: the WASI capabilities a command gets from swasm. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    for (int i = 0; i < argc; i++) printf("argv[%d] = %s\n", i, argv[i]);
    const char *greeting = getenv("GREETING");
    printf("GREETING = %s\n", greeting ? greeting : "(unset)");

    FILE *out = fopen("data/notes.txt", "w");
    if (!out) { perror("data/notes.txt"); return 1; }
    fprintf(out, "written by a wasm guest\n");
    fclose(out);

    char line[128] = {0};
    FILE *in = fopen("data/notes.txt", "r");
    if (!in || !fgets(line, sizeof line, in)) { perror("read back"); return 1; }
    fclose(in);
    printf("read back: %s", line);

    DIR *dir = opendir("data");
    if (!dir) { perror("data"); return 1; }
    for (struct dirent *entry; (entry = readdir(dir)) != NULL;)
        if (entry->d_name[0] != '.') printf("data/%s\n", entry->d_name);
    closedir(dir);

    /* Outside the preopened directory: refused. */
    printf("open /etc/passwd: %s\n", fopen("/etc/passwd", "r") ? "opened (wrong!)" : "refused");
    return 0;
}
