// mknod/mknodat/mkfifo and FIFO semantics: which node types may be made (as root
// in a user namespace: no devices but the 0/0 whiteout), the open rules of
// fifo(7) (blocking for the partner, O_NONBLOCK, ENXIO, O_RDWR), data through the
// pipe, POLLHUP, EINTR of a blocked open, on tmpfs and on the root file system.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define P(expr)                                                                              \
    do {                                                                                     \
        errno = 0;                                                                           \
        long r_ = (long)(expr);                                                              \
        int e_ = errno;                                                                      \
        printf("%-52s = %ld %s\n", #expr, r_, r_ < 0 ? strerrorname_np(e_) : "");             \
    } while (0)

static char D[128], B[256];
static const char *at(const char *name) {
    snprintf(B, sizeof B, "%s/%s", D, name);
    return B;
}

static void write_file(const char *path, const char *s) {
    int fd = open(path, O_WRONLY);
    if (fd >= 0) {
        write(fd, s, strlen(s));
        close(fd);
    }
}

/// Natively: become root of a new user namespace, where Linux refuses device
/// nodes. In the sandbox the guest is already that (the call fails silently).
static void userns(void) {
    if (unshare(CLONE_NEWUSER) == 0) {
        write_file("/proc/self/setgroups", "deny");
        write_file("/proc/self/uid_map", "0 0 1");
        write_file("/proc/self/gid_map", "0 0 1");
    }
}

static void show(const char *name) {
    struct stat st;
    if (lstat(at(name), &st) != 0) {
        printf("%s: missing\n", name);
        return;
    }
    printf("%s: mode %o rdev %u:%u size %ld\n", name, st.st_mode, major(st.st_rdev), minor(st.st_rdev),
           (long)st.st_size);
}

static void on_usr1(int s) { (void)s; }

static void fifo_semantics(const char *where) {
    snprintf(D, sizeof D, "%s", where);
    char f[256];
    snprintf(f, sizeof f, "%s/sbx-fifo-%d", where, getpid());
    printf("-- FIFO in %s\n", where[1] == 't' ? "/tmp" : "/");
    P(mkfifo(f, 0600));
    P(mkfifo(f, 0600));
    struct stat st;
    stat(f, &st);
    printf("is fifo %d mode %o\n", S_ISFIFO(st.st_mode), st.st_mode & 07777);
    P(open(f, O_WRONLY | O_NONBLOCK));
    int r = open(f, O_RDONLY | O_NONBLOCK);
    printf("read-only non-blocking open: %d\n", r >= 0);
    struct stat fst;
    fstat(r, &fst);
    printf("fstat: fifo %d same inode %d\n", S_ISFIFO(fst.st_mode), fst.st_ino == st.st_ino);
    struct pollfd p = {.fd = r, .events = POLLIN};
    P(poll(&p, 1, 0));
    printf("revents before any writer %#x\n", p.revents);
    char buf[32] = {0};
    P(read(r, buf, sizeof buf));
    int w = open(f, O_WRONLY | O_NONBLOCK);
    printf("write-only non-blocking open with a reader: %d\n", w >= 0);
    P(write(w, "hi", 2));
    int n = -1;
    ioctl(r, FIONREAD, &n);
    printf("FIONREAD %d, pipe size %d\n", n, fcntl(r, F_GETPIPE_SZ));
    P(read(r, buf, sizeof buf));
    printf("got %s\n", buf);
    P(lseek(r, 0, SEEK_SET));
    P(read(w, buf, sizeof buf));
    P(write(r, "x", 1));
    close(w);
    p.revents = 0;
    P(poll(&p, 1, 0));
    printf("revents after the writer left %#x\n", p.revents);
    P(read(r, buf, sizeof buf));
    int rw = open(f, O_RDWR);
    P(write(rw, "yo", 2));
    memset(buf, 0, sizeof buf);
    P(read(rw, buf, sizeof buf));
    printf("O_RDWR loop: %s\n", buf);
    close(r);
    close(rw);
    // The buffer goes with the last close.
    rw = open(f, O_RDWR);
    write(rw, "zz", 2);
    close(rw);
    rw = open(f, O_RDWR | O_NONBLOCK);
    P(read(rw, buf, sizeof buf));
    close(rw);
    // A blocking read-only open waits for a writer.
    pid_t c = fork();
    if (c == 0) {
        usleep(100000);
        int w = open(f, O_WRONLY);
        write(w, "child", 5);
        close(w);
        _exit(0);
    }
    r = open(f, O_RDONLY);
    memset(buf, 0, sizeof buf);
    P(read(r, buf, sizeof buf));
    printf("reader got %s\n", buf);
    P(read(r, buf, sizeof buf));
    close(r);
    waitpid(c, NULL, 0);
    // A blocking write-only open waits for a reader.
    c = fork();
    if (c == 0) {
        usleep(100000);
        int r = open(f, O_RDONLY);
        char b[16] = {0};
        ssize_t k = read(r, b, sizeof b);
        printf("child reader got %zd %s\n", k, b);
        close(r);
        _exit(0);
    }
    w = open(f, O_WRONLY);
    ssize_t wrote = write(w, "parent", 6);
    close(w);
    waitpid(c, NULL, 0);
    printf("writer wrote %zd\n", wrote);
    // A signal ends a blocked open: EINTR without SA_RESTART.
    struct sigaction sa = {.sa_handler = on_usr1};
    sigaction(SIGUSR1, &sa, NULL);
    pid_t me = getpid();
    c = fork();
    if (c == 0) {
        usleep(100000);
        kill(me, SIGUSR1);
        _exit(0);
    }
    P(open(f, O_RDONLY));
    waitpid(c, NULL, 0);
    P(unlink(f));
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    userns();
    umask(022);
    snprintf(D, sizeof D, "/tmp/sbx-mknod-%d", getpid());
    mkdir(D, 0755);
    P(mknod(at("fifo"), S_IFIFO | 0666, 0));
    P(mknod(at("fifo"), S_IFIFO | 0666, 0));
    P(mknod(at("reg"), S_IFREG | 0640, 0));
    P(mknod(at("plain"), 0644, 0));
    P(mknod(at("whiteout"), S_IFCHR | 0600, makedev(0, 0)));
    P(mknod(at("null"), S_IFCHR | 0666, makedev(1, 3)));
    P(mknod(at("blk"), S_IFBLK | 0666, makedev(0, 0)));
    P(mknod(at("dir"), S_IFDIR | 0755, 0));
    P(mknod(at("bad"), 0170000 | 0644, 0));
    P(mknod(at("nodir/x"), S_IFIFO | 0644, 0));
    P(mknod(at("slash/"), S_IFIFO | 0644, 0));
    P(mknod(at("fifo/"), S_IFIFO | 0644, 0));
    P(mknod((char *)8, S_IFIFO | 0644, 0));
    int dfd = open(D, O_RDONLY | O_DIRECTORY);
    P(mknodat(dfd, "at", S_IFIFO | 0777, 0));
    P(mkfifoat(dfd, "at2", 0700));
    show("fifo");
    show("reg");
    show("plain");
    show("whiteout");
    show("null");
    show("at");
    show("at2");
    P(open(at("whiteout"), O_RDONLY));
    int rfd = open(at("reg"), O_RDONLY);
    printf("regular node opens: %d\n", rfd >= 0);
    close(rfd);
    const char *names[] = {"fifo", "reg", "plain", "whiteout", "at", "at2"};
    for (unsigned i = 0; i < sizeof names / sizeof *names; i++)
        unlink(at(names[i]));
    rmdir(D);

    fifo_semantics("/tmp");
    fifo_semantics("");
    return 0;
}
