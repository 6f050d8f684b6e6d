// Clocks, randomness, polling, descriptors, and the calls answered with errors.
#include "common.h"
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    // With "extra": what wasmtime does not do (CPU-time clocks, fd_allocate)
    // or does differently (a bad fd in poll_oneoff fails the whole call there).
    int extra = argc > 1 && strcmp(argv[1], "extra") == 0;
    uint64_t t1 = 0, t2 = 0, res = 0;
    for (int id = 0; id < (extra ? 4 : 2); id++) {
        int r = raw_clock_res_get(id, P(&res));
        printf("clock_res_get(%d) = %d positive=%d\n", id, r, r == 0 && res > 0 && res <= 1000000000ull);
        r = raw_clock_time_get(id, 1, P(&t1));
        printf("clock_time_get(%d) = %d\n", id, r);
    }
    raw_clock_time_get(0, 1, P(&t1));
    printf("realtime after 2020: %d\n", t1 > 1577836800ull * 1000000000ull);
    raw_clock_time_get(1, 1, P(&t1));
    // poll_oneoff with a 20 ms relative clock.
    uint8_t sub[48] = {0}, ev[2 * 32] = {0};
    uint64_t userdata = 0x1234, timeout = 20000000;
    memcpy(sub, &userdata, 8);
    sub[8] = 0;  // clock
    uint32_t clock = 1;
    memcpy(sub + 16, &clock, 4);
    memcpy(sub + 24, &timeout, 8);
    int32_t nevents = -1;
    CHECK("poll_oneoff(clock)", raw_poll_oneoff(P(sub), P(ev), 1, P(&nevents)));
    raw_clock_time_get(1, 1, P(&t2));
    uint64_t got;
    memcpy(&got, ev, 8);
    printf("nevents=%d userdata=%llx error=%d type=%d slept>=20ms=%d\n", nevents, (unsigned long long)got, ev[8], ev[10], t2 - t1 >= 20000000ull);
    // An absolute deadline in the past fires at once.
    uint64_t now;
    raw_clock_time_get(1, 1, P(&now));
    uint16_t abstime = 1;
    memcpy(sub + 24, &now, 8);
    memcpy(sub + 40, &abstime, 2);
    CHECK("poll_oneoff(abstime past)", raw_poll_oneoff(P(sub), P(ev), 1, P(&nevents)));
    printf("nevents=%d\n", nevents);
    CHECK("poll_oneoff(0 subscriptions)", raw_poll_oneoff(P(sub), P(ev), 0, P(&nevents)));
    // stdout is writable now: an fd_write subscription plus a long clock.
    uint8_t subs[96] = {0};
    userdata = 7; memcpy(subs, &userdata, 8); subs[8] = 2; uint32_t one = 1; memcpy(subs + 16, &one, 4);
    userdata = 8; memcpy(subs + 48, &userdata, 8); subs[56] = 0; memcpy(subs + 64, &clock, 4);
    timeout = 5000000000ull; memcpy(subs + 72, &timeout, 8);
    CHECK("poll_oneoff(stdout writable)", raw_poll_oneoff(P(subs), P(ev), 2, P(&nevents)));
    memcpy(&got, ev, 8);
    printf("nevents=%d first userdata=%llu type=%d error=%d\n", nevents, (unsigned long long)got, ev[10], ev[8]);
    // A bad fd gives an event with EBADF.
    uint32_t bad = 99; memcpy(subs + 16, &bad, 4); subs[8] = 1;
    CHECK("poll_oneoff(bad fd)", raw_poll_oneoff(P(subs), P(ev), 2, P(&nevents)));
    struct timespec ts = {0, 1000000};
    CHECK("nanosleep", nanosleep(&ts, NULL));

    // random_get.
    uint8_t a[32] = {0}, b[32] = {0};
    CHECK("random_get", raw_random_get(P(a), 32));
    CHECK("random_get", raw_random_get(P(b), 32));
    printf("random differs: %d\n", memcmp(a, b, 32) != 0);
    CHECK("random_get(0 bytes)", raw_random_get(P(a), 0));

    // Descriptors.
    uint8_t fdstat[24];
    CHECK("fdstat(99)", raw_fd_fdstat_get(99, P(fdstat)));
    int dir = find_preopen("/sandbox");
    CHECK("fdstat(dir)", raw_fd_fdstat_get(dir, P(fdstat)));
    printf("dir filetype=%d flags=%d\n", fdstat[0], fdstat[2]);
    int fd = open("/sandbox/hello.txt", O_RDONLY);
    CHECK("fdstat(file)", raw_fd_fdstat_get(fd, P(fdstat)));
    printf("file filetype=%d flags=%d\n", fdstat[0], fdstat[2]);
    uint64_t pos = 99;
    CHECK("fd_seek", raw_fd_seek(fd, 3, 0, P(&pos)));
    CHECK("fd_tell", raw_fd_tell(fd, P(&pos)));
    printf("pos=%llu\n", (unsigned long long)pos);
    CHECK("fd_seek(negative)", raw_fd_seek(fd, -10, 0, P(&pos)));
    CHECK("fd_advise", raw_fd_advise(fd, 0, 10, 1));
    CHECK("fd_sync(file)", raw_fd_sync(fd));
    int fd2 = open("/sandbox/sub/nested.txt", O_RDONLY);
    CHECK("fd_renumber", raw_fd_renumber(fd2, fd));
    char buf[32] = {0};
    ssize_t n = read(fd, buf, sizeof buf - 1);
    printf("after renumber read %zd: %s", n, buf);
    CHECK("fd_close(old)", raw_fd_close(fd2));
    CHECK("fd_renumber(bad from)", raw_fd_renumber(99, fd));
    CHECK("fd_close", raw_fd_close(fd));
    // A file to write, through the raw calls.
    int w = open("/sandbox/raw.txt", O_RDWR | O_CREAT, 0644);
    if (extra) CHECK("fd_allocate", raw_fd_allocate(w, 0, 100));
    CHECK("fd_filestat_set_size", raw_fd_filestat_set_size(w, 5));
    uint8_t filestat[64];
    CHECK("fd_filestat_get", raw_fd_filestat_get(w, P(filestat)));
    uint64_t size; memcpy(&size, filestat + 32, 8);
    printf("size=%llu filetype=%d\n", (unsigned long long)size, filestat[16]);
    CHECK("fd_filestat_set_times(both atim flags)", raw_fd_filestat_set_times(w, 1, 1, 1 | 2));
    CHECK("fd_filestat_set_times", raw_fd_filestat_set_times(w, 5000000000ll, 6000000000ll, 1 | 4));
    CHECK("path_filestat_set_times", raw_path_filestat_set_times(dir, 0, STR("raw.txt"), 7000000000ll, 0, 1));
    raw_fd_filestat_get(w, P(filestat));
    uint64_t atim, mtim; memcpy(&atim, filestat + 40, 8); memcpy(&mtim, filestat + 48, 8);
    printf("atim=%llu mtim=%llu\n", (unsigned long long)atim, (unsigned long long)mtim);
    CHECK("fd_fdstat_set_flags(append)", raw_fd_fdstat_set_flags(w, 1));
    CHECK("fd_fdstat_get", raw_fd_fdstat_get(w, P(fdstat)));
    printf("flags=%d\n", fdstat[2]);
    close(w);
    // readdir with a small buffer: entries are cut, and continue by cookie.
    uint8_t small[40];
    int32_t used;
    CHECK("fd_readdir(small)", raw_fd_readdir(dir, P(small), sizeof small, 0, P(&used)));
    printf("used=%d (full=%d)\n", used, used == (int)sizeof small);
    CHECK("fd_readdir(cookie past end)", raw_fd_readdir(dir, P(small), sizeof small, 1000, P(&used)));
    printf("used=%d\n", used);

    CHECK("sched_yield", raw_sched_yield());
    CHECK("sock_shutdown(stdout)", raw_sock_shutdown(1, 2) != 0);
    printf("done\n");
    return 0;
}
