// Capabilities and bad pointers through the raw imports: no path leaves the
// preopen, and guest pointers outside memory give EFAULT (21).
#include "common.h"

#define RIGHTS_READ ((int64_t)((1 << 1) | (1 << 2) | (1 << 5) | (1 << 21)))
#define RIGHTS_ALL ((int64_t)0x1FFFFFFF)

static int dir;

static void try_open(const char *path, int follow) {
    int32_t fd = -1;
    int32_t r = raw_path_open(dir, follow, STR(path), 0, RIGHTS_READ, 0, 0, P(&fd));
    printf("path_open(%s, follow=%d) = %d\n", path, follow, r);
    if (r == 0) raw_fd_close(fd);
}

int main(int argc, char **argv) {
    dir = find_preopen("/sandbox");
    printf("sandbox preopen found: %d\n", dir >= 3);
    uint8_t prestat[8];
    CHECK("prestat_get(stdout)", raw_fd_prestat_get(1, P(prestat)));
    CHECK("prestat_get(99)", raw_fd_prestat_get(99, P(prestat)));
    char name[4];
    CHECK("prestat_dir_name(short)", raw_fd_prestat_dir_name(dir, P(name), 2));

    // Escapes.
    try_open("hello.txt", 0);
    try_open("sub/../hello.txt", 0);
    try_open("./sub/./nested.txt", 0);
    try_open(".", 0);
    try_open("sub/up", 1);
    try_open("link_in", 1);
    try_open("link_in", 0);
    try_open("../outside/secret.txt", 0);
    try_open("..", 0);
    try_open("sub/../../outside/secret.txt", 0);
    try_open("sub/../..", 0);
    try_open("/etc/passwd", 0);
    try_open("/", 0);
    try_open("link_out", 1);
    try_open("link_out", 0);
    try_open("abs_link", 1);
    try_open("link_dir_out/secret.txt", 0);
    try_open("sub/deep_out", 1);
    try_open("loop1", 1);
    try_open("missing/x", 0);
    try_open("hello.txt/", 0);
    uint8_t filestat[64];
    CHECK("filestat(link_out, nofollow)", raw_path_filestat_get(dir, 0, STR("link_out"), P(filestat)));
    printf("link_out filetype=%d\n", filestat[16]);
    CHECK("filestat(link_out, follow)", raw_path_filestat_get(dir, 1, STR("link_out"), P(filestat)));
    CHECK("filestat(../outside)", raw_path_filestat_get(dir, 0, STR("../outside"), P(filestat)));
    CHECK("filestat(/etc)", raw_path_filestat_get(dir, 0, STR("/etc"), P(filestat)));
    CHECK("mkdir(../escaped)", raw_path_create_directory(dir, STR("../escaped")));
    CHECK("mkdir(/tmp/escaped)", raw_path_create_directory(dir, STR("/tmp/escaped")));
    CHECK("mkdir(link_dir_out/escaped)", raw_path_create_directory(dir, STR("link_dir_out/escaped")));
    CHECK("unlink(../outside/secret.txt)", raw_path_unlink_file(dir, STR("../outside/secret.txt")));
    CHECK("unlink(link_dir_out/secret.txt)", raw_path_unlink_file(dir, STR("link_dir_out/secret.txt")));
    CHECK("rmdir(..)", raw_path_remove_directory(dir, STR("..")));
    CHECK("rename(hello.txt, ../stolen)", raw_path_rename(dir, STR("hello.txt"), dir, STR("../stolen")));
    CHECK("rename(../outside/secret.txt, here)", raw_path_rename(dir, STR("../outside/secret.txt"), dir, STR("here")));
    CHECK("link(link_out follow, hard)", raw_path_link(dir, 1, STR("link_out"), dir, STR("hard")));
    CHECK("link(../outside/secret.txt, hard)", raw_path_link(dir, 0, STR("../outside/secret.txt"), dir, STR("hard")));
    CHECK("symlink(x, ../outside/evil)", raw_path_symlink(STR("x"), dir, STR("../outside/evil")));
    char target[64] = {0};
    int32_t used = -1;
    CHECK("readlink(link_out)", raw_path_readlink(dir, STR("link_out"), P(target), sizeof target - 1, P(&used)));
    printf("link_out -> %.*s\n", used, target);
    CHECK("readlink(../outside/x)", raw_path_readlink(dir, STR("../outside/x"), P(target), sizeof target, P(&used)));

    // Descriptors that are not directories, or not open.
    int32_t file = -1;
    CHECK("open hello", raw_path_open(dir, 0, STR("hello.txt"), 0, RIGHTS_READ, 0, 0, P(&file)));
    int32_t other;
    CHECK("path_open(file fd)", raw_path_open(file, 0, STR("x"), 0, RIGHTS_READ, 0, 0, P(&other)));
    CHECK("path_open(fd 99)", raw_path_open(99, 0, STR("x"), 0, RIGHTS_READ, 0, 0, P(&other)));
    CHECK("mkdir(fd 99)", raw_path_create_directory(99, STR("x")));

    // Bad pointers and lengths, and invalid enum values: EFAULT and EINVAL
    // (wasmtime traps instead: checked for swasm only, against expected/).
    if (argc > 1 && strcmp(argv[1], "efault") == 0) {
    int32_t end = memory_end();
    struct { int32_t buf, len; } iov = { P("abc\n"), 4 };
    int32_t count;
    fflush(stdout);
    CHECK("fd_write(ok)", raw_fd_write(1, P(&iov), 1, P(&count)));
    CHECK("fd_write(iovs at end)", raw_fd_write(1, end - 4, 1, P(&count)));
    CHECK("fd_write(iovs_len huge)", raw_fd_write(1, P(&iov), 0x20000000, P(&count)));
    CHECK("fd_write(nwritten at end)", raw_fd_write(1, P(&iov), 1, end - 2));
    iov.buf = end - 2;
    CHECK("fd_write(buf past end)", raw_fd_write(1, P(&iov), 1, P(&count)));
    iov.buf = -1; iov.len = 2;
    CHECK("fd_write(buf wraps)", raw_fd_write(1, P(&iov), 1, P(&count)));
    iov.buf = P(target); iov.len = -1;
    CHECK("fd_read(len 4G)", raw_fd_read(file, P(&iov), 1, P(&count)));
    CHECK("fd_pread(len 4G)", raw_fd_pread(file, P(&iov), 1, 0, P(&count)));
    iov.buf = end; iov.len = 0;
    CHECK("fd_read(empty buf at end)", raw_fd_read(file, P(&iov), 1, P(&count)));
    printf("read count %d\n", count);
    CHECK("path_open(path at end)", raw_path_open(dir, 0, end - 1, 5, 0, RIGHTS_READ, 0, 0, P(&other)));
    CHECK("path_open(path len huge)", raw_path_open(dir, 0, P("hello.txt"), 0x7FFFFFFF, 0, RIGHTS_READ, 0, 0, P(&other)));
    CHECK("path_open(result at end)", raw_path_open(dir, 0, STR("hello.txt"), 0, RIGHTS_READ, 0, 0, end));
    CHECK("filestat(buf at end)", raw_path_filestat_get(dir, 0, STR("hello.txt"), end - 63));
    CHECK("fd_filestat_get(buf at end)", raw_fd_filestat_get(file, end - 8));
    CHECK("fd_fdstat_get(buf at end)", raw_fd_fdstat_get(1, end - 1));
    CHECK("clock_time_get(at end)", raw_clock_time_get(1, 0, end - 4));
    CHECK("clock_res_get(at end)", raw_clock_res_get(1, end));
    CHECK("random_get(past end)", raw_random_get(end - 10, 11));
    CHECK("random_get(wraps)", raw_random_get(-16, 32));
    CHECK("prestat_get(at end)", raw_fd_prestat_get(dir, end - 4));
    CHECK("prestat_dir_name(at end)", raw_fd_prestat_dir_name(dir, end - 2, 8));
    CHECK("readdir(buf past end)", raw_fd_readdir(dir, end - 10, 100, 0, P(&used)));
    CHECK("readlink(buf past end)", raw_path_readlink(dir, STR("link_out"), end - 2, 100, P(&used)));
    CHECK("fd_seek(result at end)", raw_fd_seek(file, 0, 0, end - 4));
    CHECK("fd_tell(result at end)", raw_fd_tell(file, end));
    CHECK("poll_oneoff(in past end)", raw_poll_oneoff(end - 24, P(filestat), 1, P(&count)));
    CHECK("mkdir(path past end)", raw_path_create_directory(dir, end - 3, 4));
    CHECK("symlink(old past end)", raw_path_symlink(end - 1, 2, dir, STR("s")));
    CHECK("fd_write(fd 99)", raw_fd_write(99, P(&iov), 1, P(&count)));
    CHECK("fd_close(99)", raw_fd_close(99));
    uint64_t position;
    CHECK("fd_seek(bad whence)", raw_fd_seek(file, 0, 42, P(&position)));
    CHECK("fd_advise(bad advice)", raw_fd_advise(file, 0, 10, 9));
    CHECK("clock_time_get(bad clock)", raw_clock_time_get(4, 0, P(&position)));
    CHECK("clock_res_get(bad clock)", raw_clock_res_get(-1, P(&position)));
    }
    raw_fd_close(file);
    return 0;
}
