// Files and directories through libc (path_open, fd_* and path_* calls),
// with their error paths. The sandbox is preopened as /sandbox.
#include "common.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define E(label, expr) do { errno = 0; int r_ = (int)(expr); printf("%s -> %d errno=%d\n", label, r_ < 0 ? -1 : r_, r_ < 0 ? errno : 0); } while (0)

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *path) {
    DIR *dir = opendir(path);
    if (!dir) { printf("opendir %s: errno=%d\n", path, errno); return; }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) && n < 64) {
        char line[300];
        snprintf(line, sizeof line, "%s type=%d", e->d_name, e->d_type);
        names[n++] = strdup(line);
    }
    closedir(dir);
    qsort(names, n, sizeof(char *), compare);
    printf("ls %s:", path);
    for (int i = 0; i < n; i++) { printf(" [%s]", names[i]); free(names[i]); }
    printf("\n");
}

int main(void) {
    char buf[256];
    // Read an existing file.
    int fd = open("/sandbox/hello.txt", O_RDONLY);
    E("open hello", fd >= 0 ? 0 : -1);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("read %zd: %s", n, buf);
    E("lseek end", lseek(fd, 0, SEEK_END));
    E("lseek set 6", lseek(fd, 6, SEEK_SET));
    n = read(fd, buf, 5); buf[5] = 0;
    printf("after seek: %s\n", buf);
    E("pread 0", pread(fd, buf, 5, 0));
    E("write to read-only", write(fd, "x", 1));
    struct stat st;
    E("fstat", fstat(fd, &st));
    printf("size=%lld regular=%d nlink=%d\n", (long long)st.st_size, S_ISREG(st.st_mode), (int)st.st_nlink);
    E("close", close(fd));
    E("close again", close(fd));
    E("read closed", read(fd, buf, 1));

    // Create, write, pwrite, append, truncate.
    fd = open("/sandbox/out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    E("create out", fd >= 0 ? 0 : -1);
    E("write", write(fd, "first line\n", 11));
    E("pwrite", pwrite(fd, "FIRST", 5, 0));
    E("ftruncate 20", ftruncate(fd, 20));
    E("ftruncate 11", ftruncate(fd, 11));
    E("fsync", fsync(fd));
    E("fdatasync", fdatasync(fd));
    E("fadvise", posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL));
    E("fcntl getfl append", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
    E("read from write-only", read(fd, buf, 1));
    close(fd);
    fd = open("/sandbox/out.txt", O_WRONLY | O_APPEND);
    E("fcntl getfl append", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
    E("append", write(fd, "second line\n", 12));
    E("set flags 0", fcntl(fd, F_SETFL, 0));
    E("fcntl getfl append", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
    close(fd);
    E("open excl existing", open("/sandbox/out.txt", O_WRONLY | O_CREAT | O_EXCL, 0644));
    E("open missing", open("/sandbox/missing.txt", O_RDONLY));
    E("open dir for write", open("/sandbox/sub", O_WRONLY));
    E("open file as dir", open("/sandbox/hello.txt", O_RDONLY | O_DIRECTORY));
    E("open through file", open("/sandbox/hello.txt/x", O_RDONLY));
    E("open nested", (fd = open("/sandbox/sub/nested.txt", O_RDONLY)) >= 0 ? 0 : -1);
    close(fd);
    E("open inside link", (fd = open("/sandbox/link_in", O_RDONLY)) >= 0 ? 0 : -1);
    n = read(fd, buf, 5); buf[n > 0 ? n : 0] = 0;
    printf("via link_in: %s\n", buf);
    close(fd);
    E("open sub/up (../hello.txt inside)", (fd = open("/sandbox/sub/up", O_RDONLY)) >= 0 ? 0 : -1);
    close(fd);
    E("open nofollow link", open("/sandbox/link_in", O_RDONLY | O_NOFOLLOW));

    // stat, lstat.
    E("stat hello", stat("/sandbox/hello.txt", &st));
    printf("size=%lld\n", (long long)st.st_size);
    E("stat link_in", stat("/sandbox/link_in", &st));
    printf("link_in is regular=%d\n", S_ISREG(st.st_mode));
    E("lstat link_in", lstat("/sandbox/link_in", &st));
    printf("link_in is link=%d\n", S_ISLNK(st.st_mode));
    E("stat dir", stat("/sandbox/sub", &st));
    printf("sub is dir=%d\n", S_ISDIR(st.st_mode));
    E("stat missing", stat("/sandbox/nope", &st));

    // Times.
    struct timespec times[2] = {{1000000000, 5}, {1200000000, 7}};
    E("utimensat", utimensat(AT_FDCWD, "/sandbox/out.txt", times, 0));
    E("stat out", stat("/sandbox/out.txt", &st));
    printf("atime=%lld.%ld mtime=%lld.%ld\n", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    fd = open("/sandbox/out.txt", O_RDWR);
    struct timespec times2[2] = {{1300000000, 0}, {0, UTIME_OMIT}};
    E("futimens", futimens(fd, times2));
    E("fstat", fstat(fd, &st));
    printf("atime=%lld mtime=%lld\n", (long long)st.st_atim.tv_sec, (long long)st.st_mtim.tv_sec);
    close(fd);

    // Directories.
    E("mkdir", mkdir("/sandbox/newdir", 0755));
    E("mkdir again", mkdir("/sandbox/newdir", 0755));
    E("mkdir nested missing", mkdir("/sandbox/a/b/c", 0755));
    E("write in newdir", (fd = open("/sandbox/newdir/f.txt", O_WRONLY | O_CREAT, 0644)) >= 0 ? 0 : -1);
    E("write", write(fd, "in newdir\n", 10));
    close(fd);
    E("rmdir non-empty", rmdir("/sandbox/newdir"));
    E("rmdir file", rmdir("/sandbox/hello.txt"));
    E("unlink dir", unlink("/sandbox/sub"));
    E("rename", rename("/sandbox/newdir/f.txt", "/sandbox/moved.txt"));
    E("rename missing", rename("/sandbox/newdir/f.txt", "/sandbox/moved2.txt"));
    E("rmdir", rmdir("/sandbox/newdir"));
    E("rmdir missing", rmdir("/sandbox/newdir"));
    E("link", link("/sandbox/moved.txt", "/sandbox/hard.txt"));
    E("stat hard", stat("/sandbox/hard.txt", &st));
    printf("nlink=%d\n", (int)st.st_nlink);
    E("link existing", link("/sandbox/moved.txt", "/sandbox/hard.txt"));
    E("symlink", symlink("moved.txt", "/sandbox/sym.txt"));
    n = readlink("/sandbox/sym.txt", buf, sizeof buf);
    buf[n > 0 ? n : 0] = 0;
    printf("readlink -> %zd %s\n", n, buf);
    n = readlink("/sandbox/sym.txt", buf, 3);
    printf("readlink short -> %zd\n", n);
    E("readlink file", readlink("/sandbox/hello.txt", buf, sizeof buf));
    E("unlink", unlink("/sandbox/hard.txt"));
    E("unlink missing", unlink("/sandbox/hard.txt"));
    E("unlink sym", unlink("/sandbox/sym.txt"));
    list("/sandbox");
    list("/sandbox/sub");
    list("/sandbox/nope");
    return 0;
}
