// Shared helpers for the WASI test programs: raw preview-1 imports (to pass
// pointers and lengths libc never would) and result printing.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WASI_IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))

WASI_IMPORT(fd_write) int32_t raw_fd_write(int32_t fd, int32_t iovs, int32_t iovs_len, int32_t nwritten);
WASI_IMPORT(fd_read) int32_t raw_fd_read(int32_t fd, int32_t iovs, int32_t iovs_len, int32_t nread);
WASI_IMPORT(fd_pread) int32_t raw_fd_pread(int32_t fd, int32_t iovs, int32_t iovs_len, int64_t offset, int32_t nread);
WASI_IMPORT(path_open) int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t path_len, int32_t oflags,
                                             int64_t rights, int64_t inheriting, int32_t fdflags, int32_t result);
WASI_IMPORT(path_filestat_get) int32_t raw_path_filestat_get(int32_t fd, int32_t flags, int32_t path, int32_t path_len, int32_t buf);
WASI_IMPORT(path_create_directory) int32_t raw_path_create_directory(int32_t fd, int32_t path, int32_t path_len);
WASI_IMPORT(path_unlink_file) int32_t raw_path_unlink_file(int32_t fd, int32_t path, int32_t path_len);
WASI_IMPORT(path_remove_directory) int32_t raw_path_remove_directory(int32_t fd, int32_t path, int32_t path_len);
WASI_IMPORT(path_readlink) int32_t raw_path_readlink(int32_t fd, int32_t path, int32_t path_len, int32_t buf, int32_t buf_len, int32_t used);
WASI_IMPORT(path_symlink) int32_t raw_path_symlink(int32_t old_path, int32_t old_len, int32_t fd, int32_t new_path, int32_t new_len);
WASI_IMPORT(path_rename) int32_t raw_path_rename(int32_t fd, int32_t old_path, int32_t old_len, int32_t new_fd, int32_t new_path, int32_t new_len);
WASI_IMPORT(path_link) int32_t raw_path_link(int32_t old_fd, int32_t old_flags, int32_t old_path, int32_t old_len, int32_t new_fd, int32_t new_path, int32_t new_len);
WASI_IMPORT(args_sizes_get) int32_t raw_args_sizes_get(int32_t argc, int32_t size);
WASI_IMPORT(args_get) int32_t raw_args_get(int32_t argv, int32_t buf);
WASI_IMPORT(environ_sizes_get) int32_t raw_environ_sizes_get(int32_t count, int32_t size);
WASI_IMPORT(clock_time_get) int32_t raw_clock_time_get(int32_t id, int64_t precision, int32_t result);
WASI_IMPORT(clock_res_get) int32_t raw_clock_res_get(int32_t id, int32_t result);
WASI_IMPORT(random_get) int32_t raw_random_get(int32_t buf, int32_t len);
WASI_IMPORT(fd_prestat_get) int32_t raw_fd_prestat_get(int32_t fd, int32_t buf);
WASI_IMPORT(fd_prestat_dir_name) int32_t raw_fd_prestat_dir_name(int32_t fd, int32_t buf, int32_t len);
WASI_IMPORT(fd_fdstat_get) int32_t raw_fd_fdstat_get(int32_t fd, int32_t buf);
WASI_IMPORT(fd_filestat_get) int32_t raw_fd_filestat_get(int32_t fd, int32_t buf);
WASI_IMPORT(fd_seek) int32_t raw_fd_seek(int32_t fd, int64_t offset, int32_t whence, int32_t result);
WASI_IMPORT(fd_tell) int32_t raw_fd_tell(int32_t fd, int32_t result);
WASI_IMPORT(fd_readdir) int32_t raw_fd_readdir(int32_t fd, int32_t buf, int32_t len, int64_t cookie, int32_t used);
WASI_IMPORT(poll_oneoff) int32_t raw_poll_oneoff(int32_t in, int32_t out, int32_t n, int32_t nevents);
WASI_IMPORT(fd_close) int32_t raw_fd_close(int32_t fd);
WASI_IMPORT(fd_renumber) int32_t raw_fd_renumber(int32_t from, int32_t to);
WASI_IMPORT(fd_sync) int32_t raw_fd_sync(int32_t fd);
WASI_IMPORT(fd_datasync) int32_t raw_fd_datasync(int32_t fd);
WASI_IMPORT(fd_advise) int32_t raw_fd_advise(int32_t fd, int64_t offset, int64_t len, int32_t advice);
WASI_IMPORT(fd_allocate) int32_t raw_fd_allocate(int32_t fd, int64_t offset, int64_t len);
WASI_IMPORT(fd_filestat_set_size) int32_t raw_fd_filestat_set_size(int32_t fd, int64_t size);
WASI_IMPORT(fd_filestat_set_times) int32_t raw_fd_filestat_set_times(int32_t fd, int64_t atim, int64_t mtim, int32_t flags);
WASI_IMPORT(path_filestat_set_times) int32_t raw_path_filestat_set_times(int32_t fd, int32_t flags, int32_t path, int32_t path_len, int64_t atim, int64_t mtim, int32_t fst);
WASI_IMPORT(fd_fdstat_set_flags) int32_t raw_fd_fdstat_set_flags(int32_t fd, int32_t flags);
WASI_IMPORT(sched_yield) int32_t raw_sched_yield(void);
WASI_IMPORT(proc_raise) int32_t raw_proc_raise(int32_t sig);
WASI_IMPORT(sock_shutdown) int32_t raw_sock_shutdown(int32_t fd, int32_t how);

#define P(x) ((int32_t)(uintptr_t)(x))
#define CHECK(label, expr) printf("%s = %d\n", label, (int)(expr))
#define STR(s) P(s), (int32_t)strlen(s)

/// A pointer just past the end of linear memory, and one far beyond it.
static int32_t memory_end(void) { return (int32_t)(__builtin_wasm_memory_size(0) * 65536u); }

/// The descriptor of the preopen named `name`, or -1.
static int find_preopen(const char *name) {
    for (int fd = 3; fd < 64; fd++) {
        uint8_t prestat[8];
        if (raw_fd_prestat_get(fd, P(prestat)) != 0) return -1;
        uint32_t len;
        memcpy(&len, prestat + 4, 4);
        char buf[256] = {0};
        if (len < sizeof buf && raw_fd_prestat_dir_name(fd, P(buf), (int32_t)len) == 0 && strcmp(buf, name) == 0) return fd;
    }
    return -1;
}
