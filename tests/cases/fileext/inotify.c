// inotify: watches on directories and files, the events of file operations (with
// parent+self ordering, coalescing, rename cookies, delayed IN_DELETE_SELF),
// watch flags (ONESHOT, MASK_ADD, MASK_CREATE, ONLYDIR), errors, FIONREAD,
// poll/epoll readiness, blocking reads and queue overflow.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static int ifd;
static char D[128], P[256];

static const char *path(const char *name) {
    snprintf(P, sizeof P, "%s/%s", D, name);
    return P;
}

static void dump(const char *what) {
    char buf[8192] __attribute__((aligned(8)));
    int avail = -1;
    ioctl(ifd, FIONREAD, &avail);
    ssize_t n = read(ifd, buf, sizeof buf);
    int e = errno;
    printf("== %s (FIONREAD %d, read %zd%s%s)\n", what, avail, n, n < 0 ? " " : "", n < 0 ? strerrorname_np(e) : "");
    unsigned first_cookie = 0;
    for (char *p = buf; n > 0 && p < buf + n;) {
        struct inotify_event *ev = (struct inotify_event *)p;
        const char *ck = "";
        if (ev->cookie) {
            if (!first_cookie)
                first_cookie = ev->cookie;
            ck = ev->cookie == first_cookie ? " cookie=A" : " cookie=B";
        }
        printf("  wd=%d mask=%#x len=%u%s %s\n", ev->wd, ev->mask, ev->len, ck, ev->len ? ev->name : "");
        p += sizeof *ev + ev->len;
    }
}

