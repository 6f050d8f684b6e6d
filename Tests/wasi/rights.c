// Rights: every fd_* and path_* call needs its right (ENOTCAPABLE, 76,
// otherwise), rights can only shrink, and a descriptor opened beneath a
// directory gets at most the directory's inheriting rights. wasmtime no
// longer implements rights (fd_fdstat_set_rights is ENOTSUP there), so this
// runs under swasm only, against expected/rights.stdout.
#include "common.h"

WASI_IMPORT(fd_pwrite) int32_t raw_fd_pwrite(int32_t fd, int32_t iovs, int32_t iovs_len, int64_t offset, int32_t n);
WASI_IMPORT(fd_fdstat_set_rights) int32_t raw_fd_fdstat_set_rights(int32_t fd, int64_t base, int64_t inheriting);

#define FD_READ (1ll << 1)
#define FD_SEEK (1ll << 2)
#define FD_TELL (1ll << 5)
#define FD_WRITE (1ll << 6)
#define PATH_CREATE_DIRECTORY (1ll << 9)
#define PATH_CREATE_FILE (1ll << 10)
#define PATH_OPEN (1ll << 13)
#define FD_READDIR (1ll << 14)
#define PATH_FILESTAT_GET (1ll << 18)
#define PATH_FILESTAT_SET_SIZE (1ll << 19)
#define FD_FILESTAT_GET (1ll << 21)
#define RIGHTS_ALL ((int64_t)0x1FFFFFFF)
/// All but the rights that make path_open ask for write access (EISDIR on a directory).
#define RIGHTS_DIRECTORY (RIGHTS_ALL & ~((1ll << 0) | FD_WRITE | (1ll << 8) | (1ll << 22)))

static void show(const char *label, int fd) {
    uint8_t fdstat[24] = {0};
    uint64_t base, inheriting;
    int r = raw_fd_fdstat_get(fd, P(fdstat));
    memcpy(&base, fdstat + 8, 8);
    memcpy(&inheriting, fdstat + 16, 8);
    printf("%s: fdstat = %d rights=%llx inheriting=%llx\n", label, r, (unsigned long long)base, (unsigned long long)inheriting);
}

