// signalfd: reading pending signals of a mask as signalfd_siginfo records, flags,
// mask updates, readiness for poll and epoll, blocking reads, SIGCHLD and fork.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK(what, expr)                                                        \
    do {                                                                         \
        errno = 0;                                                               \
        long r_ = (long)(expr);                                                  \
        int e_ = errno;                                                          \
        printf("%s: %ld %s\n", what, r_, r_ < 0 ? strerrorname_np(e_) : "");    \
    } while (0)

static void show(const char *what, const struct signalfd_siginfo *si) {
    printf("%s: signo=%u code=%d pid_ok=%d uid=%u int=%d ptr=%llu status=%d\n", what, si->ssi_signo, si->ssi_code,
           si->ssi_pid == (unsigned)getpid(), si->ssi_uid, si->ssi_int, (unsigned long long)si->ssi_ptr,
           si->ssi_status);
}

static int readable(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int n = poll(&p, 1, 0);
    return n == 1 && (p.revents & POLLIN);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigaddset(&m, SIGUSR2);
    sigaddset(&m, SIGCHLD);
    sigaddset(&m, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &m, NULL);

    // Argument checks.
    CHECK("bad flags", signalfd(-1, &m, 0x1));
    CHECK("bad sizemask", syscall(SYS_signalfd4, -1, &m, 4, 0));
    CHECK("bad mask pointer", syscall(SYS_signalfd4, -1, (void *)8, 8, 0));
    CHECK("not open", signalfd(77, &m, 0));
    CHECK("not a signalfd", signalfd(1, &m, 0));

    sigset_t only1;
    sigemptyset(&only1);
    sigaddset(&only1, SIGUSR1);
    int fd = signalfd(-1, &only1, SFD_NONBLOCK | SFD_CLOEXEC);
    printf("created: %d cloexec=%d nonblock=%d\n", fd >= 0, fcntl(fd, F_GETFD) == FD_CLOEXEC,
           (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    char link[64], target[64] = {0};
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    readlink(link, target, sizeof target - 1);
    printf("link: %s\n", target);
    struct stat st;
    fstat(fd, &st);
    printf("mode: %o\n", st.st_mode);

    struct signalfd_siginfo si[4];
    CHECK("empty read", read(fd, si, sizeof si));
    printf("readable when empty: %d\n", readable(fd));
    kill(getpid(), SIGUSR2);
    printf("readable with only SIGUSR2 pending: %d\n", readable(fd));
    kill(getpid(), SIGUSR1);
    printf("readable with SIGUSR1 pending: %d\n", readable(fd));
    CHECK("short buffer", read(fd, si, sizeof si[0] - 1));
    ssize_t n = read(fd, si, sizeof si);
    printf("read %zd bytes\n", n);
    show("kill", &si[0]);
    sigset_t pend;
    sigpending(&pend);
    printf("SIGUSR2 still pending: %d, SIGUSR1 pending: %d\n", sigismember(&pend, SIGUSR2),
           sigismember(&pend, SIGUSR1));

    // Change the mask through the existing fd: SIGUSR2 becomes readable.
    sigset_t both;
    sigemptyset(&both);
    sigaddset(&both, SIGUSR1);
    sigaddset(&both, SIGUSR2);
    sigaddset(&both, SIGRTMIN);
    sigaddset(&both, SIGKILL);  // silently dropped
    printf("update returns the same fd: %d\n", signalfd(fd, &both, 0) == fd);
    kill(getpid(), SIGUSR1);
    union sigval v = {.sival_int = 4242};
    sigqueue(getpid(), SIGRTMIN, v);
    n = read(fd, si, sizeof si);
    printf("read %zd bytes (%zd records)\n", n, n / (ssize_t)sizeof si[0]);
    for (int i = 0; i < n / (int)sizeof si[0]; i++)
        show(si[i].ssi_signo == SIGRTMIN ? "sigqueue" : "record", &si[i]);
    syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1);
    n = read(fd, si, sizeof si);
    printf("tgkill: %zd bytes code=%d (SI_TKILL=%d)\n", n, si[0].ssi_code, SI_TKILL);

    // epoll sees it, level-triggered and edge-triggered.
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u32 = 7};
    CHECK("epoll add", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    struct epoll_event out[2];
    CHECK("epoll nothing", epoll_wait(ep, out, 2, 0));
    kill(getpid(), SIGUSR1);
    int k = epoll_wait(ep, out, 2, 0);
    printf("epoll: %d events=%#x data=%u\n", k, k > 0 ? out[0].events : 0, k > 0 ? out[0].data.u32 : 0);
    CHECK("epoll edge again", epoll_wait(ep, out, 2, 0));
    kill(getpid(), SIGUSR2);
    CHECK("epoll new signal", epoll_wait(ep, out, 2, 0));
    read(fd, si, sizeof si);
    CHECK("epoll drained", epoll_wait(ep, out, 2, 10));

    // A blocking read waits for a signal another process sends.
    int bfd = signalfd(-1, &both, 0);
    pid_t c = fork();
    if (c == 0) {
        usleep(100000);
        kill(getppid(), SIGUSR2);
        _exit(0);
    }
    n = read(bfd, si, sizeof si);
    printf("blocking read: %zd signo=%u from child=%d\n", n, si[0].ssi_signo, si[0].ssi_pid == (unsigned)c);
    waitpid(c, NULL, 0);

    // SIGCHLD through a signalfd carries the exit status.
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    int cfd = signalfd(-1, &chld, SFD_NONBLOCK);
    while (read(cfd, si, sizeof si) > 0) {
    }  // the SIGCHLD of the child above
    c = fork();
    if (c == 0)
        _exit(7);
    struct pollfd pc = {.fd = cfd, .events = POLLIN};
    poll(&pc, 1, -1);
    n = read(cfd, si, sizeof si);
    printf("sigchld: %zd signo=%u code=%d status=%d pid_ok=%d\n", n, si[0].ssi_signo, si[0].ssi_code, si[0].ssi_status,
           si[0].ssi_pid == (unsigned)c);
    waitpid(c, NULL, 0);

    // After fork the child reads its own signals, not the parent's.
    kill(getpid(), SIGUSR1);
    c = fork();
    if (c == 0) {
        printf("child sees parent's signal: %d\n", readable(fd));
        kill(getpid(), SIGUSR2);
        n = read(fd, si, sizeof si);
        printf("child read %zd signo=%u\n", n, si[0].ssi_signo);
        _exit(0);
    }
    waitpid(c, NULL, 0);
    n = read(fd, si, sizeof si);
    printf("parent read %zd signo=%u\n", n, si[0].ssi_signo);
    CHECK("write", write(fd, si, sizeof si[0]));
    return 0;
}