#define CHECK(what, expr)                                                          \
    do {                                                                           \
        errno = 0;                                                                 \
        long r_ = (long)(expr);                                                    \
        int e_ = errno;                                                            \
        printf("%s: %ld %s\n", what, r_, r_ < 0 ? strerrorname_np(e_) : "");       \
    } while (0)

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    snprintf(D, sizeof D, "/tmp/sbx-inotify-%d", getpid());
    mkdir(D, 0755);

    CHECK("init1 bad flags", inotify_init1(0x10));
    ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    printf("init1: cloexec=%d nonblock=%d\n", fcntl(ifd, F_GETFD) == FD_CLOEXEC, (fcntl(ifd, F_GETFL) & O_NONBLOCK) != 0);
    char lnk[64], target[64] = {0};
    snprintf(lnk, sizeof lnk, "/proc/self/fd/%d", ifd);
    readlink(lnk, target, sizeof target - 1);
    printf("link: %s\n", target);

    CHECK("add+create together", inotify_add_watch(ifd, D, IN_OPEN | IN_MASK_ADD | IN_MASK_CREATE));
    CHECK("no events", inotify_add_watch(ifd, D, IN_ONLYDIR));
    CHECK("unknown bit", inotify_add_watch(ifd, D, IN_OPEN | 0x00100000));
    CHECK("bad fd", inotify_add_watch(99, D, IN_OPEN));
    CHECK("not inotify", inotify_add_watch(1, D, IN_OPEN));
    CHECK("missing path", inotify_add_watch(ifd, path("nope"), IN_OPEN));
    CHECK("bad path pointer", inotify_add_watch(ifd, (char *)8, IN_OPEN));
    CHECK("rm unknown wd", inotify_rm_watch(ifd, 1234));
    CHECK("rm on non-inotify", inotify_rm_watch(1, 1));
    CHECK("empty read", read(ifd, lnk, sizeof lnk));

    int wd = inotify_add_watch(ifd, D, IN_ALL_EVENTS);
    printf("dir wd %d\n", wd);
    int fd = open(path("f"), O_CREAT | O_WRONLY, 0644);
    dump("create");
    int wf = inotify_add_watch(ifd, path("f"), IN_ALL_EVENTS);
    printf("file wd %d, again %d\n", wf, inotify_add_watch(ifd, path("f"), IN_ALL_EVENTS));
    CHECK("onlydir on a file", inotify_add_watch(ifd, path("f"), IN_OPEN | IN_ONLYDIR));
    write(fd, "x", 1);
    write(fd, "x", 1);
    dump("two writes");
    close(fd);
    dump("close after write");
    fd = open(path("f"), O_RDWR | O_TRUNC);
    char c;
    read(fd, &c, 1);  // empty: no IN_ACCESS
    pwrite(fd, "abc", 3, 0);
    pread(fd, &c, 1, 1);
    close(fd);
    dump("open O_TRUNC, pwrite, pread, close");
    chmod(path("f"), 0600);
    dump("chmod");
    struct timespec ts[2] = {{.tv_sec = 1}, {.tv_sec = 2}};
    utimensat(AT_FDCWD, path("f"), ts, 0);
    dump("utimensat");
    truncate(path("f"), 1);
    dump("truncate");
    char g[256];
    strcpy(g, path("g"));
    link(path("f"), g);
    dump("link");
    unlink(g);
    dump("unlink a second link");
    char h[256];
    strcpy(h, path("h"));
    rename(path("f"), h);
    dump("rename");
    fd = open(h, O_RDONLY);
    unlink(h);
    dump("unlink while open");
    close(fd);
    dump("last close");

    char sub[256];
    strcpy(sub, path("sub"));
    mkdir(sub, 0755);
    int ws = inotify_add_watch(ifd, sub, IN_ALL_EVENTS);
    int dfd = open(sub, O_RDONLY | O_DIRECTORY);
    char dbuf[4096];
    syscall(SYS_getdents64, dfd, dbuf, sizeof dbuf);
    close(dfd);
    dump("mkdir, watch, opendir, getdents, close");
    printf("sub wd %d\n", ws);
    symlink("target", path("sym"));
    dump("symlink");
    unlink(path("sym"));
    rmdir(sub);
    dump("unlink symlink, rmdir watched dir");

    // Rename a watched directory over another, empty, watched one.
    mkdir(path("dx"), 0755);
    mkdir(path("dy"), 0755);
    int wx = inotify_add_watch(ifd, path("dx"), IN_ALL_EVENTS);
    int wy = inotify_add_watch(ifd, path("dy"), IN_ALL_EVENTS);
    dump("two directories");
    printf("dx %d dy %d\n", wx, wy);
    char dy[256];
    strcpy(dy, path("dy"));
    rename(path("dx"), dy);
    dump("rename directory over directory");
    rmdir(dy);
    dump("rmdir");

    // Rename over a watched file.
    close(open(path("a"), O_CREAT | O_RDONLY, 0644));
    close(open(path("b"), O_CREAT | O_RDONLY, 0644));
    int wa = inotify_add_watch(ifd, path("a"), IN_ALL_EVENTS);
    int wb = inotify_add_watch(ifd, path("b"), IN_ALL_EVENTS);
    dump("set-up");
    printf("a %d b %d\n", wa, wb);
    char b[256];
    strcpy(b, path("b"));
    rename(path("a"), b);
    dump("rename a over b");
    unlink(b);
    dump("unlink b (last link, not open)");

    // Watch flags.
    printf("replace dir mask: %d\n", inotify_add_watch(ifd, D, IN_CREATE | IN_ONESHOT));
    close(open(path("c"), O_CREAT | O_RDONLY, 0644));
    dump("oneshot");
    close(open(path("e"), O_CREAT | O_RDONLY, 0644));
    dump("after oneshot");
    int w2 = inotify_add_watch(ifd, D, IN_OPEN);
    int w3 = inotify_add_watch(ifd, D, IN_CLOSE | IN_MASK_ADD);
    printf("mask add keeps the wd: %d\n", w2 == w3);
    CHECK("mask create on a watched inode", inotify_add_watch(ifd, D, IN_OPEN | IN_MASK_CREATE));
    close(open(path("c"), O_RDONLY));
    dump("open+close with OPEN|CLOSE");
    close(open(path("c"), O_RDONLY));
    char small[8];
    CHECK("read into a too small buffer", read(ifd, small, sizeof small));
    CHECK("rm_watch", inotify_rm_watch(ifd, w2));
    dump("after rm_watch");
    CHECK("rm_watch again", inotify_rm_watch(ifd, w2));

    // Readiness and blocking reads.
    wd = inotify_add_watch(ifd, D, IN_CREATE | IN_DELETE);
    struct pollfd pf = {.fd = ifd, .events = POLLIN};
    CHECK("poll empty", poll(&pf, 1, 0));
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 5};
    epoll_ctl(ep, EPOLL_CTL_ADD, ifd, &ev);
    struct epoll_event out;
    CHECK("epoll empty", epoll_wait(ep, &out, 1, 0));
    close(open(path("p"), O_CREAT | O_RDONLY, 0644));
    CHECK("poll ready", poll(&pf, 1, 0));
    printf("revents %#x\n", pf.revents);
    int k = epoll_wait(ep, &out, 1, 0);
    printf("epoll ready %d data %u\n", k, out.data.u32);
    dump("drain");
    fcntl(ifd, F_SETFL, 0);
    pid_t ch = fork();
    if (ch == 0) {
        usleep(100000);
        unlink(path("p"));
        _exit(0);
    }
    dump("blocking read");
    waitpid(ch, NULL, 0);
    fcntl(ifd, F_SETFL, O_NONBLOCK);

    // Overflow: distinct events past the queue limit.
    int qmax = 16384;
    FILE *q = fopen("/proc/sys/fs/inotify/max_queued_events", "r");
    if (q) {
        fscanf(q, "%d", &qmax);
        fclose(q);
    }
    inotify_add_watch(ifd, D, IN_OPEN | IN_CLOSE_NOWRITE);
    for (int i = 0; i < qmax / 2 + 5; i++)
        close(open(path("c"), O_RDONLY));
    long total = 0, overflow = 0, last_overflow = 0;
    char big[65536] __attribute__((aligned(8)));
    for (;;) {
        ssize_t n = read(ifd, big, sizeof big);
        if (n <= 0)
            break;
        for (char *p = big; p < big + n;) {
            struct inotify_event *e = (struct inotify_event *)p;
            total++;
            last_overflow = e->mask == IN_Q_OVERFLOW && e->wd == -1;
            overflow += last_overflow;
            p += sizeof *e + e->len;
        }
    }
    printf("overflow: events=%ld (limit+1: %d) overflow events=%ld last is overflow=%ld\n", total, total == qmax + 1,
           overflow, last_overflow);

    // Closing the inotify fd drops its watches; a new one starts again at wd 1.
    close(ifd);
    ifd = inotify_init();
    printf("new instance wd: %d\n", inotify_add_watch(ifd, D, IN_DELETE));
    unlink(path("c"));
    unlink(path("e"));
    dump("new instance");
    rmdir(D);

    // A directory of the root file system (the sandbox's overlay).
    char R[128], RF[160];
    snprintf(R, sizeof R, "/sbx-inotify-%d", getpid());
    snprintf(RF, sizeof RF, "%s/file", R);
    mkdir(R, 0755);
    printf("root dir wd: %d\n", inotify_add_watch(ifd, R, IN_ALL_EVENTS));
    fd = open(RF, O_CREAT | O_WRONLY, 0600);
    write(fd, "data", 4);
    close(fd);
    unlink(RF);
    rmdir(R);
    dump("overlay directory");
    return 0;
}
