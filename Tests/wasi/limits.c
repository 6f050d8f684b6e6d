// Limits of path resolution and of vectored I/O: paths of 4096 bytes and
// more are ENAMETOOLONG, 40 symlinks are followed and the 41st is ELOOP, deep
// paths resolve without a descriptor per level (run.py gives swasm a low
// RLIMIT_NOFILE), symlinks with absolute targets cannot be read, and more
// iovecs than the host takes in one call give a partial transfer.
#include "common.h"

WASI_IMPORT(fd_pwrite) int32_t raw_fd_pwrite(int32_t fd, int32_t iovs, int32_t iovs_len, int64_t offset, int32_t n);

#define RIGHTS_READ ((int64_t)((1 << 1) | (1 << 2) | (1 << 5) | (1 << 21)))
#define RIGHTS_ALL ((int64_t)0x1FFFFFFF)

static int dir;
static char path[200001];
static char bytes[4096];
static uint32_t iovs[2 * 3000];

/// "./././…/hello.txt", `length` bytes long.
static void dotted_path(int length) {
    int prefix = length - 9;
    for (int i = 0; i < prefix; i++) path[i] = i % 2 == 0 ? '.' : '/';
    if (prefix % 2) path[prefix - 1] = '/';
    memcpy(path + prefix, "hello.txt", 9);
}

static void open_and_close(const char *label, int32_t base, int follow, int32_t address, int32_t length) {
    int32_t fd = -1;
    int32_t r = raw_path_open(base, follow, address, length, 0, RIGHTS_READ, 0, 0, P(&fd));
    printf("%s = %d\n", label, r);
    if (r == 0) raw_fd_close(fd);
}

int main(void) {
    dir = find_preopen("/sandbox");
    printf("sandbox preopen found: %d\n", dir >= 3);

    // Path length.
    int lengths[] = {4094, 4095, 4096, 4097, 100000, 200000};
    for (int i = 0; i < 6; i++) {
        char label[64];
        dotted_path(lengths[i]);
        snprintf(label, sizeof label, "path_open(%d-byte path)", lengths[i]);
        open_and_close(label, dir, 0, P(path), lengths[i]);
        uint8_t filestat[64];
        printf("path_filestat_get(%d-byte path) = %d\n", lengths[i],
               raw_path_filestat_get(dir, 0, P(path), lengths[i], P(filestat)));
    }

    // Symlink chains: chain_k -> chain_{k-1} -> ... -> chain_0 -> hello.txt.
    char name[32], target[32];
    for (int k = 0; k < 42; k++) {
        snprintf(name, sizeof name, "chain_%d", k);
        if (k == 0) snprintf(target, sizeof target, "hello.txt");
        else snprintf(target, sizeof target, "chain_%d", k - 1);
        if (raw_path_symlink(STR(target), dir, STR(name)) != 0) printf("symlink %s failed\n", name);
    }
    for (int k = 30; k < 42; k++) {
        char label[64];
        snprintf(name, sizeof name, "chain_%d", k);
        snprintf(label, sizeof label, "path_open(%d symlinks)", k + 1);
        open_and_close(label, dir, 1, STR(name));
    }

    // path_readlink: relative targets are read, absolute ones are not.
    char buffer[256];
    int32_t used = -1;
    int32_t r = raw_path_readlink(dir, STR("link_in"), P(buffer), sizeof buffer, P(&used));
    printf("path_readlink(link_in) = %d: %.*s\n", r, r == 0 ? used : 0, buffer);
    r = raw_path_readlink(dir, STR("link_out"), P(buffer), sizeof buffer, P(&used));
    printf("path_readlink(link_out) = %d: %.*s\n", r, r == 0 ? used : 0, buffer);
    used = -1;
    CHECK("path_readlink(abs_link)", raw_path_readlink(dir, STR("abs_link"), P(buffer), sizeof buffer, P(&used)));
    printf("used unchanged: %d\n", used == -1);

    // A tree 800 directories deep, made one level at a time.
    int depth = 800;
    int length = 0;
    for (int level = 0; level < depth; level++) {
        if (level) path[length++] = '/';
        path[length++] = 'd';
        int32_t made = raw_path_create_directory(dir, P(path), length);
        if (made != 0) { printf("mkdir at level %d = %d\n", level + 1, made); break; }
    }
    memcpy(path + length, "/file", 5);
    int32_t fd = -1;
    r = raw_path_open(dir, 0, P(path), length + 5, 1, RIGHTS_ALL, 0, 0, P(&fd));
    printf("create at depth %d = %d\n", depth, r);
    if (r == 0) raw_fd_close(fd);
    uint8_t filestat[64];
    CHECK("filestat at depth", raw_path_filestat_get(dir, 0, P(path), length + 5, P(filestat)));
    printf("filetype=%d\n", filestat[16]);
    // Down to the bottom and all the way back up: hello.txt.
    int up = length;
    for (int level = 0; level < depth; level++) { memcpy(path + up, "/..", 3); up += 3; }
    memcpy(path + up, "/hello.txt", 10);
    open_and_close("path_open(down 800, up 800)", dir, 0, P(path), up + 10);
    // One level too far up.
    memcpy(path + up, "/../hello.txt", 13);
    open_and_close("path_open(down 800, up 801)", dir, 0, P(path), up + 13);
    // Removed bottom up, so that the tree left behind stays small.
    memcpy(path + length, "/file", 5);
    CHECK("unlink at depth", raw_path_unlink_file(dir, P(path), length + 5));
    int removed = 0;
    while (length > 0) {
        if (raw_path_remove_directory(dir, P(path), length) == 0) removed++;
        length = length > 2 ? length - 2 : 0;
    }
    printf("directories removed: %d\n", removed);

    // Vectored I/O: 1,024 iovecs and more write and read part of the data
    // (wasmtime takes one buffer a call, swasm up to 1,024), never EINVAL.
    r = raw_path_open(dir, 0, STR("iovecs.txt"), 1 | 8, RIGHTS_ALL, 0, 0, P(&fd));
    printf("create iovecs.txt = %d\n", r);
    memset(bytes, 'v', sizeof bytes);
    int counts[] = {1, 1024, 1025, 3000};
    for (int c = 0; c < 4; c++) {
        int count = counts[c];
        for (int i = 0; i < count; i++) { iovs[2 * i] = P(bytes + i % 4096); iovs[2 * i + 1] = 1; }
        int32_t n = -1;
        r = raw_fd_write(fd, P(iovs), count, P(&n));
        printf("fd_write(%d iovecs) = %d partial=%d\n", count, r, n >= 1 && n <= count);
        r = raw_fd_pwrite(fd, P(iovs), count, 0, P(&n));
        printf("fd_pwrite(%d iovecs) = %d partial=%d\n", count, r, n >= 1 && n <= count);
        r = raw_fd_pread(fd, P(iovs), count, 0, P(&n));
        printf("fd_pread(%d iovecs) = %d partial=%d\n", count, r, n >= 1 && n <= count);
        uint64_t position;
        raw_fd_seek(fd, 0, 0, P(&position));
        r = raw_fd_read(fd, P(iovs), count, P(&n));
        printf("fd_read(%d iovecs) = %d partial=%d\n", count, r, n >= 1 && n <= count);
    }
    raw_fd_close(fd);
    CHECK("unlink iovecs.txt", raw_path_unlink_file(dir, STR("iovecs.txt")));
    return 0;
}
