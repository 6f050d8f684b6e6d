// stdin, stdout and stderr are streams shared with the host (`swasm run app
// >> log.txt`): the guest may read or write them, never seek, truncate,
// change times, allocate or set flags on them (wasmtime: ESPIPE or EBADF).
#include "common.h"

WASI_IMPORT(fd_pwrite) int32_t raw_fd_pwrite(int32_t fd, int32_t iovs, int32_t iovs_len, int64_t offset, int32_t n);
WASI_IMPORT(fd_fdstat_set_rights) int32_t raw_fd_fdstat_set_rights(int32_t fd, int64_t base, int64_t inheriting);

int main(void) {
    printf("written before the guest tries to truncate or overwrite its stdout\n");
    fflush(stdout);
    for (int fd = 0; fd < 3; fd++) {
        uint8_t fdstat[24] = {0}, filestat[64] = {0};
        uint64_t position = 0, base, inheriting;
        char text[2] = {'X', 'Y'};
        uint32_t iov[2] = {P(text), 2};
        int32_t n = -1;
        printf("fd %d\n", fd);
        CHECK(" fd_fdstat_get", raw_fd_fdstat_get(fd, P(fdstat)));
        memcpy(&base, fdstat + 8, 8);
        memcpy(&inheriting, fdstat + 16, 8);
        printf(" filetype=%d flags=%d rights=%llx inheriting=%llx\n", fdstat[0], fdstat[2],
               (unsigned long long)base, (unsigned long long)inheriting);
        CHECK(" fd_filestat_get", raw_fd_filestat_get(fd, P(filestat)));
        uint64_t size;
        memcpy(&size, filestat + 32, 8);
        printf(" filetype=%d size=%llu\n", filestat[16], (unsigned long long)size);
        CHECK(" fd_seek(0, SET)", raw_fd_seek(fd, 0, 0, P(&position)));
        CHECK(" fd_seek(0, CUR)", raw_fd_seek(fd, 0, 1, P(&position)));
        CHECK(" fd_tell", raw_fd_tell(fd, P(&position)));
        CHECK(" fd_pwrite(0)", raw_fd_pwrite(fd, P(iov), 1, 0, P(&n)));
        CHECK(" fd_pread(0)", raw_fd_pread(fd, P(iov), 1, 0, P(&n)));
        CHECK(" fd_filestat_set_size(0)", raw_fd_filestat_set_size(fd, 0));
        CHECK(" fd_filestat_set_times(now)", raw_fd_filestat_set_times(fd, 0, 0, 2 | 8));
        CHECK(" fd_allocate", raw_fd_allocate(fd, 0, 4096));
        CHECK(" fd_advise", raw_fd_advise(fd, 0, 10, 1));
        CHECK(" fd_sync", raw_fd_sync(fd));
        CHECK(" fd_datasync", raw_fd_datasync(fd));
        CHECK(" fd_readdir", raw_fd_readdir(fd, P(filestat), 64, 0, P(&n)));
        CHECK(" fd_fdstat_set_flags(APPEND)", raw_fd_fdstat_set_flags(fd, 1));
        CHECK(" fd_fdstat_set_flags(NONBLOCK)", raw_fd_fdstat_set_flags(fd, 4));
        CHECK(" fd_fdstat_set_rights(0, 0)", raw_fd_fdstat_set_rights(fd, 0, 0));
        CHECK(" path_open", raw_path_open(fd, 0, STR("x"), 0, 0, 0, 0, P(&n)));
        CHECK(" path_readlink", raw_path_readlink(fd, STR("x"), P(filestat), 64, P(&n)));
        CHECK(" path_create_directory", raw_path_create_directory(fd, STR("x")));
        if (fd == 0) CHECK(" fd_write", raw_fd_write(fd, P(iov), 1, P(&n)));
        else CHECK(" fd_read", raw_fd_read(fd, P(iov), 1, P(&n)));
        fflush(stdout);
    }
    char line[64] = {0};
    uint32_t iov[2] = {P(line), sizeof line - 1};
    int32_t n = -1;
    CHECK("fd_read(stdin)", raw_fd_read(0, P(iov), 1, P(&n)));
    printf("stdin: %s", line);
    printf("the end\n");
    return 0;
}
