#define _GNU_SOURCE
// Pipes between processes, poll/select readiness, EOF, EPIPE/SIGPIPE, O_NONBLOCK.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
    int p[2], q[2];
    pipe(p);
    pipe(q);
    struct pollfd pf = {p[0], POLLIN, 0};
    printf("empty poll: %d\n", poll(&pf, 1, 0));
    pid_t c = fork();
    if (c == 0) {
        close(p[0]);
        usleep(50000);
        write(p[1], "from child", 10);
        // Stay until the parent has looked, so that it sees data but no hang-up yet.
        char go;
        read(q[0], &go, 1);
        _exit(0);
    }
    close(p[1]);
    int pr = poll(&pf, 1, 5000);
    printf("poll: %d revents=%x\n", pr, pf.revents);
    char buf[32] = {0};
    ssize_t got = read(p[0], buf, sizeof buf);
    printf("read: %zd %s\n", got, buf);
    write(q[1], "g", 1);
    waitpid(c, NULL, 0);
    pf.revents = 0;
    pr = poll(&pf, 1, 0);
    printf("after exit poll: %d hup=%d\n", pr, (pf.revents & POLLHUP) != 0);
    printf("eof read: %zd\n", read(p[0], buf, sizeof buf));
    close(p[0]);
    // select on a fresh pipe: writable, not readable.
    pipe(p);
    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(p[0], &r);
    FD_SET(p[1], &w);
    struct timeval tv = {0, 0};
    int sr = select(p[1] + 1, &r, &w, NULL, &tv);
    printf("select: %d r=%d w=%d\n", sr, FD_ISSET(p[0], &r), FD_ISSET(p[1], &w));
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    got = read(p[0], buf, 1);
    printf("nonblock read: %zd %s\n", got, strerrorname_np(errno));
    printf("pipe size: %d\n", fcntl(p[0], F_GETPIPE_SZ));
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    got = write(p[1], "x", 1);
    printf("epipe: %zd %s\n", got, strerrorname_np(errno));
    signal(SIGPIPE, SIG_DFL);
    printf("now dying of SIGPIPE\n");
    fflush(stdout);
    write(p[1], "x", 1);
    printf("not reached\n");
    return 0;
}
