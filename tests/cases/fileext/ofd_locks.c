// Open file description locks (F_OFD_SETLK, F_OFD_SETLKW, F_OFD_GETLK): owned by
// the description (shared by dup and fork, separate for another open of the same
// file), conflicting with POSIX locks, merged when they touch, released at the
// description's last close; l_pid rules.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int lk(int fd, int cmd, short type, off_t start, off_t len) {
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    return fcntl(fd, cmd, &fl);
}

#define P(expr)                                                                              \
    do {                                                                                     \
        errno = 0;                                                                           \
        long r_ = (long)(expr);                                                              \
        int e_ = errno;                                                                      \
        printf("%-44s = %ld %s\n", #expr, r_, r_ < 0 ? strerrorname_np(e_) : "");             \
    } while (0)

static void get(const char *what, int fd, int cmd, short type, off_t s, off_t l) {
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = s, .l_len = l};
    errno = 0;
    int r = fcntl(fd, cmd, &fl);
    int e = errno;
    const char *ty = fl.l_type == F_RDLCK ? "RD" : fl.l_type == F_WRLCK ? "WR" : "UN";
    printf("%s: %d %s type=%s start=%ld len=%ld pid=%s\n", what, r, r < 0 ? strerrorname_np(e) : "", ty,
           (long)fl.l_start, (long)fl.l_len,
           fl.l_pid == getpid() ? "self" : fl.l_pid == -1 ? "-1" : fl.l_pid == 0 ? "0" : "other");
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    char path[64];
    snprintf(path, sizeof path, "/tmp/sbx-ofd-%d", getpid());
    int a = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    int b = open(path, O_RDWR);
    int a2 = dup(a);
    P(lk(a, F_OFD_SETLK, F_WRLCK, 0, 10));
    P(lk(b, F_OFD_SETLK, F_WRLCK, 5, 10));
    P(lk(a2, F_OFD_SETLK, F_WRLCK, 5, 10));
    get("b asks (OFD)", b, F_OFD_GETLK, F_WRLCK, 0, 100);
    get("b asks (POSIX)", b, F_GETLK, F_WRLCK, 0, 100);
    get("a asks about its own", a, F_OFD_GETLK, F_WRLCK, 0, 100);
    // POSIX locks of this process conflict with OFD locks of a description.
    P(lk(b, F_SETLK, F_WRLCK, 0, 1));
    P(lk(b, F_SETLK, F_WRLCK, 50, 1));
    get("a asks (OFD) about a POSIX lock", a, F_OFD_GETLK, F_RDLCK, 50, 1);
    get("a asks (POSIX) about its own process's lock", a, F_GETLK, F_RDLCK, 50, 1);
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1, .l_pid = 5};
    P(fcntl(a, F_OFD_SETLK, &fl));
    P(fcntl(a, F_OFD_GETLK, &fl));
    fl.l_pid = 0;
    fl.l_type = F_UNLCK;
    P(fcntl(a, F_OFD_GETLK, &fl));
    P(lk(a, F_OFD_SETLK, 7, 0, 1));
    // Closing one fd of the description keeps its locks; the last close drops them.
    close(a);
    P(lk(b, F_OFD_SETLK, F_WRLCK, 0, 1));
    close(a2);
    P(lk(b, F_OFD_SETLK, F_WRLCK, 0, 1));
    // Closing another fd of the file does not drop OFD locks (unlike POSIX ones).
    int c = open(path, O_RDWR);
    P(lk(c, F_OFD_SETLK, F_WRLCK, 100, 10));
    close(open(path, O_RDONLY));
    int d = open(path, O_RDWR);
    P(lk(d, F_OFD_SETLK, F_WRLCK, 100, 10));
    // A forked child shares the description: same owner.
    pid_t k = fork();
    if (k == 0) {
        P(lk(c, F_OFD_SETLK, F_WRLCK, 100, 10));
        int o = open(path, O_RDWR);
        P(lk(o, F_OFD_SETLK, F_WRLCK, 100, 10));
        printf("child waits\n");
        P(lk(o, F_OFD_SETLKW, F_WRLCK, 100, 10));
        _exit(0);
    }
    usleep(200000);
    int un = lk(c, F_OFD_SETLK, F_UNLCK, 100, 10);
    waitpid(k, NULL, 0);
    printf("parent unlocked: %d\n", un);
    // The child's description went with it.
    P(lk(d, F_OFD_SETLK, F_WRLCK, 100, 10));
    // Read locks share; access mode rules.
    int ro = open(path, O_RDONLY);
    int wo = open(path, O_WRONLY);
    P(lk(ro, F_OFD_SETLK, F_WRLCK, 200, 1));
    P(lk(ro, F_OFD_SETLK, F_RDLCK, 200, 1));
    P(lk(wo, F_OFD_SETLK, F_RDLCK, 200, 1));
    P(lk(d, F_OFD_SETLK, F_RDLCK, 200, 1));
    P(lk(d, F_OFD_SETLK, F_WRLCK, 200, 1));
    P(lk(ro, F_OFD_SETLK, F_UNLCK, 200, 1));
    P(lk(d, F_OFD_SETLK, F_WRLCK, 200, 1));
    // Touching locks of one description merge.
    P(lk(d, F_OFD_SETLK, F_WRLCK, 300, 10));
    P(lk(d, F_OFD_SETLK, F_WRLCK, 310, 10));
    get("merged", b, F_OFD_GETLK, F_WRLCK, 300, 1);
    P(lk(d, F_OFD_SETLK, F_UNLCK, 305, 5));
    get("split", b, F_OFD_GETLK, F_WRLCK, 300, 100);
    unlink(path);
    return 0;
}
