// sendfile, splice, tee, vmsplice and copy_file_range: counts, which offsets and
// file positions move, errors, non-blocking pipes, and the data that arrives.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define P(expr)                                                                               \
    do {                                                                                      \
        errno = 0;                                                                            \
        long r_ = (long)(expr);                                                               \
        int e_ = errno;                                                                       \
        printf("%-58s = %ld %s\n", #expr, r_, r_ < 0 ? strerrorname_np(e_) : "");             \
    } while (0)

static long pos(int fd) { return (long)lseek(fd, 0, SEEK_CUR); }

static void contents(const char *what, int fd) {
    char buf[128] = {0};
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    for (ssize_t i = 0; i < n; i++)
        if (!buf[i])
            buf[i] = '.';
    printf("%s: %zd [%s]\n", what, n, buf);
}

static void drain(const char *what, int fd) {
    char buf[256] = {0};
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    fcntl(fd, F_SETFL, fl);
    printf("%s: %zd [%s]\n", what, n, n > 0 ? buf : "");
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGPIPE, SIG_IGN);
    char pa[64], pb[64], ps[64];
    snprintf(pa, sizeof pa, "/tmp/sbx-splice-a-%d", getpid());
    snprintf(pb, sizeof pb, "/tmp/sbx-splice-b-%d", getpid());
    snprintf(ps, sizeof ps, "/dev/shm/sbx-splice-s-%d", getpid());
    int a = open(pa, O_CREAT | O_RDWR | O_TRUNC, 0644);
    write(a, "0123456789abcdef", 16);
    int b = open(pb, O_CREAT | O_RDWR | O_TRUNC, 0644);
    int sh = open(ps, O_CREAT | O_RDWR | O_TRUNC, 0644);
    int ap = open(pb, O_WRONLY | O_APPEND);
    int ro = open(pb, O_RDONLY);
    int wo = open(pa, O_WRONLY);
    int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
    int p[2], q[2];
    pipe(p);
    pipe(q);

    printf("-- sendfile\n");
    off_t off = 4;
    lseek(a, 2, SEEK_SET);
    P(sendfile(b, a, &off, 5));
    printf("offset %ld, in position %ld, out position %ld\n", (long)off, pos(a), pos(b));
    P(sendfile(b, a, NULL, 3));
    printf("in position %ld, out position %ld\n", pos(a), pos(b));
    contents("b", b);
    P(sendfile(p[1], a, NULL, 4));
    drain("pipe", p[0]);
    P(sendfile(b, a, NULL, 0));
    off = 100;
    P(sendfile(b, a, &off, 4));
    printf("offset past the end stays %ld\n", (long)off);
    off = -1;
    P(sendfile(b, a, &off, 4));
    P(sendfile(b, a, (off_t *)8, 4));
    write(p[1], "xy", 2);
    P(sendfile(b, p[0], NULL, 4));
    off = 0;
    P(sendfile(b, p[0], &off, 4));
    drain("pipe still holds", p[0]);
    P(sendfile(ap, a, NULL, 4));
    P(sendfile(ro, a, NULL, 4));
    P(sendfile(b, wo, NULL, 4));
    P(sendfile(b, 99, NULL, 4));
    P(sendfile(99, a, NULL, 4));
    P(sendfile(b, dir, NULL, 4));
    off = 0;
    P(sendfile(b, a, &off, (size_t)1 << 40));
    int s[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, s);
    off = 10;
    P(sendfile(s[0], a, &off, 100));
    drain("socket", s[1]);

    printf("-- splice\n");
    lseek(a, 1, SEEK_SET);
    off = 3;
    P(splice(a, &off, p[1], NULL, 4, 0));
    printf("offset %ld, in position %ld\n", (long)off, pos(a));
    P(splice(a, NULL, p[1], NULL, 2, 0));
    printf("in position %ld\n", pos(a));
    P(splice(p[0], NULL, q[1], NULL, 100, 0));
    ftruncate(b, 0);
    lseek(b, 0, SEEK_SET);
    off = 10;
    P(splice(q[0], NULL, b, &off, 2, 0));
    printf("offset %ld, out position %ld\n", (long)off, pos(b));
    P(splice(q[0], NULL, b, NULL, 100, 0));
    printf("out position %ld\n", pos(b));
    contents("b", b);
    P(splice(q[0], NULL, b, NULL, 100, SPLICE_F_NONBLOCK));
    P(splice(p[0], &off, b, NULL, 3, 0));
    P(splice(a, NULL, p[1], &off, 3, 0));
    P(splice(a, NULL, b, NULL, 3, 0));
    P(splice(p[0], NULL, p[1], NULL, 3, 0));
    P(splice(p[0], NULL, b, NULL, 3, 0x100));
    P(splice(p[0], NULL, b, NULL, 0, 0x100));
    P(splice(p[0], NULL, ap, NULL, 10, SPLICE_F_NONBLOCK));
    off = -5;
    P(splice(a, &off, p[1], NULL, 6, 0));
    P(splice(wo, NULL, p[1], NULL, 3, 0));
    P(splice(a, NULL, p[0], NULL, 3, 0));
    P(splice(dir, NULL, p[1], NULL, 3, 0));
    P(splice(a, (loff_t *)8, p[1], NULL, 3, 0));
    // Non-blocking pipes.
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    P(splice(p[0], NULL, b, NULL, 100, 0));
    fcntl(p[1], F_SETPIPE_SZ, 4096);
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    char big[5000];
    memset(big, 'x', sizeof big);
    P(write(p[1], big, sizeof big));
    P(splice(a, NULL, p[1], NULL, 100, 0));
    P(splice(a, NULL, q[1], NULL, 100, SPLICE_F_NONBLOCK));
    char sink[8192];
    read(p[0], sink, sizeof sink);
    read(q[0], sink, sizeof sink);
    // Sockets on the other side.
    P(write(s[0], "sock", 4));
    P(splice(s[1], NULL, q[1], NULL, 10, 0));
    P(splice(q[0], NULL, s[0], NULL, 10, 0));
    drain("socket got back", s[1]);
    // End of file and no reader.
    int e[2];
    pipe(e);
    close(e[1]);
    P(splice(e[0], NULL, b, NULL, 10, 0));
    pipe(e);
    close(e[0]);
    P(splice(a, NULL, e[1], NULL, 10, 0));
    close(e[1]);

    // A blocking splice waits for the writer.
    int w[2];
    pipe(w);
    if (fork() == 0) {
        usleep(100000);
        write(w[1], "late", 4);
        _exit(0);
    }
    off = 0;
    P(splice(w[0], NULL, b, &off, 10, 0));
    wait(NULL);

    printf("-- tee\n");
    P(write(q[1], "hello", 5));
    int r[2];
    pipe(r);
    P(tee(q[0], r[1], 3, 0));
    P(tee(q[0], q[1], 3, 0));
    P(tee(a, r[1], 3, 0));
    P(tee(q[0], r[1], 3, 0x100));
    P(tee(q[0], r[1], 0, 0));
    P(tee(r[1], q[1], 3, 0));
    drain("tee copy", r[0]);
    drain("tee source kept", q[0]);
    P(tee(r[0], q[1], 5, SPLICE_F_NONBLOCK));

    printf("-- vmsplice\n");
    struct iovec iov[2] = {{"ab", 2}, {"cde", 3}};
    P(vmsplice(q[1], iov, 2, 0));
    char x[3], y[4] = {0};
    struct iovec riov[2] = {{x, 3}, {y, 4}};
    P(vmsplice(q[0], riov, 2, 0));
    printf("got %.3s %.3s\n", x, y);
    P(vmsplice(a, iov, 2, 0));
    P(vmsplice(q[0], riov, 2, SPLICE_F_NONBLOCK));
    P(vmsplice(q[1], iov, 2, 0x100));
    P(vmsplice(q[1], iov, 0, 0));
    P(vmsplice(q[1], iov, 5000, 0));
    P(vmsplice(q[1], (struct iovec *)8, 1, 0));

    printf("-- copy_file_range\n");
    loff_t oi = 0, oo = 100;
    ftruncate(b, 0);
    lseek(a, 0, SEEK_SET);
    lseek(b, 0, SEEK_SET);
    P(copy_file_range(a, &oi, b, &oo, 4, 0));
    printf("offsets %ld %ld, positions %ld %ld, size %ld\n", (long)oi, (long)oo, pos(a), pos(b),
           (long)lseek(b, 0, SEEK_END));
    lseek(b, 0, SEEK_SET);
    P(copy_file_range(a, NULL, b, NULL, 4, 0));
    printf("positions %ld %ld\n", pos(a), pos(b));
    contents("b", b);
    P(copy_file_range(a, NULL, b, NULL, 4, 1));
    P(copy_file_range(a, NULL, sh, NULL, 4, 0));
    P(copy_file_range(a, NULL, p[1], NULL, 4, 0));
    P(copy_file_range(a, NULL, ap, NULL, 4, 0));
    P(copy_file_range(a, NULL, ro, NULL, 4, 0));
    P(copy_file_range(wo, NULL, b, NULL, 4, 0));
    P(copy_file_range(dir, NULL, b, NULL, 4, 0));
    P(copy_file_range(99, NULL, b, NULL, 4, 0));
    oi = 0, oo = 2;
    P(copy_file_range(a, &oi, a, &oo, 4, 0));
    oi = 0, oo = 8;
    P(copy_file_range(a, &oi, a, &oo, 4, 0));
    contents("a", a);
    oi = 1000;
    P(copy_file_range(a, &oi, b, NULL, 4, 0));
    oi = -1;
    P(copy_file_range(a, &oi, b, NULL, 4, 0));
    P(copy_file_range(a, NULL, b, NULL, 0, 0));
    lseek(a, 3, SEEK_SET);
    P(copy_file_range(a, NULL, b, NULL, (size_t)1 << 40, 0));
    printf("position %ld\n", pos(a));
    // Within one tmpfs (the same file system on both sides).
    char ps2[64];
    snprintf(ps2, sizeof ps2, "/dev/shm/sbx-splice-t-%d", getpid());
    int sh2 = open(ps2, O_CREAT | O_RDWR | O_TRUNC, 0600);
    write(sh, "xyz", 3);
    lseek(sh, 0, SEEK_SET);
    P(copy_file_range(sh, NULL, sh2, NULL, 10, 0));
    contents("copy", sh2);
    unlink(ps2);
    unlink(pa);
    unlink(pb);
    unlink(ps);
    return 0;
}