int main(void) {
    int dir = find_preopen("/sandbox");
    printf("sandbox preopen found: %d\n", dir >= 3);
    show("preopen", dir);
    char text[16] = {0};
    uint32_t iov[2] = {P(text), 5};
    int32_t n = -1, fd = -1, other = -1;
    uint64_t position = 0;
    uint8_t filestat[64];

    // Read only: no writing, seeking or stat.
    CHECK("open(hello.txt, fd_read)", raw_path_open(dir, 0, STR("hello.txt"), 0, FD_READ, 0, 0, P(&fd)));
    show("hello.txt", fd);
    CHECK("fd_read", raw_fd_read(fd, P(iov), 1, P(&n)));
    printf("read: %.5s\n", text);
    CHECK("fd_write", raw_fd_write(fd, P(iov), 1, P(&n)));
    CHECK("fd_pwrite", raw_fd_pwrite(fd, P(iov), 1, 0, P(&n)));
    CHECK("fd_pread", raw_fd_pread(fd, P(iov), 1, 0, P(&n)));
    CHECK("fd_seek", raw_fd_seek(fd, 0, 0, P(&position)));
    CHECK("fd_tell", raw_fd_tell(fd, P(&position)));
    CHECK("fd_filestat_get", raw_fd_filestat_get(fd, P(filestat)));
    CHECK("fd_filestat_set_size", raw_fd_filestat_set_size(fd, 0));
    CHECK("fd_filestat_set_times", raw_fd_filestat_set_times(fd, 0, 0, 2 | 8));
    CHECK("fd_allocate", raw_fd_allocate(fd, 0, 10));
    CHECK("fd_advise", raw_fd_advise(fd, 0, 10, 1));
    CHECK("fd_sync", raw_fd_sync(fd));
    CHECK("fd_datasync", raw_fd_datasync(fd));
    CHECK("fd_fdstat_set_flags", raw_fd_fdstat_set_flags(fd, 0));
    // Rights only shrink; once gone, reads are refused too.
    CHECK("set_rights(grow)", raw_fd_fdstat_set_rights(fd, FD_READ | FD_WRITE, 0));
    CHECK("set_rights(0, 0)", raw_fd_fdstat_set_rights(fd, 0, 0));
    show("hello.txt", fd);
    CHECK("fd_read after dropping rights", raw_fd_read(fd, P(iov), 1, P(&n)));
    CHECK("set_rights(fd_read) again", raw_fd_fdstat_set_rights(fd, FD_READ, 0));
    CHECK("fd_close", raw_fd_close(fd));

    // Seek and tell: fd_seek(0, CUR) needs only fd_tell.
    CHECK("open(hello.txt, read|tell)", raw_path_open(dir, 0, STR("hello.txt"), 0, FD_READ | FD_TELL, 0, 0, P(&fd)));
    CHECK("fd_seek(0, CUR)", raw_fd_seek(fd, 0, 1, P(&position)));
    CHECK("fd_seek(1, CUR)", raw_fd_seek(fd, 1, 1, P(&position)));
    CHECK("fd_pread (no fd_seek)", raw_fd_pread(fd, P(iov), 1, 0, P(&n)));
    raw_fd_close(fd);

    // poll_oneoff: a read subscription needs fd_read.
    CHECK("open(hello.txt, tell)", raw_path_open(dir, 0, STR("hello.txt"), 0, FD_TELL, 0, 0, P(&fd)));
    uint8_t sub[48] = {0}, event[32] = {0};
    sub[8] = 1;
    memcpy(sub + 16, &fd, 4);
    CHECK("poll_oneoff(fd_read)", raw_poll_oneoff(P(sub), P(event), 1, P(&n)));
    printf("events=%d error=%d\n", n, event[8]);
    raw_fd_close(fd);

    // A directory's inheriting rights bound what is opened beneath it.
    CHECK("open(sub, inheriting fd_read)", raw_path_open(dir, 0, STR("sub"), 2, PATH_OPEN | FD_READDIR | PATH_FILESTAT_GET,
                                                          FD_READ, 0, P(&fd)));
    show("sub", fd);
    CHECK("open(sub/nested.txt, all)", raw_path_open(fd, 0, STR("nested.txt"), 0, RIGHTS_ALL, RIGHTS_ALL, 0, P(&other)));
    show("nested.txt", other);
    CHECK("fd_write(nested.txt)", raw_fd_write(other, P(iov), 1, P(&n)));
    raw_fd_close(other);
    uint8_t entries[256];
    CHECK("fd_readdir(sub)", raw_fd_readdir(fd, P(entries), sizeof entries, 0, P(&n)));
    CHECK("path_filestat_get(sub/nested.txt)", raw_path_filestat_get(fd, 0, STR("nested.txt"), P(filestat)));
    CHECK("path_create_directory(sub/new)", raw_path_create_directory(fd, STR("new")));
    CHECK("path_open(sub/created, CREAT)", raw_path_open(fd, 0, STR("created"), 1, FD_READ, 0, 0, P(&other)));
    CHECK("path_open(sub/nested.txt, TRUNC)", raw_path_open(fd, 0, STR("nested.txt"), 8, FD_READ, 0, 0, P(&other)));
    CHECK("path_unlink_file(sub/nested.txt)", raw_path_unlink_file(fd, STR("nested.txt")));
    CHECK("path_remove_directory(sub/x)", raw_path_remove_directory(fd, STR("x")));
    CHECK("path_symlink(sub/l)", raw_path_symlink(STR("nested.txt"), fd, STR("l")));
    CHECK("path_readlink(sub/up)", raw_path_readlink(fd, STR("up"), P(entries), sizeof entries, P(&n)));
    CHECK("path_rename(sub/nested.txt -> sandbox)", raw_path_rename(fd, STR("nested.txt"), dir, STR("moved.txt")));
    CHECK("path_rename(sandbox -> sub)", raw_path_rename(dir, STR("hello.txt"), fd, STR("moved.txt")));
    CHECK("path_link(sub/nested.txt -> sandbox)", raw_path_link(fd, 0, STR("nested.txt"), dir, STR("linked.txt")));
    CHECK("path_filestat_set_times(sub/nested.txt)", raw_path_filestat_set_times(fd, 0, STR("nested.txt"), 0, 0, 2 | 8));
    // Dropping path_open from the directory.
    CHECK("set_rights(sub, readdir only)", raw_fd_fdstat_set_rights(fd, FD_READDIR, 0));
    CHECK("path_open(sub/nested.txt)", raw_path_open(fd, 0, STR("nested.txt"), 0, FD_READ, 0, 0, P(&other)));
    CHECK("fd_readdir(sub)", raw_fd_readdir(fd, P(entries), sizeof entries, 0, P(&n)));
    raw_fd_close(fd);

    // The preopen itself.
    CHECK("open(., all)", raw_path_open(dir, 0, STR("."), 2, RIGHTS_DIRECTORY, RIGHTS_ALL, 0, P(&fd)));
    uint8_t fdstat[24];
    int64_t rights;
    raw_fd_fdstat_get(fd, P(fdstat));
    memcpy(&rights, fdstat + 8, 8);
    CHECK("set_rights(., no path_create_directory)", raw_fd_fdstat_set_rights(fd, rights & ~PATH_CREATE_DIRECTORY, 0));
    show(".", fd);
    CHECK("path_create_directory(./made)", raw_path_create_directory(fd, STR("made")));
    CHECK("path_create_directory(made) in the preopen", raw_path_create_directory(dir, STR("made")));
    CHECK("path_remove_directory(made)", raw_path_remove_directory(dir, STR("made")));
    raw_fd_close(fd);
    return 0;
}
