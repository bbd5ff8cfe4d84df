// AF_UNIX stream socket pairs between processes: both directions, shutdown, EPIPE
// with and without MSG_NOSIGNAL, poll readiness, the calls that describe them.
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int sv[2];
    printf("socketpair: %d\n", socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
    int other[2];
    int r = socketpair(AF_INET, SOCK_STREAM, 0, other);
    printf("inet pair: %d %s\n", r, strerrorname_np(errno));
    r = socketpair(12345, SOCK_STREAM, 0, other);
    printf("unknown family: %d %s\n", r, strerrorname_np(errno));
    pid_t c = fork();
    if (c == 0) {
        close(sv[0]);
        char buf[32] = {0};
        ssize_t n = recv(sv[1], buf, sizeof buf, 0);
        printf("child got %zd: %s\n", n, buf);
        send(sv[1], "pong", 4, 0);
        _exit(0);
    }
    close(sv[1]);
    send(sv[0], "ping", 4, 0);
    char buf[32] = {0};
    struct iovec iov = {buf, sizeof buf};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    ssize_t n = recvmsg(sv[0], &m, 0);
    printf("parent got %zd: %s flags=%d\n", n, buf, m.msg_flags);
    waitpid(c, NULL, 0);
    struct pollfd pf = {sv[0], POLLIN | POLLOUT, 0};
    poll(&pf, 1, 0);
    printf("after peer exit: in=%d hup=%d\n", (pf.revents & POLLIN) != 0, (pf.revents & POLLHUP) != 0);
    n = recv(sv[0], buf, sizeof buf, 0);
    printf("eof: %zd\n", n);
    n = send(sv[0], "x", 1, MSG_NOSIGNAL);
    printf("send to closed peer: %zd %s\n", n, strerrorname_np(errno));
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    int type = 0;
    socklen_t len = sizeof type;
    getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len);
    printf("SO_TYPE stream: %d len %u\n", type == SOCK_STREAM, len);
    struct sockaddr_un sa;
    len = sizeof sa;
    getsockname(sv[0], (struct sockaddr *)&sa, &len);
    printf("name: family %d len %u\n", sa.sun_family, len);
    struct stat st;
    fstat(sv[0], &st);
    printf("S_ISSOCK: %d\n", S_ISSOCK(st.st_mode));
    shutdown(sv[1], SHUT_WR);
    printf("after peer SHUT_WR: %zd\n", read(sv[0], buf, sizeof buf));
    write(sv[0], "still", 5);
    n = read(sv[1], buf, sizeof buf);
    printf("other direction still works: %zd\n", n);
    int p[2];
    pipe(p);
    n = recv(p[0], buf, 1, MSG_DONTWAIT);
    printf("recv on a pipe: %zd %s\n", n, strerrorname_np(errno));
    printf("now SIGPIPE:\n");
    close(sv[1]);
    write(sv[0], "x", 1);
    printf("not reached\n");
    return 0;
}
